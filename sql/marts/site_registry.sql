-- grain: one row per service site as last published, 停用 included (the registry a unit updates each quarter)
select
    site_name,
    kind,
    level,
    stars,
    county,
    chain,
    credit_code,
    opened,
    status
from stg_service_sites
order by county, opened, site_name
