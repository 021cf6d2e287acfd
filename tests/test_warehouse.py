"""A sentence for every broken warehouse: warehouse.problem, `python -m reporting brief` and the dashboard."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import warehouse

ROOT = Path(__file__).resolve().parent.parent


def _truncated(tiny: Path, path: Path) -> None:
    path.write_bytes(tiny.read_bytes()[: tiny.stat().st_size // 3])


def _empty(_tiny: Path, path: Path) -> None:
    path.write_bytes(b"")


def _garbage(_tiny: Path, path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _sqlite(_tiny: Path, path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("create table warehouse_info (key text, value text)")
    con.commit()
    con.close()


def _no_tables(_tiny: Path, path: Path) -> None:
    duckdb.connect(str(path)).close()


def _older_schema(tiny: Path, path: Path) -> None:
    shutil.copy(tiny, path)
    con = duckdb.connect(str(path))
    con.execute("delete from warehouse_info where key = 'schema_version'")
    con.close()


def _missing_table(tiny: Path, path: Path) -> None:
    shutil.copy(tiny, path)
    con = duckdb.connect(str(path))
    con.execute("drop table indicator_values")
    con.close()


def _newer_schema(tiny: Path, path: Path) -> None:
    shutil.copy(tiny, path)
    con = duckdb.connect(str(path))
    con.execute("update warehouse_info set value = '99' where key = 'schema_version'")
    con.close()


CASES = [
    ("truncated", _truncated, "已损坏或不完整"),
    ("empty", _empty, "是空的（0 字节）"),
    ("garbage", _garbage, "不是 DuckDB 数据仓库"),
    ("sqlite", _sqlite, "是 SQLite 数据库"),
    ("no_tables", _no_tables, "没有任何数据表"),
    ("older_schema", _older_schema, "由旧版本构建（结构版本 未标注，当前需要 2）"),
    ("missing_table", _missing_table, "缺少数据表 indicator_values"),
    ("newer_schema", _newer_schema, "由更新的版本构建（结构版本 99"),
]


@pytest.fixture
def broken(request, tiny_warehouse: Path, tmp_path: Path) -> tuple[Path, str]:
    name, make, says = request.param
    path = tmp_path / f"{name}.duckdb"
    make(tiny_warehouse, path)
    return path, says


@pytest.mark.parametrize("broken", CASES, indirect=True, ids=[c[0] for c in CASES])
def test_problem_names_the_cause_and_the_rebuild_command(broken):
    path, says = broken
    sentence = warehouse.problem(path)
    assert sentence is not None and says in sentence, sentence
    assert "\n" not in sentence
    if "更新的版本" not in says:
        assert sentence.endswith(f"请重新构建：python -m data_pipeline build --raw 报送文件夹 --db {path}")


def test_a_good_warehouse_has_no_problem_and_a_missing_one_says_build(tiny_warehouse: Path, tmp_path: Path):
    assert warehouse.problem(tiny_warehouse) is None
    missing = warehouse.problem(tmp_path / "nope.duckdb")
    assert missing.startswith("未找到数据仓库文件") and "python -m data_pipeline build" in missing


def test_the_answer_follows_a_republished_file(tiny_warehouse: Path, tmp_path: Path):
    path = tmp_path / "w.duckdb"
    path.write_bytes(b"")
    assert "0 字节" in warehouse.problem(path)
    tmp = tmp_path / ".w.duckdb.building"
    shutil.copy(tiny_warehouse, tmp)
    os.replace(tmp, path)  # as a build publishes
    assert warehouse.problem(path) is None


@pytest.mark.parametrize("broken", CASES, indirect=True, ids=[c[0] for c in CASES])
def test_brief_prints_the_sentence_not_a_traceback(broken, tmp_path):
    path, says = broken
    done = subprocess.run(
        [sys.executable, "-m", "reporting", "brief", "--db", str(path), "--out", str(tmp_path / "deck.pptx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and says in done.stderr
    assert done.stderr.strip() == warehouse.problem(path)
    assert not (tmp_path / "deck.pptx").exists()


@pytest.mark.parametrize("case", ["garbage", "truncated", "older_schema"])
def test_the_dashboard_names_the_cause(case, tiny_warehouse: Path, tmp_path: Path, monkeypatch):
    name, make, says = next(c for c in CASES if c[0] == case)
    path = tmp_path / f"{name}.duckdb"
    make(tiny_warehouse, path)
    monkeypatch.setenv("UNION_DASH_DB", str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error)
    assert says in shown
    assert "还没有任何季度的数据" not in " ".join(i.value for i in at.info)
