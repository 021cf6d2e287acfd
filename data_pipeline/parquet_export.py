"""Export a published warehouse's marts as Parquet, partitioned by year and county (hive style).

What a provincial roll-up or another engine reads instead of the DuckDB file (docs/scaling.md):

    OUT/indicator_values/year=2025/county=xintai/data_0.parquet
    OUT/firm_quarters/year=…/county=…/…          every mart (sql/marts) with a year and a county
    OUT/site_registry/county=…/…                  a mart with only one of them: by that one
    OUT/counties/data.parquet …                   the reference tables the marts' codes point to: one file
    OUT/warehouse_info/data.parquet               when and from what the warehouse was built
    OUT/_export.json                              the tables, their partitioning and row counts

A county of NULL (a city-wide target) is written as `county=__HIVE_DEFAULT_PARTITION__` and reads back as
NULL. Read a table back with its types as in the warehouse:

    select * from read_parquet('OUT/indicator_values/**/*.parquet', hive_partitioning = true,
                               hive_types = {'year': INTEGER, 'county': VARCHAR})

Raw submissions, ID hashes, the quarantine (cells as people typed them) and the manifest (file names) stay
in the warehouse: they are for the people who fix the files, not for a roll-up.

The export is written beside OUT and then moved into place (two renames), so a reader sees the old export
or the new one, never half of one (for an instant between the renames, none); an existing OUT is replaced
only when it is an export (it has `_export.json`) or empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from data_pipeline import config, sqlfiles, warehouse

PARTITION_COLUMNS = ("year", "county")
REFERENCE_TABLES = ("counties", "chains", "projects", "indicators", "policy_targets", "warehouse_info")
MARKER = "_export.json"


class ExportError(Exception):
    """The export was not written; the message (Chinese, one line) says why."""


@dataclass(frozen=True)
class ExportResult:
    out_dir: Path
    tables: dict[str, int]  # table → rows
    seconds: float

    def summary_zh(self) -> str:
        rows = sum(self.tables.values())
        return f"已导出 {len(self.tables)} 个表（{rows} 行）为 Parquet（按年度、县市区分区）→ {self.out_dir}"


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_marts(db_path: Path, out_dir: Path, *, sql_dir: Path | None = None) -> ExportResult:
    """Write the marts and reference tables of the warehouse at db_path under out_dir (see the module)."""
    started = time.perf_counter()
    db_path, out_dir = Path(db_path), Path(out_dir)
    trouble = warehouse.problem(db_path)
    if trouble:
        raise ExportError(trouble)
    if out_dir.exists() and not _replaceable(out_dir):
        raise ExportError(
            f"导出文件夹 {out_dir} 已存在且不是之前的导出（没有 {MARKER}），为免覆盖其他文件未写入：请换一个空文件夹"
        )
    marts = [f.name for f in sqlfiles.read_layer("marts", Path(sql_dir) if sql_dir else config.SQL_DIR)]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.exporting")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(db_path)} as wh (read_only)")
        info = dict(con.execute("select key, value from wh.warehouse_info").fetchall())
        tables: dict[str, int] = {}
        layout: dict[str, list[str]] = {}
        for name in [*marts, *REFERENCE_TABLES]:
            columns = [r[0] for r in con.execute(f"describe wh.{name}").fetchall()]
            by = [c for c in PARTITION_COLUMNS if c in columns] if name in marts else []
            rows = con.execute(f"select count(*) from wh.{name}").fetchall()[0][0]
            target = tmp / name
            if by:
                con.execute(
                    f"copy (select * from wh.{name}) to {_literal(target)} "
                    f"(format parquet, compression zstd, partition_by ({', '.join(by)}))"
                )
            else:
                target.mkdir()
                con.execute(
                    f"copy (select * from wh.{name}) to {_literal(target / 'data.parquet')} "
                    "(format parquet, compression zstd)"
                )
            tables[name], layout[name] = rows, by
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        detail = " ".join(str(exc).split())[:300]
        raise ExportError(f"导出中断（{type(exc).__name__}）：{detail}") from exc
    finally:
        con.close()
    marker = {
        "exported_at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
        "warehouse": {k: info.get(k) for k in ("built_at", "data_through", "schema_version", "is_demo")},
        "tables": {
            name: {"rows": tables[name], "partition_by": layout[name], "glob": f"{name}/**/*.parquet"}
            for name in tables
        },
    }
    (tmp / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=1), encoding="utf-8")
    _swap(tmp, out_dir)
    return ExportResult(out_dir, tables, round(time.perf_counter() - started, 2))


def _replaceable(out_dir: Path) -> bool:
    return out_dir.is_dir() and ((out_dir / MARKER).is_file() or not any(out_dir.iterdir()))


def _swap(tmp: Path, out_dir: Path) -> None:
    """Move the new export into place; the old one (if any) is removed after."""
    old = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    with contextlib.suppress(OSError):
        shutil.rmtree(old)
