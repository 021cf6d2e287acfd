-- The innovation studios of one unit (a county, or a chain) as last published (the registry: latest row wins).
with params as (
    select
        $county::varchar as county,
        $chain::varchar as chain
)

select
    s.studio_name,
    s.kind,
    s.level,
    s.stars,
    s.county,
    s.chain,
    s.credit_code,
    s.established,
    s.members
from studio_registry as s, params
where
    (params.county is null or s.county = params.county)
    and (params.chain is null or s.chain = params.chain)
order by s.county, s.established, s.studio_name
