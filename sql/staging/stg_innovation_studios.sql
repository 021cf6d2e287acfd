-- one row per studio (registry): the latest submitted row wins
select
    studio_name,
    kind,
    level,
    stars,
    county,
    chain,
    credit_code,
    established,
    year(established) * 4 + quarter(established) - 1 as period_index,
    members
from raw_innovation_studios
qualify row_number() over (
    partition by studio_name, county
    order by _file_seq desc, _row_number desc
) = 1
