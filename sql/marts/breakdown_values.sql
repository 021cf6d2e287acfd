-- grain: one row per indicator × dimension × category × quarter × county × chain
-- The parts behind the breakdown charts. Dimension `level` splits an indicator's own records by level;
-- dimension `kind` / `programme` / `category` spreads the indicator's measure over every kind of its source
-- (contests by kind, sites by kind, training by programme, activities by kind), except safety measures,
-- which only exist for 安康杯 and 查保促. Time aggregation follows the indicator, as in indicator_values.
with contest_map (indicator, measure, own_kinds, kind_dim_kinds) as (
    values
    ('P2_SKILL_CONTESTS', 'count', ['技能竞赛'], ['技能竞赛', '劳动竞赛', '数字技能竞赛', '安康杯', '查保促']),
    ('P3_LABOUR_CONTESTS', 'count', ['劳动竞赛'], ['技能竞赛', '劳动竞赛', '数字技能竞赛', '安康杯', '查保促']),
    ('P2_SKILL_CONTESTANTS', 'participants', ['技能竞赛'], ['技能竞赛', '劳动竞赛', '数字技能竞赛', '安康杯', '查保促']),
    ('P3_LABOUR_REACH', 'participants', ['劳动竞赛'], ['技能竞赛', '劳动竞赛', '数字技能竞赛', '安康杯', '查保促']),
    ('P3_DIGITAL_CONTESTS', 'participants', ['数字技能竞赛'], ['技能竞赛', '劳动竞赛', '数字技能竞赛', '安康杯', '查保促']),
    ('P2_SAFETY_FIRMS', 'enterprises', ['安康杯', '查保促'], ['安康杯', '查保促']),
    ('P2_HAZARDS', 'hazards', ['安康杯', '查保促'], ['安康杯', '查保促'])
),

honour_map (indicator, honours) as (
    values
    ('P1_DEMO_ENTERPRISES', ['思想政治引领示范企业']),
    ('P1_CRAFTSMEN', ['泰山工匠']),
    ('P1_MODEL_WORKERS', ['泰山最美职工']),
    ('P3_DIGITAL_TALENT', ['数字技能人才']),
    ('P3_ADVANCED', ['先进集体', '先进个人']),
    ('P3_CONTEST_STARS', ['竞赛标兵']),
    ('P4_INNOVATIVE_FIRMS', ['全员创新企业'])
),

site_map (indicator, kinds, levels) as (
    values
    ('P1_SPIRIT_BASES', ['三种精神教育基地'], ['全国', '省级', '市级', '县级', '企业级']),
    ('P2_LIBRARIES', ['职工书屋'], ['全国', '省级', '市级']),
    ('P5_MOTHER_ROOMS', ['工会妈妈小屋'], ['全国', '省级', '市级', '县级', '企业级'])
),

activity_map (indicator, measure) as (
    values
    ('P1_LECTURES', 'sessions'),
    ('P1_LECTURE_REACH', 'participants'),
    ('P5_RECUPERATION', 'participants'),
    ('P5_CHILDCARE', 'participants')
),

contest_parts as (
    select
        m.indicator,
        d.dimension,
        case d.dimension when 'level' then c.level else c.kind end as category,
        c.year,
        c.quarter,
        c.county,
        c.chain,
        case m.measure
            when 'count' then 1
            when 'participants' then c.participants
            when 'enterprises' then c.enterprises
            else c.hazards_found
        end as value
    from stg_contests as c
    cross join contest_map as m
    cross join (values ('level'), ('kind')) as d (dimension)
    where
        (d.dimension = 'level' and list_contains(m.own_kinds, c.kind))
        or (d.dimension = 'kind' and list_contains(m.kind_dim_kinds, c.kind))
),

honour_parts as (
    select
        m.indicator,
        'level' as dimension,
        h.level as category,
        h.year,
        h.quarter,
        h.county,
        h.chain,
        1 as value
    from stg_honors as h
    inner join honour_map as m on list_contains(m.honours, h.honour)
),

studio_parts as (
    select
        'P4_STUDIOS' as indicator,
        d.dimension,
        case d.dimension
            when 'level' then s.level
            when 'kind' then s.kind
            else coalesce(s.stars || '星', '未评星')
        end as category,
        s.year,
        s.quarter,
        s.county,
        s.chain,
        s.studios as value
    from studio_quarters as s
    cross join (values ('level'), ('stars'), ('kind')) as d (dimension)
),

site_parts as (
    select
        m.indicator,
        d.dimension,
        case d.dimension when 'level' then s.level else s.kind end as category,
        s.year,
        s.quarter,
        s.county,
        s.chain,
        s.sites as value
    from site_quarters as s
    cross join site_map as m
    cross join (values ('level'), ('kind')) as d (dimension)
    where
        d.dimension = 'kind'
        or (list_contains(m.kinds, s.kind) and list_contains(m.levels, s.level))
),

result_parts as (
    select
        m.indicator,
        'category' as dimension,
        r.category,
        r.year,
        r.quarter,
        r.county,
        r.chain,
        case m.indicator when 'P4_RESULTS' then 1 else r.benefit end as value
    from stg_innovation_results as r
    cross join (values ('P4_RESULTS'), ('P4_BENEFIT')) as m (indicator)
),

aid_parts as (
    select
        'P5_AID_FUNDS' as indicator,
        'category' as dimension,
        category,
        year,
        quarter,
        county,
        chain,
        amount / 10000.0 as value
    from stg_aid_cases
),

training_parts as (
    select
        m.indicator,
        'programme' as dimension,
        t.programme as category,
        t.year,
        t.quarter,
        t.county,
        t.chain,
        t.participants as value
    from stg_training as t
    cross join (values ('P2_DEGREE_ENROLLED'), ('P2_ACADEMY_TRAINEES')) as m (indicator)
),

activity_parts as (
    select
        m.indicator,
        'kind' as dimension,
        a.kind as category,
        a.year,
        a.quarter,
        a.county,
        a.chain,
        case m.measure when 'sessions' then a.sessions else a.participants end as value
    from stg_service_activities as a
    cross join activity_map as m
),

parts as (
    select * from contest_parts
    union all
    select * from honour_parts
    union all
    select * from studio_parts
    union all
    select * from site_parts
    union all
    select * from result_parts
    union all
    select * from aid_parts
    union all
    select * from training_parts
    union all
    select * from activity_parts
),

final as (
    select
        indicator,
        dimension,
        category,
        coalesce(list_position(
            [
                '全国', '国家级', '省级', '市级', '县级', '企业级',
                '5星', '4星', '3星', '2星', '1星', '未评星'
            ],
            category
        ), 100) as sort_order,
        year::integer as year,
        quarter::integer as quarter,
        county,
        chain,
        sum(value)::double as value
    from parts
    group by all
)

select * from final
order by indicator, dimension, year, quarter, county, chain, sort_order, category
