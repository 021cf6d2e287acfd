-- Distinct units (families, by hashed ID) of each indicator's catalogue rule over one or more quarter ranges at a
-- grain: each unit counted once per range and group. Used as the value of distinct-count indicators (catalogue
-- query agg_units) and, with $all_rules, as the unit counts that small-cell protection needs for any indicator.
-- A marker row per range with data says the indicator has data there.
with ranges as (
    select
        unnest($range_from::integer[]) as q_from,
        unnest($range_to::integer[]) as q_to,
        unnest(generate_series(1, len($range_from::integer[]))) as span
),

rules as (
    select
        code as indicator,
        source,
        kinds,
        levels
    from indicators
    where list_contains($codes::varchar[], code) and ($all_rules or query = 'agg_units')
),

available as (
    select distinct
        ranges.span,
        v.indicator
    from indicator_values as v
    inner join rules on v.indicator = rules.indicator
    inner join ranges on v.year * 4 + v.quarter - 1 between ranges.q_from and ranges.q_to
),

grouped as (
    select
        ranges.span,
        rules.indicator,
        case when $grain in ('county', 'cell') then u.county end as county,
        case when $grain in ('chain', 'cell') then u.chain end as chain,
        count(distinct u.unit_id) as value
    from source_units as u
    inner join rules on u.source = rules.source
    inner join ranges on u.period_index between ranges.q_from and ranges.q_to
    where
        (len(rules.kinds) = 0 or list_contains(rules.kinds, u.kind))
        and (len(rules.levels) = 0 or list_contains(rules.levels, u.level))
        and (len($counties::varchar[]) = 0 or list_contains($counties::varchar[], u.county))
        and (len($chains::varchar[]) = 0 or list_contains($chains::varchar[], u.chain))
    group by all
)

select
    span,
    indicator,
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
    indicator,
    null as county,
    null as chain,
    null as value,
    null as numerator,
    null as denominator,
    true as marker
from available
