"""The Word 简报 built from the tiny fixture warehouse and read back with python-docx."""

from __future__ import annotations

import io
from dataclasses import replace

import duckdb
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from data_pipeline import metrics
from reporting import deck, pptx_charts, report_docx
from tests.test_deck_native import english, leftover_cjk, user_data

YEAR = metrics.Filters(2024)
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def con(tiny_warehouse):
    connection = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def spec(con) -> deck.DeckSpec:
    return deck.build_spec(con, YEAR)


@pytest.fixture(scope="module")
def docx(spec) -> bytes:
    return deck.render_deck(spec, with_pptx=False, with_xlsx=False, with_docx=True).docx


def _blocks(doc) -> list[tuple[str, object]]:
    """The body in order: ('p', paragraph) and ('t', table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(("p", Paragraph(child, doc)))
        elif child.tag == qn("w:tbl"):
            out.append(("t", Table(child, doc)))
    return out


def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def _table_frame(table) -> pd.DataFrame:
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_headings_use_words_heading_styles_in_report_order(spec, docx):
    doc = Document(io.BytesIO(docx))
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [spec.title]
    assert _headings(doc, 1) == ["总体情况", *(s.title for s in spec.sections), "数据来源与说明"]
    assert _headings(doc, 2) == [chart.title for _, chart in spec.shown]
    outline = doc.styles["Heading 1"].element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    assert outline is None or outline.get(qn("w:val")) == "0"  # built-in heading: the navigation pane lists it


def test_summary_and_headline_tables_sit_under_their_headings(spec, docx):
    doc = Document(io.BytesIO(docx))
    blocks = _blocks(doc)
    where = {b.text: i for i, (kind, b) in enumerate(blocks) if kind == "p" and b.style.name == "Heading 1"}
    summary = blocks[where["总体情况"] + 1][1]
    assert summary.text == spec.summary and summary.text.startswith(spec.kpi_takeaway)
    first_table = next(b for kind, b in blocks[where["总体情况"] :] if kind == "t")
    assert _table_frame(first_table).equals(spec.kpi_rows.astype(str))
    for section in spec.sections:
        start = where[section.title]
        tables = [b for kind, b in blocks[start : start + 4] if kind == "t"]
        if section.kpi_rows.empty:
            assert not tables or tables[0] is not first_table
            continue
        assert _table_frame(tables[0]).equals(section.kpi_rows.astype(str))
        assert set(section.kpi_rows["所属工程"]) == {section.title.split("、")[1]}


def _chart_values(xml: bytes) -> tuple[list[str], dict[str, list]]:
    space = etree.fromstring(xml)
    series = {}
    categories: list[str] = []
    for ser in space.iter(f"{C}ser"):
        name = ser.find(f"{C}tx//{C}v").text
        n = int(ser.find(f"{C}val//{C}ptCount").get("val"))
        values: list = [None] * n
        for pt in ser.find(f"{C}val").iter(f"{C}pt"):
            values[int(pt.get("idx"))] = float(pt.find(f"{C}v").text)
        series[name] = values
        categories = [pt.find(f"{C}v").text for pt in ser.find(f"{C}cat").iter(f"{C}pt")]
    return categories, series


def test_native_charts_carry_the_frames_values_and_an_editable_workbook(spec, docx):
    parts = report_docx.chart_parts(docx)
    charts = [c for _, c in spec.shown if c.kind not in pptx_charts.TABLE_KINDS]
    assert len(parts) == len(charts) == 15
    for chart, (xml, workbook) in zip(charts, parts, strict=True):
        categories, series = _chart_values(xml)
        if chart.kind == "ranking":
            got = dict(zip(categories, next(iter(series.values())), strict=True))
            expected = {
                (n if pd.notna(v) else f"{n}（无数据）"): (None if pd.isna(v) else v)
                for n, v in zip(chart.frame["name_zh"], chart.frame["value"], strict=True)
            }
            assert got == pytest.approx(expected, nan_ok=True)
        elif chart.kind == "breakdown":
            assert dict(zip(categories, series["数值"], strict=True)) == pytest.approx(
                dict(zip(chart.frame["category"], chart.frame["value"], strict=True))
            )
        sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert [r[0] for r in rows[1:]] == categories
        assert [r[1] for r in rows[1:]] == pytest.approx(next(iter(series.values())))
        for rpr in etree.fromstring(xml).iter(f"{A}defRPr", f"{A}rPr"):
            assert rpr.find(f"{A}ea").get("typeface") == pptx_charts.FONT


def test_heatmap_is_a_table_and_every_style_names_the_east_asian_font(spec, docx):
    doc = Document(io.BytesIO(docx))
    heatmap = next(c for _, c in spec.shown if c.kind == "heatmap")
    blocks = _blocks(doc)
    at = next(i for i, (kind, b) in enumerate(blocks) if kind == "p" and b.text == heatmap.title)
    table = next(b for kind, b in blocks[at:] if kind == "t")
    assert table.cell(0, 1).text == "泰山区" and table.cell(1, 0).text == "汽车及零部件"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption", "List Bullet", "Footer"):
        fonts = doc.styles[name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert fonts.get(qn("w:eastAsia")) == pptx_charts.FONT, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None
    for run in doc.element.body.iter(qn("w:rFonts")):  # no run overrides the style with another East Asian font
        assert run.get(qn("w:eastAsia")) in (None, pptx_charts.FONT)


def test_sources_data_date_and_scope_close_the_report(spec, docx):
    doc = Document(io.BytesIO(docx))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("数据来源与说明")
    assert texts[start + 1 :] == [f"统计范围：{spec.scope}", *spec.sources]
    assert any(spec.data_date in line for line in spec.sources)
    assert spec.scope in texts[:5] and spec.data_date in texts[:5]
    footer = doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith(f"筛选：{spec.scope} ｜ {spec.data_date}") and footer.text.endswith("第页")
    xml = footer._p.xml
    assert xml.index(">第<") < xml.index('w:instr="PAGE"') < xml.index(">页<")  # 第 {page number} 页


def test_no_section_for_charts_without_data_and_they_are_listed(con):
    spec = deck.build_spec(con, metrics.Filters(2024, 1, 3), ["ideology", "service"])
    assert [c.title for c in spec.skipped] == ["泰山工匠：按县市区排名"]
    doc = Document(io.BytesIO(report_docx.write_docx(spec)))
    assert "泰山工匠：按县市区排名" not in _headings(doc, 2)
    assert [p.text for p in doc.paragraphs][-1] == (
        "未生成的图表：泰山工匠：按县市区排名（年度表彰于第四季度计入，所选季度尚未到考核期）"
    )

    empty = replace(spec.sections[0], charts=tuple(c for c in spec.sections[0].charts if c.empty))
    empty = replace(empty, kpi_rows=pd.DataFrame())
    doc = Document(io.BytesIO(report_docx.write_docx(replace(spec, sections=(empty, spec.sections[1])))))
    assert _headings(doc, 1) == ["总体情况", spec.sections[1].title, "数据来源与说明"]


def test_summary_and_what_is_behind_where_the_spec_carries_them(spec):
    behind = ("职工大讲堂覆盖人次：徂汶景区、泰山景区落后于进度。", "入会率：汽车及零部件落后于进度。")
    sections = (replace(spec.sections[1], behind=behind), *spec.sections[2:])
    doc = Document(io.BytesIO(report_docx.write_docx(replace(spec, sections=sections, summary="全市总体符合进度。"))))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("总体情况") + 1] == "全市总体符合进度。"
    at = texts.index("进度落后：")
    assert texts[at + 1 : at + 3] == list(behind)
    assert {doc.paragraphs[at + 1].style.name, doc.paragraphs[at + 2].style.name} == {"List Bullet"}


def test_picture_mode_without_a_browser_shows_small_tables(spec, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    briefing = deck.render_deck(spec, charts="image", with_pptx=False, with_xlsx=False, with_docx=True)
    assert "未找到" in briefing.warning
    doc = Document(io.BytesIO(briefing.docx))
    assert report_docx.chart_parts(briefing.docx) == []
    assert len(doc.tables) == 1 + 5 + len(spec.shown)  # headline tables, then one data table per chart
    assert sum("图表以数据表代替" in p.text for p in doc.paragraphs) == len(spec.shown)


def test_an_english_report_has_no_chinese_outside_user_data(con):
    spec = english(deck.build_spec(con, metrics.Filters(2024, 1, 3), lang="en"))
    docx = report_docx.write_docx(spec)
    doc = Document(io.BytesIO(docx))
    texts = [t.text or "" for t in doc.element.body.iter(qn("w:t"))]
    texts += [t.text or "" for t in doc.sections[0].footer._element.iter(qn("w:t"))]
    for xml, _ in report_docx.chart_parts(docx):
        texts += [v.text or "" for v in etree.fromstring(xml).iter(f"{C}v")]
    assert "Summary" in texts and any(t.startswith("Charts not drawn: Chart 1.0") for t in texts)
    assert leftover_cjk(texts, user_data(spec)) == []
