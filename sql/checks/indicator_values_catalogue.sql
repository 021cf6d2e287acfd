-- every catalogue indicator whose source has data is in indicator_values, and nothing else is
-- noqa: disable=LT09, AL03
with sources as (
    select 'enterprises' as source, count(*) as n from firm_quarters
    union all
    select 'training', count(*) from stg_training
    union all
    select 'contests', count(*) from stg_contests
    union all
    select 'innovation_studios', count(*) from studio_quarters
    union all
    select 'innovation_results', count(*) from stg_innovation_results
    union all
    select 'honors', count(*) from stg_honors
    union all
    select 'aid_cases', count(*) from stg_aid_cases
    union all
    select 'service_sites', count(*) from site_quarters
    union all
    select 'service_activities', count(*) from stg_service_activities
),

-- noqa: enable=all
-- new members need a quarter whose previous quarter also has enterprise data
has_baseline as (
    select count(*) > 0 as ok
    from quarter_spine as now
    inner join quarter_spine as prev on now.period_index - 1 = prev.period_index
    where now.firms > 0 and prev.firms > 0
),

present as (
    select distinct indicator from indicator_values
)

select '指标缺少计算结果：' || indicators.code as problem
from indicators
inner join sources on indicators.source = sources.source
cross join has_baseline
where
    sources.n > 0
    and (indicators.code != 'P5_NEW_MEMBERS' or has_baseline.ok)
    and indicators.code not in (select present.indicator from present)
union all
select '指标值中出现目录以外的指标：' || present.indicator
from present
where present.indicator not in (select indicators.code from indicators)
