-- grain: one row per firm (credit_code) per quarter; firm_id is a compact integer key for joins across quarters
select
    period_index,
    dense_rank() over (order by credit_code)::integer as firm_id,
    year,
    quarter,
    county,
    chain,
    credit_code,
    enterprise_name,
    above_scale,
    chain_leader,
    employees,
    has_union,
    members,
    migrant_workers,
    migrant_members,
    female_employees
from stg_enterprises
order by period_index, county, chain, credit_code
