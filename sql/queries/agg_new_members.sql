-- New members (catalogue query agg_new_members) over one or more quarter ranges at a grain: per firm, members at the
-- range's latest quarter minus members in the quarter before the range (0 if the firm was absent), floored at 0,
-- summed. Defined only when the quarter before the range has enterprise data (marker rows say where).
with rules as (
    select code as indicator
    from indicators
    where list_contains($codes::varchar[], code) and query = 'agg_new_members'
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
        ranges.q_from,
        max(v.year * 4 + v.quarter - 1) as end_period
    from indicator_values as v
    inner join rules on v.indicator = rules.indicator
    inner join ranges on v.year * 4 + v.quarter - 1 between ranges.q_from and ranges.q_to
    inner join quarter_spine as previous_quarter
        on ranges.q_from - 1 = previous_quarter.period_index and previous_quarter.firms > 0
    group by ranges.span, rules.indicator, ranges.q_from
),

grouped as (
    select
        ends.span,
        ends.indicator,
        case when $grain in ('county', 'cell') then now.county end as county,
        case when $grain in ('chain', 'cell') then now.chain end as chain,
        sum(greatest(0, now.members - coalesce(base.members, 0))) as value
    from ends
    inner join firm_quarters as now on ends.end_period = now.period_index
    left join firm_quarters as base
        on now.firm_id = base.firm_id and ends.q_from - 1 = base.period_index
    where
        (len($counties::varchar[]) = 0 or list_contains($counties::varchar[], now.county))
        and (len($chains::varchar[]) = 0 or list_contains($chains::varchar[], now.chain))
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
from ends
