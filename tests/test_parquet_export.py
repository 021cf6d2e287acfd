"""The marts exported as Parquet partitioned by year and county hold exactly what the warehouse holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from data_pipeline import cli, parquet_export, sqlfiles
from tests.conftest import TINY_RAW

TYPES = {"year": "INTEGER", "county": "VARCHAR"}  # the partition columns' types in the warehouse


def _read_back(out: Path, table: str, columns: list[str]) -> list[tuple]:
    by = json.loads((out / parquet_export.MARKER).read_text(encoding="utf-8"))["tables"][table]["partition_by"]
    hive = ", ".join(f"'{c}': {TYPES[c]}" for c in by)
    options = f", hive_partitioning = true, hive_types = {{{hive}}}" if by else ""
    with duckdb.connect() as con:
        return con.execute(
            f"select {', '.join(columns)} from read_parquet('{out / table}/**/*.parquet'{options}) order by all nulls first"
        ).fetchall()


def _warehouse(db: Path, table: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        return columns, con.execute(f"select * from {table} order by all nulls first").fetchall()


@pytest.fixture(scope="module")
def exported(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "marts"
    parquet_export.export_marts(demo_warehouse, out)
    return out


def test_partitioned_indicator_values_are_the_warehouse_row_for_row(demo_warehouse: Path, exported: Path) -> None:
    columns, rows = _warehouse(demo_warehouse, "indicator_values")
    assert len(rows) > 1000
    assert _read_back(exported, "indicator_values", columns) == rows
    years = {p.name for p in (exported / "indicator_values").iterdir()}
    assert years == {f"year={y}" for y in {r[columns.index("year")] for r in rows}}
    counties = {p.name for p in next((exported / "indicator_values").iterdir()).iterdir()}
    assert counties and all(c.startswith("county=") for c in counties)


def test_every_mart_and_reference_table_is_exported_whole(demo_warehouse: Path, exported: Path) -> None:
    marker = json.loads((exported / parquet_export.MARKER).read_text(encoding="utf-8"))
    marts = {f.name for f in sqlfiles.read_layer("marts")}
    assert set(marker["tables"]) == marts | set(parquet_export.REFERENCE_TABLES)
    assert marker["tables"]["indicator_values"]["partition_by"] == ["year", "county"]
    assert marker["tables"]["site_registry"]["partition_by"] == ["county"]
    assert marker["tables"]["quarter_spine"]["partition_by"] == ["year"]
    assert marker["tables"]["counties"]["partition_by"] == []  # reference tables: one file each
    for table in ("targets", "site_registry", "quarter_spine", "counties"):  # a NULL county, county or year only
        columns, rows = _warehouse(demo_warehouse, table)
        assert _read_back(exported, table, columns) == rows, table
        assert marker["tables"][table]["rows"] == len(rows)
    assert not any(p.name.startswith(("raw_", "quarantine", "load_manifest")) for p in exported.iterdir())


def test_an_export_replaces_an_export_but_never_another_folder(demo_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "marts"
    parquet_export.export_marts(demo_warehouse, out)
    (out / "indicator_values" / "stale.parquet").write_bytes(b"old")
    parquet_export.export_marts(demo_warehouse, out)
    assert not (out / "indicator_values" / "stale.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts"]  # no temporary folder left
    other = tmp_path / "documents"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(parquet_export.ExportError) as err:
        parquet_export.export_marts(demo_warehouse, other)
    assert "不是之前的导出" in str(err.value) and "\n" not in str(err.value)
    assert (other / "keep.txt").read_text() == "mine"


def test_build_export_parquet_and_export_commands(tmp_path: Path, hash_key_env: str, capsys) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(TINY_RAW, raw)
    db, out = tmp_path / "w.duckdb", tmp_path / "lake" / "city=taian"
    assert cli.main(["build", "--raw", str(raw), "--db", str(db), "--export-parquet", str(out)]) == 0
    assert "已导出" in capsys.readouterr().out
    columns, rows = _warehouse(db, "indicator_values")
    assert _read_back(out, "indicator_values", columns) == rows
    with duckdb.connect() as con:  # a roll-up over cities reads the city from the folder name too
        cities = con.execute(
            f"select distinct city from read_parquet('{tmp_path / 'lake'}/*/indicator_values/**/*.parquet', "
            "hive_partitioning = true)"
        ).fetchall()
    assert cities == [("taian",)]
    assert cli.main(["export", "--db", str(tmp_path / "missing.duckdb"), "--out", str(out)]) == 1
    assert "导出失败" in capsys.readouterr().err
