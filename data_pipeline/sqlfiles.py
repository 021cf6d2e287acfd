"""Read the SQL files under sql/ and run them in order: staging views, mart tables, checks, queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from data_pipeline.config import SQL_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_OR_STRING = re.compile(r"--[^\n]*|'(?:[^']|'')*'")


@dataclass(frozen=True)
class SqlFile:
    """One SQL file: its stem names the view, table, check or query it defines."""

    name: str
    path: Path
    sql: str

    @property
    def comment(self) -> str:
        """The first line if it is a comment (a mart's grain, a check's purpose), else ''."""
        first = self.sql.lstrip().splitlines()[0] if self.sql.strip() else ""
        return first[2:].strip() if first.startswith("--") else ""


def _body(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def read_layer(layer: str, sql_dir: Path = SQL_DIR) -> list[SqlFile]:
    """The files of one layer (staging, marts, checks, queries) sorted by name."""
    return [SqlFile(p.stem, p, _body(p.read_text(encoding="utf-8"))) for p in sorted((sql_dir / layer).glob("*.sql"))]


def _code_only(sql: str) -> str:
    return _COMMENT_OR_STRING.sub(lambda m: " " if m.group().startswith("--") else "''", sql)


def dependency_order(files: list[SqlFile]) -> list[SqlFile]:
    """Order files so each comes after the files whose names its SQL mentions (comments and strings ignored)."""
    by_name = {f.name: f for f in files}
    deps = {
        f.name: {n for n in by_name if n != f.name and re.search(rf"\b{re.escape(n)}\b", _code_only(f.sql))}
        for f in files
    }
    ordered: list[SqlFile] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"circular reference between SQL files involving {name}")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep)
        visiting.discard(name)
        done.add(name)
        ordered.append(by_name[name])

    for name in sorted(by_name):
        visit(name)
    return ordered


def create_views(con: duckdb.DuckDBPyConnection, files: list[SqlFile]) -> None:
    """Create (or replace) one view per file."""
    for f in dependency_order(files):
        con.execute(f"create or replace view {f.name} as\n{f.sql}")


def create_tables(
    con: duckdb.DuckDBPyConnection, files: list[SqlFile], progress: Callable[[str], None] | None = None
) -> None:
    """Create (or replace) one table per file, in dependency order."""
    for f in dependency_order(files):
        if progress:
            progress(f.name)
        con.execute(f"create or replace table {f.name} as\n{f.sql}")


def params_for(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (DuckDB rejects unused ones); missing ones fail loudly."""
    names = set(_PARAM.findall(_code_only(sql)))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"SQL parameters not supplied: {sorted(missing)}")
    return {k: params[k] for k in names}


@cache
def query_sql(name: str) -> str:
    """The text of sql/queries/<name>.sql."""
    return _body((SQL_DIR / "queries" / f"{name}.sql").read_text(encoding="utf-8"))


@cache
def union_sql(names: tuple[str, ...]) -> str:
    """sql/queries/<name>.sql for each name as one statement: their results stacked (same columns, same order)."""
    return "\nunion all\n".join(f"select * from (\n{query_sql(n)}\n)" for n in names)


def run_rows(
    con: duckdb.DuckDBPyConnection, names: tuple[str, ...], params: dict[str, Any] | None = None
) -> list[tuple]:
    """Run the named queries as one statement (one round trip, one plan) and return plain rows, not a DataFrame."""
    sql = union_sql(names)
    return con.execute(sql, params_for(sql, params or {})).fetchall()


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run sql/queries/<name>.sql with bound parameters and return a fully fetched DataFrame."""
    sql = query_sql(name)
    return con.execute(sql, params_for(sql, params or {})).df()
