-- The service sites of one unit (a county, or a chain) as last published (the registry: latest row wins).
with params as (
    select
        $county::varchar as county,
        $chain::varchar as chain
)

select
    s.site_name,
    s.kind,
    s.level,
    s.stars,
    s.county,
    s.chain,
    s.credit_code,
    s.opened,
    s.status
from site_registry as s, params
where
    (params.county is null or s.county = params.county)
    and (params.chain is null or s.chain = params.chain)
order by s.county, s.opened, s.site_name
