-- Every submitted file and what became of it, newest first; only the given counties' files when some are given.
select * from load_manifest
where len($counties::varchar[]) = 0 or list_contains($counties::varchar[], county)
order by file_seq desc, file_name asc
