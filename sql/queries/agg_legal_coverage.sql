-- Legal-service coverage (catalogue query agg_legal_coverage) over one or more quarter ranges at a grain: chain firms
-- at the range's latest quarter whose county × chain had a 泰会帮法律服务 activity anywhere in the range, over all
-- chain firms then.
with rules as (
    select code as indicator
    from indicators
    where list_contains($codes::varchar[], code) and query = 'agg_legal_coverage'
),

ranges as (
    select
        unnest($range_from::integer[]) as q_from,
        unnest($range_to::integer[]) as q_to,
        unnest(generate_series(1, len($range_from::integer[]))) as span
),

ends as (
    select
        ranges.span,
        rules.indicator,
        max(v.year * 4 + v.quarter - 1) as end_period
    from indicator_values as v
    inner join rules on v.indicator = rules.indicator
    inner join ranges on v.year * 4 + v.quarter - 1 between ranges.q_from and ranges.q_to
    group by ranges.span, rules.indicator
),

covered as (
    select distinct
        ranges.span,
        c.county,
        c.chain
    from legal_service_cells as c
    inner join ranges on c.period_index between ranges.q_from and ranges.q_to
),

grouped as (
    select
        ends.span,
        ends.indicator,
        case when $grain in ('county', 'cell') then v.county end as county,
        case when $grain in ('chain', 'cell') then v.chain end as chain,
        sum(case when covered.county is null then 0 else v.denominator end) as numerator,
        sum(v.denominator) as denominator
    from ends
    inner join indicator_values as v
        on ends.indicator = v.indicator and ends.end_period = v.year * 4 + v.quarter - 1
    left join covered
        on ends.span = covered.span and v.county = covered.county and v.chain = covered.chain
    where
        (len($counties::varchar[]) = 0 or list_contains($counties::varchar[], v.county))
        and (len($chains::varchar[]) = 0 or list_contains($chains::varchar[], v.chain))
    group by all
)

select
    span,
    indicator,
    county,
    chain,
    null::double as value,
    numerator,
    denominator,
    false as marker
from grouped
union all
select
    span,
    indicator,
    null as county,
    null as chain,
    null as value,
    null as numerator,
    null as denominator,
    true as marker
from ends
