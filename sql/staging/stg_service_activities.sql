-- one row per activity kind × county × chain × quarter; a later submission wins
select
    county,
    chain,
    kind,
    year,
    quarter,
    year * 4 + quarter - 1 as period_index,
    sessions,
    participants,
    spend
from raw_service_activities
qualify row_number() over (
    partition by year, quarter, county, chain, kind
    order by _file_seq desc, _row_number desc
) = 1
