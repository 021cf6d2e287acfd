-- The quarters that have any indicator value.
select distinct
    year,
    quarter
from indicator_values
order by year, quarter
