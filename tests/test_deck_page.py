"""The 简报导出 page: outline of the deck, then a build that offers the deck and the Word report (no browser)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from streamlit.testing.v1 import AppTest

from data_pipeline import appstate
from reporting import deck

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def test_briefing_page_outlines_and_builds_the_deck(tiny_warehouse, monkeypatch, tmp_path):
    monkeypatch.setenv("UNION_DASH_DB", str(tiny_warehouse))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception
    outline = at.dataframe[0].value
    assert list(outline.columns) == ["章节", "图表", "一句话结论"] and len(outline) == 16
    assert not at.warning  # native charts need no browser: only a note for the PNG ZIP
    assert any("未找到" in c.value for c in at.caption)
    at.button(key="brief_build").click().run()
    assert not at.exception
    _, briefing = at.session_state["briefing"]
    slides = deck.slide_texts(briefing.pptx)
    assert len(slides) == 19 and slides[-1]["title"] == "数据来源与说明"
    with appstate.connect() as con:  # the build is in the audit log: who (the open local user), what, which filters
        built = appstate.read_audit(con, actions=["deck"])[0]
    assert built.actor == "local" and "year=" in built.details["filters"] and built.details["sections"]
    assert sum(s["charts"] for s in slides) == 15
    headings = [p.text for p in Document(io.BytesIO(briefing.docx)).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "总体情况" and len(headings) == 8
