-- The year's target for the selected area: the exact row (city, one county, one chain, or one county × chain);
-- several counties without a chain filter add up their county rows (not for rates, and only if every county has one).
-- An indicator whose catalogue city_target is city_plus_counties (全员创新企业: the city names 10 a year and each
-- county 10, and the indicator counts both) takes at city scope the city row plus every county row.
with params as (
    select
        $codes::varchar[] as codes,
        $counties::varchar[] as counties,
        $chains::varchar[] as chains,
        $year::integer as year
),

rows_of_year as (
    select
        targets.indicator,
        targets.county,
        targets.chain,
        targets.target,
        indicators.kind,
        indicators.city_target
    from targets
    inner join indicators on targets.indicator = indicators.code
    cross join params
    where targets.year = params.year and list_contains(params.codes, targets.indicator)
),

exact as (
    select
        rows_of_year.indicator,
        rows_of_year.target
    from rows_of_year, params
    where
        len(params.counties) <= 1
        and len(params.chains) <= 1
        and rows_of_year.county is not distinct from params.counties[1]
        and rows_of_year.chain is not distinct from params.chains[1]
        and not (
            rows_of_year.city_target = 'city_plus_counties' and len(params.counties) = 0 and len(params.chains) = 0
        )
),

city_and_counties as (
    select
        rows_of_year.indicator,
        sum(rows_of_year.target) as target
    from rows_of_year, params
    where
        rows_of_year.city_target = 'city_plus_counties'
        and len(params.counties) = 0
        and len(params.chains) = 0
        and rows_of_year.chain is null
    group by rows_of_year.indicator
),

county_sum as (
    select
        rows_of_year.indicator,
        sum(rows_of_year.target) as target
    from rows_of_year, params
    where
        len(params.counties) > 1
        and len(params.chains) = 0
        and rows_of_year.kind != 'rate'
        and rows_of_year.chain is null
        and list_contains(params.counties, rows_of_year.county)
    group by rows_of_year.indicator
    having count(*) = max(len(list_distinct(params.counties)))
)

select * from exact
union all
select * from city_and_counties
union all
select * from county_sum
