-- One indicator split by one of its breakdowns (kind, level or stars) over the range and area, following its time
-- aggregation (stocks: the range's latest quarter; flows: every quarter); distinct counts are counted over the whole
-- range per part. `units` = the distinct families behind each part, for indicators under small-cell protection.
with params as (
    select
        $code::varchar as code,
        $dim::varchar as dim,
        $counties::varchar[] as counties,
        $chains::varchar[] as chains,
        $q_from::integer as q_from,
        $q_to::integer as q_to
),

rule as (
    select
        indicators.code,
        indicators.source,
        indicators.kinds,
        indicators.levels,
        indicators.time_agg
    from indicators, params
    where indicators.code = params.code
),

parts as (
    select
        b.category,
        b.sort_order,
        b.year * 4 + b.quarter - 1 as period_index,
        b.value
    from breakdown_values as b, params
    where
        b.indicator = params.code
        and b.dimension = params.dim
        and b.year * 4 + b.quarter - 1 between params.q_from and params.q_to
        and (len(params.counties) = 0 or list_contains(params.counties, b.county))
        and (len(params.chains) = 0 or list_contains(params.chains, b.chain))
),

last_period as (
    select max(b.year * 4 + b.quarter - 1) as period_index
    from breakdown_values as b, params
    where
        b.indicator = params.code
        and b.dimension = params.dim
        and b.year * 4 + b.quarter - 1 between params.q_from and params.q_to
),

additive as (
    select
        parts.category,
        min(parts.sort_order) as sort_order,
        sum(parts.value) as value
    from parts, last_period, rule
    where rule.time_agg = 'sum' or (rule.time_agg = 'latest' and parts.period_index = last_period.period_index)
    group by parts.category
),

units as (
    select
        case params.dim when 'level' then u.level else u.kind end as category,
        count(distinct u.unit_id)::double as units
    from source_units as u, rule, params
    where
        u.source = rule.source
        and params.dim in ('kind', 'level')
        and (len(rule.kinds) = 0 or list_contains(rule.kinds, u.kind))
        and (len(rule.levels) = 0 or list_contains(rule.levels, u.level))
        and u.period_index between params.q_from and params.q_to
        and (len(params.counties) = 0 or list_contains(params.counties, u.county))
        and (len(params.chains) = 0 or list_contains(params.chains, u.chain))
    group by all
),

final as (
    select
        coalesce(additive.category, units.category) as category,
        coalesce(additive.sort_order, 100) as sort_order,
        case when rule.time_agg = 'distinct' then units.units else additive.value end as value,
        units.units
    from additive
    full outer join units on additive.category = units.category
    cross join rule
    where rule.time_agg = 'distinct' or additive.category is not null
)

select
    category,
    value,
    units
from final
order by sort_order, category
