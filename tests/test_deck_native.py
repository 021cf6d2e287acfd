"""Native PowerPoint charts, read back with python-pptx and openpyxl: values, workbook, colours, formats, fonts."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import duckdb
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.oxml.ns import qn

from data_pipeline import metrics
from reporting import deck, pptx_charts, theme
from reporting import format as fmt

YEAR = metrics.Filters(2024)
CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


@pytest.fixture(scope="module")
def con(tiny_warehouse):
    connection = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def spec(con) -> deck.DeckSpec:
    return deck.build_spec(con, YEAR)


@pytest.fixture(scope="module")
def prs(spec):
    return Presentation(io.BytesIO(deck.render_deck(spec, with_xlsx=False).pptx))


def _slide(prs, title: str):
    return next(s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text_frame.text == title)


def _chart_shape(slide):
    charts = [shape for shape in slide.shapes if getattr(shape, "has_chart", False)]
    assert len(charts) == 1
    return charts[0]


def _read(shape) -> tuple[list[str], dict[str, list]]:
    plot = shape.chart.plots[0]
    return list(plot.categories), {s.name: list(s.values) for s in plot.series}


def _workbook(shape) -> list[tuple]:
    blob = shape.chart_part.chart_workbook.xlsx_part.blob
    sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _by_name(frame: pd.DataFrame, label: str, value: str, missing: str = "（无数据）") -> dict[str, float | None]:
    # what the chart should say per category: the frame's value, or no value and a category saying why
    out = {}
    for name, v in zip(frame[label].astype(str), frame[value], strict=True):
        out[name if pd.notna(v) else f"{name}{missing}"] = None if pd.isna(v) else float(v)
    return out


def _expected(chart: deck.Chart) -> dict[str, dict[str, float | None]]:
    """Series name → category → value, straight from the chart's frame (which the query layer made)."""
    f = chart.frame
    if chart.kind == "ranking":
        return {"实际" if "target" in f.columns else "数值": _by_name(f, "name_zh", "value")}
    if chart.kind == "breakdown":
        return {"数值": _by_name(f, "category", "value")}
    if chart.kind == "target_progress":
        rows = f.dropna(subset=["progress"])
        return {"目标完成率": dict(zip(rows["name_zh"], rows["progress"].astype(float), strict=True))}
    if chart.kind == "target_vs_actual":
        return {
            "实际": dict(zip(f["name_zh"], f["actual"].astype(float), strict=True)),
            "目标": dict(zip(f["name_zh"], f["target"].astype(float), strict=True)),
        }
    if chart.kind == "trend":
        names = chart.options["names"]
        return {
            names[code]: {p: float(v) for p, v in zip(rows["period"], rows["value"], strict=True)}
            for code, rows in f.groupby("indicator")
        }
    raise AssertionError(chart.kind)


def test_every_chart_slide_has_a_native_chart_with_the_frames_values_in_chart_and_workbook(spec, prs):
    slides = list(prs.slides)[2:-1]
    assert len(slides) == len(spec.shown) == 16
    kinds = set()
    for (_, chart), slide in zip(spec.shown, slides, strict=True):
        assert slide.shapes.title.text_frame.text == chart.title
        kinds.add(chart.kind)
        if chart.kind == "heatmap":  # no Office chart type: a coloured table
            assert not any(getattr(s, "has_chart", False) for s in slide.shapes)
            assert sum(s.has_table for s in slide.shapes) == 1
            continue
        shape = _chart_shape(slide)
        categories, series = _read(shape)
        for name, expected in _expected(chart).items():
            got = dict(zip(categories, series[name], strict=True))
            assert got == pytest.approx(expected, nan_ok=True), (chart.title, name)
        # the embedded workbook (what 编辑数据 opens) holds the same categories and values
        rows = _workbook(shape)
        assert list(rows[0][1:]) == list(series)
        assert [r[0] for r in rows[1:]] == categories
        for j, name in enumerate(series, start=1):
            assert [r[j] for r in rows[1:]] == pytest.approx(series[name])
    assert kinds == {"target_progress", "trend", "ranking", "breakdown", "target_vs_actual", "heatmap"}


def test_chart_values_are_the_query_layers(con, prs):
    shape = _chart_shape(_slide(prs, "入会率：按县市区排名"))
    categories, series = _read(shape)
    ranks = metrics.by_dimension(con, YEAR, "P5_MEMBER_RATE", "county").dropna(subset=["value"])
    got = dict(zip(categories, series["实际"], strict=True))
    assert {k: v for k, v in got.items() if v is not None} == pytest.approx(
        dict(zip(ranks["name_zh"], ranks["value"], strict=True))
    )
    assert categories[-1] == ranks.sort_values("value")["name_zh"].iloc[-1]  # largest on top
    targets = dict(zip(categories, series["目标"], strict=True))
    for _, row in ranks.iterrows():
        assert targets[row["name_zh"]] == (None if pd.isna(row["target"]) else pytest.approx(row["target"]))

    trend = metrics.trend(con, YEAR, ["P5_MEMBER_RATE"])
    categories, series = _read(_chart_shape(_slide(prs, "入会率：季度走势（2024年第一季度至2024年第三季度）")))
    member = trend[trend["indicator"] == "P5_MEMBER_RATE"].sort_values("period")
    assert categories == list(member["period"])
    assert series["入会率"] == pytest.approx(list(member["value"]))


def _label_format(shape) -> str:
    return shape.chart._chartSpace.find(f".//{qn('c:ser')}/{qn('c:dLbls')}/{qn('c:numFmt')}").get("formatCode")


def _excel(code: str, value: float) -> str:
    """The few Excel number-format idioms the charts use, evaluated as Excel/WPS/LibreOffice display them."""
    for section in code.split(";"):
        m = re.match(r"\[>=(\d+)\](.*)", section)
        if m and value < float(m.group(1)):
            continue
        body = m.group(2) if m else section
        text = re.findall(r'"([^"]*)"', body)
        suffix = text[-1] if text else ""
        if body.startswith('0"."0,,') or body.startswith('0"."00,,'):  # 亿: a millions scale, point before 2 digits
            scaled = round(value / 1e6)
            return f"{scaled // 100}.{scaled % 100:02d}{suffix}"
        if body.startswith('0"."0,'):  # 万: a thousands scale, a literal point before the last digit
            scaled = round(value / 1e3)
            return f"{scaled // 10}.{scaled % 10}{suffix}"
        places = len(re.match(r"[#,0]*\.?(0*)", body.replace('"%"', "")).group(1))
        number = f"{value:,.{places}f}" if "," in body.split('"')[0] else f"{value:.{places}f}"
        return number + suffix
    raise AssertionError(code)


@pytest.mark.parametrize(
    ("unit", "decimals", "value"),
    [
        ("%", 1, 85.625),
        ("人", 0, 1234),
        ("人次", 0, 123456),
        ("人次", 0, 987654321),
        ("万元", 1, 312.5),
        ("万元", 1, 2283.5),
    ],
)
def test_label_formats_read_as_the_screen(unit, decimals, value):
    assert _excel(pptx_charts.number_format(unit, decimals, "zh"), value) == fmt.value(value, unit, decimals)


def test_ten_thousands_keep_one_decimal_where_the_screen_shows_two():
    # 1.23万 on screen: a format code can only scale by thousands, so the slide says 1.2万 (documented choice)
    assert _excel(pptx_charts.number_format("人", 0, "zh"), 12345) == "1.2万人"
    assert _excel(pptx_charts.number_format("万元", 1, "zh"), 12345) == "1.2亿元"
    assert pptx_charts.number_format("people", 0, "en") == '#,##0" people"'


def test_slides_use_the_screens_number_formats(prs):
    assert _label_format(_chart_shape(_slide(prs, "入会率：按县市区排名"))) == '0.0"%"'
    people = _label_format(_chart_shape(_slide(prs, "工匠学院培训人数：按县市区排名")))
    assert people == pptx_charts.number_format("人", 0, "zh") and people.endswith('#,##0"人"')
    assert _label_format(_chart_shape(_slide(prs, "帮扶救助资金：按救助类别分布"))).endswith('#,##0.0"万元"')


def _point_colours(shape) -> list[str]:
    ser = shape.chart._chartSpace.find(f".//{qn('c:ser')}")
    base = ser.find(f"{qn('c:spPr')}/{qn('a:solidFill')}/{qn('a:srgbClr')}").get("val")
    colours = {
        int(dpt.find(qn("c:idx")).get("val")): dpt.find(f".//{qn('a:srgbClr')}").get("val")
        for dpt in ser.findall(qn("c:dPt"))
    }
    n = len(shape.chart.plots[0].categories)
    return ["#" + colours.get(i, base).lower() for i in range(n)]


def _one_chart_spec(spec, title: str, frame: pd.DataFrame) -> deck.DeckSpec:
    chart = next(c for _, c in spec.charts if c.title == title)
    return deck.with_sections(spec, [deck.Section("测试", (replace(chart, frame=frame),))])


def test_bars_are_coloured_by_status_and_red_means_behind_only(spec, prs):
    # the query layer's own status on the deck: each bar's colour is its place's judgement
    shape = _chart_shape(_slide(prs, "入会率：按县市区排名"))
    ranked = next(c for _, c in spec.charts if c.title == "入会率：按县市区排名").frame.dropna(subset=["value"])
    judged = dict(zip(ranked["name_zh"], ranked["status"], strict=True))
    categories, _ = _read(shape)
    for category, colour in zip(categories, _point_colours(shape), strict=True):
        if category in judged:
            assert colour == theme.STATUS_COLOURS.get(judged[category], pptx_charts.PLAIN)

    chart = next(c for _, c in spec.charts if c.title == "入会率：按县市区排名")
    statuses = list(theme.STATUS_COLOURS)
    frame = chart.frame.assign(status=[statuses[i % len(statuses)] for i in range(len(chart.frame))])
    pptx = deck.write_pptx(_one_chart_spec(spec, chart.title, frame))
    slide = Presentation(io.BytesIO(pptx)).slides[2]
    shape = _chart_shape(slide)
    categories, _ = _read(shape)
    status_of = {
        (n if pd.notna(v) else f"{n}（无数据）"): s
        for n, v, s in zip(frame["name_zh"], frame["value"], frame["status"], strict=True)
    }
    for category, colour in zip(categories, _point_colours(shape), strict=True):
        assert colour == theme.STATUS_COLOURS[status_of[category]]
        assert (colour == theme.STATUS_COLOURS["behind"]) == (status_of[category] == "behind")
    key = next(s.text_frame.text for s in slide.shapes if s.name == "Chart key")
    assert "落后于进度" in key and "符合进度" in key


def test_a_suppressed_value_reads_lt5_and_is_written_nowhere(spec):
    chart = next(c for _, c in spec.charts if c.title == "入会率：按县市区排名")
    hidden = chart.frame["key"] == "xintai"  # 85.625% (137 of 160), beside taishan's 22.2% (20 of 90)
    secret = [float(v) for v in chart.frame.loc[hidden, ["value", "numerator", "denominator", "target"]].iloc[0]]
    assert secret == pytest.approx([85.625, 137, 160, 70])
    frame = chart.frame.assign(suppressed=hidden)
    small = _one_chart_spec(spec, chart.title, frame)
    briefing = deck.render_deck(small, with_docx=True)
    slide = Presentation(io.BytesIO(briefing.pptx)).slides[2]
    shape = _chart_shape(slide)
    categories, series = _read(shape)
    for name in frame.loc[hidden, "name_zh"]:
        i = categories.index(f"{name}（<5）")
        assert series["实际"][i] is None
    assert "“<5”" in next(s.text_frame.text for s in slide.shapes if s.name == "Chart key")

    def numbers(blob: bytes) -> list[float]:
        book = openpyxl.load_workbook(io.BytesIO(blob))
        return [
            float(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, int | float)
        ]

    from reporting import report_docx

    workbooks = [shape.chart_part.chart_workbook.xlsx_part.blob, briefing.xlsx]
    workbooks += [book for _, book in report_docx.chart_parts(briefing.docx)]
    shown = [float(v) for v in frame.loc[~hidden, "value"].dropna()]
    for blob in workbooks:
        values = numbers(blob)
        # also not as rounded in a download table (one decimal): 85.6 would give 85.625 away
        assert not any(abs(v - s) < 0.051 for v in values for s in secret)
        assert any(abs(v - shown[0]) < 0.051 for v in values)  # the other places are there


def test_heatmap_is_a_coloured_table_with_lt5_for_a_hidden_cell(spec):
    chart = next(c for _, c in spec.charts if c.kind == "heatmap")
    frame = chart.frame
    cell = frame.dropna(subset=["value"]).iloc[0]
    hidden = (frame["county"] == cell["county"]) & (frame["chain"] == cell["chain"])
    pptx = deck.write_pptx(_one_chart_spec(spec, chart.title, frame.assign(suppressed=hidden)))
    slide = Presentation(io.BytesIO(pptx)).slides[2]
    table = next(s.table for s in slide.shapes if s.has_table)
    texts = {
        (table.cell(i, 0).text, table.cell(0, j).text): table.cell(i, j).text
        for i in range(1, len(table.rows))
        for j in range(1, len(table.columns))
    }
    assert texts[(cell["chain_zh"], cell["county_zh"])] == "<5"
    other = frame.dropna(subset=["value"]).iloc[1]
    assert texts[(other["chain_zh"], other["county_zh"])] == fmt.number(other["value"], 1)


def _runs_have_east_asian_font(element) -> int:
    count = 0
    for tag in ("a:rPr", "a:defRPr"):
        for rpr in element.iter(qn(tag)):
            count += 1
            assert rpr.find(qn("a:ea")).get("typeface") == pptx_charts.FONT
            assert rpr.find(qn("a:latin")).get("typeface") == pptx_charts.FONT
    return count


def test_every_run_and_every_chart_text_names_the_east_asian_font(prs):
    runs = sum(_runs_have_east_asian_font(slide.shapes._spTree) for slide in prs.slides)
    charts = [shape for slide in prs.slides for shape in slide.shapes if getattr(shape, "has_chart", False)]
    in_charts = sum(_runs_have_east_asian_font(shape.chart._chartSpace) for shape in charts)
    assert runs > 200 and len(charts) == 15 and in_charts >= 4 * len(charts)


def test_a_staffer_can_edit_a_charts_data(prs):
    # "编辑数据": replace the data of one chart, save, open again, and the new numbers are there
    shape = _chart_shape(_slide(prs, "创新工作室：按级别分布"))
    categories, series = _read(shape)
    edited = CategoryChartData()
    edited.categories = categories
    edited.add_series("数值", [v + 1 for v in series["数值"]])
    shape.chart.replace_data(edited)
    buffer = io.BytesIO()
    prs.save(buffer)
    again = _chart_shape(_slide(Presentation(io.BytesIO(buffer.getvalue())), "创新工作室：按级别分布"))
    assert _read(again)[1]["数值"] == [v + 1 for v in series["数值"]]
    assert [r[1] for r in _workbook(again)[1:]] == [v + 1 for v in series["数值"]]


def _units_en() -> dict[str, str]:
    from data_pipeline import reference

    return {row.unit_zh: row.unit_en for row in reference.indicators()}


UNITS_EN = _units_en()


def english(spec: deck.DeckSpec) -> deck.DeckSpec:
    """The spec with every text the spec-building half writes in English (as an English session's spec is):
    what is left in Chinese after writing is then either user data or a writer's own word."""
    sections = []
    for i, section in enumerate(spec.sections):
        charts = tuple(
            replace(
                chart,
                title=f"Chart {i}.{j}",
                takeaway="One sentence about the chart.",
                scope="2024 · all counties",
                unit=UNITS_EN.get(chart.unit, chart.unit),
                options={
                    **chart.options,
                    **({"names": {c: c for c in chart.options["names"]}} if "names" in chart.options else {}),
                },
            )
            for j, chart in enumerate(section.charts)
        )
        sections.append(
            replace(
                section,
                title=f"Section {i}",
                charts=charts,
                kpi_rows=pd.DataFrame({"Indicator": ["Rate"], "Value": ["62.8%"]}),
            )
        )
    return replace(
        spec,
        title="Five Projects briefing",
        scope="2024 full year · all counties · all chains",
        data_date="Data through 2024 Q3",
        footer="",
        sections=tuple(sections),
        kpi_rows=pd.DataFrame({"Indicator": ["Membership rate"], "Value": ["62.8%"], "Progress": ["97%"]}),
        kpi_takeaway="Three of ten on target.",
        sources=("Source: quarterly returns",),
        lang="en",
    )


def user_data(spec: deck.DeckSpec) -> list[str]:
    words = {
        str(v)
        for _, chart in spec.charts
        for column in chart.frame.columns
        if chart.frame[column].dtype == object or pd.api.types.is_string_dtype(chart.frame[column])
        for v in chart.frame[column].dropna()
    }
    return sorted(words, key=len, reverse=True)


def leftover_cjk(texts, allowed: list[str]) -> list[str]:
    out = []
    for text in texts:
        rest = text
        for word in allowed:
            rest = rest.replace(word, "")
        if CJK.search(rest):
            out.append(text)
    return out


def test_an_english_deck_has_no_chinese_outside_user_data(con):
    spec = english(deck.build_spec(con, metrics.Filters(2024, 1, 3), lang="en"))
    assert spec.skipped  # the sources slide names the charts left out, in English
    pptx = deck.render_deck(spec, with_xlsx=False).pptx
    prs = Presentation(io.BytesIO(pptx))
    texts = []
    for slide in prs.slides:
        texts += [t.text or "" for t in slide.shapes._spTree.iter(qn("a:t"))]
        for shape in slide.shapes:
            if getattr(shape, "has_chart", False):
                texts += [v.text or "" for v in shape.chart._chartSpace.iter(qn("c:v"))]
                texts += [shape.chart._chartSpace.find(f".//{qn('c:numFmt')}").get("formatCode")]
    assert any("Charts not drawn: Chart 1.0" in t for t in texts)
    assert leftover_cjk(texts, user_data(spec)) == []
    langs = {rpr.get("lang") for slide in prs.slides for rpr in slide.shapes._spTree.iter(qn("a:rPr"))}
    assert langs == {"en-US"}


def _chart(kind: str, frame: pd.DataFrame, unit: str = "%", **options) -> deck.Chart:
    return deck.Chart(
        title=f"{kind} 测试",
        figure=lambda f: None,
        frame=frame,
        takeaway="",
        unit=unit,
        decimals=1,
        kind=kind,
        options=options,
    )


def test_every_kind_of_chart_draws_natively_from_its_frame(spec):
    places = pd.DataFrame({"key": ["xintai", "taishan"], "name_zh": ["新泰市", "泰山区"]})
    grouped = pd.concat(
        [
            places.assign(indicator="P5_UNION_RATE", value=[80.5, 70.0]),
            places.assign(indicator="P5_MEMBER_RATE", value=[60.0, 65.5]),
        ]
    )
    compare = pd.DataFrame({"name_zh": ["入会率", "建会率"], "value": [62.5, 75.0], "city": [85.0, 90.0]})
    firms = pd.DataFrame({"rate": [12.0, 50.0, 51.0, 99.0, 100.0, None]})
    tiles = places.assign(value=[85.6, 22.2], grid_row=[1, 2], grid_col=[1, 2])
    trend = pd.DataFrame({"indicator": ["P5_MEMBER_RATE"] * 2, "period": ["2024Q1", "2024Q2"], "value": [60.0, 61.5]})
    charts = (
        _chart("grouped", grouped, names={"P5_UNION_RATE": "建会率", "P5_MEMBER_RATE": "入会率"}),
        _chart("compare", compare, left="医药及医疗器械", right="全市"),
        _chart("histogram", firms, unit="家", column="rate", x_title="企业入会率（%）", y_title="企业数（家）"),
        _chart("tile_grid", tiles),
        _chart("trend", trend, names={"P5_MEMBER_RATE": "入会率"}, target=65.0),
    )
    prs = Presentation(io.BytesIO(deck.write_pptx(deck.with_sections(spec, [deck.Section("测试", charts)]))))
    slides = list(prs.slides)[2:-1]
    categories, series = _read(_chart_shape(slides[0]))
    assert categories == ["新泰市", "泰山区"] and series == {"建会率": [80.5, 70.0], "入会率": [60.0, 65.5]}
    categories, series = _read(_chart_shape(slides[1]))
    assert categories == ["入会率", "建会率"] and series == {"医药及医疗器械": [62.5, 75.0], "全市": [85.0, 90.0]}
    categories, series = _read(_chart_shape(slides[2]))
    counts = dict(zip(categories, series["企业数（家）"], strict=True))
    assert len(categories) == 20 and sum(counts.values()) == 5
    assert (counts["10–15"], counts["45–50"], counts["50–55"], counts["95–100"]) == (1, 1, 1, 2)
    table = next(s.table for s in slides[3].shapes if s.has_table)
    assert (table.cell(0, 0).text, table.cell(1, 1).text) == ("新泰市\n85.6", "泰山区\n22.2")
    categories, series = _read(_chart_shape(slides[4]))
    assert categories == ["2024Q1", "2024Q2"] and series == {"入会率": [60.0, 61.5], "目标": [65.0, 65.0]}
