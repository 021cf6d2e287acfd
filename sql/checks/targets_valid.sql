-- targets: one row per indicator × year × county × chain, and only catalogue indicators
select
    '年度目标重复：' || indicator || ' ' || year || ' ' || coalesce(county, '全市') || ' ' || coalesce(chain, '全部产业链')
        as problem
from targets
group by indicator, year, county, chain
having count(*) > 1
union all
select '年度目标中的指标代码不在指标目录中：' || targets.indicator
from targets
where targets.indicator not in (select indicators.code from indicators)
