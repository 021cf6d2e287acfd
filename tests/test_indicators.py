"""Every catalogue indicator on the tiny fixture files, by hand, through the metrics functions the pages call.

The tiny set (tests/fixtures/tiny/make_tiny.py): firms E1, E2 (xintai, C10), E3 (taishan, C01) in 2024Q1–Q3 and
E4 (taishan, C10) from 2024Q2; records in 2024Q1–Q3; honours of 2024 (counted in 2024Q4).
"""

from __future__ import annotations

import math

import duckdb
import pytest

from data_pipeline import metrics, reference
from data_pipeline.metrics import Filters

Q1_Q2 = Filters(2024, 1, 2)
YEAR = Filters(2024)

# Q1–Q2 of 2024 over the whole city; None = no data in the range.
EXPECTED_Q1_Q2: dict[str, float | None] = {
    "P1_DEMO_ENTERPRISES": None,  # honours count in Q4 only
    "P1_SPIRIT_BASES": 1,  # stock Q2: 新泰市三种精神教育基地 (opened 2022, counted from the first quarter) = 1
    "P1_CRAFTSMEN": None,
    "P1_MODEL_WORKERS": None,
    "P1_LECTURES": 5,  # flow: xintai Q1 3 + taishan Q2 2 = 5
    "P1_LECTURE_REACH": 240,  # 150 + 90 = 240
    "P2_DEGREE_ENROLLED": 50,  # 求学圆梦 30 (xintai Q1) + 20 (taishan Q2) = 50
    "P2_DEGREE_GRADUATED": 15,  # 10 + 5 = 15
    "P2_ACADEMY_TRAINEES": 50,  # 工匠学院 xintai Q1 50 (chain-less) = 50
    "P2_LIBRARIES": 2,  # Q2: 示例药业 (市级) + 示例汽配 (全国) = 2; 县级 one excluded, 停用 省级 one never counts
    "P2_SKILL_CONTESTS": 2,  # 技能竞赛 2024-02-10 (Q1) + 2024-05-20 (Q2) = 2; 2024-08-01 is Q3
    "P2_SKILL_CONTESTANTS": 200,  # 120 + 80 = 200
    "P2_SAFETY_FIRMS": 20,  # 安康杯 12 + 查保促 8 = 20
    "P2_HAZARDS": 55,  # 30 + 25 = 55
    "P2_MENTOR_PAIRS": 7,  # 名师带徒 4 + 3 = 7
    "P2_TRAINEES": 114,  # every programme: xintai Q1 30 + 50 + 8, taishan Q2 20 + 6 = 114
    "P3_LABOUR_CONTESTS": 1,  # 劳动竞赛 2024-04-01 = 1
    "P3_LABOUR_REACH": 300,  # 300
    "P3_DIGITAL_CONTESTS": 45,  # 数字技能竞赛 45
    "P3_DIGITAL_TALENT": None,
    "P3_ADVANCED": None,
    "P3_CONTEST_STARS": None,
    "P4_STUDIOS": 3,  # stock Q2: named 2020, 2023-11, 2024-05-15 = 3 (the 2024-08-20 one not yet)
    "P4_STAR_STUDIOS": 200 / 3,  # Q2: ≥3 stars (4★, 3★) ÷ 3 studios = 2/3 = 66.67 %
    "P4_INNOVATIVE_FIRMS": None,
    "P4_RESULTS": 4,  # 01-15, 02-29, 04-10, 06-30 = 4 (07-01 is Q3)
    "P4_ADOPTION": 50,  # adopted 2 (自动配药, 节能建议) ÷ 4 = 50 %
    "P4_BENEFIT": 16,  # 12.5 + 0 + 3.5 (+ blank) = 16.0 万元
    "P5_UNION_RATE": 100,  # latest Q2: E1..E4 all unionised, 4/4 = 100 %
    "P5_MEMBER_RATE": 62,  # Q2: (95+30+20+10)/(100+60+50+40) = 155/250 = 62 %
    "P5_MIGRANT_RATE": 1900 / 39,  # Q2: (12+5+2+0)/(20+10+5+4) = 19/39 = 48.72 %
    "P5_MEMBERS": 155,  # stock Q2: 95+30+20+10 = 155 (not Q1 130 + Q2 155)
    "P5_NEW_MEMBERS": None,  # the quarter before the range (2023Q4) has no enterprise data
    "P5_RECUPERATION": 30,  # 疗休养 xintai Q1 30
    "P5_MOTHER_ROOMS": 1,  # Q2: 示例药业妈妈小屋 (2024-03-08) = 1; taishan's opens 2024-07-01
    "P5_CHILDCARE": 85,  # 托管服务 60 + 25 = 85
    "P5_SERVICE_SITES": 5,  # stock Q2, every kind in operation: 2 xintai 书屋 + 妈妈小屋 + 基地 + taishan 书屋 = 5
    "P5_ILLNESS_AID": 2.0,  # 大病医疗救助 20000 / 10000 = 2.0 万元
    "P5_HARDSHIP_FAMILIES": 2,  # distinct IDs X (3 payments, two counties) and Z = 2
    "P5_AID_FUNDS": 3.1,  # (5000+3000+20000+2000+1000) / 10000 = 3.1 万元
    "P5_LEGAL_COVERAGE": 50,  # Q2 firms E1..E4; 泰会帮 in xintai×C10 (Q1) covers E1, E2: 2/4 = 50 %
}

# The whole of 2024 (data through Q3, honours in Q4), city.
EXPECTED_YEAR: dict[str, float | None] = {
    "P1_DEMO_ENTERPRISES": 1,  # 思想政治引领示范企业 1
    "P1_CRAFTSMEN": 3,  # 泰山工匠 xintai 2 + taishan 1 = 3
    "P1_MODEL_WORKERS": 1,  # 泰山最美职工 1
    "P3_DIGITAL_TALENT": 1,  # 数字技能人才 1
    "P3_ADVANCED": 3,  # 先进集体 1 + 先进个人 2 = 3
    "P3_CONTEST_STARS": 1,  # 竞赛标兵 1
    "P4_INNOVATIVE_FIRMS": 4,  # 全员创新企业 市级 1 + xintai 县级 2 + taishan 县级 1 = 4
    "P5_MEMBERS": 157,  # latest quarter with data is Q3: 92+45+20+0 = 157
    "P5_UNION_RATE": 75,  # Q3: E4 has no union any more: 3/4 = 75 %
    "P5_MEMBER_RATE": 62.8,  # Q3: 157/250 = 62.8 %
    "P4_STUDIOS": 4,  # Q3: + 泰山区青年工匠工作室 (2024-08-20) = 4
    "P4_STAR_STUDIOS": 50,  # Q3: 2 rated ≥3 of 4 = 50 %
    "P4_ADOPTION": 60,  # + 检具外观设计 adopted: 3/5 = 60 %
    "P2_SKILL_CONTESTS": 3,  # + taishan 2024-08-01 = 3
    "P5_MOTHER_ROOMS": 2,  # Q3: + taishan's = 2
    "P5_SERVICE_SITES": 6,  # Q3: + taishan's 妈妈小屋 (2024-07-01) = 6
    "P5_AID_FUNDS": 3.25,  # 3.1 + 1500/10000 = 3.25 万元
    "P5_HARDSHIP_FAMILIES": 2,  # 金秋助学 is not a hardship category: still 2
    "P5_LEGAL_COVERAGE": 75,  # Q3 firms; 泰会帮 in xintai×C10 (Q1), taishan×C01 (Q3): E1, E2, E3 of 4 = 75 %
    "P5_NEW_MEMBERS": None,  # no 2023Q4 baseline
}


@pytest.fixture(scope="module")
def con(tiny_warehouse) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield c
    c.close()


def _value(df, code: str) -> float:
    return float(df.set_index("indicator").loc[code, "value"])


def _assert_value(actual: float, expected: float | None, label: str) -> None:
    if expected is None:
        assert math.isnan(actual), f"{label}: expected no data, got {actual}"
    else:
        assert actual == pytest.approx(expected), label


def test_every_catalogue_indicator_has_an_expectation() -> None:
    assert set(EXPECTED_Q1_Q2) == {i.code for i in reference.indicators()}


def test_totals_q1_q2_every_indicator(con) -> None:
    df = metrics.totals(con, Q1_Q2, list(EXPECTED_Q1_Q2))
    assert list(df["indicator"]) == list(EXPECTED_Q1_Q2)
    for code, expected in EXPECTED_Q1_Q2.items():
        _assert_value(_value(df, code), expected, code)


def test_totals_full_year(con) -> None:
    df = metrics.totals(con, YEAR, list(EXPECTED_YEAR))
    for code, expected in EXPECTED_YEAR.items():
        _assert_value(_value(df, code), expected, code)


def test_rates_carry_numerator_and_denominator(con) -> None:
    df = metrics.totals(con, Q1_Q2, ["P5_MEMBER_RATE", "P4_ADOPTION", "P5_LEGAL_COVERAGE"]).set_index("indicator")
    assert tuple(df.loc["P5_MEMBER_RATE", ["numerator", "denominator"]]) == (155, 250)  # Q2 only (latest)
    assert tuple(df.loc["P4_ADOPTION", ["numerator", "denominator"]]) == (2, 4)  # summed over Q1 and Q2
    assert tuple(df.loc["P5_LEGAL_COVERAGE", ["numerator", "denominator"]]) == (2, 4)


def test_stock_flow_rate_across_two_quarters(con) -> None:
    q1, q2 = Filters(2024, 1, 1), Filters(2024, 2, 2)
    codes = ["P5_MEMBERS", "P1_LECTURES", "P5_MEMBER_RATE"]
    v1, v2, both = (metrics.totals(con, f, codes).set_index("indicator")["value"] for f in (q1, q2, Q1_Q2))
    assert (v1["P5_MEMBERS"], v2["P5_MEMBERS"], both["P5_MEMBERS"]) == (130, 155, 155)  # stock: latest quarter
    assert (v1["P1_LECTURES"], v2["P1_LECTURES"], both["P1_LECTURES"]) == (3, 2, 5)  # flow: 3 + 2
    assert v1["P5_MEMBER_RATE"] == pytest.approx(13000 / 210)  # (90+40+0)/(100+60+50) = 61.90 %
    assert both["P5_MEMBER_RATE"] == pytest.approx(62)  # not the mean of 61.90 and 62


def test_new_members_range_and_floor(con) -> None:
    codes = ["P5_NEW_MEMBERS"]
    # Q2 vs Q1 per firm: E1 95−90=5, E2 30−40 → 0, E3 20−0=20, E4 10−(absent)0=10 → 35
    assert _value(metrics.totals(con, Filters(2024, 2, 2), codes), "P5_NEW_MEMBERS") == 35
    # Q3 vs Q2: E1 92−95 → 0, E2 45−30=15, E3 0, E4 0−10 → 0 → 15
    assert _value(metrics.totals(con, Filters(2024, 3, 3), codes), "P5_NEW_MEMBERS") == 15
    # Q2–Q3 vs Q1 (not 35 + 15): E1 92−90=2, E2 45−40=5, E3 20−0=20, E4 0−0=0 → 27
    assert _value(metrics.totals(con, Filters(2024, 2, 3), codes), "P5_NEW_MEMBERS") == 27
    by_county = metrics.by_dimension(con, Filters(2024, 2, 2), "P5_NEW_MEMBERS", "county").set_index("key")
    assert by_county.loc["xintai", "value"] == 5  # 5 + 0 (E2's drop floored)
    assert by_county.loc["taishan", "value"] == 30  # 20 + 10


def test_hardship_families_distinct_over_range_and_area(con) -> None:
    trend = metrics.trend(con, Q1_Q2, ["P5_HARDSHIP_FAMILIES"]).set_index("period")["value"]
    assert trend["2024Q1"] == 1  # X
    assert trend["2024Q2"] == 2  # X (xintai and taishan) and Z
    by_county = metrics.by_dimension(con, Q1_Q2, "P5_HARDSHIP_FAMILIES", "county").set_index("key")
    assert by_county.loc["xintai", "value"] == 2  # X, Z
    assert by_county.loc["taishan", "value"] == 1  # X
    # the city counts X once: 2, not 1 + 2 (quarters) nor 2 + 1 (counties)
    assert _value(metrics.totals(con, Q1_Q2, ["P5_HARDSHIP_FAMILIES"]), "P5_HARDSHIP_FAMILIES") == 2
    cells = con.execute(
        "select sum(value) from indicator_values where indicator = 'P5_HARDSHIP_FAMILIES' and quarter <= 2"
    ).fetchone()[0]
    assert cells == 4  # Q1 xintai 1 + Q2 xintai 2 + Q2 taishan 1: why cells are not added


def test_two_counties(con) -> None:
    df = metrics.by_dimension(con, Q1_Q2, "P5_MEMBERS", "county").set_index("key")
    assert len(df) == len(reference.counties())
    assert df.loc["xintai", "value"] == 125  # Q2: 95 + 30
    assert df.loc["taishan", "value"] == 30  # Q2: 20 + 10
    assert df.loc["daiyue", "value"] == 0  # data exists in the range, none in this county
    assert df.loc["xintai", "name_zh"] == "新泰市"
    assert df.loc["xintai", "target"] == 140
    assert math.isnan(df.loc["daiyue", "target"])
    only_taishan = metrics.totals(con, Filters(2024, 1, 2, counties=("taishan",)), ["P5_MEMBERS", "P1_LECTURES"])
    assert _value(only_taishan, "P5_MEMBERS") == 30
    assert _value(only_taishan, "P1_LECTURES") == 2  # taishan Q2 2


def test_chains_and_a_chain_less_record(con) -> None:
    # 职工大讲堂 is not collected by chain: no chain ranking is offered for it
    with pytest.raises(ValueError, match="not broken down by chain"):
        metrics.by_dimension(con, Q1_Q2, "P1_LECTURES", "chain")
    # a chain ranking lists chains only: xintai's chain-less 技能竞赛 (2024-05-20) is in the total, in no bar
    df = metrics.by_dimension(con, Q1_Q2, "P2_SKILL_CONTESTS", "chain")
    assert df["key"].notna().all()
    assert df.set_index("key").loc["C10", "value"] == 1  # xintai C10 2024-02-10
    assert _value(metrics.totals(con, Q1_Q2, ["P2_SKILL_CONTESTS"]), "P2_SKILL_CONTESTS") == 2
    members = metrics.by_dimension(con, Filters(2024, 2, 2), "P5_MEMBERS", "chain").set_index("key")
    assert members.loc["C10", "value"] == 135  # 95 + 30 + 10
    assert members.loc["C01", "value"] == 20
    assert members.loc["C10", "target"] == 150
    # a chain filter leaves chain-less records out
    c10 = metrics.totals(con, Filters(2024, 1, 2, chains=("C10",)), ["P2_ACADEMY_TRAINEES", "P2_DEGREE_ENROLLED"])
    assert _value(c10, "P2_ACADEMY_TRAINEES") == 0  # the only 工匠学院 row is chain-less
    assert _value(c10, "P2_DEGREE_ENROLLED") == 30  # xintai C10 Q1


def test_heatmap_cell(con) -> None:
    df = metrics.heatmap(con, Filters(2024, 2, 2), "P5_MEMBER_RATE").set_index(["county", "chain"])
    # 入会率 xintai C10 2024Q2: (95+30)/(100+60) = 78.125
    assert df.loc[("xintai", "C10"), "value"] == pytest.approx(78.125)
    # 入会率 taishan C10 2024Q2: 10/40 = 25
    assert df.loc[("taishan", "C10"), "value"] == pytest.approx(25)
    assert df.loc[("xintai", "C10"), "county_zh"] == "新泰市"
    assert df.loc[("xintai", "C10"), "chain_zh"] == "医药及医疗器械"
    assert math.isnan(df.loc[("daiyue", "C01"), "value"])  # no firms: no rate


def test_registry_named_mid_range_and_stopped_site(con) -> None:
    trend = metrics.trend(con, YEAR, ["P4_STUDIOS", "P2_LIBRARIES", "P5_MOTHER_ROOMS", "P4_STAR_STUDIOS"])
    by = {code: list(g["value"]) for code, g in trend.groupby("indicator")}
    assert by["P4_STUDIOS"] == [2, 3, 4]  # named 2020 + 2023-11; + 2024-05-15 in Q2; + 2024-08-20 in Q3
    assert by["P2_LIBRARIES"] == [1, 2, 2]  # + 全国 one from 2024-04-20; the 停用 省级 one (2024-05) never
    assert by["P5_MOTHER_ROOMS"] == [1, 1, 2]
    assert by["P4_STAR_STUDIOS"] == pytest.approx([100, 200 / 3, 50])  # 2/2, 2/3, 2/4


def test_trend_periods_and_flows(con) -> None:
    df = metrics.trend(con, YEAR, ["P5_MEMBERS", "P1_CRAFTSMEN", "P5_NEW_MEMBERS", "P5_LEGAL_COVERAGE"])
    by = {code: dict(zip(g["period"], g["value"], strict=True)) for code, g in df.groupby("indicator")}
    assert by["P5_MEMBERS"] == {"2024Q1": 130, "2024Q2": 155, "2024Q3": 157}
    assert by["P1_CRAFTSMEN"] == {"2024Q4": 3}  # honours in Q4 of their year
    assert by["P5_NEW_MEMBERS"] == {"2024Q2": 35, "2024Q3": 15}  # no baseline for Q1
    # 泰会帮 per quarter: Q1 xintai×C10 covers 2 of 3 firms; Q2 none of 4; Q3 taishan×C01 covers 1 of 4
    assert by["P5_LEGAL_COVERAGE"] == pytest.approx({"2024Q1": 200 / 3, "2024Q2": 0, "2024Q3": 25})
    upto_q2 = metrics.trend(con, Q1_Q2, ["P5_MEMBERS"])
    assert list(upto_q2["period"]) == ["2024Q1", "2024Q2"]


def test_kpis_previous_change_target_progress(con) -> None:
    df = metrics.kpis(con, Filters(2024, 2, 2), ["P5_MEMBERS", "P5_MEMBER_RATE"]).set_index("indicator")
    members = df.loc["P5_MEMBERS"]
    assert (members["value"], members["previous"], members["change"]) == (155, 130, 25)  # Q2 vs Q1
    assert members["target"] == 200  # city row of the targets file
    assert members["progress"] == pytest.approx(155 / 200)
    rate = df.loc["P5_MEMBER_RATE"]
    assert rate["previous"] == pytest.approx(13000 / 210)  # Q1: 130/210 = 61.90 %
    assert rate["change"] == pytest.approx(62 - 13000 / 210)  # percentage points
    assert rate["target"] == 65
    year = metrics.kpis(con, YEAR, ["P5_MEMBERS"]).set_index("indicator").loc["P5_MEMBERS"]
    assert math.isnan(year["previous"])  # 2023 has no data


def test_kpi_targets_by_scope(con) -> None:
    codes = ["P5_MEMBERS", "P5_MEMBER_RATE", "P5_LEGAL_COVERAGE"]
    one = metrics.kpis(con, Filters(2024, 2, 2, counties=("xintai",)), codes).set_index("indicator")
    assert one.loc["P5_MEMBERS", "value"] == 125
    assert one.loc["P5_MEMBERS", "target"] == 140  # xintai row
    assert one.loc["P5_MEMBER_RATE", "target"] == 70
    assert one.loc["P5_LEGAL_COVERAGE", "target"] == 100  # policy row for each county
    two = metrics.kpis(con, Filters(2024, 2, 2, counties=("xintai", "taishan")), codes).set_index("indicator")
    assert two.loc["P5_MEMBERS", "target"] == 180  # 140 + 40
    assert math.isnan(two.loc["P5_MEMBER_RATE", "target"])  # rates are not added up
    chain = metrics.kpis(con, Filters(2024, 2, 2, chains=("C10",)), ["P5_MEMBERS"]).set_index("indicator")
    assert chain.loc["P5_MEMBERS", "target"] == 150  # chain row
    assert chain.loc["P5_MEMBERS", "value"] == 135


def test_innovative_firms_against_policy_targets(con) -> None:
    df = metrics.innovative_firms_vs_target(con, YEAR).set_index("scope")
    assert list(df.columns) == ["name_zh", "name_en", "actual", "target"]
    assert (df.loc["city", "actual"], df.loc["city", "target"]) == (1, 10)  # 市级 honours vs the city's 10
    assert (df.loc["xintai", "actual"], df.loc["xintai", "target"]) == (2, 12)  # 县级; the file's 12 wins over 10
    assert (df.loc["taishan", "actual"], df.loc["taishan", "target"]) == (1, 10)
    assert (df.loc["daiyue", "actual"], df.loc["daiyue", "target"]) == (0, 10)
    assert len(df) == 1 + len(reference.counties())
    card = metrics.kpis(con, YEAR, ["P4_INNOVATIVE_FIRMS"]).set_index("indicator").loc["P4_INNOVATIVE_FIRMS"]
    assert card["value"] == 4  # all 全员创新企业 honours, 市级 and 县级
    assert card["target"] == 10 + 12 + 10 * (len(reference.counties()) - 1)  # city + every county target


def test_breakdowns(con) -> None:
    def parts(f, code, dim):
        return dict(metrics.breakdown(con, f, code, dim)[["category", "value"]].itertuples(index=False, name=None))

    assert parts(Q1_Q2, "P4_STUDIOS", "level") == {"省级": 1, "市级": 1, "县级": 1}  # Q2 registry
    assert parts(YEAR, "P4_STUDIOS", "stars") == {"4星": 1, "3星": 1, "2星": 1, "未评星": 1}
    assert list(parts(YEAR, "P4_STUDIOS", "stars")) == ["4星", "3星", "2星", "未评星"]
    aid = parts(Q1_Q2, "P5_AID_FUNDS", "kind")
    assert aid == pytest.approx({"大病医疗救助": 2.0, "深度困难": 0.8, "相对困难": 0.2, "意外致困": 0.1})
    assert parts(Q1_Q2, "P5_HARDSHIP_FAMILIES", "kind") == {"深度困难": 1, "相对困难": 1, "意外致困": 1}
    # a breakdown splits the indicator itself: its parts add up to it (技能竞赛 by level, not other kinds)
    assert parts(YEAR, "P2_SKILL_CONTESTS", "level") == {"市级": 1, "县级": 2}
    assert parts(YEAR, "P2_SAFETY_FIRMS", "kind") == {"安康杯": 12, "查保促": 8}
    assert parts(Q1_Q2, "P4_RESULTS", "kind") == {"小发明": 1, "小创造": 1, "小革新": 1, "小建议": 1}
    assert parts(Filters(2024, 2, 2), "P5_SERVICE_SITES", "kind") == {
        "职工书屋": 3,
        "工会妈妈小屋": 1,
        "三种精神教育基地": 1,
    }
    assert parts(Filters(2024, 2, 2), "P2_LIBRARIES", "level") == {"全国": 1, "市级": 1}
    assert parts(Q1_Q2, "P2_TRAINEES", "kind") == {"求学圆梦": 50, "工匠学院": 50, "名师带徒": 14}
    assert parts(YEAR, "P4_INNOVATIVE_FIRMS", "level") == {"市级": 1, "县级": 3}
    # only the breakdowns the catalogue offers
    with pytest.raises(ValueError):
        parts(Q1_Q2, "P2_SKILL_CONTESTS", "kind")
    with pytest.raises(ValueError):
        parts(Q1_Q2, "P4_STUDIOS", "no_such_dimension")


def test_firm_coverage(con) -> None:
    df = metrics.firm_coverage(con, YEAR, "C10")  # Q3, the latest quarter with enterprise data
    assert list(df.columns) == ["credit_code", "enterprise_name", "county", "employees", "members", "member_rate"]
    assert sorted(df["county"]) == ["taishan", "xintai", "xintai"]
    rates = dict(zip(df["enterprise_name"], df["member_rate"], strict=True))
    assert rates["新泰示例药业有限公司"] == pytest.approx(92.0)  # 92 / 100
    assert rates["泰山示例生物有限公司"] == 0  # no union in Q3
    assert len(metrics.firm_coverage(con, Filters(2024, counties=("xintai",)), "C01")) == 0


@pytest.mark.parametrize("code", [i.code for i in reference.indicators()])
def test_every_indicator_agrees_across_totals_trend_and_counties(con, code: str) -> None:
    trend = metrics.trend(con, YEAR, [code]).set_index("period")["value"]
    for q in range(1, 5):
        total = _value(metrics.totals(con, Filters(2024, q, q), [code]), code)
        if f"2024Q{q}" in trend.index:
            assert total == pytest.approx(trend[f"2024Q{q}"], nan_ok=True), f"{code} 2024Q{q}"
        else:
            assert math.isnan(total), f"{code} 2024Q{q}"
    f = Filters(2024, 2, 3)
    tot = metrics.totals(con, f, [code]).iloc[0]
    parts = metrics.by_dimension(con, f, code, "county")
    if code == "P5_HARDSHIP_FAMILIES":  # distinct: counties may share a family
        assert parts["value"].sum() >= tot["value"]
    elif reference.indicator(code).kind == "rate":
        assert parts["numerator"].sum() == tot["numerator"]
        assert parts["denominator"].sum() == tot["denominator"]
    elif math.isnan(tot["value"]):
        assert parts.empty
    else:
        assert parts["value"].sum() == pytest.approx(tot["value"])
