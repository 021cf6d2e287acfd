-- whole-warehouse totals of the flow indicators equal the totals of their raw records (one per key)
-- noqa: disable=LT09, LT14, AL03
with raw_side (indicator, total) as (
    select 'P5_AID_FUNDS', sum(amount) / 10000.0 from stg_aid_cases
    union all
    select 'P4_RESULTS', count(distinct concat_ws('|', result_name, county, date)) from raw_innovation_results
    union all
    select 'P4_BENEFIT', sum(benefit) from stg_innovation_results
    union all
    select 'P2_SKILL_CONTESTS', count(distinct concat_ws('|', contest_name, county, start_date))
    from raw_contests where kind = '技能竞赛'
    union all
    select 'P3_LABOUR_CONTESTS', count(distinct concat_ws('|', contest_name, county, start_date))
    from raw_contests where kind = '劳动竞赛'
    union all
    select 'P2_DEGREE_ENROLLED', sum(participants) from stg_training where programme = '求学圆梦'
    union all
    select 'P1_LECTURES', sum(sessions) from stg_service_activities where kind = '职工大讲堂'
    union all
    select 'P4_INNOVATIVE_FIRMS', count(distinct concat_ws('|', honour, year, honoree, county))
    from raw_honors where honour = '全员创新企业'
),

-- noqa: enable=all
mart_side as (
    select
        indicator,
        sum(value) as total
    from indicator_values
    group by indicator
)

select
    '明细与指标合计不一致：' || raw_side.indicator || '（明细 ' || raw_side.total || '，指标 '
    || coalesce(mart_side.total::varchar, '无') || '）' as problem
from raw_side
left join mart_side on raw_side.indicator = mart_side.indicator
where
    raw_side.total is not null
    and abs(coalesce(mart_side.total, 0) - raw_side.total) > 1e-6
