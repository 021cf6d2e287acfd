-- The firms of one unit (a county, or a chain across counties) in its last published quarter before a given one,
-- one row per firm as the warehouse holds it: the pre-fill of the next template and the base of the warnings.
with params as (
    select
        $county::varchar as county,
        $chain::varchar as chain,
        $before::integer as before_index
),

unit_rows as (
    select f.*
    from firm_quarters as f, params
    where
        (params.county is null or f.county = params.county)
        and (params.chain is null or f.chain = params.chain)
        and f.period_index < params.before_index
),

last_period as (
    select max(period_index) as period_index from unit_rows
)

select
    u.year,
    u.quarter,
    u.credit_code,
    u.enterprise_name,
    u.county,
    u.chain,
    u.above_scale,
    u.chain_leader,
    u.employees,
    u.has_union,
    u.members,
    u.migrant_workers,
    u.migrant_members,
    u.female_employees
from unit_rows as u
inner join last_period on u.period_index = last_period.period_index
order by u.county, u.chain, u.enterprise_name, u.credit_code
