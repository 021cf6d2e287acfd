"""The duty roster: which (unit, dataset, period) cells are owed in a quarter, their deadlines and nil returns."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from data_pipeline import reference
from data_pipeline.roster import CITY, Quarter, chain_unit, county_unit, nil_return, owed, reporting_quarter, units


def test_roster_names_real_datasets_and_known_rules():
    codes = {d.dataset for d in reference.datasets()}
    for duty in reference.duty_roster():
        assert duty.dataset in codes
        assert duty.unit_kind in ("county", "chain", "city")
        assert duty.frequency in ("quarterly", "yearly")
        assert duty.nil_return in ("", "本期无数据", "无变化")
        if duty.frequency == "quarterly":
            assert duty.due_days_after_quarter is not None
        else:
            assert dt.date(2026, *map(int, duty.due_month_day.split("-")))


def test_units_are_ten_counties_thirteen_chains_and_the_city():
    assert Counter(u.kind for u in units()) == {"county": 10, "chain": 13, "city": 1}
    assert county_unit("新泰") == county_unit("xintai") == county_unit("新泰市总工会")
    assert chain_unit("汽车零部件").code == "C01"
    with pytest.raises(ValueError, match="未知县市区"):
        county_unit("火星")


def test_a_quarter_owes_every_unit_its_quarterly_datasets_due_the_tenth_day_after():
    cells = owed("2026Q3")
    assert Counter((c.unit.kind, c.dataset) for c in cells) == {
        **{("county", d): 10 for d in ("enterprises", "training", "service_activities", "contests")},
        **{("county", d): 10 for d in ("innovation_results", "aid_cases", "innovation_studios", "service_sites")},
        ("chain", "contests"): 13,
        ("chain", "training"): 13,
        ("city", "contests"): 1,
    }
    assert {c.deadline for c in cells} == {dt.date(2026, 10, 10)}
    assert {c.period for c in cells} == {"2026Q3"}
    xintai = [c for c in cells if c.unit == county_unit("xintai")]
    assert len(xintai) == 8 and xintai[0].dataset == "enterprises" and xintai[0].dataset_title == "企业建会入会情况"


def test_the_fourth_quarter_adds_the_yearly_duties_due_31_january():
    cells = owed(Quarter(2026, 4))
    quarterly = [c for c in cells if c.frequency == "quarterly"]
    assert {c.deadline for c in quarterly} == {dt.date(2027, 1, 10)}
    yearly = {(c.unit.code, c.dataset): (c.period, c.deadline) for c in cells if c.frequency == "yearly"}
    assert yearly[("xintai", "honors")] == ("2026", dt.date(2027, 1, 31))
    assert yearly[("city", "honors")] == ("2026", dt.date(2027, 1, 31))
    assert yearly[("city", "targets")] == ("2027", dt.date(2027, 1, 31))  # next year's targets
    assert len(yearly) == 12


def test_nil_returns_are_data():
    assert nil_return("county", "enterprises") is None
    assert nil_return("county", "training") == "本期无数据"
    assert nil_return("county", "aid_cases") == "本期无数据"
    assert nil_return("county", "innovation_studios") == "无变化"
    assert nil_return("county", "service_sites") == "无变化"
    cell = next(c for c in owed("2026Q1", unit=county_unit("xintai")) if c.dataset == "service_sites")
    assert cell.nil_return == "无变化"


def test_deadline_override_and_overdue():
    cells = owed("2026Q1", unit=CITY, deadline_override=dt.date(2026, 4, 20))
    assert [(c.dataset, c.deadline) for c in cells] == [("contests", dt.date(2026, 4, 20))]
    assert cells[0].overdue(dt.date(2026, 4, 21)) and not cells[0].overdue(dt.date(2026, 4, 20))


def test_quarters():
    q = Quarter.parse("2026年第一季度")
    assert (str(q), q.label_zh, q.previous(), q.next()) == (
        "2026Q1",
        "2026年第一季度",
        Quarter(2025, 4),
        Quarter(2026, 2),
    )
    assert (q.first_day, q.last_day, q.index) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 2026 * 4)
    assert reporting_quarter(dt.date(2027, 1, 5)) == Quarter(2026, 4)
    assert reporting_quarter(dt.date(2026, 12, 3)) == Quarter(2026, 3)
    with pytest.raises(ValueError):
        Quarter.parse("下个季度")
