-- one row per site (registry): the latest submitted row wins, including its status
select
    site_name,
    kind,
    level,
    stars,
    county,
    chain,
    credit_code,
    opened,
    year(opened) * 4 + quarter(opened) - 1 as period_index,
    status,
    status = '运行' as in_operation
from raw_service_sites
qualify row_number() over (
    partition by site_name, county
    order by _file_seq desc, _row_number desc
) = 1
