"""The figure cache (ui.figures): a built chart is reused only for the same data version, filters (with the user's
scope) and language; each variant gets the figure a fresh build gives, never another's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from data_pipeline import metrics
from data_pipeline.metrics import Filters
from data_pipeline.scope import EVERYTHING, Scope
from reporting import charts
from reporting import spec as recipes
from ui import data, figures
from ui.layout import View

CODE = "P5_MEMBER_RATE"


@pytest.fixture
def warehouse(tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(tiny_warehouse.read_bytes())
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    figures.clear()
    return db


def view(lang: str = "zh", scope: Scope = EVERYTHING) -> View:
    return View(
        filters=Filters(year=2024, quarter_from=1, quarter_to=3, scope=scope), lang=lang, info=data.ask(metrics.info)
    )


def drawn_json(fig) -> dict:
    return json.loads(fig.to_json())


def cached(v: View, recipe=recipes.county_grid) -> dict:
    return drawn_json(figures.drawn(v, recipe, CODE, key="grid").figure("light"))


def fresh(v: View, recipe=recipes.county_grid) -> dict:
    with data.cursor() as cur:  # no cache: the recipe asks the query layer itself
        spec = recipe(
            recipes.Context(recipes.direct(cur), v.filters, v.lang, v.info.get("data_through")), CODE, key="grid"
        )
        return drawn_json(charts.without_title(spec.figure("light")))


def test_the_same_view_reuses_its_figure(warehouse):
    v = view()
    first = figures.drawn(v, recipes.county_grid, CODE, key="grid")
    assert figures.drawn(view(), recipes.county_grid, CODE, key="grid") is first
    assert first.figure("light") is first.figure("light")
    assert drawn_json(first.figure("light")) == fresh(v)


def test_switching_language_gives_that_languages_figure(warehouse):
    zh, en = cached(view("zh")), cached(view("en"))
    assert zh != en
    assert en == fresh(view("en")) and zh == fresh(view("zh"))
    assert "Xintai" in json.dumps(en) and "新泰" in json.dumps(zh, ensure_ascii=False)


def test_another_users_scope_gives_that_users_figure(warehouse):
    everything = cached(view())
    one_county = Scope(counties=("xintai",), city_total=True, rank_others=False)
    mine = cached(view(scope=one_county))
    assert mine != everything
    assert mine == fresh(view(scope=one_county))
    shown = lambda fig: json.dumps(fig, ensure_ascii=False)  # noqa: E731
    assert "泰山区" in shown(everything) and "泰山区" not in shown(mine)


def test_a_newly_published_warehouse_gives_new_figures(warehouse, tmp_path):
    before = cached(view())
    staged = tmp_path / "staged.duckdb"  # a new build, written beside and swapped in as the pipeline does
    staged.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(staged)) as con:
        con.execute(f"update indicator_values set numerator = 0, value = 0 where indicator = '{CODE}'")
    os.replace(staged, warehouse)
    after = cached(view())
    assert after != before
    assert after == fresh(view())
