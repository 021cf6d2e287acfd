-- one row per aid payment (amount in yuan); the ID number arrives already hashed, names never arrive
select
    case_no,
    id_hash,
    category,
    county,
    chain,
    credit_code,
    date as paid_on,
    year(date) as year,
    quarter(date) as quarter,
    year(date) * 4 + quarter(date) - 1 as period_index,
    amount,
    family_size,
    _file_sha256
from raw_aid_cases
qualify row_number() over (
    partition by case_no, county, date, category
    order by _file_seq desc, _row_number desc
) = 1
