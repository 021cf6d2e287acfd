-- each indicator × quarter × county × chain appears once in indicator_values
select
    '指标值主键重复：' || indicator || ' ' || year || 'Q' || quarter || ' ' || county || ' ' || coalesce(chain, '-')
        as problem
from indicator_values
group by indicator, year, quarter, county, chain
having count(*) > 1
