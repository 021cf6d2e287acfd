-- The build's key/value facts (built_at, is_demo, data_through, file and row counts).
select
    key,
    value
from warehouse_info
