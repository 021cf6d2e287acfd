-- grain: one row per quarter × county × chain × kind × level × stars; a studio counts from the quarter it was named
select
    quarter_spine.period_index,
    quarter_spine.year,
    quarter_spine.quarter,
    studios.county,
    studios.chain,
    studios.kind,
    studios.level,
    studios.stars,
    count(*) as studios
from stg_innovation_studios as studios
inner join quarter_spine on studios.period_index <= quarter_spine.period_index
group by all
order by all
