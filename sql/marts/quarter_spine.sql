-- grain: one row per quarter, from Q1 of the first year with dated data through the latest quarter with enterprise data
with dated as (
    select period_index from firm_quarters
    union all
    select period_index from stg_training
    union all
    select period_index from stg_service_activities
    union all
    select period_index from stg_contests
    union all
    select period_index from stg_innovation_results
    union all
    select period_index from stg_aid_cases
),

registered as (
    select period_index from stg_innovation_studios
    union all
    select period_index from stg_service_sites
),

bounds as (
    select
        coalesce(
            (select min(period_index) from dated),
            (select min(period_index) from registered)
        ) // 4 * 4 as first_period,
        coalesce(
            (select max(period_index) from firm_quarters),
            (select max(period_index) from dated),
            (select max(period_index) from registered)
        ) as last_period
),

spine as (
    select unnest(generate_series(first_period, last_period)) as period_index
    from bounds
    where first_period is not null
),

firms as (
    select
        period_index,
        count(*) as firms
    from firm_quarters
    group by period_index
),

final as (
    select
        spine.period_index,
        spine.period_index // 4 as year,
        spine.period_index % 4 + 1 as quarter,
        coalesce(firms.firms, 0) as firms
    from spine
    left join firms on spine.period_index = firms.period_index
)

select * from final
order by period_index
