-- P5_HARDSHIP_FAMILIES over one or more quarter ranges at a grain: each hashed ID counted once per range and group.
-- A marker row per range with aid data says the indicator has data there.
with ranges as (
    select
        unnest($range_from::integer[]) as q_from,
        unnest($range_to::integer[]) as q_to,
        unnest(generate_series(1, len($range_from::integer[]))) as span
),

available as (
    select distinct ranges.span
    from indicator_values as v
    inner join ranges on v.year * 4 + v.quarter - 1 between ranges.q_from and ranges.q_to
    where v.indicator = 'P5_HARDSHIP_FAMILIES'
),

grouped as (
    select
        ranges.span,
        case when $grain in ('county', 'cell') then h.county end as county,
        case when $grain in ('chain', 'cell') then h.chain end as chain,
        count(distinct h.id_hash) as value
    from hardship_aid as h
    inner join ranges on h.period_index between ranges.q_from and ranges.q_to
    where
        (len($counties::varchar[]) = 0 or list_contains($counties::varchar[], h.county))
        and (len($chains::varchar[]) = 0 or list_contains($chains::varchar[], h.chain))
    group by all
)

select
    span,
    'P5_HARDSHIP_FAMILIES' as indicator,
    county,
    chain,
    value::double as value,
    null::double as numerator,
    null::double as denominator,
    false as marker
from grouped
union all
select
    span,
    'P5_HARDSHIP_FAMILIES' as indicator,
    null as county,
    null as chain,
    null as value,
    null as numerator,
    null as denominator,
    true as marker
from available
