"""Property: whatever rows a person types, ingest never raises, the books balance and a clean row loads."""

from __future__ import annotations

import csv
import datetime as dt
import io
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
