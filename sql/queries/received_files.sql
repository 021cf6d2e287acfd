-- Loaded files (what the warehouse holds) by dataset, county, period and path, for completeness per quarter; a
-- dated file without one period (a year's contests in one file) counts for each quarter its rows fall in.
with loaded as (
    select
        sha256,
        dataset,
        county,
        period,
        path
    from load_manifest
    where status = 'loaded'
),

dated_rows as (
    select distinct
        _file_sha256 as sha256,
        year(start_date) || 'Q' || quarter(start_date) as period
    from raw_contests
    union
    select distinct
        _file_sha256 as sha256,
        year(date) || 'Q' || quarter(date) as period
    from raw_innovation_results
    union
    select distinct
        _file_sha256 as sha256,
        year(date) || 'Q' || quarter(date) as period
    from raw_aid_cases
)

select
    l.dataset,
    l.county,
    l.path,
    coalesce(l.period, d.period) as period
from loaded as l
left join dated_rows as d on l.period is null and l.sha256 = d.sha256
order by l.dataset, l.county, period, l.path
