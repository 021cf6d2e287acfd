-- one row per firm per quarter; a later submission of the same firm and quarter wins
select
    credit_code,
    enterprise_name,
    county,
    chain,
    year,
    quarter,
    year * 4 + quarter - 1 as period_index,
    coalesce(above_scale, false) as above_scale,
    coalesce(chain_leader, false) as chain_leader,
    employees,
    has_union,
    case when has_union then coalesce(members, 0) else 0 end as members,
    coalesce(migrant_workers, 0) as migrant_workers,
    case when has_union then coalesce(migrant_members, 0) else 0 end as migrant_members,
    female_employees
from raw_enterprises
qualify row_number() over (
    partition by year, quarter, credit_code
    order by _file_seq desc, _row_number desc
) = 1
