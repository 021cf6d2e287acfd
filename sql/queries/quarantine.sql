-- Rows held back by ingest, with the rule broken and a Chinese message, in file and row order.
select * from quarantine
order by file_name, row_number, "column"
limit $max_rows
