-- The firms of one chain at the end of the range (its latest quarter with enterprise data), with membership.
with params as (
    select
        $chain::varchar as chain,
        $counties::varchar[] as counties,
        $q_from::integer as q_from,
        $q_to::integer as q_to
),

last_period as (
    select max(quarter_spine.period_index) as period_index
    from quarter_spine, params
    where quarter_spine.firms > 0 and quarter_spine.period_index between params.q_from and params.q_to
)

select
    f.credit_code,
    f.enterprise_name,
    f.county,
    f.employees,
    f.members,
    100.0 * f.members / nullif(f.employees, 0) as member_rate
from firm_quarters as f
inner join last_period on f.period_index = last_period.period_index
cross join params
where
    f.chain = params.chain
    and (len(params.counties) = 0 or list_contains(params.counties, f.county))
order by f.county, f.credit_code
