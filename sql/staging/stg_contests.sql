-- one row per contest, dated by its start date; a later submission of the same contest wins
select
    contest_name,
    kind,
    level,
    county,
    chain,
    trade,
    start_date,
    end_date,
    year(start_date) as year,
    quarter(start_date) as quarter,
    year(start_date) * 4 + quarter(start_date) - 1 as period_index,
    participants,
    coalesce(enterprises, 0) as enterprises,
    coalesce(winners, 0) as winners,
    coalesce(hazards_found, 0) as hazards_found,
    _file_sha256
from raw_contests
qualify row_number() over (
    partition by contest_name, county, start_date
    order by _file_seq desc, _row_number desc
) = 1
