-- grain: one row per loaded file × quarter its data falls in (a file dated by its rows — a year's contests,
-- results or aid payments — counts for every quarter its rows fall in; others for the period they were sent for)
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
        year || 'Q' || quarter as period
    from stg_contests
    union
    select distinct
        _file_sha256 as sha256,
        year || 'Q' || quarter as period
    from stg_innovation_results
    union
    select distinct
        _file_sha256 as sha256,
        year || 'Q' || quarter as period
    from stg_aid_cases
),

final as (
    select
        l.dataset,
        l.county,
        l.path,
        coalesce(l.period, d.period) as period
    from loaded as l
    left join dated_rows as d on l.period is null and l.sha256 = d.sha256
)

select * from final
order by dataset, county, period, path
