"""Shared fixtures: warehouses built once per session from the tiny fixture files and from demo data."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from data_pipeline import build

# Property tests draw the same examples on every run, so `make test` passes or fails the same way each time;
# HYPOTHESIS_PROFILE=explore draws new ones (run it when changing ingest, and keep what it finds as a test).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

TINY_RAW = Path(__file__).resolve().parent / "fixtures" / "tiny" / "raw"
TEST_HASH_KEY = "test-hash-key-not-secret-0123456789abcdef"  # ≥ 32 bytes, as the build requires


@pytest.fixture(scope="session", autouse=True)
def appstate_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An app-state database (accounts, audit log) in a temporary folder, so no test writes beside the repo's
    warehouse; it has no accounts, so the dashboard runs open unless a test configures its own."""
    db = tmp_path_factory.mktemp("appstate") / "appstate.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNION_DASH_APPSTATE", str(db))
        mp.delenv("UNION_DASH_REQUIRE_LOGIN", raising=False)
        yield db


@pytest.fixture(scope="session")
def hash_key_env() -> Iterator[str]:
    """A fixed ID-hash key, so builds in tests never create a key file in the repository."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNION_DASH_HASH_KEY", TEST_HASH_KEY)
        yield TEST_HASH_KEY


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory, hash_key_env: str) -> Path:
    """The warehouse built from tests/fixtures/tiny/raw (data 2024Q1–Q3, honours of 2024)."""
    db = tmp_path_factory.mktemp("tiny") / "warehouse.duckdb"
    build.build(TINY_RAW, db)
    return db


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory, hash_key_env: str) -> Path:
    """A warehouse built from demo.generate(seed=7, scale=0.05)."""
    if importlib.util.find_spec("data_pipeline.demo") is None:
        pytest.skip("data_pipeline.demo is not available")
    from data_pipeline import demo

    root = tmp_path_factory.mktemp("demo")
    raw = root / "raw"
    demo.generate(raw, seed=7, scale=0.05)
    db = root / "warehouse.duckdb"
    build.build(raw, db)
    return db


@pytest.fixture
def tiny_con(tiny_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the tiny warehouse, as the dashboard opens it."""
    con = duckdb.connect(str(tiny_warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_warehouse: Path, hash_key_env: str) -> dict:
    """A deployment in tmp_path: the tiny files as its plain raw folder, their warehouse, an empty app state and
    submissions store beside them, the environment pointing at them."""
    raw = tmp_path / "raw"
    shutil.copytree(TINY_RAW, raw)
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(tiny_warehouse, db)
    state = tmp_path / "appstate.sqlite"
    for key, value in (("UNION_DASH_DB", db), ("UNION_DASH_RAW", raw), ("UNION_DASH_APPSTATE", state)):
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("UNION_DASH_SUBMISSIONS", raising=False)
    return {"raw": raw, "db": db, "state": state, "store": tmp_path / "submissions"}
