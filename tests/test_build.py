"""The build: public tables, raw ↔ mart reconciliation, staging rules, atomic publish, concurrent read-only use."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from data_pipeline import build, contracts, metrics, reference, sqlfiles
from data_pipeline.config import SQL_DIR
from data_pipeline.metrics import Filters

TINY_RAW = Path(__file__).resolve().parent / "fixtures" / "tiny" / "raw"
PUBLIC_TABLES = {"load_manifest", "quarantine", "counties", "chains", "indicators", "targets", "indicator_values"}


@pytest.fixture(scope="module")
def con(tiny_warehouse: Path):
    c = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield c
    c.close()


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def test_public_tables_exist_with_their_names(con) -> None:
    assert PUBLIC_TABLES | {"warehouse_info", "projects"} <= _tables(con)
    cols = [r[0] for r in con.execute("describe indicator_values").fetchall()]
    assert cols == ["indicator", "year", "quarter", "county", "chain", "value", "numerator", "denominator"]
    manifest_cols = {r[0] for r in con.execute("describe load_manifest").fetchall()}
    assert {"file_name", "sha256", "dataset", "county", "period", "rows_total", "rows_loaded"} <= manifest_cols
    assert {"rows_quarantined", "rows_skipped", "status", "loaded_at"} <= manifest_cols
    assert con.execute("select count(*) from counties").fetchone()[0] == len(reference.counties())
    assert con.execute("select count(*) from chains").fetchone()[0] == len(reference.chains())
    assert con.execute("select count(*) from indicators").fetchone()[0] == len(reference.indicators())
    target_cols = [r[0] for r in con.execute("describe targets").fetchall()][:5]
    assert target_cols == ["year", "indicator", "county", "chain", "target"]


def test_indicator_values_are_leaf_cells_keyed_by_codes(con) -> None:
    bad = con.execute(
        "select count(*) from indicator_values v where v.county is null "
        "or v.county not in (select code from counties) "
        "or (v.chain is not null and v.chain not in (select code from chains)) "
        "or v.indicator not in (select code from indicators)"
    ).fetchone()[0]
    assert bad == 0
    assert {r[0] for r in con.execute("select distinct indicator from indicator_values").fetchall()} == {
        i.code for i in reference.indicators()
    }


def test_every_check_returns_zero_rows(con) -> None:
    for check in sqlfiles.read_layer("checks"):
        assert con.execute(check.sql).fetchall() == [], check.name


def test_raw_reconciles_with_marts(con) -> None:
    raw = dict(con.execute("select year * 10 + quarter, sum(members) from raw_enterprises group by all").fetchall())
    mart = dict(
        con.execute(
            "select year * 10 + quarter, sum(value) from indicator_values where indicator = 'P5_MEMBERS' group by all"
        ).fetchall()
    )
    assert raw == {k: int(v) for k, v in mart.items()} == {20241: 130, 20242: 155, 20243: 157}
    aid_raw = con.execute("select sum(amount) / 10000 from raw_aid_cases").fetchone()[0]
    aid_mart = con.execute("select sum(value) from indicator_values where indicator = 'P5_AID_FUNDS'").fetchone()[0]
    assert aid_raw == pytest.approx(aid_mart) == pytest.approx(3.25)
    results = con.execute("select count(*) from raw_innovation_results").fetchone()[0]
    assert (
        results == con.execute("select sum(value) from indicator_values where indicator = 'P4_RESULTS'").fetchone()[0]
    )
    raw_rows = sum(con.execute(f"select count(*) from raw_{d.dataset}").fetchone()[0] for d in reference.datasets())
    loaded = con.execute("select sum(rows_loaded) from load_manifest where status = 'loaded'").fetchone()[0]
    assert raw_rows == loaded == 73


def test_warehouse_info(con) -> None:
    info = metrics.info(con)
    assert info["data_through"] == "2024Q3"
    assert info["is_demo"] is False
    assert info["files_loaded"] == 24
    assert info["rows_loaded"] == 73
    assert info["rows_quarantined"] == 0
    assert info["built_at"]


def test_demo_marker_labels_the_warehouse(tmp_path: Path, hash_key_env: str) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(TINY_RAW, raw)
    (raw / build.DEMO_MARKER).write_text('{"seed": 1, "scale": 1, "generator": "data_pipeline.demo"}')
    result = build.build(raw, tmp_path / "w.duckdb")
    assert result.is_demo
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as c:
        assert metrics.info(c)["is_demo"] is True


def test_failed_build_keeps_the_previous_warehouse(tmp_path: Path, hash_key_env: str) -> None:
    db = tmp_path / "warehouse.duckdb"
    build.build(TINY_RAW, db)
    before = db.read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(build.BuildError) as err:  # the not-empty check fails after ingest, staging and marts
        build.build(empty, db)
    assert "没有可用的数据" in str(err.value)
    assert "\n" not in str(err.value)
    assert db.read_bytes() == before
    with duckdb.connect(str(db), read_only=True) as c:
        assert metrics.info(c)["rows_loaded"] == 73
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "warehouse.duckdb"]


def test_failing_check_and_broken_sql_leave_no_temp_file(tmp_path: Path, hash_key_env: str) -> None:
    db = tmp_path / "out" / "warehouse.duckdb"
    build.build(TINY_RAW, db)
    before = db.read_bytes()
    failing = tmp_path / "sql_failing_check"
    shutil.copytree(SQL_DIR, failing)
    (failing / "checks" / "always_fails.sql").write_text("select '故意失败的检查' as problem\n")
    with pytest.raises(build.BuildError, match="always_fails"):
        build.build(TINY_RAW, db, sql_dir=failing)
    broken = tmp_path / "sql_broken"
    shutil.copytree(SQL_DIR, broken)
    (broken / "marts" / "zz_broken.sql").write_text("-- grain: nothing\nselect * from no_such_table\n")
    with pytest.raises(build.BuildError, match="构建中断"):
        build.build(TINY_RAW, db, sql_dir=broken)
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir()] == ["warehouse.duckdb"]


def test_missing_raw_dir_is_a_build_error(tmp_path: Path) -> None:
    with pytest.raises(build.BuildError, match="不存在"):
        build.build(tmp_path / "nope", tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


def test_read_only_warehouse_with_eight_threads_of_cursors(tiny_warehouse: Path) -> None:
    db = duckdb.connect(str(tiny_warehouse), read_only=True)
    codes = [i.code for i in reference.indicators()]
    f = Filters(2024, 1, 2)

    def work(i: int) -> float:
        cur = db.cursor()
        try:
            if i % 3 == 0:
                return float(metrics.totals(cur, f, codes)["value"].sum())
            if i % 3 == 1:
                return float(metrics.by_dimension(cur, f, "P5_MEMBERS", "county")["value"].sum())
            return float(metrics.trend(cur, f, ["P5_MEMBERS"])["value"].sum())
        finally:
            cur.close()

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(work, range(48)))
    finally:
        db.close()
    assert len(set(results[0::3])) == 1
    assert set(results[1::3]) == {155.0}
    assert set(results[2::3]) == {285.0}  # trend 130 + 155


def test_staging_keeps_the_latest_row_per_key() -> None:
    con = duckdb.connect()
    for ddl in contracts.all_raw_ddl():
        con.execute(ddl)
    sqlfiles.create_views(con, sqlfiles.read_layer("staging"))
    rows = [  # (stars, status-like file order): file 1 row 2, file 2 row 3, file 2 row 5 → the last one wins
        ("工作室甲", 2, 1, 2),
        ("工作室甲", 3, 2, 3),
        ("工作室甲", 5, 2, 5),
        ("工作室乙", 4, 3, 2),
    ]
    for name, stars, seq, row in rows:
        con.execute(
            "insert into raw_innovation_studios (studio_name, kind, level, stars, county, established, "
            "_file_sha256, _row_number, _file_seq) values (?, '劳模创新工作室', '市级', ?, 'xintai', "
            "date '2024-01-01', 'x', ?, ?)",
            [name, stars, row, seq],
        )
    got = dict(con.execute("select studio_name, stars from stg_innovation_studios").fetchall())
    assert got == {"工作室甲": 5, "工作室乙": 4}
    con.close()


def test_sql_files_follow_the_conventions() -> None:
    marts = sqlfiles.read_layer("marts")
    mart_names = {m.name for m in marts}
    for m in marts:
        assert m.sql.startswith("-- grain:"), m.name
    order = [m.name for m in sqlfiles.dependency_order(marts)]
    assert order.index("quarter_spine") < order.index("studio_quarters") < order.index("indicator_values")
    assert order.index("firm_quarters") < order.index("indicator_values")
    for q in sqlfiles.read_layer("queries"):
        code = sqlfiles._code_only(q.sql)
        assert not re.search(r"\b(raw|stg)_\w+", code), q.name  # queries read marts only
        assert "{" not in code, q.name  # no str.format placeholders
    for layer in ("staging", "marts", "checks", "queries"):
        for f in sqlfiles.read_layer(layer):
            assert ";" not in sqlfiles._code_only(f.sql), f"{layer}/{f.name}: one statement per file"
    assert {f.name for f in sqlfiles.read_layer("staging")} == {f"stg_{d.dataset}" for d in reference.datasets()}
    assert "indicator_values" in mart_names and "targets" in mart_names


def test_dependency_order_detects_cycles() -> None:
    a = sqlfiles.SqlFile("a", Path("a.sql"), "select * from b")
    b = sqlfiles.SqlFile("b", Path("b.sql"), "select * from a")
    with pytest.raises(ValueError):
        sqlfiles.dependency_order([a, b])


def test_tiny_fixture_files_match_their_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_tiny", TINY_RAW.parent / "make_tiny.py")
    make_tiny = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_tiny", make_tiny)
    spec.loader.exec_module(make_tiny)
    written = make_tiny.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in TINY_RAW.iterdir())
    for p in written:
        assert p.read_bytes() == (TINY_RAW / p.name).read_bytes(), p.name
