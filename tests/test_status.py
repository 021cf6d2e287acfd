"""Status against expected progress (data_pipeline.status) on hand-made cases, and its use by the query layer."""

from __future__ import annotations

import math

import duckdb
import pytest

from data_pipeline import metrics, status
from data_pipeline.metrics import Filters


def test_pro_rata_flow_mid_year():
    # 3 quarters of a 100 target are due: 75; 60 is 20 % short (more than the 5 % tolerance)
    j = status.judge(60, 100, accrual="pro_rata", q_from=1, q_to=3)
    assert (j.status, j.expected, j.gap, j.basis) == ("behind", 75, -15, "pro_rata")
    assert j.relative_gap == pytest.approx(-0.2)
    assert status.judge(74, 100, accrual="pro_rata", q_from=1, q_to=3).status == "on_track"  # within 5 %
    assert status.judge(80, 100, accrual="pro_rata", q_from=1, q_to=3).status == "ahead"
    # a range that does not start in Q1 is due for its own quarters only
    assert status.judge(50, 100, accrual="pro_rata", q_from=2, q_to=3).expected == 50


def test_seasonal_profile_from_earlier_years():
    # earlier years reached 30 % and 40 % of their year by Q2: 35 % of this year's 200 is due by Q2
    share = status.seasonal_share([(30, 100), (80, 200)])
    assert share == pytest.approx(0.35)
    j = status.judge(60, 200, accrual="seasonal", q_from=1, q_to=2, share=share)
    assert (j.status, j.expected, j.basis) == ("behind", pytest.approx(70), "seasonal")
    # fewer than two usable years: pro rata instead (half of 200 by Q2)
    assert status.seasonal_share([(30, 100), (5, 0)]) is None
    j = status.judge(60, 200, accrual="seasonal", q_from=1, q_to=2, share=None)
    assert (j.expected, j.basis) == (100, "pro_rata")


def test_stocks_and_rates_are_judged_against_the_target_as_it_stands():
    assert status.judge(95, 100, accrual="as_is", q_from=1, q_to=1).status == "on_track"  # 5 % band
    assert status.judge(90, 100, accrual="as_is", q_from=1, q_to=1).status == "behind"
    # a rate compares in percentage points: within 1 pp is on track whatever the quarter
    assert status.judge(89.5, 90, accrual="as_is", rate=True, q_to=2).status == "on_track"
    assert status.judge(88.9, 90, accrual="as_is", rate=True).status == "behind"
    assert status.judge(91.0, 90, accrual="as_is", rate=True).status == "ahead"
    assert status.judge(88.0, 90, accrual="as_is", rate=True).gap == pytest.approx(-2.0)


def test_annual_honours_before_and_after_q4():
    before = status.judge(0, 10, accrual="annual", q_from=1, q_to=3)
    assert before.status == "not_yet_due" and math.isnan(before.expected)
    after = status.judge(8, 10, accrual="annual", q_from=1, q_to=4)
    assert (after.status, after.expected) == ("behind", 10)
    assert status.judge(10, 10, accrual="annual", q_from=4, q_to=4).status == "on_track"


def test_no_target_and_no_data():
    assert status.judge(5, None, accrual="pro_rata").status == "no_target"
    assert status.judge(5, float("nan"), accrual="pro_rata").status == "no_target"
    assert status.judge(5, 0, accrual="pro_rata").status == "no_target"
    assert status.judge(0, None, accrual="annual", q_to=3).status == "not_yet_due"  # honours: Q4 first
    assert status.judge(None, 100, accrual="pro_rata").status == "no_data"


@pytest.fixture(scope="module")
def con(tiny_warehouse):
    c = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield c
    c.close()


def test_kpis_judge_levels_rates_and_honours(con):
    kp = metrics.kpis(con, Filters(2024, 1, 3), ["P5_MEMBERS", "P5_MEMBER_RATE", "P1_CRAFTSMEN"]).set_index("indicator")
    members = kp.loc["P5_MEMBERS"]  # a level against its year target as it stands: 157 of 200
    assert (members["expected"], members["due_basis"], members["status"]) == (200, "as_is", "behind")
    rate = kp.loc["P5_MEMBER_RATE"]  # 62.8 % against 65 %: 2.2 points short
    assert (rate["expected"], rate["status"]) == (65, "behind") and rate["gap"] == pytest.approx(-2.2)
    craftsmen = kp.loc["P1_CRAFTSMEN"]  # counted in Q4 only: not yet due in Q1–Q3
    assert craftsmen["status"] == "not_yet_due" and math.isnan(craftsmen["expected"])
    assert craftsmen["reference_year"] == 2023


def test_flows_accrue_by_earlier_years_seasonal_pattern(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as c:
        through = metrics.info(c)["data_through"]
        year, q = int(through[:4]), int(through[-1])
        f = Filters(year, 1, q)
        code = "P5_RECUPERATION"  # 疗休养: none in Q1, most in Q3 — far from a quarter a quarter
        row = metrics.kpis(c, f, [code]).iloc[0]
        shares = []
        for y in (year - 3, year - 2, year - 1):
            part = metrics.totals(c, Filters(y, 1, q), [code])["value"].iloc[0]
            whole = metrics.totals(c, Filters(y), [code])["value"].iloc[0]
            shares.append(part / whole)
    assert row["due_basis"] == "seasonal"
    assert row["expected"] == pytest.approx(row["target"] * sum(shares) / len(shares))
    assert row["due_share"] != pytest.approx(q / 4)


def test_attention_orders_by_the_gap_to_what_was_due_not_by_the_lowest_value(con):
    f = Filters(2024, 1, 3)
    ranks = metrics.by_dimension(con, f, "P5_MEMBER_RATE", "county")
    behind = ranks.loc[ranks["status"] == "behind"]
    att = metrics.attention(con, f, ["P5_MEMBER_RATE"])
    counties = att.loc[att["dim"] == "county"]
    assert list(counties["key"]) == list(behind.sort_values("gap")["key"])[:3]
    assert (counties["gap"] < 0).all()
