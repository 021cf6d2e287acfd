"""The warehouse handle (read-only, reopened when a new file is published) and cached query results."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from data_pipeline import metrics
from data_pipeline.config import paths

log = logging.getLogger(__name__)


def _close(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # already closed; nothing to release
        con.close()


@st.cache_resource(max_entries=1, show_spinner=False, on_release=_close)
def _connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """One read-only handle per published file (path + mtime); queries take their own cursor."""
    log.info("opening warehouse %s (mtime %s)", path, mtime_ns)
    return duckdb.connect(path, read_only=True)


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
        # DuckDB shares one instance per path inside a process: the old handle must close before the new
        # file can be opened, or the old (replaced) file would keep being read.
        log.info("warehouse %s was republished; reopening it and dropping cached results", db)
        _connection.clear()
        _ask.clear()
    seen[str(db)] = current
    return current


@st.cache_data(ttl="30m", max_entries=2000, show_spinner=False)
def _ask(data_version: str, question: str, args: tuple[Any, ...]) -> Any:
    path, mtime = data_version.rsplit("|", 1)
    cursor = _connection(path, int(mtime)).cursor()
    try:
        return getattr(metrics, question)(cursor, *args)
    finally:
        cursor.close()


def ask(question: str, *args: Any) -> Any:
    """Answer `metrics.<question>(cursor, *args)` on the current warehouse, cached per data version."""
    data_version = version()
    if data_version is None:
        raise FileNotFoundError(str(paths().db))
    return _ask(data_version, question, args)


def available() -> bool:
    """Whether a warehouse file exists at the configured path."""
    return version() is not None


def frame(question: str, *args: Any) -> pd.DataFrame:
    """Like `ask`, typed for DataFrame answers; a copy, so callers never touch the cached object."""
    return ask(question, *args).copy()
