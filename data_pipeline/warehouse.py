"""Is a warehouse file usable? One sentence when it is not, for the command line and the dashboard.

`problem(path)` names the cause (no file, an empty, truncated or garbage file, an SQLite file, a DuckDB
file without our tables, an older or newer schema) and ends with the command that rebuilds it. The answer
is cached per file version (path, size, modification time, inode), so a page can ask on every run.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path

# Bump when a public table changes shape; build writes it to warehouse_info `schema_version`.
SCHEMA_VERSION = 2
REQUIRED_TABLES = ("warehouse_info", "indicator_values", "indicators", "counties", "chains", "targets")
REQUIRED_TABLES += ("load_manifest", "quarantine")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of a DuckDB database file


def rebuild_hint(path: Path | str) -> str:
    return f"请重新构建：python -m data_pipeline build --raw 报送文件夹 --db {path}"


def problem(path: Path | str) -> str | None:
    """None when `path` is a warehouse this version can read; otherwise one Chinese sentence with the cause
    and the rebuild command."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return f"未找到数据仓库文件 {p}。请先构建：python -m data_pipeline build --raw 报送文件夹 --db {p}"
    return _problem(str(p), st.st_size, st.st_mtime_ns, st.st_ino)


@lru_cache(maxsize=16)
def _problem(path: str, size: int, _mtime_ns: int, _inode: int) -> str | None:
    hint = rebuild_hint(path)
    if size == 0:
        return f"数据仓库文件 {path} 是空的（0 字节），可能在构建或复制时被中断。{hint}"
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return f"数据仓库文件 {path} 无法读取（没有读取权限或磁盘错误）。{hint}"
    if head.startswith(_SQLITE_MAGIC):
        return f"数据仓库文件 {path} 是 SQLite 数据库，不是本系统使用的 DuckDB 数据仓库。{hint}"
    if head[8:12] != _DUCKDB_MAGIC:
        return f"数据仓库文件 {path} 不是 DuckDB 数据仓库（内容无法识别，可能已损坏或放错了文件）。{hint}"
    try:
        facts = _read_facts(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open is a damaged or foreign file
        text = str(exc).lower()
        if "lock" in text:
            return f"数据仓库文件 {path} 正被另一个程序以写方式打开，请关闭它后重试。"
        if "version" in text:
            return f"数据仓库文件 {path} 由不兼容的 DuckDB 版本写入，无法打开。{hint}"
        return f"数据仓库文件 {path} 已损坏或不完整（可能在复制或构建时被中断），无法打开。{hint}"
    tables, version = facts
    if not tables:
        return f"数据仓库文件 {path} 是空的 DuckDB 数据库（没有任何数据表），不是构建好的数据仓库。{hint}"
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        return f"数据仓库文件 {path} 缺少数据表 {'、'.join(missing)}，可能由旧版本构建或不是本系统的数据仓库。{hint}"
    if version is None or version < SCHEMA_VERSION:
        shown = "未标注" if version is None else str(version)
        return f"数据仓库文件 {path} 由旧版本构建（结构版本 {shown}，当前需要 {SCHEMA_VERSION}）。{hint}"
    if version > SCHEMA_VERSION:
        return (
            f"数据仓库文件 {path} 由更新的版本构建（结构版本 {version}，本程序支持 {SCHEMA_VERSION}），"
            f"请更新本程序，或用本程序{hint}"
        )
    return None


def _problem_is_unreadable(p: Path) -> bool:
    try:
        with open(p, "rb") as fh:
            return fh.read(16)[8:12] != _DUCKDB_MAGIC
    except OSError:
        return True


def _read_facts(path: str) -> tuple[set[str], int | None]:
    """The warehouse's table names and its schema_version, read through a read-only attach (as the dashboard
    opens it, so no second database instance holds the file)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        quoted = path.replace("'", "''")
        con.execute(f"attach '{quoted}' as wh (read_only)")
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_catalog = 'wh'"
            ).fetchall()
        }
        version = None
        if "warehouse_info" in tables:
            row = con.execute("select value from wh.warehouse_info where key = 'schema_version'").fetchone()
            if row and str(row[0]).isdigit():
                version = int(row[0])
        return tables, version
    finally:
        with contextlib.suppress(Exception):
            con.execute("detach wh")
        con.close()


def info_value(path: Path | str, key: str) -> str | None:
    """One warehouse_info value, whatever the schema version, else None (no file, unreadable, no such key)."""
    if not os.path.isfile(path) or _problem_is_unreadable(Path(path)):
        return None
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"attach '{quoted}' as wh (read_only)")
        row = con.execute("select value from wh.warehouse_info where key = $k", {"k": key}).fetchone()
        return row[0] if row else None  # (no warehouse_info table: the query fails, below)
    except Exception:  # noqa: BLE001 - unreadable: no value
        return None
    finally:
        con.close()
