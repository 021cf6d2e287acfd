-- grain: one row per source dataset × quarter × county × chain × kind × unit (a distinct family, by hashed ID)
-- What distinct-count indicators count (catalogue measure `units`): each unit once per quarter and cell here, and
-- once per range and area in the queries. The ID number arrives hashed; no name is ever stored.
select distinct
    'aid_cases' as source,
    period_index,
    year,
    quarter,
    county,
    chain,
    category as kind,
    null::varchar as level,
    id_hash as unit_id
from stg_aid_cases
order by source, period_index, county, chain, kind, unit_id
