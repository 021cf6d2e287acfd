-- rates: 0 ≤ numerator ≤ denominator and 0 ≤ value ≤ 100; other kinds are never negative
select
    '指标值超出范围：' || v.indicator || ' ' || v.year || 'Q' || v.quarter || ' ' || v.county || ' '
    || coalesce(v.chain, '-') || '（值 ' || coalesce(v.value::varchar, '空') || '）' as problem
from indicator_values as v
inner join indicators on v.indicator = indicators.code
where
    case
        when indicators.kind = 'rate'
            then
                v.numerator < 0
                or v.numerator > v.denominator
                or v.value < 0
                or v.value > 100
                or (v.denominator > 0 and v.value is null)
        else v.value is null or v.value < 0
    end
