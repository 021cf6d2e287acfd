-- grain: one row per indicator × quarter × county × chain (leaf cells only; chain null = not specific to a chain)
-- Each indicator is its catalogue rule (source, measure, denominator, kinds, levels) applied to source_cells, or
-- to source_units for distinct counts (measure `units`). A cell where the indicator's measure exists carries the
-- indicator, zero included. Rates keep numerator and denominator; value is in percent.
with rules as (
    select
        code as indicator,
        kind as indicator_kind,
        source,
        measure,
        nullif(denominator, '') as denominator,
        kinds,
        levels
    from indicators
),

additive as (
    select
        rules.indicator,
        rules.indicator_kind,
        c.period_index,
        c.county,
        c.chain,
        coalesce(sum(c.value) filter (
            where
            c.measure = rules.measure
            and (len(rules.kinds) = 0 or list_contains(rules.kinds, c.kind))
            and (len(rules.levels) = 0 or list_contains(rules.levels, c.level))
        ), 0) as numerator,
        coalesce(sum(c.value) filter (
            where
            c.measure = rules.denominator
            and (len(rules.kinds) = 0 or list_contains(rules.kinds, c.kind))
            and (len(rules.levels) = 0 or list_contains(rules.levels, c.level))
        ), 0) as denominator
    from source_cells as c
    inner join rules on c.source = rules.source
    where rules.measure != 'units'
    group by all
    having bool_or(c.measure = rules.measure or c.measure = rules.denominator)
),

distinct_units as (
    select
        rules.indicator,
        rules.indicator_kind,
        u.period_index,
        u.county,
        u.chain,
        count(distinct u.unit_id) filter (
            where
            (len(rules.kinds) = 0 or list_contains(rules.kinds, u.kind))
            and (len(rules.levels) = 0 or list_contains(rules.levels, u.level))
        ) as numerator,
        null as denominator
    from source_units as u
    inner join rules on u.source = rules.source
    where rules.measure = 'units'
    group by all
),

cells as (
    select * from additive
    union all
    select * from distinct_units
),

final as (
    select
        indicator,
        (period_index // 4)::integer as year,
        (period_index % 4 + 1)::integer as quarter,
        county,
        chain,
        case
            when indicator_kind = 'rate' then 100.0 * numerator / nullif(denominator, 0)
            else numerator
        end::double as value,
        case when indicator_kind = 'rate' then numerator end::double as numerator,
        case when indicator_kind = 'rate' then denominator end::double as denominator
    from cells
)

select * from final
order by indicator, year, quarter, county, chain
