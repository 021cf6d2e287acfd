-- one row per honoree per honour and year; honours carry only a year and count in its fourth quarter
select
    honour,
    level,
    year,
    4 as quarter,
    year * 4 + 3 as period_index,
    honoree,
    county,
    chain,
    credit_code
from raw_honors
qualify row_number() over (
    partition by honour, year, honoree, county
    order by _file_seq desc, _row_number desc
) = 1
