"""Property: whatever rows a person types, ingest never raises, the books balance and a clean row loads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

import duckdb
import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_pipeline import ingest
from data_pipeline.normalize import credit_check_char
from data_pipeline.reference import dataset

HEADER = [c.header_zh for c in dataset("enterprises").columns]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
MESSY_WORDS = [
    "#DIV/0!", "#REF!", "#N/A", "合计", "小计", "注：见说明", "填表人：某某", "—", "-", "", " ", "√", "是", "否",
    "有", "无", "Y", "N", "２０２４Q1", "2024年第一季度", "2024-Q5", "泰山", "新太", "C01", "造船", "1,234", "85.3%",
    "１２３", "-5", "12.5", "2024/3/31", "2024年3月31日", "91370900MA0000001X", "★★★",
]  # fmt: skip
MESSY = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(MESSY_WORDS),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)


def clean_row(n: int) -> list[object]:
    body = f"91370900MB{n:07d}"
    code = body + credit_check_char(body)
    return ["2024Q1", code, f"清洁企业{n}", "泰山区", "汽车零部件", "是", "否", 100, "是", 80, 30, 20, 40]


ROW = st.one_of(
    st.just("clean"),
    st.lists(MESSY, min_size=0, max_size=len(HEADER) + 2),
    st.tuples(st.integers(min_value=0, max_value=len(HEADER) - 1), MESSY),  # a clean row with one messy cell
)


def write(path: Path, rows: list[list[object]]) -> None:
    if path.suffix == ".csv":
        buf = io.StringIO()
        csv.writer(buf).writerows([["" if v is None else str(v) for v in r] for r in rows])
        path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    else:
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=0, max_size=25), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_messy_rows_always_balance(rows, suffix):
    table: list[list[object]] = [HEADER]
    clean_codes = []
    for i, r in enumerate([*rows, "clean"]):  # the last row is clean, so no trailing blank rows are trimmed
        if r == "clean":
            row = clean_row(i)
            clean_codes.append(row[1])
        elif isinstance(r, tuple):
            row = clean_row(i)
            row[r[0]] = r[1]
        else:
            row = r
        table.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        write(raw / f"submission{suffix}", table)
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        report = ingest.ingest_dir(raw, con, hash_key=b"k")
        (f,) = report.files
        assert f.status == "loaded"
        total, loaded, quarantined, skipped = con.execute(
            "select rows_total, rows_loaded, rows_quarantined, rows_skipped from load_manifest"
        ).fetchone()
        assert total == len(table) - 1
        assert loaded + quarantined + skipped == total
        (bad_rows,) = con.execute("select count(distinct row_number) from quarantine").fetchone()
        assert bad_rows == quarantined
        loaded_codes = {c for (c,) in con.execute("select credit_code from raw_enterprises").fetchall()}
        assert set(clean_codes) <= loaded_codes
        assert con.execute("select count(*) from raw_enterprises").fetchone() == (loaded,)
        con.close()


# ---------------------------------------------------------------- hostile values and odd file names

from data_pipeline import normalize  # noqa: E402
from tests.fixtures.hostile import make_hostile as h  # noqa: E402

PEOPLE = ["欧阳明", "司马青", "诸葛亮亮", "上官云", "慕容复"]
IDS = [h.idn(f"19{70 + i}0{i + 1}1{i}", i) for i in range(len(PEOPLE))]
ID_TEXTS = [s for number in IDS for s in h.id_spellings(number).values()]
HOSTILE = st.one_of(
    MESSY,
    st.sampled_from(ID_TEXTS),
    st.sampled_from([float(number[:17] + "0") for number in IDS]),  # an ID typed as a number
    st.sampled_from(PEOPLE),
    st.sampled_from(['=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)", "+1+1", "=1+1", "-1", "\t=1"]),
    st.sampled_from([1.7e308, -1.7e308, 1e30, float("inf"), float("-inf"), float("nan"), 10**18, -(10**18)]),
    st.sampled_from(["2099Q1", "1949-10-01", "2100-01-01", "1e308", "∞", "NaN"]),
)
NAME_PART = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=20
)
FILE_NAME = st.one_of(
    NAME_PART.map(lambda s: s.encode("utf-8")),
    NAME_PART.map(lambda s: s.encode("gb18030")),  # what unzipping a Windows zip leaves
    st.sampled_from(IDS).map(lambda s: (s + "_报送").encode("utf-8")),
    st.just(b"=cmd|' -C calc'!A0"),
)


def _varchar_values(con):
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall():
        for (value,) in con.execute(
            f'select distinct "{column}" from "{table}" where "{column}" is not null'
        ).fetchall():
            yield table, column, value


def _nothing_personal(con, printed: str) -> None:
    for table, column, value in _varchar_values(con):
        for secret in [*ID_TEXTS, *IDS, *(n[:17] for n in IDS)]:
            assert secret not in value, (table, column, value)
        if column not in ("sha256", "file_sha256", "_file_sha256", "id_hash"):
            assert not normalize.looks_like_id(value), (table, column, value)
    assert not normalize.looks_like_id(printed) and not any(s in printed for s in ID_TEXTS)


ROW_OR_HOSTILE = st.one_of(
    st.just("clean"),
    st.lists(HOSTILE, min_size=0, max_size=len(HEADER) + 2),
    st.tuples(st.integers(min_value=0, max_value=len(HEADER) - 1), HOSTILE),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(ROW_OR_HOSTILE, min_size=0, max_size=20), suffix=st.sampled_from([".csv", ".xlsx"]), name=FILE_NAME
)
def test_hostile_values_and_odd_names_still_balance_and_nothing_is_in_clear(rows, suffix, name):
    table: list[list[object]] = [HEADER]
    clean_codes = []
    for i, r in enumerate([*rows, "clean"]):
        if r == "clean":
            row = clean_row(i)
            clean_codes.append(row[1])
        elif isinstance(r, tuple):
            row = clean_row(i)
            row[r[0]] = r[1]
        else:
            row = r
        table.append(row)
    stem = name[:200]
    if stem.startswith((b".", b"~$")) or not stem.strip():
        stem = b"x" + stem
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        path = raw / os.fsdecode(stem + suffix.encode())
        write(path, table)
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        report = ingest.ingest_dir(raw, con, hash_key=b"k" * 32)
        (f,) = report.files
        assert f.status == "loaded", f.reason
        total, loaded, quarantined, skipped = con.execute(
            "select rows_total, rows_loaded, rows_quarantined, rows_skipped from load_manifest"
        ).fetchone()
        assert total == len(table) - 1 and loaded + quarantined + skipped == total
        (bad_rows,) = con.execute("select count(distinct row_number) from quarantine").fetchone()
        assert bad_rows == quarantined
        assert set(clean_codes) <= {c for (c,) in con.execute("select credit_code from raw_enterprises").fetchall()}
        assert con.execute("select count(*) from raw_enterprises").fetchone() == (loaded,)
        # the sums the checks take stay finite: no implausible number was loaded
        (employees,) = con.execute("select coalesce(sum(employees), 0) from raw_enterprises").fetchone()
        assert 0 <= employees <= 1_000_000 * max(loaded, 1)
        _nothing_personal(con, f.render_zh() + f.line_zh())
        con.close()


AID_HEADER = [c.header_zh for c in dataset("aid_cases").columns]


def aid_clean(i: int) -> list[object]:
    person = PEOPLE[i % len(PEOPLE)]
    by = {"档案编号": f"K{i:04d}", "身份证号": IDS[i % len(IDS)], "救助类别": "深度困难", "县市区": "泰山区"}
    by |= {"救助日期": "2024-01-05", "救助金额（元）": 1000, "家庭人口": 3, "姓名": person}
    return [by.get(c) for c in AID_HEADER]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.tuples(st.integers(min_value=0, max_value=len(AID_HEADER) - 1), HOSTILE), max_size=15),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_aid_files_never_show_a_name_or_an_id_whatever_lands_where(cells, suffix):
    table: list[list[object]] = [AID_HEADER]
    for i, (col, value) in enumerate(cells):
        row = aid_clean(i)
        row[col] = value
        table.append(row)
    table.append(aid_clean(len(cells)))
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        write(raw / f"aid{suffix}", table)
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        report = ingest.ingest_dir(raw, con, hash_key=b"k" * 32)
        (f,) = report.files
        total, loaded, quarantined, skipped = con.execute(
            "select rows_total, rows_loaded, rows_quarantined, rows_skipped from load_manifest"
        ).fetchone()
        # a row whose first cell reads like a total (合计…) is skipped as one, as the contract says
        assert loaded + quarantined + skipped == total == len(table) - 1
        printed = f.render_zh(max_problems=1000)
        _nothing_personal(con, printed)
        for _table, _column, value in _varchar_values(con):
            assert not any(p in value for p in PEOPLE), (_table, _column, value)
        assert not any(p in printed for p in PEOPLE)
        con.close()
