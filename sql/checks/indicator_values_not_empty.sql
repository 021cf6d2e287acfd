-- a warehouse without a single indicator value is not worth publishing
select '没有可用的数据：没有文件成功载入，或载入的文件中没有有效数据行' as problem
where not exists (select 1 from indicator_values)
