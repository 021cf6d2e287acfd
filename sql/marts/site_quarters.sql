-- grain: one row per quarter × county × chain × kind × level × stars; a site in operation counts from the quarter it opened, a 停用 site never
select
    quarter_spine.period_index,
    quarter_spine.year,
    quarter_spine.quarter,
    sites.county,
    sites.chain,
    sites.kind,
    sites.level,
    sites.stars,
    count(*) as sites
from stg_service_sites as sites
inner join quarter_spine on sites.period_index <= quarter_spine.period_index
where sites.in_operation
group by all
order by all
