"""One judgement everywhere: the query layer, the chart spec, its download table, the deck and the page agree on
the status of each headline indicator for the same filters (the demo warehouse: several years, every target)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from data_pipeline import metrics, reference
from data_pipeline.metrics import Filters
from reporting import deck
from reporting import spec as recipes
from reporting.i18n import code_label

ROOT = Path(__file__).resolve().parent.parent
HEADLINE = tuple(
    i.code for i in sorted(reference.indicators(), key=lambda i: (i.project, i.headline or 9)) if i.headline
)


def _filters(con) -> Filters:
    through = metrics.info(con)["data_through"]
    return Filters(int(through[:4]), 1, int(through[-1]))  # the year in progress, as the sidebar opens it


def test_query_layer_spec_download_deck_and_page_agree(demo_warehouse, monkeypatch):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        f = _filters(con)
        kpis = metrics.kpis(con, f, HEADLINE).set_index("indicator")
        status = kpis["status"].to_dict()
        ctx = recipes.Context(recipes.direct(con), f, "zh", metrics.info(con)["data_through"])
        progress = recipes.progress(ctx, HEADLINE)
        built = deck.build_spec(con, f, ["overview"])
    assert set(status.values()) & {"ahead", "on_track", "behind"}, "the fixture must judge something"

    # the chart spec and its download table
    assert dict(zip(progress.frame["indicator"], progress.frame["status"], strict=True)) == status
    table = progress.table()
    words = dict(zip(table["指标"], table["进度"], strict=True))
    for code, s in status.items():
        assert words[reference.indicator(code).name_zh] == code_label("judgement", s, "zh")

    # the deck's headline table
    rows = dict(zip(built.kpi_rows["指标"], built.kpi_rows["进度"], strict=True))
    for code, s in status.items():
        assert rows[reference.indicator(code).name_zh] == code_label("judgement", s, "zh")

    # the page: 需要关注 names exactly the indicators the query layer judged behind
    monkeypatch.setenv("UNION_DASH_DB", str(demo_warehouse))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    bullets = " ".join(m.value for m in at.markdown if "应完成进度" in m.value or "均达到" in m.value)
    for code, s in status.items():
        name = reference.indicator(code).name_zh
        if s == "behind":
            assert name in bullets, name
    if not any(s == "behind" for s in status.values()):
        assert "均达到应完成进度" in bullets
