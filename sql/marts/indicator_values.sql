-- grain: one row per indicator × quarter × county × chain (leaf cells only; chain null = not specific to a chain)
-- Each source is aggregated once into cells with conditional sums; a cell where the source has rows carries
-- every indicator of that source, zero included. Rates keep numerator and denominator; value is in percent.
with enterprise_cells as materialized (
    select
        period_index,
        year,
        quarter,
        county,
        chain,
        count(*) as firms,
        count(*) filter (where has_union) as union_firms,
        sum(employees) as employees,
        sum(members) as members,
        sum(migrant_workers) as migrant_workers,
        sum(migrant_members) as migrant_members
    from firm_quarters
    group by all
),

-- per firm: members now minus members at the end of the previous quarter (0 if absent then), floored at 0;
-- only quarters whose previous quarter has enterprise data
new_member_cells as materialized (
    select
        now.year,
        now.quarter,
        now.county,
        now.chain,
        sum(greatest(0, now.members - coalesce(prev.members, 0))) as new_members
    from firm_quarters as now
    inner join quarter_spine as prev_quarter
        on now.period_index - 1 = prev_quarter.period_index and prev_quarter.firms > 0
    left join firm_quarters as prev
        on now.firm_id = prev.firm_id and now.period_index - 1 = prev.period_index
    group by all
),

legal_cells as materialized (
    select
        cells.year,
        cells.quarter,
        cells.county,
        cells.chain,
        case when legal.county is null then 0 else cells.firms end as covered_firms,
        cells.firms
    from enterprise_cells as cells
    left join legal_service_cells as legal
        on
            cells.period_index = legal.period_index
            and cells.county = legal.county
            and cells.chain = legal.chain
),

training_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        coalesce(sum(participants) filter (where programme = '求学圆梦'), 0) as degree_enrolled,
        coalesce(sum(completed) filter (where programme = '求学圆梦'), 0) as degree_graduated,
        coalesce(sum(participants) filter (where programme = '工匠学院'), 0) as academy_trainees,
        coalesce(sum(pairs) filter (where programme = '名师带徒'), 0) as mentor_pairs
    from stg_training
    group by all
),

contest_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        count(*) filter (where kind = '技能竞赛') as skill_contests,
        coalesce(sum(participants) filter (where kind = '技能竞赛'), 0) as skill_contestants,
        coalesce(sum(enterprises) filter (where kind in ('安康杯', '查保促')), 0) as safety_firms,
        coalesce(sum(hazards_found) filter (where kind in ('安康杯', '查保促')), 0) as hazards,
        count(*) filter (where kind = '劳动竞赛') as labour_contests,
        coalesce(sum(participants) filter (where kind = '劳动竞赛'), 0) as labour_reach,
        coalesce(sum(participants) filter (where kind = '数字技能竞赛'), 0) as digital_contestants
    from stg_contests
    group by all
),

studio_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        sum(studios) as studios,
        coalesce(sum(studios) filter (where stars >= 3), 0) as star_studios
    from studio_quarters
    group by all
),

result_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        count(*) as results,
        count(*) filter (where adopted) as adopted,
        sum(benefit) as benefit
    from stg_innovation_results
    group by all
),

honour_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        count(*) filter (where honour = '思想政治引领示范企业') as demo_enterprises,
        count(*) filter (where honour = '泰山工匠') as craftsmen,
        count(*) filter (where honour = '泰山最美职工') as model_workers,
        count(*) filter (where honour = '数字技能人才') as digital_talent,
        count(*) filter (where honour in ('先进集体', '先进个人')) as advanced,
        count(*) filter (where honour = '竞赛标兵') as contest_stars,
        count(*) filter (where honour = '全员创新企业') as innovative_firms
    from stg_honors
    group by all
),

aid_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        coalesce(sum(amount) filter (where category = '大病医疗救助'), 0) / 10000.0 as illness_aid,
        sum(amount) / 10000.0 as aid_funds,
        count(distinct id_hash) filter (
            where category in ('深度困难', '相对困难', '意外致困')
        ) as hardship_families
    from stg_aid_cases
    group by all
),

site_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        coalesce(sum(sites) filter (where kind = '三种精神教育基地'), 0) as spirit_bases,
        coalesce(sum(sites) filter (where kind = '职工书屋' and level in ('市级', '省级', '全国')), 0) as libraries,
        coalesce(sum(sites) filter (where kind = '工会妈妈小屋'), 0) as mother_rooms
    from site_quarters
    group by all
),

activity_cells as materialized (
    select
        year,
        quarter,
        county,
        chain,
        coalesce(sum(sessions) filter (where kind = '职工大讲堂'), 0) as lectures,
        coalesce(sum(participants) filter (where kind = '职工大讲堂'), 0) as lecture_reach,
        coalesce(sum(participants) filter (where kind = '疗休养'), 0) as recuperation,
        coalesce(sum(participants) filter (where kind = '托管服务'), 0) as childcare
    from stg_service_activities
    group by all
),

-- noqa: disable=LT09, AL03
counts as (
    select 'P1_DEMO_ENTERPRISES' as indicator, year, quarter, county, chain, demo_enterprises as value
    from honour_cells
    union all
    select 'P1_SPIRIT_BASES', year, quarter, county, chain, spirit_bases from site_cells
    union all
    select 'P1_CRAFTSMEN', year, quarter, county, chain, craftsmen from honour_cells
    union all
    select 'P1_MODEL_WORKERS', year, quarter, county, chain, model_workers from honour_cells
    union all
    select 'P1_LECTURES', year, quarter, county, chain, lectures from activity_cells
    union all
    select 'P1_LECTURE_REACH', year, quarter, county, chain, lecture_reach from activity_cells
    union all
    select 'P2_DEGREE_ENROLLED', year, quarter, county, chain, degree_enrolled from training_cells
    union all
    select 'P2_DEGREE_GRADUATED', year, quarter, county, chain, degree_graduated from training_cells
    union all
    select 'P2_ACADEMY_TRAINEES', year, quarter, county, chain, academy_trainees from training_cells
    union all
    select 'P2_LIBRARIES', year, quarter, county, chain, libraries from site_cells
    union all
    select 'P2_SKILL_CONTESTS', year, quarter, county, chain, skill_contests from contest_cells
    union all
    select 'P2_SKILL_CONTESTANTS', year, quarter, county, chain, skill_contestants from contest_cells
    union all
    select 'P2_SAFETY_FIRMS', year, quarter, county, chain, safety_firms from contest_cells
    union all
    select 'P2_HAZARDS', year, quarter, county, chain, hazards from contest_cells
    union all
    select 'P2_MENTOR_PAIRS', year, quarter, county, chain, mentor_pairs from training_cells
    union all
    select 'P3_LABOUR_CONTESTS', year, quarter, county, chain, labour_contests from contest_cells
    union all
    select 'P3_LABOUR_REACH', year, quarter, county, chain, labour_reach from contest_cells
    union all
    select 'P3_DIGITAL_CONTESTS', year, quarter, county, chain, digital_contestants from contest_cells
    union all
    select 'P3_DIGITAL_TALENT', year, quarter, county, chain, digital_talent from honour_cells
    union all
    select 'P3_ADVANCED', year, quarter, county, chain, advanced from honour_cells
    union all
    select 'P3_CONTEST_STARS', year, quarter, county, chain, contest_stars from honour_cells
    union all
    select 'P4_STUDIOS', year, quarter, county, chain, studios from studio_cells
    union all
    select 'P4_INNOVATIVE_FIRMS', year, quarter, county, chain, innovative_firms from honour_cells
    union all
    select 'P4_RESULTS', year, quarter, county, chain, results from result_cells
    union all
    select 'P4_BENEFIT', year, quarter, county, chain, benefit from result_cells
    union all
    select 'P5_MEMBERS', year, quarter, county, chain, members from enterprise_cells
    union all
    select 'P5_NEW_MEMBERS', year, quarter, county, chain, new_members from new_member_cells
    union all
    select 'P5_RECUPERATION', year, quarter, county, chain, recuperation from activity_cells
    union all
    select 'P5_MOTHER_ROOMS', year, quarter, county, chain, mother_rooms from site_cells
    union all
    select 'P5_CHILDCARE', year, quarter, county, chain, childcare from activity_cells
    union all
    select 'P5_ILLNESS_AID', year, quarter, county, chain, illness_aid from aid_cells
    union all
    select 'P5_HARDSHIP_FAMILIES', year, quarter, county, chain, hardship_families from aid_cells
    union all
    select 'P5_AID_FUNDS', year, quarter, county, chain, aid_funds from aid_cells
),

rates as (
    select 'P4_STAR_STUDIOS' as indicator, year, quarter, county, chain, star_studios as numerator, studios as denominator
    from studio_cells
    union all
    select 'P4_ADOPTION', year, quarter, county, chain, adopted, results from result_cells
    union all
    select 'P5_UNION_RATE', year, quarter, county, chain, union_firms, firms from enterprise_cells
    union all
    select 'P5_MEMBER_RATE', year, quarter, county, chain, members, employees from enterprise_cells
    union all
    select 'P5_MIGRANT_RATE', year, quarter, county, chain, migrant_members, migrant_workers from enterprise_cells
    union all
    select 'P5_LEGAL_COVERAGE', year, quarter, county, chain, covered_firms, firms from legal_cells
),

-- noqa: enable=all
final as (
    select
        indicator,
        year::integer as year,
        quarter::integer as quarter,
        county,
        chain,
        value::double as value,
        null::double as numerator,
        null::double as denominator
    from counts
    union all
    select
        indicator,
        year::integer as year,
        quarter::integer as quarter,
        county,
        chain,
        100.0 * numerator / nullif(denominator, 0) as value,
        numerator::double as numerator,
        denominator::double as denominator
    from rates
)

select * from final
order by indicator, year, quarter, county, chain
