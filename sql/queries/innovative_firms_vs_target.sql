-- 全员创新企业 named in the year against the policy targets: 市级 honours for the city, 县级 honours per county.
with params as (
    select
        $year::integer as year,
        $counties::varchar[] as counties
),

honours as (
    select
        b.county,
        b.category as level,
        sum(b.value) as n
    from breakdown_values as b, params
    where
        b.indicator = 'P4_INNOVATIVE_FIRMS'
        and b.dimension = 'level'
        and b.year = params.year
    group by all
),

year_targets as (
    select
        targets.county,
        targets.target
    from targets, params
    where
        targets.indicator = 'P4_INNOVATIVE_FIRMS'
        and targets.year = params.year
        and targets.chain is null
),

city as (
    select
        'city' as scope,
        '全市（市级命名）' as name_zh,
        'City (city-level honours)' as name_en,
        coalesce((
            select sum(honours.n) from honours
            where honours.level = '市级'
        ), 0) as actual,
        (
            select year_targets.target from year_targets
            where year_targets.county is null
        ) as target,
        0 as sort_order
),

per_county as (
    select
        counties.code as scope,
        counties.name_zh,
        counties.name_en,
        coalesce(sum(honours.n), 0) as actual,
        any_value(year_targets.target) as target,
        counties.rowid + 1 as sort_order
    from counties
    cross join params
    left join honours on counties.code = honours.county and honours.level = '县级'
    left join year_targets on counties.code = year_targets.county
    where len(params.counties) = 0 or list_contains(params.counties, counties.code)
    group by counties.rowid, counties.code, counties.name_zh, counties.name_en
),

final as (
    select * from city
    union all
    select * from per_county
)

select
    scope,
    name_zh,
    name_en,
    actual::double as actual,
    target::double as target
from final
order by sort_order
