"""The streamed build gives the warehouse the build before it gave, and the marts export holds exactly it.

The reference (tests/fixtures/stream_reference/*.parquet) is what the build as it was before streaming
(commit 2d520fc: every parsed row of every file held in memory, validated per dataset) made of the same
folder: demo data (seed 7, scale 0.05) plus files that exercise every cross-file rule (a copy of a file, a
resubmission too broken to replace the file it follows, one that replaces it, an aid file with a name and
an ID number in its file name and its copy). Record it again only when a rule changes on purpose, with the
code of that time:

    PYTHONPATH=<checkout> python tests/test_build_stream.py --record

The date is fixed (the plausible window ends with the current quarter), and so is the ID-hash key.
`indicator_values`, `load_manifest` (but `loaded_at`) and `quarantine` are compared row for row; sums of
money may differ in the last bit (DuckDB adds in parallel, in no fixed order), so floats are compared to
1e-9 relative.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "stream_reference"
TODAY = dt.date(2026, 12, 3)
HASH_KEY = "test-hash-key-not-secret-0123456789abcdef"
TABLES = ("indicator_values", "load_manifest", "quarantine", "raw_tables")
LATER = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC).timestamp()  # after every demo file of 2024

ENT = ["统计期", "统一社会信用代码", "企业名称", "县市区", "产业链", "职工人数", "是否建会", "会员人数"]
AID = ["档案编号", "姓名", "身份证号", "救助类别", "县市区", "救助日期", "救助金额（元）", "家庭人口"]
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _credit_code(n: int) -> str:
    first = f"91370900MA{n:07d}"
    total = sum(CREDIT_CHARS.index(ch) * w for ch, w in zip(first, CREDIT_WEIGHTS, strict=True))
    return first + CREDIT_CHARS[(31 - total % 31) % 31]


def _id_number(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _write_csv(path: Path, rows: list[list[object]], mtime: float) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    os.utime(path, (mtime, mtime))
    return path


def make_raw(root: Path) -> Path:
    """Demo data and the cross-file cases, byte for byte the same on every run."""
    from data_pipeline import demo

    raw = root / "raw"
    demo.generate(raw, seed=7, scale=0.05)
    copied = next(iter(sorted((raw / "taishan" / "2024Q1").glob("*.xlsx"))))
    dup = raw / "copies" / copied.name  # the same bytes again, sent later: a duplicate
    dup.parent.mkdir()
    shutil.copyfile(copied, dup)
    os.utime(dup, (LATER, LATER))
    broken = [ENT] + [["2024Q1", _credit_code(i), f"更正企业{i}", "泰山区", "C01", 10, "是", 50] for i in range(5)]
    _write_csv(raw / "taishan" / "2024Q1" / "泰山区_企业_更正.csv", broken, LATER)  # held back: members > employees
    good = [ENT] + [["2024Q2", _credit_code(10 + i), f"新企业{i}", "新泰市", "C02", 80, "是", 40] for i in range(3)]
    _write_csv(raw / "xintai" / "2024Q2" / "新泰市_企业_更正.csv", good, LATER)  # replaces the demo file
    person, number = "欧阳明", _id_number("37090219800101123")
    aid = [
        AID,
        ["B001", person, number, "深度困难", "岱岳区", "2024-02-05", 1000, 3],
        [f"{person}-2024", "司马青", _id_number("37090219810202123"), "相对困难", "岱岳区", "2024-02-06", 500, 2],
    ]
    named = _write_csv(raw / "daiyue" / "2024Q1" / f"{number}_{person}救助.csv", aid, LATER)
    twin = raw / "copies" / named.name
    shutil.copyfile(named, twin)
    os.utime(twin, (LATER + 60, LATER + 60))
    return raw


def build_fixed(raw: Path, db: Path) -> None:
    """Build with the date and the ID-hash key fixed (in this process and the reader processes it forks)."""
    from data_pipeline import build, contracts

    before = contracts.today, os.environ.get("UNION_DASH_HASH_KEY")
    contracts.today = lambda: TODAY
    os.environ["UNION_DASH_HASH_KEY"] = HASH_KEY
    try:
        build.build(raw, db)
    finally:
        contracts.today = before[0]
        if before[1] is None:
            os.environ.pop("UNION_DASH_HASH_KEY", None)
        else:
            os.environ["UNION_DASH_HASH_KEY"] = before[1]


def snapshot(db: Path) -> dict[str, pa.Table]:
    """The compared tables, each in one fixed order (loaded_at, the time of the build, left out), and per
    raw_<dataset> table its row count and a digest of its rows (lineage and ID hashes included)."""
    with duckdb.connect(str(db), read_only=True) as con:
        raw = [
            t
            for (t,) in con.sql(
                "select table_name from duckdb_tables() where table_name like 'raw_%' order by 1"
            ).fetchall()
        ]
        query = "select count(*), md5(coalesce(string_agg(r::varchar, chr(10) order by r::varchar), '')) from {} r"
        digests = [(t, *con.execute(query.format(t)).fetchall()[0]) for t in raw]
        return {
            "raw_tables": pa.Table.from_pylist([{"table": t, "rows": n, "md5": d} for t, n, d in digests]),
            "indicator_values": con.sql(
                "select * from indicator_values order by indicator, year, quarter, county, chain nulls first"
            ).to_arrow_table(),
            "load_manifest": con.sql(
                "select * exclude (loaded_at) from load_manifest order by file_seq"
            ).to_arrow_table(),
            "quarantine": con.sql("select * from quarantine order by all nulls first").to_arrow_table(),
        }


def record() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        raw = make_raw(Path(tmp))
        db = Path(tmp) / "warehouse.duckdb"
        build_fixed(raw, db)
        REFERENCE.mkdir(parents=True, exist_ok=True)
        for name, table in snapshot(db).items():
            pq.write_table(table, REFERENCE / f"{name}.parquet", compression="zstd")
            print(name, table.num_rows)


def _same_rows(got: pa.Table, want: pa.Table, name: str) -> None:
    assert got.schema.names == want.schema.names, name
    assert got.num_rows == want.num_rows, name
    for column in want.schema.names:
        a, b = got.column(column).to_pylist(), want.column(column).to_pylist()
        if pa.types.is_floating(want.schema.field(column).type):
            diff = [
                i
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                if not (
                    (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9))
                )
            ]
        else:
            diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        assert not diff, (
            f"{name}.{column}: {len(diff)} rows differ, first row {diff[0]}: {a[diff[0]]!r} != {b[diff[0]]!r}"
        )


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stream")
    db = root / "warehouse.duckdb"
    build_fixed(make_raw(root), db)
    return db


def test_the_reference_has_every_cross_file_case() -> None:
    manifest = pq.read_table(REFERENCE / "load_manifest.parquet").to_pylist()
    statuses = {r["status"] for r in manifest}
    assert {"loaded", "superseded", "duplicate", "rejected_resubmission"} <= statuses
    masked = [r for r in manifest if r["status"] == "duplicate" and r["path"].startswith("copies/370")]
    assert masked and "欧阳明" not in masked[0]["path"] and "19800101" not in masked[0]["path"]


@pytest.mark.parametrize("name", TABLES)
def test_streamed_build_gives_the_same_tables_row_for_row(streamed: Path, name: str) -> None:
    _same_rows(snapshot(streamed)[name], pq.read_table(REFERENCE / f"{name}.parquet"), name)


if __name__ == "__main__" and "--record" in sys.argv:
    record()
