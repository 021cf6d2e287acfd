-- Rows held back by ingest, with the rule broken and a Chinese message, in file and row order; only the given
-- counties' files when some are given.
select q.*
from quarantine as q
where
    len($counties::varchar[]) = 0
    or exists (
        select 1
        from load_manifest as m
        where m.sha256 = q.file_sha256 and list_contains($counties::varchar[], m.county)
    )
order by q.file_name, q.row_number, q."column"
limit $max_rows
