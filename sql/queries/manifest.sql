-- Every submitted file and what became of it, newest first.
select * from load_manifest
order by file_seq desc, file_name asc
