"""Completeness per quarter: units received / expected from the duty roster and what the warehouse (and the last
publication's ledger rows) hold, on the tiny warehouse."""

from __future__ import annotations

from data_pipeline import completeness, metrics
from data_pipeline.completeness import LEDGER, MANIFEST, Received
from data_pipeline.roster import Quarter, chain_unit, county_unit, units

XINTAI, TAISHAN = county_unit("新泰"), county_unit("泰山")


def cells(qc: completeness.QuarterCompleteness) -> dict[tuple[str, str], str | None]:
    return {(o.unit.code, o.dataset): how for o, how in qc.cells}


def test_without_a_ledger_the_manifest_says_which_counties_sent_what(tiny_con):
    files = completeness.received_from_manifest(metrics.received_files(tiny_con))
    q1 = completeness.for_quarter(Quarter(2024, 1), files)
    got = cells(q1)
    assert q1.basis == MANIFEST and {o.unit.kind for o, _ in q1.cells} == {"county"}  # a file names no chain union
    assert q1.expected == 10 * 8  # ten counties, eight quarterly duties (honours are yearly: fourth quarter)
    assert got[("xintai", "enterprises")] == got[("xintai", "training")] == "file"
    assert got[("xintai", "contests")] == "file"  # a year's contests in one file count for the quarters of its rows
    assert got[("taishan", "contests")] is None  # 泰山's contests are dated in Q2 and Q3
    assert got[("xintai", "service_sites")] == "file"  # a registry sent once stays in force
    assert all(how is None for (unit, _), how in got.items() if unit not in ("xintai", "taishan"))
    assert q1.complete_units == 1 and len(q1.missing) == 9 and XINTAI not in q1.missing  # 新泰 sent all eight
    assert q1.missing[TAISHAN] == ["职工素质提升", "服务活动", "劳动和技能竞赛", "帮扶救助"]  # results: Q1 rows
    by = dict((t, (got, owed)) for t, got, owed, _ in q1.by_dataset())
    assert by["企业建会入会情况"] == (2, 10)


def test_with_the_ledger_every_roster_unit_is_owed_and_a_nil_return_counts(tiny_con):
    files = completeness.received_from_manifest(metrics.received_files(tiny_con))
    ledger = [Received(chain_unit("C10"), "contests", "2024Q3", "nil"), Received(XINTAI, "training", "2024Q3", "nil")]
    q3 = completeness.for_quarter(Quarter(2024, 3), files, ledger)
    got = cells(q3)
    assert q3.basis == LEDGER and len(q3.units) == len(units())  # 10 counties, 13 chains, the city union
    assert got[("C10", "contests")] == "nil" and got[("xintai", "training")] == "nil"
    assert got[("xintai", "enterprises")] == "file" and got[("C01", "training")] is None
    assert got[("city", "contests")] is None
    assert got[("xintai", "service_sites")] == "file"  # the registry in force, sent without a quarter
    mine = completeness.for_quarter(Quarter(2024, 3), files, ledger, units=[XINTAI])
    assert mine.units == [XINTAI] and mine.expected == 8


def test_a_ledger_files_path_names_the_unit_that_sent_it():
    import pandas as pd

    manifest = pd.DataFrame(
        [
            {
                "dataset": "contests",
                "county": "xintai",
                "period": "2026Q3",
                "path": "ledger/C10/contests/2026Q3_7_x.xlsx",
            },
            {"dataset": "contests", "county": "xintai", "period": "2026Q3", "path": "base/xintai/2026Q3/x.xlsx"},
            {"dataset": "targets", "county": None, "period": "2026", "path": "base/city/2026/t.xlsx"},
        ]
    )
    got = completeness.received_from_manifest(manifest)
    assert [(r.unit.code, r.dataset, r.period) for r in got] == [
        ("C10", "contests", "2026Q3"),
        ("xintai", "contests", "2026Q3"),
    ]
