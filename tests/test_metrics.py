"""The metrics API: shapes the pages rely on, filter semantics, and a smoke run on demo data."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline import metrics, reference
from data_pipeline.metrics import Filters

CODES = [i.code for i in reference.indicators()]


@pytest.fixture(scope="module")
def con(tiny_warehouse: Path):
    c = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield c
    c.close()


def test_filters_are_frozen_and_index_quarters() -> None:
    f = Filters(2024, 2, 3, counties=("xintai",))
    assert (f.period_from, f.period_to) == (2024 * 4 + 1, 2024 * 4 + 2)
    assert Filters(2024).quarter_from == 1 and Filters(2024).quarter_to == 4
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.year = 2025  # type: ignore[misc]


def test_catalogue_and_periods(con) -> None:
    cat = metrics.catalogue(con)
    assert list(cat["code"]) == CODES  # catalogue order
    assert {"kind", "time_agg", "unit_zh", "decimals", "project_zh", "project_en"} <= set(cat.columns)
    assert cat.set_index("code").loc["P5_MEMBER_RATE", "project_zh"] == "强化工会效能提升服务能力工程"
    per = metrics.periods(con)
    assert list(per.columns) == ["year", "quarter"]
    assert [tuple(r) for r in per.itertuples(index=False)] == [(2024, 1), (2024, 2), (2024, 3), (2024, 4)]


def test_columns_of_every_function(con) -> None:
    f = Filters(2024)
    assert list(metrics.totals(con, f, CODES).columns) == [
        "indicator",
        "value",
        "numerator",
        "denominator",
        "suppressed",
    ]
    kp = metrics.kpis(con, f, CODES)
    assert list(kp.columns) == [
        "indicator",
        "value",
        "previous",
        "change",
        "target",
        "progress",
        "basis",
        "expected",
        "due_share",
        "due_basis",
        "status",
        "gap",
        "relative_gap",
        "reference_value",
        "reference_year",
        "suppressed",
    ]
    assert list(kp["indicator"]) == CODES
    cols = ["key", "name_zh", "name_en", "value", "numerator", "denominator", "target", "expected", "status", "gap"]
    assert list(metrics.by_dimension(con, f, "P5_MEMBER_RATE", "county").columns) == [*cols, "suppressed"]
    assert list(metrics.by_dimension(con, f, "P5_MEMBER_RATE", "chain").columns) == [*cols, "suppressed"]
    hm = metrics.heatmap(con, f, "P5_MEMBER_RATE")
    assert list(hm.columns) == [
        "county",
        "chain",
        "county_zh",
        "chain_zh",
        "value",
        "numerator",
        "denominator",
        "suppressed",
    ]
    assert len(hm) == len(reference.counties()) * len(reference.chains())  # enterprises always have a chain
    trend_cols = ["indicator", "year", "quarter", "period", "value", "suppressed"]
    assert list(metrics.trend(con, f, CODES).columns) == trend_cols
    assert list(metrics.breakdown(con, f, "P4_STUDIOS", "level").columns) == ["category", "value", "suppressed"]
    assert list(metrics.innovative_firms_vs_target(con, f).columns) == [
        "scope",
        "name_zh",
        "name_en",
        "actual",
        "target",
    ]
    att = metrics.attention(con, f, ["P5_MEMBER_RATE"])
    assert list(att.columns) == [
        "dim",
        "key",
        "name_zh",
        "name_en",
        "indicator",
        "value",
        "expected",
        "gap",
        "relative_gap",
        "behind",
    ]
    assert {"file_name", "status", "rows_loaded"} <= set(metrics.manifest(con).columns)
    q = metrics.quarantine(con, limit=5)
    assert {"file_name", "row_number", "column", "value", "rule", "message"} <= set(q.columns)


def test_value_types_are_float(con) -> None:
    df = metrics.totals(con, Filters(2024), CODES)
    assert all(pd.api.types.is_float_dtype(df[c]) for c in ("value", "numerator", "denominator"))


def test_no_data_is_nan_and_no_records_in_area_is_zero(con) -> None:
    df = metrics.totals(con, Filters(2023), ["P5_MEMBERS", "P5_MEMBER_RATE"]).set_index("indicator")
    assert math.isnan(df.loc["P5_MEMBERS", "value"]) and math.isnan(df.loc["P5_MEMBER_RATE", "value"])
    empty_area = Filters(2024, counties=("daiyue",))
    df = metrics.totals(con, empty_area, ["P5_MEMBERS", "P5_MEMBER_RATE"]).set_index("indicator")
    assert df.loc["P5_MEMBERS", "value"] == 0
    assert math.isnan(df.loc["P5_MEMBER_RATE", "value"])  # 0 / 0
    assert df.loc["P5_MEMBER_RATE", "denominator"] == 0


def test_empty_lists_mean_all_and_lists_filter(con) -> None:
    every = metrics.totals(con, Filters(2024, 2, 2), ["P5_MEMBERS"])["value"][0]
    both = Filters(2024, 2, 2, counties=("xintai", "taishan"), chains=("C01", "C10"))
    assert metrics.totals(con, both, ["P5_MEMBERS"])["value"][0] == every == 155
    df = metrics.by_dimension(con, Filters(2024, 2, 2, counties=("xintai", "taishan")), "P5_MEMBERS", "county")
    assert set(df["key"]) == {"xintai", "taishan"}


def test_by_dimension_rejects_other_dimensions(con) -> None:
    with pytest.raises(ValueError):
        metrics.by_dimension(con, Filters(2024), "P5_MEMBERS", "quarter")  # type: ignore[arg-type]


def test_kpi_previous_of_a_range_is_the_same_quarters_a_year_earlier(con) -> None:
    # Q1–Q2 2025 is compared with 2024Q1–Q2: the stock takes its last quarter, 2024Q2 = 155 members
    df = metrics.kpis(con, Filters(2025, 1, 2), ["P5_MEMBERS"]).set_index("indicator")
    assert math.isnan(df.loc["P5_MEMBERS", "value"])
    assert df.loc["P5_MEMBERS", "previous"] == 155
    assert df.loc["P5_MEMBERS", "basis"] == "year"


def test_kpi_previous_of_one_quarter_is_the_quarter_before(con) -> None:
    df = metrics.kpis(con, Filters(2024, 3, 3), ["P5_MEMBERS"]).set_index("indicator")
    assert (df.loc["P5_MEMBERS", "value"], df.loc["P5_MEMBERS", "previous"]) == (157, 155)  # 2024Q3 vs Q2
    assert df.loc["P5_MEMBERS", "basis"] == "quarter"


@pytest.mark.parametrize(
    ("f", "through", "expected"),
    [
        (Filters(2026), "2026Q3", (2025 * 4, 2025 * 4 + 2, "year")),  # a year in progress: Q1–Q3 vs Q1–Q3
        (Filters(2025), "2026Q3", (2024 * 4, 2024 * 4 + 3, "year")),  # a whole year vs the year before
        (Filters(2026, 3, 3), "2026Q3", (2026 * 4 + 1, 2026 * 4 + 1, "quarter")),  # Q3 vs Q2
        (Filters(2026, 1, 4), "2026Q1", (2025 * 4 + 3, 2025 * 4 + 3, "quarter")),  # only Q1 has data: vs 2025Q4
        (Filters(2027), "2026Q3", (2026 * 4, 2026 * 4 + 3, "year")),  # wholly after the data: as chosen
        (Filters(2026, 2, 3), None, (2025 * 4 + 1, 2025 * 4 + 2, "year")),  # no data date: the range as chosen
    ],
)
def test_comparison_period(f, through, expected) -> None:
    assert metrics.comparison(f, through) == expected


def test_quarantine_limit(con) -> None:
    assert len(metrics.quarantine(con, limit=0)) == 0


def test_functions_accept_a_cursor(tiny_warehouse: Path) -> None:
    db = duckdb.connect(str(tiny_warehouse), read_only=True)
    cur = db.cursor()
    try:
        assert metrics.info(cur)["data_through"] == "2024Q3"
        assert len(metrics.totals(cur, Filters(2024), CODES)) == len(CODES)
    finally:
        cur.close()
        db.close()


def test_demo_warehouse_answers_every_question(demo_warehouse: Path) -> None:
    with duckdb.connect(str(demo_warehouse), read_only=True) as c:
        info = metrics.info(c)
        assert info["is_demo"] is True
        through = info["data_through"]
        f = Filters(int(through[:4]), 1, int(through[-1]))
        tot = metrics.totals(c, f, CODES).set_index("indicator")
        for code in ("P5_MEMBERS", "P5_MEMBER_RATE", "P4_STUDIOS", "P5_AID_FUNDS", "P5_LEGAL_COVERAGE"):
            assert tot.loc[code, "value"] > 0, code
        rates = tot.loc[[i.code for i in reference.indicators() if i.kind == "rate"], "value"].dropna()
        assert ((rates >= 0) & (rates <= 100)).all()
        kp = metrics.kpis(c, f, CODES)
        assert kp["target"].notna().sum() > len(CODES) // 2
        for dim in ("county", "chain"):
            assert len(metrics.by_dimension(c, f, "P5_MEMBER_RATE", dim)) >= 10
        assert len(metrics.trend(c, f, ["P5_MEMBERS"])) >= 4
        assert len(metrics.heatmap(c, f, "P5_MEMBER_RATE")) > 0
        assert len(metrics.breakdown(c, f, "P4_STUDIOS", "level")) > 0
        assert len(metrics.innovative_firms_vs_target(c, f)) == 1 + len(reference.counties())
        assert len(metrics.firm_coverage(c, f, "C01")) > 0
        assert len(metrics.manifest(c)) == info["files_total"]
