-- one row per recognised result, dated by its recognition date; a later submission wins
select
    result_name,
    category,
    county,
    chain,
    credit_code,
    date as recognised_on,
    year(date) as year,
    quarter(date) as quarter,
    year(date) * 4 + quarter(date) - 1 as period_index,
    coalesce(adopted, false) as adopted,
    coalesce(benefit, 0) as benefit,
    coalesce(patented, false) as patented,
    _file_sha256
from raw_innovation_results
qualify row_number() over (
    partition by result_name, county, date
    order by _file_seq desc, _row_number desc
) = 1
