-- Indicators that add up from leaf cells (catalogue query '') over one or more quarter ranges, at a grain:
-- 'total', 'county', 'chain' or 'cell'. latest → the indicator's latest quarter in the range (over the whole city),
-- sum → every quarter. Marker rows (marker = true) name the indicators that have data in each range.
with ranges as (
    select
        unnest($range_from::integer[]) as q_from,
        unnest($range_to::integer[]) as q_to,
        unnest(generate_series(1, len($range_from::integer[]))) as span
),

in_range as (
    select
        ranges.span,
        v.indicator,
        v.county,
        v.chain,
        v.value,
        v.numerator,
        v.denominator,
        v.year * 4 + v.quarter - 1 as period_index,
        indicators.time_agg
    from indicator_values as v
    inner join indicators on v.indicator = indicators.code
    inner join ranges on v.year * 4 + v.quarter - 1 between ranges.q_from and ranges.q_to
    where
        list_contains($codes::varchar[], v.indicator)
        and indicators.query = ''
),

last_period as (
    select
        span,
        indicator,
        max(period_index) as period_index
    from in_range
    group by span, indicator
),

grouped as (
    select
        r.span,
        r.indicator,
        case when $grain in ('county', 'cell') then r.county end as county,
        case when $grain in ('chain', 'cell') then r.chain end as chain,
        sum(r.value) as value,
        sum(r.numerator) as numerator,
        sum(r.denominator) as denominator
    from in_range as r
    inner join last_period as l on r.span = l.span and r.indicator = l.indicator
    where
        (r.time_agg = 'sum' or r.period_index = l.period_index)
        and (len($counties::varchar[]) = 0 or list_contains($counties::varchar[], r.county))
        and (len($chains::varchar[]) = 0 or list_contains($chains::varchar[], r.chain))
    group by all
)

select
    span,
    indicator,
    county,
    chain,
    value,
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
from last_period
