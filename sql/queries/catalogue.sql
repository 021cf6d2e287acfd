-- The indicator catalogue with its project's names.
select
    indicators.*,
    projects.name_zh as project_zh,
    projects.name_en as project_en
from indicators
left join projects on indicators.project = projects.project
order by indicators.rowid
