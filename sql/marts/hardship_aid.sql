-- grain: one row per aid payment to a hardship family (categories 深度困难, 相对困难, 意外致困)
select
    period_index,
    year,
    quarter,
    county,
    chain,
    category,
    id_hash
from stg_aid_cases
where category in ('深度困难', '相对困难', '意外致困')
order by period_index, county, chain
