"""The briefing deck built from the tiny fixture warehouse and read back with python-pptx (picture mode, the
files around the deck, the spec's text); native charts in test_deck_native.py."""

from __future__ import annotations

import io
import zipfile

import duckdb
import pandas as pd
import pytest
from docx import Document
from pptx import Presentation
from pptx.oxml.ns import qn

from data_pipeline import metrics
from reporting import deck, export

YEAR = metrics.Filters(2024)
needs_chrome = pytest.mark.skipif(export.chrome_path() is None, reason="no Chrome/Chromium found")


@pytest.fixture(scope="module")
def con(tiny_warehouse):
    connection = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def spec(con) -> deck.DeckSpec:
    return deck.build_spec(con, YEAR)


@pytest.fixture(scope="module")
def no_browser_briefing(spec) -> deck.Briefing:
    """Picture mode on a server without a browser: chart slides fall back to data tables."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROWSER_PATH", "/nonexistent/chrome")
        return deck.render_deck(spec, charts="image", with_zip=True)


@pytest.fixture(scope="module")
def rendered(spec) -> deck.Briefing:
    if export.chrome_path() is None:
        pytest.skip("no Chrome/Chromium found")
    return deck.render_deck(spec, charts="image", with_zip=True, with_docx=True)


def _chart_slides(pptx: bytes) -> list[dict]:
    return deck.slide_texts(pptx)[2:-1]


def test_default_deck_has_title_kpis_one_slide_per_chart_and_sources(spec, no_browser_briefing):
    slides = deck.slide_texts(no_browser_briefing.pptx)
    assert [s.title for s in spec.sections] == [
        "总览",
        "一、思想政治引领",
        "二、素质提升",
        "三、建功立业",
        "四、创新创效",
        "五、服务能力",
    ]
    assert len(slides) == 3 + len(spec.charts) == 3 + 16
    assert slides[0]["title"] == "泰安市总工会“五大工程”工作简报"
    assert slides[1]["title"] == "重点指标完成情况" and slides[1]["tables"] == 1
    assert [s["title"] for s in slides[2:-1]] == [chart.title for _, chart in spec.charts]
    assert slides[-1]["title"] == "数据来源与说明"
    assert "入会率：按县市区排名" in [s["title"] for s in slides]


def test_every_slide_has_a_footer_with_filters_and_data_date(no_browser_briefing):
    for number, slide in enumerate(deck.slide_texts(no_browser_briefing.pptx), start=1):
        footer = slide["named"]["Footer"]
        assert footer.startswith("筛选：2024年全年") and "数据截至2024年第三季度" in footer
        assert slide["named"]["Slide number"] == f"{number} / 19"


def test_deck_is_16_9_and_every_run_names_an_east_asian_font(no_browser_briefing):
    prs = Presentation(io.BytesIO(no_browser_briefing.pptx))
    assert prs.slide_width * 9 == prs.slide_height * 16
    runs = 0
    for slide in prs.slides:
        for rpr in slide.shapes._spTree.iter(qn("a:rPr")):
            runs += 1
            assert rpr.find(qn("a:ea")).get("typeface") == deck.FONT
            assert rpr.find(qn("a:latin")).get("typeface") == deck.FONT
    assert runs > 50


def test_without_a_browser_chart_slides_show_the_data_and_a_sentence(no_browser_briefing):
    assert "未找到" in no_browser_briefing.warning
    assert no_browser_briefing.zip is None
    charts = _chart_slides(no_browser_briefing.pptx)
    assert all(s["pictures"] == 0 for s in charts)
    assert sum(s["tables"] for s in charts) >= 10  # every chart with rows shows them as a table


def test_workbook_has_one_sheet_per_chart_equal_to_the_charts_download_table(spec, no_browser_briefing):
    book = pd.read_excel(io.BytesIO(no_browser_briefing.xlsx), sheet_name=None, header=None, engine="calamine")
    assert len(book) == len(spec.charts)
    for (_, chart), (sheet, cells) in zip(spec.charts, book.items(), strict=True):
        assert cells.iloc[0, 0] == chart.title
        n = len(chart.header_lines)
        back = pd.read_excel(io.BytesIO(no_browser_briefing.xlsx), sheet_name=sheet, skiprows=n, engine="calamine")
        expected = chart.table()  # what the chart's own download holds: words, units, rounded values
        assert list(back.columns) == list(expected.columns)
        assert len(back) == len(expected)
        for column in expected.columns:
            if pd.api.types.is_numeric_dtype(expected[column]):
                assert back[column].astype(float).tolist() == pytest.approx(
                    expected[column].astype(float).tolist(), nan_ok=True
                )
            else:
                assert back[column].fillna("").astype(str).tolist() == expected[column].fillna("").astype(str).tolist()


def _takeaway(pptx: bytes, title: str) -> str:
    return next(s["named"]["Takeaway"] for s in deck.slide_texts(pptx) if s["title"] == title)


def test_ranking_takeaway_numbers_match_the_query_layer(con, no_browser_briefing):
    ranks = metrics.by_dimension(con, YEAR, "P5_MEMBER_RATE", "county").dropna(subset=["value"])
    top = ranks.loc[ranks["value"].idxmax()]
    bottom = ranks.loc[ranks["value"].idxmin()]
    sentence = _takeaway(no_browser_briefing.pptx, "入会率：按县市区排名")
    assert f"最高的是{top['name_zh']}（{top['value']:.1f}%）" in sentence
    assert f"最低的是{bottom['name_zh']}（{bottom['value']:.1f}%）" in sentence
    assert top["value"] > bottom["value"]


def test_trend_takeaway_numbers_match_the_query_layer(con, no_browser_briefing):
    trend = metrics.trend(con, YEAR, ["P5_MEMBER_RATE"]).sort_values("period")
    latest, before = trend["value"].iloc[-1], trend["value"].iloc[-2]
    title = next(
        s["title"] for s in deck.slide_texts(no_browser_briefing.pptx) if s["title"].startswith("入会率：季度走势")
    )
    assert title == "入会率：季度走势（2024年第一季度至2024年第三季度）"  # the period drawn is in the title
    sentence = _takeaway(no_browser_briefing.pptx, title)
    assert f"入会率2024年第三季度为{latest:.1f}%" in sentence
    word = "提高" if latest > before else "下降"
    assert f"较上季度{word}{abs(latest - before):.1f}个百分点" in sentence


def test_target_and_breakdown_takeaways_match_the_query_layer(con, no_browser_briefing):
    firms = metrics.innovative_firms_vs_target(con, YEAR)
    city = firms[firms["scope"] == "city"].iloc[0]
    sentence = _takeaway(
        no_browser_briefing.pptx,
        next(s["title"] for s in deck.slide_texts(no_browser_briefing.pptx) if s["title"].startswith("全员创新企业")),
    )
    assert f"{int(city['actual'])}家（目标{int(city['target'])}家）" in sentence
    counties = firms[firms["scope"] != "city"].dropna(subset=["target"])
    met = int((counties["actual"] >= counties["target"]).sum())
    assert f"{len(counties)}个县市区中{met}个完成年度目标" in sentence

    studios = metrics.breakdown(con, YEAR, "P4_STUDIOS", "level")
    sentence = _takeaway(no_browser_briefing.pptx, "创新工作室：按级别分布")
    assert f"合计{int(studios['value'].sum())}个" in sentence


def test_training_by_programme_is_titled_for_every_programme_not_one(con, no_browser_briefing):
    programmes = metrics.breakdown(con, YEAR, "P2_TRAINEES", "kind")
    assert len(programmes) > 1  # every programme: the indicator of all training, not 工匠学院 alone
    sentence = _takeaway(no_browser_briefing.pptx, "职工培训参与人数：按项目分布")
    assert sentence.startswith(f"职工培训参与人数合计{int(programmes['value'].sum())}")


def test_kpi_slide_lists_headline_indicators_with_query_layer_values(con, no_browser_briefing):
    prs = Presentation(io.BytesIO(no_browser_briefing.pptx))
    table = next(shape.table for shape in prs.slides[1].shapes if shape.has_table)
    rows = {
        table.cell(i, 0).text: [table.cell(i, j).text for j in range(len(table.columns))]
        for i in range(1, len(table.rows))
    }
    value = metrics.kpis(con, YEAR, ["P5_MEMBER_RATE"]).iloc[0]
    assert rows["入会率"][2] == f"{value['value']:.1f}%"
    assert rows["入会率"][4] == f"{value['expected']:.1f}%"
    assert rows["入会率"][6] == {"ahead": "超前", "on_track": "进度正常", "behind": "落后"}[value["status"]]
    assert len(rows) == 10


def test_section_slides_carry_their_own_scope(con):
    spec = deck.build_spec(con, YEAR, deck.parse_sections(["county:新泰", "chain:C10"]))
    assert [s.title for s in spec.sections] == ["县市区：新泰市", "产业链：医药及医疗器械"]
    shown = [section.title for section, _ in spec.shown]
    footers = [s["named"]["Footer"] for s in _chart_slides(deck.render_deck(spec, with_xlsx=False).pptx)]
    assert len(footers) == len(shown)
    for section, footer in zip(shown, footers, strict=True):
        assert ("新泰市" if section.startswith("县市区") else "医药及医疗器械") in footer


def test_a_chart_without_data_gets_no_slide_and_is_named_on_the_sources_slide(con, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")  # picture mode falls back to tables: fast
    spec = deck.build_spec(con, metrics.Filters(2024, 1, 3), ["ideology"])  # honours count in Q4 only
    craftsmen = spec.charts[0][1]
    assert craftsmen.title == "泰山工匠：按县市区排名" and craftsmen.empty and craftsmen.silent == "not_yet_due"
    assert craftsmen.takeaway == "所选范围内暂无数据。"
    assert [c.title for c in spec.skipped] == ["泰山工匠：按县市区排名"]
    for charts in ("native", "image"):
        slides = deck.slide_texts(deck.render_deck(spec, charts=charts, with_xlsx=False).pptx)
        assert len(slides) == spec.slide_count == 3 + len(spec.charts) - 1
        assert craftsmen.title not in [s["title"] for s in slides]
        sources = slides[-1]["named"]["Sources"]  # honours before Q4: not yet due, not "no data"
        assert "未生成的图表：泰山工匠：按县市区排名（年度表彰于第四季度计入，所选季度尚未到考核期）" in sources
        assert [s["named"]["Slide number"] for s in slides] == [
            f"{n} / {len(slides)}" for n in range(1, len(slides) + 1)
        ]


def test_parse_sections_accepts_slugs_numbers_and_names():
    assert deck.parse_sections(["overview,p1", "5", "innovation", "chain:数字经济", "county:xintai"]) == [
        "overview",
        "ideology",
        "service",
        "innovation",
        "chain:C13",
        "county:xintai",
    ]
    with pytest.raises(ValueError, match="无法识别"):
        deck.parse_sections(["p9"])
    with pytest.raises(ValueError, match="未找到县市区"):
        deck.parse_sections(["county:火星"])


@pytest.mark.image
@needs_chrome
def test_every_chart_slide_has_a_picture(rendered, spec):
    assert rendered.warning is None
    charts = _chart_slides(rendered.pptx)
    assert len(charts) == len(spec.charts)
    assert not any(chart.empty for _, chart in spec.charts)  # the tiny warehouse has data for every chart of 2024
    assert all(s["pictures"] == 1 and s["tables"] == 0 and s["charts"] == 0 for s in charts)
    report = Document(io.BytesIO(rendered.docx))  # the Word report takes the same pictures
    assert len(report.inline_shapes) == len(spec.shown) and len(report.tables) == 1 + 5


@pytest.mark.image
@needs_chrome
def test_zip_holds_one_png_per_chart_from_the_same_browser_session(rendered, spec):
    with zipfile.ZipFile(io.BytesIO(rendered.zip)) as archive:
        names = archive.namelist()
        assert names == [f"{i:02d}_{export.safe_filename(c.title, 'png')}" for i, (_, c) in enumerate(spec.charts, 1)]
        assert all(archive.read(n).startswith(b"\x89PNG") for n in names)


def test_fallback_table_is_readable_and_ranked_like_the_chart(con, no_browser_briefing):
    prs = Presentation(io.BytesIO(no_browser_briefing.pptx))
    slide = next(s for s in prs.slides if s.shapes.title.text_frame.text == "入会率：按县市区排名")
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    assert [table.cell(0, j).text for j in range(len(table.columns))] == ["名称", "数值", "目标"]
    ranks = metrics.by_dimension(con, YEAR, "P5_MEMBER_RATE", "county").dropna(subset=["value"])
    top = ranks.sort_values("value", ascending=False).iloc[0]
    assert (table.cell(1, 0).text, table.cell(1, 1).text) == (top["name_zh"], f"{top['value']:.1f}%")
    assert len(table.rows) == len(ranks) + 1  # places without data are left out


def test_a_deck_from_an_english_session_is_english_throughout(con):
    """Slides, tables, notes and the workbook of an English deck: no Chinese outside user data (the tiny set's
    default sections hold no firm or file names)."""
    import re

    from openpyxl import load_workbook

    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    english = deck.build_spec(con, YEAR, [*deck.DEFAULT_SECTIONS, "county:xintai"], lang="en")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROWSER_PATH", "/nonexistent/chrome")  # chart slides as tables: their cells are text to check
        briefing = deck.render_deck(english)
    texts = []
    for slide in Presentation(io.BytesIO(briefing.pptx)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    book = load_workbook(io.BytesIO(briefing.xlsx))
    texts += [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    texts += [ws.title for ws in book]
    assert [t for t in texts if cjk.search(t)] == []
    assert deck.slide_texts(briefing.pptx)[0]["title"] == "Tai'an Federation of Trade Unions: Five Projects briefing"
    assert [s.title for s in english.sections][:2] == ["Overview", "1. Ideology"]
    assert english.sections[-1].title == "County: Xintai City"
