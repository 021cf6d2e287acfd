-- grain: one row per innovation studio as last published (the registry a unit updates each quarter)
select
    studio_name,
    kind,
    level,
    stars,
    county,
    chain,
    credit_code,
    established,
    members
from stg_innovation_studios
order by county, established, studio_name
