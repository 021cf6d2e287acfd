-- grain: one row per quarter × county × chain that had at least one 泰会帮法律服务 session
select distinct
    period_index,
    year,
    quarter,
    county,
    chain
from stg_service_activities
where kind = '泰会帮法律服务' and sessions > 0 and chain is not null
order by all
