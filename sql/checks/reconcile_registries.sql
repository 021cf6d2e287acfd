-- in the last quarter, registry indicators count every studio named and every site in operation so far
with last_quarter as (
    select max(period_index) as period_index from quarter_spine
),

-- noqa: disable=LT09, AL03
raw_side (indicator, total) as (
    select 'P4_STUDIOS', count(*)
    from stg_innovation_studios, last_quarter
    where stg_innovation_studios.period_index <= last_quarter.period_index
    union all
    select 'P5_MOTHER_ROOMS', count(*)
    from stg_service_sites, last_quarter
    where
        stg_service_sites.period_index <= last_quarter.period_index
        and stg_service_sites.in_operation
        and stg_service_sites.kind = '工会妈妈小屋'
),

-- noqa: enable=all
mart_side as (
    select
        v.indicator,
        sum(v.value) as total
    from indicator_values as v, last_quarter
    where v.year * 4 + v.quarter - 1 = last_quarter.period_index
    group by v.indicator
)

select
    '名录与指标不一致：' || raw_side.indicator || '（名录 ' || raw_side.total || '，指标 '
    || coalesce(mart_side.total::varchar, '无') || '）' as problem
from raw_side
left join mart_side on raw_side.indicator = mart_side.indicator
where raw_side.total > 0 and coalesce(mart_side.total, 0) != raw_side.total
