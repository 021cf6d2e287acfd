"""Adding an additive indicator is one catalogue row: no query, page or deck edit.

A copy of the reference data in tmp_path gains 技能竞赛获奖人数 (contests × winners, 技能竞赛 only); the tiny
files are built with it, and it appears in the query layer, on its project page and in the deck.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import build, metrics, reference
from data_pipeline.config import REFERENCE_DIR
from data_pipeline.metrics import Filters
from reporting import deck
from tests.conftest import TINY_RAW

ROOT = Path(__file__).resolve().parent.parent
NEW = {
    "code": "P2_SKILL_WINNERS",
    "project": "2",
    "name_zh": "技能竞赛获奖人数",
    "name_en": "Skill contest winners",
    "unit_zh": "人",
    "unit_en": "people",
    "kind": "flow",
    "time_agg": "sum",
    "source": "contests",
    "headline": "3",
    "decimals": "0",
    "definition_zh": "“技能竞赛”的获奖人数之和",
    "definition_en": "Winners of 技能竞赛",
    "measure": "winners",
    "denominator": "",
    "kinds": "技能竞赛",
    "levels": "",
    "dims": "county|chain|level",
    "accrual": "seasonal",
    "query": "",
    "city_target": "",
}


@pytest.fixture(scope="module")
def extended(tmp_path_factory, hash_key_env):
    """A warehouse built from the tiny files with a catalogue that has one more row."""
    root = tmp_path_factory.mktemp("catalogue")
    ref = root / "reference"
    shutil.copytree(REFERENCE_DIR, ref)
    with open(ref / "indicators.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(NEW), lineterminator="\n").writerow(NEW)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNION_DASH_REFERENCE", str(ref))
        reference.reload()
        db = root / "warehouse.duckdb"
        build.build(TINY_RAW, db)
        yield db
    reference.reload()


def test_the_query_layer_answers_it(extended):
    with duckdb.connect(str(extended), read_only=True) as con:
        total = metrics.totals(con, Filters(2024, 1, 2), ["P2_SKILL_WINNERS"])["value"][0]
        levels = metrics.breakdown(con, Filters(2024), "P2_SKILL_WINNERS", "level")
        by_chain = metrics.by_dimension(con, Filters(2024), "P2_SKILL_WINNERS", "chain").set_index("key")
    assert total == 10  # 新泰市医药行业技能竞赛 (2024-02-10): 10 winners; the other contests name none
    assert dict(zip(levels["category"], levels["value"], strict=True)) == {"市级": 10, "县级": 0}
    assert by_chain.loc["C10", "value"] == 10


def test_it_appears_on_its_project_page(extended, monkeypatch):
    monkeypatch.setenv("UNION_DASH_DB", str(extended))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.switch_page("app_pages/skills.py")
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}.get("技能竞赛获奖人数") == "10"  # a count card: the name says 人数


def test_it_appears_in_the_deck(extended, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    with duckdb.connect(str(extended), read_only=True) as con:
        spec = deck.build_spec(con, Filters(2024), ["overview"])
    assert "技能竞赛获奖人数" in set(spec.kpi_rows["指标"])
    progress = spec.sections[0].charts[0].frame
    assert "P2_SKILL_WINNERS" in set(progress["indicator"])
