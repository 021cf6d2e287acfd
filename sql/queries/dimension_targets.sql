-- The year's target of one indicator for each county (or chain), within the other dimension's filter when it
-- names at most one value.
select
    case when $dim = 'county' then targets.county else targets.chain end as key,
    targets.target
from targets
where
    targets.indicator = $code
    and targets.year = $year
    and (
        (
            $dim = 'county'
            and targets.county is not null
            and len($chains::varchar[]) <= 1
            and targets.chain is not distinct from ($chains::varchar[])[1]
        )
        or (
            $dim = 'chain'
            and targets.chain is not null
            and len($counties::varchar[]) <= 1
            and targets.county is not distinct from ($counties::varchar[])[1]
        )
    )
