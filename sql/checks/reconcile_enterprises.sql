-- per quarter: firms in raw (distinct keys), members and employees in staging equal the marts' totals
with raw_side as (
    select
        year,
        quarter,
        count(distinct credit_code) as firms
    from raw_enterprises
    group by year, quarter
),

stg_side as (
    select
        year,
        quarter,
        sum(members) as members,
        sum(employees) as employees
    from stg_enterprises
    group by year, quarter
),

mart_side as (
    select
        year,
        quarter,
        sum(denominator) filter (where indicator = 'P5_UNION_RATE') as firms,
        sum(value) filter (where indicator = 'P5_MEMBERS') as members,
        sum(denominator) filter (where indicator = 'P5_MEMBER_RATE') as employees
    from indicator_values
    where indicator in ('P5_UNION_RATE', 'P5_MEMBERS', 'P5_MEMBER_RATE')
    group by year, quarter
)

select '企业数据与指标不一致：' || raw_side.year || 'Q' || raw_side.quarter as problem
from raw_side
inner join stg_side on raw_side.year = stg_side.year and raw_side.quarter = stg_side.quarter
left join mart_side on raw_side.year = mart_side.year and raw_side.quarter = mart_side.quarter
where
    mart_side.firms is distinct from raw_side.firms::double
    or mart_side.members is distinct from stg_side.members::double
    or mart_side.employees is distinct from stg_side.employees::double
