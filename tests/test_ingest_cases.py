"""Each messy fixture file (tests/fixtures/ingest/cases) ingested alone into a DuckDB file and read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from data_pipeline import ingest

CASES = Path(__file__).parent / "fixtures" / "ingest" / "cases"

# file, status, dataset, (rows_total, loaded, quarantined, skipped), {row_number: [rules]}, reason contains
EXPECTED = [
    ("01_enterprises_clean.xlsx", "loaded", "enterprises", (3, 3, 0, 0), {}, None),
    ("02_enterprises_gbk_title_total.csv", "loaded", "enterprises", (4, 3, 0, 1), {}, None),
    ("03_enterprises_merged_fullwidth_notes.xlsx", "loaded", "enterprises", (6, 3, 0, 3), {}, None),
    ("04_password_protected.xlsx", "rejected", None, (0, 0, 0, 0), {}, "已加密"),
    ("05_not_a_spreadsheet.xlsx", "rejected", None, (0, 0, 0, 0), {}, "不是Excel工作簿"),
    ("06_empty.csv", "rejected", None, (0, 0, 0, 0), {}, "文件为空"),
    ("07_truncated.xlsx", "rejected", None, (0, 0, 0, 0), {}, "损坏或不完整"),
    ("08_no_header.xlsx", "rejected", None, (0, 0, 0, 0), {}, "未找到可识别的表头"),
    ("09_missing_required.xlsx", "rejected", "enterprises", (0, 0, 0, 0), {}, "缺少必填列：职工人数、是否建会"),
    ("10_excel_errors.xlsx", "loaded", "enterprises", (3, 1, 2, 0), {3: ["excel_error"], 4: ["excel_error"]}, None),
    ("11_formulas_cached.xlsx", "loaded", "enterprises", (2, 1, 1, 0), {3: ["excel_error"]}, None),
    (
        "12_required_nulls.xlsx",
        "loaded",
        "enterprises",
        (4, 1, 3, 0),
        {2: ["required"], 3: ["required"], 4: ["required"]},
        None,
    ),
    (
        "13_numbers_messy.csv",
        "loaded",
        "enterprises",
        (5, 1, 4, 0),
        {2: ["not_number"], 3: ["not_integer"], 4: ["negative"], 5: ["not_number"]},
        None,
    ),
    ("14_contest_dates.xlsx", "loaded", "contests", (7, 5, 2, 0), {8: ["date"], 9: ["end_after_start"]}, None),
    (
        "15_training_periods.csv",
        "loaded",
        "training",
        (7, 5, 2, 0),
        {7: ["period"], 8: ["completed_le_participants"]},
        None,
    ),
    ("16_booleans.xlsx", "loaded", "enterprises", (8, 7, 1, 0), {9: ["bool", "migrant_members_le_members"]}, None),
    (
        "17_county_chain_names.xlsx",
        "loaded",
        "innovation_results",
        (7, 5, 2, 0),
        {7: ["unknown_county"], 8: ["unknown_chain"]},
        None,
    ),
    (
        "18_credit_codes.xlsx",
        "loaded",
        "enterprises",
        (4, 2, 2, 0),
        {2: ["credit_code_check"], 3: ["credit_code_check"]},
        None,
    ),
    (
        "19_aid_ids.xlsx",
        "loaded",
        "aid_cases",
        (7, 3, 4, 0),
        {5: ["id_number_check"], 6: ["id_number_check"], 7: ["not_positive"], 8: ["not_positive"]},
        None,
    ),
    (
        "20_studios_choices_stars.xlsx",
        "loaded",
        "innovation_studios",
        (6, 3, 3, 0),
        {5: ["choice"], 6: ["stars_range"], 7: ["choice"]},
        None,
    ),
    (
        "21_cross_rules.xlsx",
        "loaded",
        "enterprises",
        (6, 1, 5, 0),
        {
            2: ["members_le_employees"],
            3: ["members_zero_without_union"],
            4: ["migrant_members_le_migrant_workers"],
            5: ["female_le_employees"],
            6: ["credit_code_check", "members_le_employees"],
        },
        None,
    ),
    ("22_duplicate_keys.csv", "loaded", "enterprises", (3, 2, 1, 0), {4: ["duplicate_key"]}, None),
    ("23_targets.xlsx", "loaded", "targets", (4, 3, 1, 0), {6: ["unknown_indicator"]}, None),
    ("24_honors_units_rows.xlsx", "loaded", "honors", (3, 3, 0, 0), {}, None),
    ("25_activities_aliases_reordered.xlsx", "loaded", "service_activities", (2, 2, 0, 0), {}, None),
    ("26_aid_wrong_money_unit.xlsx", "rejected", "aid_cases", (0, 0, 0, 0), {}, "缺少必填列：救助金额（元）"),
    ("27_results.parquet", "loaded", "innovation_results", (3, 2, 1, 0), {4: ["choice"]}, None),
    ("28_utf8_bom_repeated_header.csv", "loaded", "service_activities", (5, 3, 0, 2), {}, None),
    ("29_csv_renamed.xlsx", "loaded", "training", (2, 2, 0, 0), {}, None),
    ("30_word_document.xlsx", "rejected", None, (0, 0, 0, 0), {}, "不是Excel工作簿"),
    ("31_gb18030_rare_chars.csv", "loaded", "enterprises", (2, 2, 0, 0), {}, None),
    ("32_instructions_sheet_first.xlsx", "loaded", "service_sites", (2, 2, 0, 0), {}, None),
    ("33_header_only.xlsx", "loaded", "enterprises", (0, 0, 0, 0), {}, None),
    ("34_sites_registry.xlsx", "loaded", "service_sites", (3, 2, 1, 0), {5: ["choice"]}, None),
    ("35_id_in_text.xlsx", "loaded", "aid_cases", (2, 1, 1, 0), {2: ["id_in_text"]}, None),
    ("36_header_marks.xlsx", "loaded", "enterprises", (1, 1, 0, 0), {}, None),
    ("37_ole2_garbage.xlsx", "rejected", None, (0, 0, 0, 0), {}, "损坏或不完整"),
    ("38_tab_separated.csv", "loaded", "training", (1, 1, 0, 0), {}, None),
    ("39_merged_county_cells.xlsx", "loaded", "training", (4, 3, 0, 1), {}, None),
    ("40_two_level_header.xlsx", "loaded", "enterprises", (1, 1, 0, 0), {}, None),
]


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in CASES.iterdir()) == sorted(e[0] for e in EXPECTED)


def ingest_one(tmp_path: Path, name: str) -> duckdb.DuckDBPyConnection:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CASES / name, raw / name)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest.ingest_dir(raw, con, hash_key=b"test-key")
    return con


@pytest.mark.parametrize(
    ("name", "status", "dataset", "counts", "rules", "reason"), EXPECTED, ids=[e[0] for e in EXPECTED]
)
def test_case(tmp_path, name, status, dataset, counts, rules, reason):
    con = ingest_one(tmp_path, name)
    got = con.execute(
        "select status, dataset, rows_total, rows_loaded, rows_quarantined, rows_skipped, reason from load_manifest"
    ).fetchall()
    assert len(got) == 1
    st, ds, total, loaded, quarantined, skipped, why = got[0]
    assert (st, ds, (total, loaded, quarantined, skipped)) == (status, dataset, counts)
    assert loaded + quarantined + skipped == total
    if reason:
        assert reason in why
    else:
        assert why is None
    q = con.execute("select row_number, rule from quarantine order by row_number, rule").fetchall()
    by_row: dict[int, list[str]] = {}
    for row_number, rule in q:
        by_row.setdefault(row_number, []).append(rule)
    assert by_row == {k: sorted(v) for k, v in rules.items()}
    assert len(by_row) == quarantined
    if dataset:
        (n,) = con.execute(f"select count(*) from raw_{dataset}").fetchone()
        assert n == loaded


def test_title_units_and_total_rows_are_not_data(tmp_path):
    con = ingest_one(tmp_path, "02_enterprises_gbk_title_total.csv")
    rows = con.execute(
        "select _row_number, county, chain, employees, year, quarter from raw_enterprises order by 1"
    ).fetchall()
    assert rows == [
        (4, "xintai", "C03", 1234, 2024, 2),
        (5, "xintai", "C12", 300, 2024, 2),
        (6, "xintai", "C08", 200, 2024, 2),
    ]
    assert con.execute("select county, period from load_manifest").fetchone() == ("xintai", "2024Q2")


def test_full_width_numbers_line_broken_headers_and_notes(tmp_path):
    con = ingest_one(tmp_path, "03_enterprises_merged_fullwidth_notes.xlsx")
    rows = con.execute(
        "select _row_number, employees, members, migrant_members from raw_enterprises order by 1"
    ).fetchall()
    assert rows == [(4, 120, 100, 20), (6, 1234, 80, 20), (7, 90, 80, 20)]


def test_formula_cached_value_is_read(tmp_path):
    con = ingest_one(tmp_path, "11_formulas_cached.xlsx")
    assert con.execute("select _row_number, employees from raw_enterprises").fetchall() == [(2, 100)]
    (value, message) = con.execute("select value, message from quarantine").fetchone()
    assert value == "#DIV/0!"
    assert "会员人数" in message and "#DIV/0!" in message


def test_booleans_and_ticks(tmp_path):
    con = ingest_one(tmp_path, "16_booleans.xlsx")
    rows = con.execute(
        "select above_scale, chain_leader, has_union from raw_enterprises order by _row_number"
    ).fetchall()
    assert rows == [
        (True, True, True),
        (False, False, False),
        (True, True, True),
        (False, False, False),
        (True, True, True),
        (False, False, False),
        (True, True, True),
    ]


def test_dates_in_every_shape(tmp_path):
    con = ingest_one(tmp_path, "14_contest_dates.xlsx")
    rows = con.execute("select _row_number, cast(start_date as varchar) from raw_contests order by 1").fetchall()
    assert rows == [(3, "2024-01-10"), (4, "2024-03-31"), (5, "2024-03-05"), (6, "2024-03-08"), (7, "2024-03-01")]


def test_periods_in_every_shape(tmp_path):
    con = ingest_one(tmp_path, "15_training_periods.csv")
    assert con.execute("select distinct year, quarter from raw_training").fetchall() == [(2024, 1)]
    assert con.execute("select period from load_manifest").fetchone() == ("2024Q1",)


def test_loose_names_map_to_codes_and_unknown_names_suggest(tmp_path):
    con = ingest_one(tmp_path, "17_county_chain_names.xlsx")
    rows = con.execute("select county, chain from raw_innovation_results order by _row_number").fetchall()
    assert rows == [
        ("xintai", "C01"),
        ("gaoxin", "C10"),
        ("taishan_scenic", None),
        ("daiyue", "C10"),
        ("feicheng", "C13"),
    ]
    county_msg, chain_msg = (m for (m,) in con.execute("select message from quarantine order by row_number").fetchall())
    assert "未知县市区：新太，可选：" in county_msg and "新泰市" in county_msg and "「县市区」" in county_msg
    assert "未知产业链：造船，可选：" in chain_msg


def test_unknown_columns_are_reported(tmp_path):
    con = ingest_one(tmp_path, "25_activities_aliases_reordered.xlsx")
    assert con.execute("select unknown_columns from load_manifest").fetchone() == ("序号,备注",)
    rows = con.execute(
        "select county, kind, sessions, participants, spend from raw_service_activities order by 2"
    ).fetchall()
    assert rows == [("lvyou", "普法宣传", 2, 200, None), ("lvyou", "职工大讲堂", 3, 300, 1.2)]


def test_targets_percent_and_city_scope(tmp_path):
    con = ingest_one(tmp_path, "23_targets.xlsx")
    rows = con.execute("select year, indicator, county, chain, target from raw_targets order by _row_number").fetchall()
    assert rows == [
        (2024, "P1_CRAFTSMEN", None, None, 100.0),
        (2024, "P1_MODEL_WORKERS", "xintai", None, 20.0),
        (2024, "P5_MEMBER_RATE", None, "C01", 85.3),
    ]
    assert con.execute("select period from load_manifest").fetchone() == ("2024",)


def test_registry_period_comes_from_the_title(tmp_path):
    con = ingest_one(tmp_path, "34_sites_registry.xlsx")
    assert con.execute("select county, period from load_manifest").fetchone() == ("taishan", "2024Q1")


def test_stars_written_as_symbols(tmp_path):
    con = ingest_one(tmp_path, "20_studios_choices_stars.xlsx")
    rows = con.execute("select studio_name, stars from raw_innovation_studios order by _row_number").fetchall()
    assert rows == [("张工创新工作室", 3), ("李工创新工作室", 3), ("孙工创新工作室", None)]


def test_id_numbers_are_hashed_names_dropped(tmp_path):
    con = ingest_one(tmp_path, "19_aid_ids.xlsx")
    cols = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = 'raw_aid_cases'"
        ).fetchall()
    ]
    assert "id_hash" in cols and "id_number" not in cols and "name" not in cols
    hashes = [h for (h,) in con.execute("select id_hash from raw_aid_cases").fetchall()]
    assert len(hashes) == 3 and all(len(h) == 64 for h in hashes)
    for (original,) in con.execute("select original from quarantine").fetchall():
        assert "姓名" not in original and "王五" not in original and "赵六" not in original


def test_vertically_merged_county_fills_each_row(tmp_path):
    con = ingest_one(tmp_path, "39_merged_county_cells.xlsx")
    rows = con.execute("select _row_number, county, programme from raw_training order by 1").fetchall()
    assert rows == [(3, "feicheng", "工匠学院"), (4, "feicheng", "技能培训"), (5, "feicheng", "安全培训")]


def test_duplicate_key_names_the_key_columns(tmp_path):
    con = ingest_one(tmp_path, "22_duplicate_keys.csv")
    column, value, message = con.execute('select "column", value, message from quarantine').fetchone()
    assert column == "统计期、统一社会信用代码"
    assert value.startswith("2024Q1、91370900MA")
    assert message.startswith("与第2行重复（统计期、统一社会信用代码相同：2024Q1、")
