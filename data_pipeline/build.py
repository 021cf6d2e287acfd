"""Build the warehouse: reference tables, ingest, staging views, marts, checks; then publish atomically.

One build at a time per warehouse: a build holds an exclusive lock (`.<name>.lock` beside the warehouse,
released by the system when the process ends, however it ends); a second build refuses with a sentence.
A build first sweeps the `.<name>.<pid>.building` files (and their `.wal`) that killed builds left behind.
A warehouse records the fingerprint of the ID-hash key it was built with; building over it with another
key is refused unless `rehash=True` (the CLI's `--rehash`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import config, ingest, reference, sqlfiles, warehouse

Progress = Callable[[str], None] | None

DEMO_MARKER = "_demo.json"


class BuildError(Exception):
    """The warehouse was not published; the message (Chinese, one line) says why."""


@dataclass(frozen=True)
class BuildResult:
    """What a published build contains."""

    db_path: Path
    built_at: str
    is_demo: bool
    data_through: str | None
    files_total: int
    files_loaded: int
    rows_loaded: int
    rows_quarantined: int
    seconds: float
    report: ingest.IngestReport

    def summary_zh(self) -> str:
        """One line per file (problems listed under it) and a closing summary line, for the command line."""
        lines = [r.line_zh() for r in self.report.files]
        through = self.data_through or "无"
        label = "（模拟数据）" if self.is_demo else ""
        lines.append(f"{self.report.summary_zh()}；数据截至 {through}{label}")
        return "\n".join(lines)


def _reference_frames() -> dict[str, pd.DataFrame]:
    def frame(items) -> pd.DataFrame:
        rows = []
        for item in items:
            row = dataclasses.asdict(item)
            for key, value in row.items():
                if isinstance(value, tuple):
                    row[key] = "|".join(value)
            rows.append(row)
        return pd.DataFrame(rows)

    policy = pd.read_csv(config.reference_dir() / "policy_targets.csv", dtype={"target": "float64"})
    return {
        "counties": frame(reference.counties()),
        "chains": frame(reference.chains()),
        "projects": frame(reference.projects()),
        "indicators": frame(reference.indicators()),
        "policy_targets": policy,
    }


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    for name, df in _reference_frames().items():
        con.register("_reference_frame", df)
        con.execute(f"create or replace table {name} as select * from _reference_frame")
        con.unregister("_reference_frame")
    con.execute("alter table indicators alter headline type integer")
    for column in ("kinds", "levels", "dims"):  # the catalogue's rule lists, as lists for the marts
        con.execute(
            f"alter table indicators alter {column} type varchar[] "
            f"using case when {column} = '' then []::varchar[] else string_split({column}, '|') end"
        )
    con.execute("alter table counties alter population_2020 type bigint")


def _run_checks(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> None:
    failures = []
    for check in sqlfiles.read_layer("checks", sql_dir):
        rows = con.execute(check.sql).fetchall()
        if rows:
            first = rows[0][0] if len(rows[0]) == 1 else "，".join(str(v) for v in rows[0])
            failures.append(f"{check.name}：{first}" + (f" 等 {len(rows)} 处" if len(rows) > 1 else ""))
    if failures:
        raise BuildError("数据检查未通过 —— " + "；".join(failures))


def _info(con: duckdb.DuckDBPyConnection, raw_dir: Path, report: ingest.IngestReport) -> dict[str, str]:
    through = con.execute(
        "select max(period_index) from quarter_spine where firms > 0 or not exists "
        "(select 1 from quarter_spine where firms > 0)"
    ).fetchone()[0]
    manifest = con.execute(
        "select count(*), count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected'), "
        "coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0), "
        "coalesce(sum(rows_quarantined) filter (where status in ('loaded', 'rejected_resubmission')), 0), "
        "coalesce(sum(rows_skipped) filter (where status = 'loaded'), 0), max(loaded_at), "
        "count(*) filter (where status = 'rejected_resubmission') from load_manifest"
    ).fetchone()
    return {
        "built_at": dt.datetime.now().astimezone().replace(microsecond=0).isoformat(),
        "is_demo": "true" if (raw_dir / DEMO_MARKER).is_file() else "false",
        "data_through": f"{through // 4}Q{through % 4 + 1}" if through is not None else "",
        "files_total": str(manifest[0]),
        "files_loaded": str(manifest[1]),
        "files_rejected": str(manifest[2] + manifest[7]),
        "rows_loaded": str(manifest[3]),
        "rows_quarantined": str(manifest[4]),
        "rows_skipped": str(manifest[5]),
        "last_loaded_at": manifest[6].isoformat(sep=" ") if manifest[6] is not None else "",
        "indicator_rows": str(con.execute("select count(*) from indicator_values").fetchone()[0]),
        "schema_version": str(warehouse.SCHEMA_VERSION),
    }


def _write_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.execute("create or replace table warehouse_info (key varchar primary key, value varchar)")
    con.executemany("insert into warehouse_info values (?, ?)", list(info.items()))


def build(
    raw_dir: Path,
    db_path: Path,
    *,
    progress: Progress = None,
    sql_dir: Path | None = None,
    rehash: bool = False,
) -> BuildResult:
    """Build a warehouse from every file under raw_dir and publish it at db_path, or raise BuildError.

    `rehash`: build even though the warehouse at db_path was built with another ID-hash key."""
    started = time.perf_counter()
    sql_dir = Path(sql_dir) if sql_dir is not None else config.SQL_DIR
    raw_dir, db_path = Path(raw_dir), Path(db_path)
    say = progress or (lambda _msg: None)
    if not raw_dir.is_dir():
        raise BuildError(f"报送文件夹不存在：{ingest.display_name(str(raw_dir))}")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        swept = _sweep(db_path)
        if swept:
            say(f"已清理中断的构建留下的临时文件 {swept} 个")
        key = _key(db_path, rehash)
        return _build_locked(raw_dir, db_path, key, say, progress, sql_dir, started)


def _key(db_path: Path, rehash: bool) -> bytes:
    """The ID-hash key, refused when unusable or (without `rehash`) different from the warehouse's."""
    try:
        key = ingest.hash_key(config.paths())
    except ingest.HashKeyError as exc:
        raise BuildError(str(exc)) from None
    if not rehash:
        old = warehouse.info_value(db_path, "hash_key_fingerprint")
        new = ingest.key_fingerprint(key)
        if old and old != new:
            raise BuildError(
                f"数据仓库 {db_path} 是用另一把身份证号哈希密钥构建的（密钥指纹 {old}，当前密钥 {new}），"
                "换用新密钥会让每户困难职工的帮扶记录在新旧两套编号下一分为二：请改用原来的密钥"
                f"（环境变量 {config.HASH_KEY_ENV} 或 data/hash.key）；确需更换密钥时加 --rehash 重新构建"
            )
    return key


def _build_locked(
    raw_dir: Path,
    db_path: Path,
    key: bytes,
    say: Callable[[str], None],
    progress: Progress,
    sql_dir: Path,
    started: float,
) -> BuildResult:
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.building")
    _remove(tmp)
    published = False
    try:
        con = duckdb.connect(str(tmp))
        try:
            say("载入参考数据")
            _load_reference(con)
            report = ingest.ingest_dir(raw_dir, con, hash_key=key, progress=progress, stage_dir=_stage_dir(tmp))
            say("建立规范化视图（staging）")
            sqlfiles.create_views(con, sqlfiles.read_layer("staging", sql_dir))
            say("计算指标（marts）")
            sqlfiles.create_tables(con, sqlfiles.read_layer("marts", sql_dir), progress=lambda name: say(f"  {name}"))
            say("数据检查")
            _run_checks(con, sql_dir)
            info = _info(con, raw_dir, report)
            info["hash_key_fingerprint"] = ingest.key_fingerprint(key)
            _write_info(con, info)
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, db_path)
        published = True
    except BuildError:
        raise
    except Exception as exc:  # any other failure: one Chinese line; the previous warehouse stays as it was
        detail = " ".join(str(exc).split())[:300]
        raise BuildError(f"构建中断（{type(exc).__name__}）：{detail}") from exc
    finally:
        if not published:  # also on KeyboardInterrupt
            _remove(tmp)
    say(f"已发布：{db_path}")
    return BuildResult(
        db_path=db_path,
        built_at=info["built_at"],
        is_demo=info["is_demo"] == "true",
        data_through=info["data_through"] or None,
        files_total=int(info["files_total"]),
        files_loaded=int(info["files_loaded"]),
        rows_loaded=int(info["rows_loaded"]),
        rows_quarantined=int(info["rows_quarantined"]),
        seconds=round(time.perf_counter() - started, 2),
        report=report,
    )


def _stage_dir(tmp: Path) -> Path:
    """Where ingest stages the rows of a build (`.<name>.<pid>.building.stage`, a folder beside its temp file)."""
    return tmp.with_name(tmp.name + ".stage")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    shutil.rmtree(_stage_dir(path), ignore_errors=True)


def warehouse_from_rows(rows: dict[str, list[dict]], *, sql_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse (reference tables, staging views, marts) built straight from canonical rows per
    dataset, without files or ingest: the demo generator asks it for last year's actuals, so its targets use
    the same indicator rules as everything else. Rows use the contract's column names; a quarter is (year,
    quarter); an ID number arrives in clear and is hashed here; names are dropped."""
    from data_pipeline import contracts

    sql_dir = Path(sql_dir) if sql_dir is not None else config.SQL_DIR
    con = duckdb.connect(":memory:")
    _load_reference(con)
    con.execute(ingest.MANIFEST_DDL)  # no files: an empty manifest, as the marts expect one
    for ds in reference.datasets():
        con.execute(contracts.raw_table_ddl(ds))
        records = rows.get(ds.dataset, [])
        if not records:
            continue
        columns: dict[str, list] = {name: [] for name, _ in contracts.raw_columns(ds)}
        for i, record in enumerate(records):
            for col in ds.columns:
                value = record.get(col.column)
                if col.type == "quarter":
                    year, quarter = value if value else (None, None)
                    columns["year"].append(year)
                    columns["quarter"].append(quarter)
                elif col.type == "id_number":
                    columns["id_hash"].append(hashlib.sha256(str(value).encode()).hexdigest() if value else None)
                elif col.type != "person_name":
                    columns[col.column].append(value)
            lineage = {"_file_sha256": "rows", "_row_number": i + 1, "_file_seq": 0}
            for name, _ in contracts.LINEAGE_COLUMNS:
                columns[name].append(lineage.get(name))
        frame = pd.DataFrame(columns)
        con.register("_rows", frame)
        con.execute(f"insert into raw_{ds.dataset} by name select * from _rows")
        con.unregister("_rows")
    sqlfiles.create_views(con, sqlfiles.read_layer("staging", sql_dir))
    sqlfiles.create_tables(con, sqlfiles.read_layer("marts", sql_dir))
    return con


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _sweep(db_path: Path) -> int:
    """Remove the temp files (`.<name>.<pid>.building`, its `.wal` and its `.stage` folder) of builds whose
    process is gone; how many."""
    pattern = re.compile(rf"\.{re.escape(db_path.name)}\.(\d+)\.building(?:\.wal|\.stage)?")
    removed = 0
    for p in db_path.parent.iterdir():
        m = pattern.fullmatch(p.name)
        if m and (int(m.group(1)) == os.getpid() or not _alive(int(m.group(1)))):
            with contextlib.suppress(FileNotFoundError):
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def _build_lock(db_path: Path) -> Iterator[None]:
    """Hold `.<name>.lock` beside the warehouse for the build, or raise BuildError naming the build that holds it."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: builds are not serialised
        yield
        return
    lock = db_path.with_name(f".{db_path.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "未知"
            os.close(fd)
            raise BuildError(
                f"另一个构建正在发布数据仓库 {db_path}（进程 {holder}），同一个数据仓库一次只能有一个构建："
                "请等它结束后再运行"
            ) from None
        try:  # the previous holder removes the file when it is done: lock the file that is there now
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
        os.close(fd)
