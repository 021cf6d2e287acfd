-- grain: one row per source dataset × quarter × county × chain × kind × level × stars × measure
-- Every additive measure an indicator can be made of, summed per cell. The catalogue (indicators.csv: source,
-- measure, denominator, kinds, levels) picks from these; this file is the only place that says what each measure
-- of each dataset is. kind = the dataset's own category column (contest kind, training programme, honour, aid or
-- result category, site or studio kind, activity kind). Registries count in every quarter from their date on.
with firm_rows as (
    select
        now.period_index,
        now.county,
        now.chain,
        1 as firms,
        now.has_union::integer as union_firms,
        now.employees,
        now.members,
        now.migrant_workers,
        now.migrant_members,
        -- per firm: members now minus members the quarter before (0 if absent then), floored at 0; defined only
        -- when the quarter before has enterprise data
        case
            when prev_quarter.firms > 0 then greatest(0, now.members - coalesce(prev.members, 0))
        end as new_members,
        case when legal.county is null then 0 else 1 end as legal_covered_firms
    from firm_quarters as now
    left join quarter_spine as prev_quarter on now.period_index - 1 = prev_quarter.period_index
    left join firm_quarters as prev
        on now.firm_id = prev.firm_id and now.period_index - 1 = prev.period_index
    left join legal_service_cells as legal
        on
            now.period_index = legal.period_index
            and now.county = legal.county
            and now.chain = legal.chain
),

enterprises as (
    select
        'enterprises' as source,
        period_index,
        county,
        chain,
        null::varchar as kind,
        null::varchar as level,
        null::integer as stars,
        sum(firms)::double as firms,
        sum(union_firms)::double as union_firms,
        sum(employees)::double as employees,
        sum(members)::double as members,
        sum(migrant_workers)::double as migrant_workers,
        sum(migrant_members)::double as migrant_members,
        sum(new_members)::double as new_members,
        sum(legal_covered_firms)::double as legal_covered_firms
    from firm_rows
    group by all
),

training as (
    select
        'training' as source,
        period_index,
        county,
        chain,
        programme as kind,
        null::varchar as level,
        null::integer as stars,
        sum(participants)::double as participants,
        sum(completed)::double as completed,
        sum(pairs)::double as pairs,
        sum(hours)::double as hours
    from stg_training
    group by all
),

contests as (
    select
        'contests' as source,
        period_index,
        county,
        chain,
        kind,
        level,
        null::integer as stars,
        count(*)::double as records,
        sum(participants)::double as participants,
        sum(enterprises)::double as enterprises,
        sum(winners)::double as winners,
        sum(hazards_found)::double as hazards_found
    from stg_contests
    group by all
),

studios as (
    select
        'innovation_studios' as source,
        period_index,
        county,
        chain,
        kind,
        level,
        stars,
        sum(studios)::double as studios,
        sum(studios) filter (where stars >= 3)::double as star_studios
    from studio_quarters
    group by all
),

results as (
    select
        'innovation_results' as source,
        period_index,
        county,
        chain,
        category as kind,
        null::varchar as level,
        null::integer as stars,
        count(*)::double as records,
        count(*) filter (where adopted)::double as adopted,
        sum(benefit)::double as benefit,
        count(*) filter (where patented)::double as patented
    from stg_innovation_results
    group by all
),

honours as (
    select
        'honors' as source,
        period_index,
        county,
        chain,
        honour as kind,
        level,
        null::integer as stars,
        count(*)::double as records
    from stg_honors
    group by all
),

aid as (
    select
        'aid_cases' as source,
        period_index,
        county,
        chain,
        category as kind,
        null::varchar as level,
        null::integer as stars,
        count(*)::double as records,
        sum(amount)::double as amount,
        sum(amount)::double / 10000.0 as amount_10k
    from stg_aid_cases
    group by all
),

sites as (
    select
        'service_sites' as source,
        period_index,
        county,
        chain,
        kind,
        level,
        stars,
        sum(sites)::double as sites
    from site_quarters
    group by all
),

activities as (
    select
        'service_activities' as source,
        period_index,
        county,
        chain,
        kind,
        null::varchar as level,
        null::integer as stars,
        sum(sessions)::double as sessions,
        sum(participants)::double as participants,
        sum(spend)::double as spend
    from stg_service_activities
    group by all
),

-- noqa: disable=all
measures as (
    unpivot enterprises on firms, union_firms, employees, members, migrant_workers, migrant_members, new_members, legal_covered_firms
        into name measure value value
    union all by name
    unpivot training on participants, completed, pairs, hours into name measure value value
    union all by name
    unpivot contests on records, participants, enterprises, winners, hazards_found into name measure value value
    union all by name
    unpivot studios on studios, star_studios into name measure value value
    union all by name
    unpivot results on records, adopted, benefit, patented into name measure value value
    union all by name
    unpivot honours on records into name measure value value
    union all by name
    unpivot aid on records, amount, amount_10k into name measure value value
    union all by name
    unpivot sites on sites into name measure value value
    union all by name
    unpivot activities on sessions, participants, spend into name measure value value
),
-- noqa: enable=all

final as (
    select
        source,
        period_index,
        period_index // 4 as year,
        period_index % 4 + 1 as quarter,
        county,
        chain,
        kind,
        level,
        stars,
        measure,
        value
    from measures
)

select * from final
order by source, measure, period_index, county, chain, kind, level, stars
