"""Each warning rule on a hand-made pair of quarters; thresholds come from reference/warning_rules.csv."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from data_pipeline import reference
from data_pipeline.warning_rules import check_warnings, match_key

A, B, C = "91370982MA3C00001K", "91370982MA3C00002N", "91370902MA3C000041"


def firm(code, name, employees, members, has_union=True, row=None, error=False):
    rec = {
        "period": "2026Q4",
        "credit_code": code,
        "enterprise_name": name,
        "county": "xintai",
        "chain": "C10",
        "employees": employees,
        "has_union": has_union,
        "members": members,
    }
    if row is not None:
        rec["_row_number"] = row
        rec["_error"] = error
    return rec


def previous(*firms) -> pd.DataFrame:
    return pd.DataFrame([dict(f, period="2026Q3") for f in firms], dtype=object)


def upload(*firms) -> pd.DataFrame:
    return pd.DataFrame(list(firms), dtype=object)


BASE = previous(firm(A, "甲公司", 100, 80), firm(B, "乙公司", 200, 100), firm(C, "丙公司", 100, 90))


def warn(rows, prev=BASE, **kw):
    return check_warnings(rows, prev, dataset_name=kw.pop("dataset", "enterprises"), previous_period="2026Q3", **kw)


def by_rule(ws, rule):
    return [w for w in ws if w.rule == rule]


def test_rules_are_data_and_name_real_columns():
    rules = reference.warning_rules()
    assert {r.rule for r in rules} == {
        "employees_change",
        "members_drop",
        "firm_missing",
        "member_rate_drop",
        "studio_missing",
        "site_missing",
    }
    for r in rules:
        ds = reference.dataset(r.dataset)
        cols = {c.column for c in ds.columns}
        assert r.check in {"relative_change", "relative_drop", "missing_row", "rate_drop"}
        assert all(part in cols for part in r.column.split("/") if part), r.rule
        assert match_key(ds), r.rule
    assert {r.rule: r.threshold for r in rules if r.threshold is not None} == {
        "employees_change": 0.5,
        "members_drop": 0.2,
        "member_rate_drop": 10.0,
    }


def test_employees_changed_by_more_than_half():
    same = warn(
        upload(firm(A, "甲公司", 150, 80, row=3), firm(B, "乙公司", 100, 100, row=4), firm(C, "丙公司", 100, 90, row=5))
    )
    assert by_rule(same, "employees_change") == []  # +50 % and −50 % are not more than half
    ws = warn(
        upload(firm(A, "甲公司", 151, 80, row=3), firm(B, "乙公司", 99, 99, row=4), firm(C, "丙公司", 100, 90, row=5))
    )
    got = by_rule(ws, "employees_change")
    assert [(w.row_number, w.column, w.value, w.previous, w.key) for w in got] == [
        (3, "职工人数", "151", "100", A),
        (4, "职工人数", "99", "200", B),
    ]
    assert got[0].message.startswith("第3行「职工人数」由上期（2026Q3）的100变为151，变化51%，超过50%")
    assert "请核对" in got[0].message


def test_members_fell_by_more_than_a_fifth_and_a_header_as_written():
    rows = upload(
        firm(A, "甲公司", 100, 64, row=7), firm(B, "乙公司", 200, 79, row=8), firm(C, "丙公司", 100, 90, row=9)
    )
    ws = warn(rows, headers={"members": "会员人数（人）"})
    got = by_rule(ws, "members_drop")
    assert [(w.row_number, w.value, w.previous) for w in got] == [(8, "79", "100")]  # 80 → 64 is exactly −20 %
    assert got[0].column == "会员人数（人）"
    assert "第8行「会员人数（人）」由上期（2026Q3）的100降为79，减少21%，超过20%" in got[0].message


def test_a_firm_present_last_quarter_is_missing():
    ws = warn(upload(firm(A, "甲公司", 100, 80, row=3), firm(C, "丙公司", 100, 90, row=4)))
    (got,) = by_rule(ws, "firm_missing")
    assert (got.row_number, got.column, got.key) == (None, "", B)
    assert "乙公司" in got.message and B in got.message and "2026Q3" in got.message and "上报说明" in got.message


def test_a_row_with_an_error_still_counts_as_present():
    rows = upload(
        firm(A, "甲公司", 100, 80, row=3),
        firm(B, "乙公司", 200, 300, row=4, error=True),
        firm(C, "丙公司", 100, 90, row=5),
    )
    assert by_rule(warn(rows), "firm_missing") == []


def test_the_units_membership_rate_fell_by_more_than_ten_points():
    # last quarter 270 / 400 = 67.5 %
    ten = upload(
        firm(A, "甲公司", 100, 70, row=3), firm(B, "乙公司", 200, 90, row=4), firm(C, "丙公司", 100, 70, row=5)
    )
    assert by_rule(warn(ten), "member_rate_drop") == []  # 230 / 400 = 57.5 %: exactly 10 points
    more = upload(
        firm(A, "甲公司", 100, 70, row=3), firm(B, "乙公司", 200, 88, row=4), firm(C, "丙公司", 100, 70, row=5)
    )
    (got,) = by_rule(warn(more), "member_rate_drop")
    assert (got.row_number, got.value, got.previous) == (None, "57.0%", "67.5%")
    assert "本单位入会率由上期（2026Q3）的67.5%降为57.0%，下降10.5个百分点" in got.message
    # a firm without a union counts 0 members, as the warehouse counts it
    no_union = upload(
        firm(A, "甲公司", 100, None, has_union=False, row=3),
        firm(B, "乙公司", 200, 100, row=4),
        firm(C, "丙公司", 100, 90, row=5),
    )
    (got,) = by_rule(warn(no_union), "member_rate_drop")
    assert got.value == "47.5%"
    # rows with errors stay out of the unit's rate
    bad = upload(
        firm(A, "甲公司", 100, 80, row=3),
        firm(B, "乙公司", 200, 0, row=4, error=True),
        firm(C, "丙公司", 100, 90, row=5),
    )
    assert by_rule(warn(bad), "member_rate_drop") == []


@pytest.mark.parametrize(
    ("dataset", "name_col", "rule", "noun"),
    [
        ("innovation_studios", "studio_name", "studio_missing", "工作室"),
        ("service_sites", "site_name", "site_missing", "阵地"),
    ],
)
def test_a_registry_row_disappeared(dataset, name_col, rule, noun):
    prev = pd.DataFrame([{name_col: "一号", "county": "xintai"}, {name_col: "二号", "county": "xintai"}], dtype=object)
    rows = pd.DataFrame([{name_col: "一号", "county": "xintai", "_row_number": 3}], dtype=object)
    ws = check_warnings(rows, prev, dataset_name=dataset, previous_period="已发布名录")
    assert [(w.rule, w.key) for w in ws] == [(rule, "二号、新泰市")]
    assert f"{noun}“二号”本次未列入" in ws[0].message
    both = pd.DataFrame(
        [{name_col: n, "county": "xintai", "_row_number": i} for i, n in ((3, "一号"), (4, "二号"))], dtype=object
    )
    assert check_warnings(both, prev, dataset_name=dataset, previous_period="已发布名录") == []


def test_thresholds_are_data():
    rules = [
        dataclasses.replace(r, threshold=0.6) if r.rule == "employees_change" else r for r in reference.warning_rules()
    ]
    rows = upload(
        firm(A, "甲公司", 155, 80, row=3), firm(B, "乙公司", 200, 100, row=4), firm(C, "丙公司", 100, 90, row=5)
    )
    assert len(by_rule(warn(rows), "employees_change")) == 1
    assert by_rule(warn(rows, rules=rules), "employees_change") == []


def test_nothing_to_compare_with_means_no_warnings():
    rows = upload(firm(A, "甲公司", 1000, 0, row=3))
    assert warn(rows, prev=pd.DataFrame()) == []
    assert warn(rows, prev=None) == []
    assert check_warnings(rows, BASE, dataset_name="training", previous_period="2026Q3") == []


def test_warnings_are_sorted_by_row_whole_file_ones_last():
    rows = upload(firm(B, "乙公司", 20, 10, row=9), firm(A, "甲公司", 300, 10, row=3))
    ws = warn(rows)
    rows_seen = [w.row_number for w in ws]
    assert rows_seen == sorted(rows_seen, key=lambda r: (r is None, r or 0))
    assert {w.rule for w in ws} == {"employees_change", "members_drop", "firm_missing", "member_rate_drop"}
