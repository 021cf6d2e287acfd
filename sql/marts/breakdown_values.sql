-- grain: one row per indicator × dimension × category × quarter × county × chain
-- An indicator split by each breakdown its catalogue row offers (dims: kind, level, stars): the same rule as in
-- indicator_values, grouped by the dimension instead of summed over it, so the parts of a quarter add up to the
-- indicator's cell. Distinct counts are counted per part. Rates are not broken down.
with rules as (
    select
        code as indicator,
        source,
        measure,
        kinds,
        levels,
        unnest(list_filter(dims, lambda d: list_contains(['kind', 'level', 'stars'], d))) as dimension
    from indicators
    where kind != 'rate'
),

additive_parts as (
    select
        rules.indicator,
        rules.dimension,
        case rules.dimension
            when 'kind' then c.kind
            when 'level' then c.level
            else coalesce(c.stars || '星', '未评星')
        end as category,
        c.period_index,
        c.county,
        c.chain,
        sum(c.value) as value
    from source_cells as c
    inner join rules on c.source = rules.source and c.measure = rules.measure
    where
        (len(rules.kinds) = 0 or list_contains(rules.kinds, c.kind))
        and (len(rules.levels) = 0 or list_contains(rules.levels, c.level))
    group by all
),

distinct_parts as (
    select
        rules.indicator,
        rules.dimension,
        case rules.dimension when 'kind' then u.kind else u.level end as category,
        u.period_index,
        u.county,
        u.chain,
        count(distinct u.unit_id) as value
    from source_units as u
    inner join rules on u.source = rules.source and rules.measure = 'units'
    where
        (len(rules.kinds) = 0 or list_contains(rules.kinds, u.kind))
        and (len(rules.levels) = 0 or list_contains(rules.levels, u.level))
    group by all
),

parts as (
    select * from additive_parts
    union all
    select * from distinct_parts
),

final as (
    select
        indicator,
        dimension,
        category,
        coalesce(list_position(
            [
                '全国', '国家级', '省级', '市级', '县级', '企业级',
                '5星', '4星', '3星', '2星', '1星', '未评星'
            ],
            category
        ), 100) as sort_order,
        (period_index // 4)::integer as year,
        (period_index % 4 + 1)::integer as quarter,
        county,
        chain,
        value::double as value
    from parts
    where category is not null
)

select * from final
order by indicator, dimension, year, quarter, county, chain, sort_order, category
