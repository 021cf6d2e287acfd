"""The warehouse handle (read-only, reopened when a new file is published) and cached query results."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import duckdb
import streamlit as st

from data_pipeline import metrics
from data_pipeline.config import paths

log = logging.getLogger(__name__)
T = TypeVar("T")


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """One handle per published file (path + mtime): the file attached read-only to an in-memory database.

    DuckDB keeps one instance per path in a process, so a plain connect() to a republished path would keep
    reading the replaced file unless the old handle were closed first, which breaks queries still running on
    its cursors. Attaching gives each version its own handle; an old one is dropped, never closed, and its
    file is released when its last cursor finishes."""
    log.info("opening warehouse %s (mtime %s)", path, mtime_ns)
    con = duckdb.connect(":memory:")
    quoted = path.replace("'", "''")
    con.execute(f"attach '{quoted}' as wh (read_only)")
    return con


@st.cache_resource(show_spinner=False)
def _seen_versions() -> dict[str, str]:
    return {}


def version() -> str | None:
    """'<path>|<mtime_ns>' of the current warehouse file, or None when there is none."""
    db = paths().db
    try:
        stat = db.stat()
    except OSError:
        return None
    current = f"{db}|{stat.st_mtime_ns}"
    seen = _seen_versions()
    if seen.get(str(db)) not in (None, current):
        log.info("warehouse %s was republished; opening it and dropping cached results", db)
        _ask.clear()
    seen[str(db)] = current
    return current


@st.cache_data(ttl="30m", max_entries=2000, show_spinner=False)
def _ask(data_version: str, question: str, args: tuple[Any, ...]) -> Any:
    path, mtime = data_version.rsplit("|", 1)
    cursor = _connection(path, int(mtime)).cursor()
    try:
        cursor.execute("use wh")  # per cursor: unqualified table names resolve in the attached warehouse
        return getattr(metrics, question)(cursor, *args)
    finally:
        cursor.close()


def ask(question: Callable[..., T], *args: Any) -> T:
    """Answer `question(cursor, *args)` — a function of `data_pipeline.metrics` — on the current warehouse,
    cached per data version and question (the cache key is the function's name and the arguments)."""
    name = question.__name__
    if getattr(metrics, name, None) is not question:
        raise ValueError(f"{name} is not a question of data_pipeline.metrics")
    data_version = version()
    if data_version is None:
        raise FileNotFoundError(str(paths().db))
    return _ask(data_version, name, args)


def available() -> bool:
    """Whether a warehouse file exists at the configured path."""
    return version() is not None


@contextlib.contextmanager
def cursor() -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the current warehouse (None when there is none) for the data_pipeline functions that take a
    connection rather than a question (a template's pre-fill, an upload's warnings); closed after."""
    data_version = version()
    if data_version is None:
        yield None
        return
    path, mtime = data_version.rsplit("|", 1)
    cur = _connection(path, int(mtime)).cursor()
    try:
        cur.execute("use wh")
        yield cur
    finally:
        cur.close()
