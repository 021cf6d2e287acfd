-- one row per programme × county × chain × quarter; a later submission wins
select
    county,
    chain,
    programme,
    year,
    quarter,
    year * 4 + quarter - 1 as period_index,
    participants,
    coalesce(completed, 0) as completed,
    coalesce(pairs, 0) as pairs,
    hours
from raw_training
qualify row_number() over (
    partition by year, quarter, county, chain, programme
    order by _file_seq desc, _row_number desc
) = 1
