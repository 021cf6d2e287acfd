-- Loaded files by dataset, county, period and path, for completeness per quarter (see the file_quarters mart).
select
    dataset,
    county,
    path,
    period
from file_quarters
order by dataset, county, period, path
