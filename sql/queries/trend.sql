-- Each indicator quarter by quarter up to the end of the selected range (each quarter is its own range):
-- leaf cells summed over the area, rates recomputed, distinct families counted from the detail mart.
with params as (
    select
        $codes::varchar[] as codes,
        $counties::varchar[] as counties,
        $chains::varchar[] as chains,
        $q_to::integer as q_to
),

catalogue as (
    select
        indicators.code as indicator,
        indicators.kind
    from indicators, params
    where list_contains(params.codes, indicators.code)
),

cells as (
    select
        v.indicator,
        v.year,
        v.quarter,
        sum(v.value) as value,
        sum(v.numerator) as numerator,
        sum(v.denominator) as denominator
    from indicator_values as v
    inner join catalogue on v.indicator = catalogue.indicator
    cross join params
    where
        v.year * 4 + v.quarter - 1 <= params.q_to
        and v.indicator != 'P5_HARDSHIP_FAMILIES'
        and (len(params.counties) = 0 or list_contains(params.counties, v.county))
        and (len(params.chains) = 0 or list_contains(params.chains, v.chain))
    group by all
),

families as (
    select
        'P5_HARDSHIP_FAMILIES' as indicator,
        h.year,
        h.quarter,
        count(distinct h.id_hash)::double as value,
        null::double as numerator,
        null::double as denominator
    from hardship_aid as h, params
    where
        list_contains(params.codes, 'P5_HARDSHIP_FAMILIES')
        and h.period_index <= params.q_to
        and (len(params.counties) = 0 or list_contains(params.counties, h.county))
        and (len(params.chains) = 0 or list_contains(params.chains, h.chain))
    group by all
),

-- quarters where the indicator has data somewhere: a quarter with nothing in the area shows 0
quarters as (
    select distinct
        v.indicator,
        v.year,
        v.quarter
    from indicator_values as v
    inner join catalogue on v.indicator = catalogue.indicator
    cross join params
    where v.year * 4 + v.quarter - 1 <= params.q_to
),

computed as (
    select * from cells
    union all
    select * from families
),

final as (
    select
        quarters.indicator,
        quarters.year::integer as year,
        quarters.quarter::integer as quarter,
        quarters.year || 'Q' || quarters.quarter as period,
        case
            when catalogue.kind = 'rate' then 100.0 * computed.numerator / nullif(computed.denominator, 0)
            else coalesce(computed.value, 0)
        end as value
    from quarters
    inner join catalogue on quarters.indicator = catalogue.indicator
    left join computed
        on
            quarters.indicator = computed.indicator
            and quarters.year = computed.year
            and quarters.quarter = computed.quarter
)

select * from final
order by indicator, year, quarter
