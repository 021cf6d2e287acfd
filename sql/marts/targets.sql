-- grain: one row per indicator × year × county × chain (null county = whole city, null chain = all chains)
-- Submitted targets, plus the policy's fixed targets for every year with data; a submitted row wins.
with years as (
    select year from quarter_spine
    union
    select year from stg_honors
    union
    select year from stg_targets
),

policy as (
    select
        years.year,
        policy_targets.indicator,
        counties.code as county,
        null::varchar as chain,
        policy_targets.target::double as target
    from policy_targets
    cross join years
    left join counties on policy_targets.scope = 'each_county'
    where policy_targets.scope = 'city' or counties.code is not null
),

submitted as (
    select
        year,
        indicator,
        county,
        chain,
        target::double as target,
        'file' as source
    from stg_targets
),

final as (
    select * from submitted
    union all
    select
        policy.year,
        policy.indicator,
        policy.county,
        policy.chain,
        policy.target,
        'policy' as source
    from policy
    where not exists (
        select 1
        from submitted
        where
            submitted.year = policy.year
            and submitted.indicator = policy.indicator
            and submitted.county is not distinct from policy.county
            and submitted.chain is not distinct from policy.chain
    )
)

select * from final
order by indicator, year, county nulls first, chain nulls first
