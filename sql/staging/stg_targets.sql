-- one row per indicator × scope × year; blank county or chain means the whole city or all chains
select
    year,
    indicator,
    county,
    chain,
    target
from raw_targets
qualify row_number() over (
    partition by year, indicator, county, chain
    order by _file_seq desc, _row_number desc
) = 1
