-- One indicator split by a dimension (level, stars, kind, category, programme) over the range and area, following the
-- indicator's time aggregation; hardship families by category are counted distinct from the detail mart.
with params as (
    select
        $code::varchar as code,
        $dim::varchar as dim,
        $counties::varchar[] as counties,
        $chains::varchar[] as chains,
        $q_from::integer as q_from,
        $q_to::integer as q_to
),

parts as (
    select
        b.category,
        b.sort_order,
        b.year * 4 + b.quarter - 1 as period_index,
        b.value,
        indicators.time_agg
    from breakdown_values as b
    inner join indicators on b.indicator = indicators.code
    cross join params
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
    from parts, last_period
    where parts.time_agg = 'sum' or parts.period_index = last_period.period_index
    group by parts.category
),

families as (
    select
        h.category,
        100 as sort_order,
        count(distinct h.id_hash)::double as value
    from hardship_aid as h, params
    where
        params.code = 'P5_HARDSHIP_FAMILIES'
        and params.dim = 'category'
        and h.period_index between params.q_from and params.q_to
        and (len(params.counties) = 0 or list_contains(params.counties, h.county))
        and (len(params.chains) = 0 or list_contains(params.chains, h.chain))
    group by h.category
),

final as (
    select * from additive
    union all
    select * from families
)

select
    category,
    value
from final
order by sort_order, category
