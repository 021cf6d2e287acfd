"""Native Office charts from a deck Chart: the data embedded, so "编辑数据" works in PowerPoint, WPS and Word.

`plot(chart, lang)` turns a chart's frame into categories, series, colours and number formats (the same
meaning as the screen: colours by `status` when the frame has one, red = behind only; a `suppressed` value
is labelled "<5" and left out of the data); `add(shapes, chart, …)` draws it with python-pptx's chart API.
Heatmaps and tile grids have no Office chart type: `grid(chart, lang)` gives a table with a colour scale,
which `add` draws as a slide table and reporting.report_docx as a Word table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_MARK
from pptx.enum.dml import MSO_LINE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from reporting import charts, theme
from reporting import format as fmt
from reporting.i18n import code_label, t

# Every run names 微软雅黑 as its Latin and East Asian (a:ea) font: PowerPoint, WPS and Word on Chinese Windows
# have it; LibreOffice on Linux substitutes it through fontconfig (Noto Sans CJK SC for the Chinese glyphs).
FONT = "Microsoft YaHei"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
PLAIN = theme.PALETTE[0]  # bars without a status: the union blue
OTHER = "#9ca3af"  # a row that is no place (不分产业链): grey, as on screen
FADED = "#9db4d3"  # not highlighted
EMPTY_CELL = "#f3f4f6"

KINDS = (
    "ranking",
    "trend",
    "heatmap",
    "breakdown",
    "target_progress",
    "target_vs_actual",
    "grouped",
    "compare",
    "histogram",
    "tile_grid",
)
TABLE_KINDS = ("heatmap", "tile_grid")
STATUS_ORDER = ("behind", "on_track", "ahead", "not_yet_due", "no_target")


@dataclass
class Series:
    name: str
    values: list[float | None]
    colour: str
    points: list[str] | None = None  # one colour per point (status), else the series colour throughout
    target: bool = False  # drawn as an outline (bars) or a dashed line, without labels
    labels: bool = True


@dataclass
class Plot:
    """What an Office chart shows: categories, series and how numbers read."""

    kind: str
    categories: list[str]
    series: list[Series]
    label_format: str
    axis_format: str
    horizontal: bool = False
    line: bool = False
    statuses: list[str] = field(default_factory=list)  # status values present, for the colour key
    axis_titles: tuple[str, str] = ("", "")  # (category, value)
    small_note: bool = False  # some value is "<5"
    minimum: float | None = None  # where a rate axis starts when cut near the data (as on screen)

    @property
    def chart_type(self):
        if self.line:
            return XL_CHART_TYPE.LINE_MARKERS
        return XL_CHART_TYPE.BAR_CLUSTERED if self.horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED


@dataclass
class Cell:
    text: str
    fill: str | None = None
    ink: str = INK


@dataclass
class Grid:
    """A table with a colour scale: row labels × column labels."""

    corner: str
    columns: list[str]
    rows: list[str]
    cells: list[list[Cell]]
    note: str = ""
    small_note: bool = False


# ---------------------------------------------------------------- frames → what to draw


def _none(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def disclosed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every number of a suppressed row blanked (shown as "<5", never written to a file)."""
    if "suppressed" not in frame.columns or frame.empty:
        return frame
    hide = frame["suppressed"].fillna(False).astype(bool)
    if not hide.any():
        return frame
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if column in ("suppressed", "year", "quarter", "grid_row", "grid_col", "project") or str(column).startswith(
            "_"
        ):
            continue
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series.astype(float).mask(hide)
    return out


def _hidden(frame: pd.DataFrame) -> pd.Series:
    if "suppressed" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(False).astype(bool)


def _labels(frame: pd.DataFrame, lang: str) -> pd.Series:
    col = "name_en" if lang == "en" and "name_en" in frame.columns else "name_zh"
    if col in frame.columns:
        return frame[col].astype(str)
    return frame["name"].astype(str)


def _status_colours(frame: pd.DataFrame, default: list[str]) -> tuple[list[str], list[str]]:
    """Point colours by status where the frame has one (else `default`), and the statuses present."""
    if "status" not in frame.columns:
        return default, []
    colours, seen = [], []
    for status, fallback in zip(frame["status"], default, strict=True):
        colour = theme.STATUS_COLOURS.get(str(status)) if isinstance(status, str) else None
        colours.append(colour or fallback)
        if colour and status not in seen:
            seen.append(status)
    return colours, [s for s in STATUS_ORDER if s in seen]


def _mark(label: str, hidden: bool, missing: bool, lang: str) -> str:
    # No bar to put a label on: the category says why ("<5" for a hidden small count, else "no data").
    if hidden:
        return t("brief_small_label", lang, name=label)
    if missing:
        return t("brief_missing_label", lang, name=label)
    return label


def number_format(unit: str, decimals: int, lang: str) -> str:
    """An Excel number format for data labels that reads as reporting.format.value does: 85.3%, 1.2万人, 312.5万元.

    Ten-thousands use the format-code idiom 0"."0, (a thousands scale with a literal point), which Excel,
    WPS and LibreOffice all read; it gives one decimal of 万 where the screen shows two below 10万.
    """
    places = "." + "0" * int(decimals) if decimals else ""
    u = unit.replace('"', "")
    if unit == "%":
        return f'0.{"0" * max(int(decimals), 1)}"%"'
    if lang == "zh":
        if unit == "万元":
            return f'[>=10000]0"."0,"亿元";[>=1000]#,##0"万元";#,##0{places}"万元"'
        return f'[>=100000000]0"."00,,"亿{u}";[>=10000]0"."0,"万{u}";#,##0{places}"{u}"'
    return f'#,##0{places}" {u}"' if u else f"#,##0{places}"


def axis_format(unit: str, decimals: int, lang: str, top: float | None) -> str:
    """The value axis: one scale for every tick (万 or 亿 in Chinese once the largest value reaches it), no unit."""
    if unit == "%":
        return '0"%"'
    top = top or 0.0
    if lang == "zh":
        if unit == "万元" and top >= 10000:
            return '[=0]0;0"."0,"亿"'
        if unit != "万元" and top >= 1e8:
            return '[=0]0;0"."00,,"亿"'
        if unit != "万元" and top >= 10000:
            return '[=0]0;0"."0,"万"'
    return "#,##0.0" if decimals and top < 10 else "#,##0"


def plot(chart, lang: str = "zh") -> Plot:
    """What the chart of kind `chart.kind` shows, from its frame (see reporting.charts for the columns)."""
    kind = chart.kind
    options = dict(chart.options or {})
    unit, decimals = chart.unit, int(chart.decimals)
    frame = chart.frame.reset_index(drop=True)
    p = _plot(chart, kind, frame, options, unit, decimals, lang)
    shown = [v for s in p.series for v in s.values if v is not None]
    if unit == "%" and kind in ("ranking", "trend", "grouped", "compare") and shown:
        span, cut = charts.rate_range(pd.Series(shown))  # the screen's rule: differences stay visible
        if cut:
            p.minimum = span[0]
            p.axis_titles = (p.axis_titles[0], charts.axis_note(span, cut, lang) or "")
    if not p.axis_format:
        p.axis_format = axis_format(unit, decimals, lang, max(shown) if shown else None)
    return p


def _plot(chart, kind: str, frame: pd.DataFrame, options: dict, unit: str, decimals: int, lang: str) -> Plot:
    label_format = number_format(unit, decimals, lang)
    axis_format = ""  # from the values drawn
    actual = t("actual", lang)
    target = t("target", lang)

    if kind == "ranking":
        data = frame.assign(_label=_labels(frame, lang), _hide=_hidden(frame))
        data = data.sort_values("value", ascending=True, na_position="first", kind="stable").reset_index(drop=True)
        data = disclosed(data)
        highlight = tuple(options.get("highlight", ()))
        base = [PLAIN if isinstance(k, str) else OTHER for k in data["key"]]
        colours, statuses = _status_colours(data, base)
        if highlight:
            colours = [c if k in highlight else FADED for c, k in zip(colours, data["key"], strict=True)]
        values = [_none(v) for v in data["value"]]
        cats = [
            _mark(label, hide, v is None, lang)
            for label, hide, v in zip(data["_label"], data["_hide"], values, strict=True)
        ]
        series = [Series(actual if "target" in data.columns else t("value", lang), values, PLAIN, colours)]
        if "target" in data.columns and data["target"].notna().any():
            series.append(Series(target, [_none(v) for v in data["target"]], theme.TARGET, target=True, labels=False))
        return Plot(
            kind, cats, series, label_format, axis_format, horizontal=True, statuses=statuses,
            small_note=bool(data["_hide"].any()),
        )  # fmt: skip

    if kind == "breakdown":
        data = frame.assign(_hide=_hidden(frame))
        data = disclosed(data)
        values = [_none(v) for v in data["value"]]
        colours, statuses = _status_colours(data, [theme.PALETTE[3]] * len(data))
        cats = [
            _mark(code_label("category", c, lang), hide, v is None, lang)
            for c, hide, v in zip(data["category"], data["_hide"], values, strict=True)
        ]
        return Plot(
            kind, cats, [Series(t("value", lang), values, theme.PALETTE[3], colours)], label_format, axis_format,
            statuses=statuses, small_note=bool(data["_hide"].any()),
        )  # fmt: skip

    if kind == "trend":
        data = disclosed(frame).sort_values("period", kind="stable")
        periods = list(dict.fromkeys(str(p) for p in data["period"]))
        names = options.get("names") or {}
        series, statuses = [], []
        for i, (code, rows) in enumerate(data.groupby("indicator", sort=False)):
            by_period = {str(p): _none(v) for p, v in zip(rows["period"], rows["value"], strict=True)}
            colour = theme.PALETTE[i % len(theme.PALETTE)]
            points = None
            if "status" in rows.columns:
                status_of = dict(zip(rows["period"].astype(str), rows["status"], strict=True))
                points, seen = _status_colours(
                    pd.DataFrame({"status": [status_of.get(p) for p in periods]}), [colour] * len(periods)
                )
                statuses += [s for s in seen if s not in statuses]
            series.append(Series(str(names.get(str(code), code)), [by_period.get(p) for p in periods], colour, points))
        goal = _none(options.get("target"))
        if goal is not None:  # a year target on its own year's quarters only
            year = str(options.get("target_year") or "")
            values = [goal if p.startswith(year) else None for p in periods]
            series.append(Series(target, values, theme.TARGET, target=True, labels=False))
        return Plot(
            kind, [fmt.period_short(p) for p in periods], series, label_format, axis_format, line=True,
            statuses=[s for s in STATUS_ORDER if s in statuses],
        )  # fmt: skip

    if kind == "target_progress":
        data = frame.dropna(subset=["progress"]) if not frame.empty else frame
        data = data.iloc[::-1].reset_index(drop=True)  # the first indicator on top
        base = [theme.PROJECT_COLOURS.get(int(p), PLAIN) for p in data["project"]]
        colours, statuses = _status_colours(data, base)
        series = [
            Series(t("progress", lang), [_none(v) for v in data["progress"]], PLAIN, colours),
            Series(f"{target} 100%", [100.0] * len(data), theme.TARGET, target=True, labels=False),
        ]
        return Plot(kind, list(_labels(data, lang)), series, '0"%"', '0"%"', horizontal=True, statuses=statuses)

    if kind == "target_vs_actual":
        data = disclosed(frame)
        colours, statuses = _status_colours(data, [PLAIN] * len(data))
        decimals_format = number_format(unit, 0, lang)
        series = [
            Series(actual, [_none(v) for v in data["actual"]], PLAIN, colours),
            Series(target, [_none(v) for v in data["target"]], theme.TARGET, target=True, labels=False),
        ]
        return Plot(kind, list(_labels(data, lang)), series, decimals_format, axis_format, statuses=statuses)

    if kind == "grouped":
        data = disclosed(frame).assign(_label=lambda d: _labels(d, lang))
        order = list(dict.fromkeys(data["_label"]))
        names = options.get("names") or {}
        series = []
        for i, (code, rows) in enumerate(data.groupby("indicator", sort=False)):
            by_label = dict(zip(rows["_label"], rows["value"], strict=True))
            colour = theme.PALETTE[i % len(theme.PALETTE)]
            series.append(
                Series(str(names.get(str(code), code)), [_none(by_label.get(x)) for x in order], colour, labels=False)
            )
        return Plot(kind, order, series, label_format, axis_format)

    if kind == "compare":
        data = disclosed(frame)
        left = str(options.get("left") or t("selected_scope", lang))
        right = str(options.get("right") or t("city", lang))
        one = number_format(unit, max(decimals, 1), lang)
        series = [
            Series(left, [_none(v) for v in data["value"]], PLAIN),
            Series(right, [_none(v) for v in data["city"]], OTHER),
        ]
        return Plot(kind, list(_labels(data, lang)), series, one, axis_format)

    if kind == "histogram":
        column = options.get("column", "value")
        values = frame[column].dropna().clip(0, 100)
        edges = list(range(0, 105, 5))
        counts = pd.cut(values, bins=edges, include_lowest=True).value_counts(sort=False)
        cats = [f"{lo}–{hi}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        titles = (str(options.get("x_title", "")), str(options.get("y_title", "")))
        return Plot(
            kind, cats, [Series(titles[1] or t("value", lang), [float(c) for c in counts], PLAIN)], "#,##0", "#,##0",
            axis_titles=titles,
        )  # fmt: skip

    raise ValueError(f"no Office chart for kind {kind!r}")


def _scale(value: float, low: float, high: float) -> tuple[str, str]:
    """Fill and text colour on the sequential scale (as the screen's heatmap)."""
    share = 0.5 if high <= low else (value - low) / (high - low)
    stops = theme.SEQUENTIAL
    for (p0, c0), (p1, c1) in zip(stops[:-1], stops[1:], strict=True):
        if share <= p1:
            w = 0 if p1 == p0 else (share - p0) / (p1 - p0)
            a, b = _rgb(c0), _rgb(c1)
            colour = "#" + "".join(f"{round(x + (y - x) * w):02x}" for x, y in zip(a, b, strict=True))
            return colour, ("#ffffff" if share > 0.55 else INK)
    return stops[-1][1], "#ffffff"


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def grid(chart, lang: str = "zh") -> Grid:
    """Heatmap (chain × county) or tile grid (counties placed as on the map) as a coloured table."""
    from data_pipeline import reference

    frame = chart.frame.reset_index(drop=True)
    hide = _hidden(frame)
    data = disclosed(frame)
    unit, decimals = chart.unit, int(chart.decimals)
    shown = data["value"].where(~hide).dropna()
    low, high = (float(shown.min()), float(shown.max())) if len(shown) else (0.0, 1.0)

    def cell(value, hidden: bool, label: str | None = None) -> Cell:
        v = _none(value)
        if hidden:
            return Cell(fmt.SMALL_TEXT if label is None else f"{label}\n{fmt.SMALL_TEXT}", EMPTY_CELL)
        if v is None:
            return Cell("—" if label is None else f"{label}\n—", EMPTY_CELL, MUTED)
        fill, ink = _scale(v, low, high)
        text = fmt.number(v, decimals, lang) if unit == "%" else fmt.value(v, unit, decimals, lang)
        return Cell(text if label is None else f"{label}\n{text}", fill, ink)

    note = t("unit_suffix", lang, unit=unit) if unit else ""
    if chart.kind == "heatmap":
        counties = {c.code: (c.name_en if lang == "en" else c.name_zh) for c in reference.counties()}
        chains = {c.code: (c.name_en if lang == "en" else c.name_zh) for c in reference.chains()}
        county_order = [c for c in counties if c in set(data["county"])]
        chain_order = [c for c in chains if c in set(data["chain"])]
        lookup = {(r.county, r.chain): (r.value, h) for r, h in zip(data.itertuples(), hide, strict=True)}
        cells = [
            [cell(*lookup.get((county, chain), (None, False))) for county in county_order] for chain in chain_order
        ]
        return Grid(
            t("chain", lang) + " \\ " + t("county", lang),
            [counties[c] for c in county_order],
            [chains[c] for c in chain_order],
            cells,
            note,
            bool(hide.any()),
        )
    if chart.kind == "tile_grid":
        labels = _labels(data, lang)
        rows, cols = int(data["grid_row"].max()), int(data["grid_col"].max())
        cells = [[Cell("", None) for _ in range(cols)] for _ in range(rows)]
        for (_, r), label, h in zip(data.iterrows(), labels, hide, strict=True):
            cells[int(r["grid_row"]) - 1][int(r["grid_col"]) - 1] = cell(r["value"], bool(h), label)
        return Grid("", [], [], cells, note, bool(hide.any()))
    raise ValueError(f"no table for kind {chart.kind!r}")


# ---------------------------------------------------------------- fonts


def east_asian(rpr, lang: str = "zh") -> None:
    """Name FONT as the Latin and East Asian (a:ea) typeface of a run or default run property element."""
    for tag in ("a:latin", "a:ea", "a:cs"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    latin = rpr.get_or_add_latin()
    latin.set("typeface", FONT)
    ea = rpr.makeelement(qn("a:ea"), {"typeface": FONT, "charset": "-122"})  # -122: GB2312
    latin.addnext(ea)
    ea.addnext(rpr.makeelement(qn("a:cs"), {"typeface": FONT}))
    rpr.set("lang", "en-US" if lang == "en" else "zh-CN")
    rpr.set("altLang", "zh-CN" if lang == "en" else "en-US")


def fonts_everywhere(element, lang: str = "zh") -> None:
    """East Asian font on every run and default run property under `element` (a chart, a table)."""
    for tag in ("a:rPr", "a:defRPr", "a:endParaRPr"):
        for rpr in element.iter(qn(tag)):
            east_asian(rpr, lang)


def _font(font, size: float, colour: str = INK, bold: bool = False) -> None:
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
    font.name = FONT


# ---------------------------------------------------------------- drawing on a slide

KEY_H = Inches(0.34)


def add(shapes, chart, left: int, top: int, width: int, height: int, *, lang: str = "zh", size: float = 12):
    """Draw `chart` natively in the box: an Office chart, or a coloured table for heatmaps and tile grids.

    Below the chart, a line says what the colours mean when bars are coloured by status, and what "<5" means.
    Returns the chart's graphic frame.
    """
    if chart.kind in TABLE_KINDS:
        g = grid(chart, lang)
        key = _key_lines([], g.small_note, g.note, lang)
        body = height - (KEY_H if key else 0)
        frame = _add_grid(shapes, g, left, top, width, body, size=size - 2, lang=lang)
        if key:
            _add_key(shapes, key, left, top + body, width, lang)
        return frame
    p = plot(chart, lang)
    key = key_pieces(p, lang)
    body = height - (KEY_H if key else 0)
    frame = add_plot(shapes, p, left, top, width, body, lang=lang, size=size)
    if key:
        _add_key(shapes, key, left, top + body, width, lang)
    return frame


def add_plot(shapes, p: Plot, left: int, top: int, width: int, height: int, *, lang: str = "zh", size: float = 12):
    data = CategoryChartData(number_format=p.label_format)
    data.categories = p.categories
    for s in p.series:
        data.add_series(s.name, s.values, number_format=p.label_format)
    frame = shapes.add_chart(p.chart_type, Emu(left), Emu(top), Emu(width), Emu(height), data)
    frame.name = f"Chart {p.kind}"
    chart = frame.chart
    _font(chart.font, size, INK)
    chart.has_title = False
    # Bars coloured by status: no legend (its swatch would show one colour), the key under the chart says it all.
    legend = len(p.series) > 1 and not (p.statuses and not p.line)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        _font(chart.legend.font, size, INK)

    first = chart.plots[0]
    first.vary_by_categories = False
    if not p.line:
        first.gap_width = 45 if p.kind != "histogram" else 8
        has_target = any(s.target for s in p.series)
        first.overlap = 100 if has_target else (-10 if len(p.series) > 1 else 0)

    values_axis, categories_axis = chart.value_axis, chart.category_axis
    values_axis.has_major_gridlines = True
    values_axis.major_gridlines.format.line.color.rgb = _colour(GRID)
    values_axis.format.line.fill.background()
    values_axis.major_tick_mark = XL_TICK_MARK.NONE
    values_axis.tick_labels.number_format = p.axis_format
    values_axis.tick_labels.number_format_is_linked = False
    _font(values_axis.tick_labels.font, size - 1, MUTED)
    shown = [v for s in p.series for v in s.values if v is not None]
    if p.minimum is not None:
        values_axis.minimum_scale = p.minimum
    elif shown and min(shown) >= 0:
        values_axis.minimum_scale = 0
    if shown and p.horizontal and not any(s.target for s in p.series) and max(shown) > 0:
        values_axis.maximum_scale = _nice(max(shown) * 1.15)  # room for the label at the end of the longest bar
    categories_axis.format.line.color.rgb = _colour(GRID)
    categories_axis.major_tick_mark = XL_TICK_MARK.NONE
    _every_label(categories_axis._element)
    _font(categories_axis.tick_labels.font, size, INK)
    for axis, title in ((categories_axis, p.axis_titles[0]), (values_axis, p.axis_titles[1])):
        if title:
            axis.has_title = True
            axis.axis_title.text_frame.text = title
            _font(axis.axis_title.text_frame.paragraphs[0].runs[0].font, size - 1, MUTED)

    _plain_frame(chart._chartSpace)
    positions = _line_label_positions(p) if p.line else {}
    for series, s in zip(first.series, p.series, strict=True):
        _style_series(series, s, p, size, positions.get(series.index, XL_LABEL_POSITION.OUTSIDE_END))
    fonts_everywhere(frame.chart._chartSpace, lang)
    return frame


def _plain_frame(space) -> None:
    """No border, no fill, square corners around the chart (Word otherwise draws a rounded grey frame)."""
    from pptx.oxml import parse_xml
    from pptx.oxml.ns import nsdecls

    if space.find(qn("c:roundedCorners")) is None:
        corners = space.makeelement(qn("c:roundedCorners"), {"val": "0"})
        date = space.find(qn("c:date1904"))
        if date is not None:
            date.addnext(corners)
        else:
            space.insert(0, corners)
    if space.find(qn("c:spPr")) is None:
        sp = parse_xml(f"<c:spPr {nsdecls('c', 'a')}><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>")
        space.find(qn("c:chart")).addnext(sp)


def _every_label(axis) -> None:
    """c:tickLblSkip 1: every category named, never every other one when space is short."""
    skip = axis.makeelement(qn("c:tickLblSkip"), {"val": "1"})
    later = [axis.find(qn(tag)) for tag in ("c:tickMarkSkip", "c:noMultiLvlLbl", "c:extLst")]
    anchor = next((e for e in later if e is not None), None)
    if anchor is not None:
        anchor.addprevious(skip)
    else:
        axis.append(skip)


def _nice(top: float) -> float:
    step = 10 ** math.floor(math.log10(top))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10):
        if m * step >= top:
            return m * step
    return 10 * step


def _colour(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def _line_label_positions(p: Plot) -> dict[int, int]:
    """Labels of the line that ends highest go above it, of the lowest below, of any other to the right."""
    ends = {i: next((v for v in reversed(s.values) if v is not None), None) for i, s in enumerate(p.series) if s.labels}
    ranked = sorted((i for i, v in ends.items() if v is not None), key=lambda i: ends[i], reverse=True)
    out = {i: XL_LABEL_POSITION.RIGHT for i in ranked}
    if ranked:
        out[ranked[0]] = XL_LABEL_POSITION.ABOVE
    if len(ranked) > 1:
        out[ranked[-1]] = XL_LABEL_POSITION.BELOW
    return out


def _style_series(series, s: Series, p: Plot, size: float, position) -> None:
    if p.line:
        series.smooth = False
        series.format.line.color.rgb = _colour(s.colour)
        series.format.line.width = Pt(2.25 if not s.target else 1.75)
        if s.target:
            series.format.line.dash_style = MSO_LINE.DASH
            series.marker.style = XL_MARKER_STYLE.NONE
        else:
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 7
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _colour(s.colour)
            series.marker.format.line.color.rgb = _colour(s.colour)
            for i, colour in enumerate(s.points or []):
                if colour != s.colour:
                    point = series.points[i]
                    point.marker.format.fill.solid()
                    point.marker.format.fill.fore_color.rgb = _colour(colour)
                    point.marker.format.line.color.rgb = _colour(colour)
    elif s.target:
        series.format.fill.background()  # an outline from 0 to the target around the bar
        series.format.line.color.rgb = _colour(s.colour)
        series.format.line.width = Pt(1.75)
        series.format.line.dash_style = MSO_LINE.DASH
    else:
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _colour(s.colour)
        series.format.line.fill.background()
        for i, colour in enumerate(s.points or []):
            if colour != s.colour:
                point = series.points[i]
                point.format.fill.solid()
                point.format.fill.fore_color.rgb = _colour(colour)
    if not s.labels:
        return
    labels = series.data_labels
    labels.number_format = p.label_format
    labels.number_format_is_linked = False
    _font(labels.font, size - 1, s.colour if p.line else INK)
    labels.position = position
    if any(x.target for x in p.series) and not p.line:
        # a label that ends inside the target's outline: a white ground keeps the dashed edge from crossing it
        ground = labels._element.makeelement(qn("c:spPr"), {})
        fill = ground.makeelement(qn("a:solidFill"), {})
        fill.append(fill.makeelement(qn("a:srgbClr"), {"val": "FFFFFF"}))
        ground.append(fill)
        labels._element.find(qn("c:numFmt")).addnext(ground)
    crowded = p.line and len(p.categories) * sum(1 for x in p.series if x.labels) > 12
    if not crowded:
        labels.show_value = True
        return
    # Many quarters: label only the latest value of each line (the rest are read off the axis).
    last = max((i for i, v in enumerate(s.values) if v is not None), default=None)
    if last is None:
        return
    label = series.points[last].data_label
    label.position = position  # a c:dLbl of its own, showing the value
    dlbl = label._dLbl
    number = dlbl.makeelement(qn("c:numFmt"), {"formatCode": p.label_format, "sourceLinked": "0"})
    dlbl.find(qn("c:spPr")).addprevious(number)
    _font(label.font, size - 1, s.colour, bold=True)


def key_pieces(p: Plot, lang: str) -> list[tuple[str, str]]:
    """The line under an Office chart: with status colours (and so no legend), the target's mark too."""
    pieces: list[tuple[str, str]] = []
    target = next((s for s in p.series if s.target), None)
    if p.statuses and not p.line and target is not None:
        pieces += [("□ ", theme.TARGET), (target.name + "    ", MUTED)]
    return pieces + _key_lines(p.statuses, p.small_note, "", lang)


def _key_lines(statuses: list[str], small: bool, note: str, lang: str) -> list[tuple[str, str]]:
    """(text, colour) pieces of the line under a chart: ■ status names, the "<5" note, the unit."""
    pieces: list[tuple[str, str]] = []
    for status in statuses:
        pieces += [("■ ", theme.STATUS_COLOURS[status]), (t(f"status_{status}", lang) + "    ", MUTED)]
    if small:
        pieces.append((t("brief_small_note", lang) + "    ", MUTED))
    if note:
        pieces.append((note, MUTED))
    return pieces


def _add_key(shapes, pieces: list[tuple[str, str]], left: int, top: int, width: int, lang: str) -> None:
    box = shapes.add_textbox(Emu(left), Emu(top), Emu(width), KEY_H)
    box.name = "Chart key"
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    for text, colour in pieces:
        run = paragraph.add_run()
        run.text = text
        _font(run.font, 11, colour)
    fonts_everywhere(box._element, lang)


def text_width(text: str, size: float) -> float:
    """Approximate width in points of one line of text: CJK characters a full em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in str(text))


def _add_grid(shapes, g: Grid, left: int, top: int, width: int, height: int, *, size: float = 11, lang: str = "zh"):
    header = 1 if g.columns else 0
    label = 1 if g.rows else 0
    n_rows = len(g.cells) + header
    n_cols = (len(g.cells[0]) if g.cells else 0) + label
    head_h = Inches(0.5) if header else 0
    row_h = min(Inches(0.42 if label else 0.9), int((height - head_h) / max(len(g.cells), 1)))
    frame = shapes.add_table(n_rows, n_cols, Emu(left), Emu(top), Emu(width), Emu(head_h + row_h * len(g.cells)))
    frame.name = "Chart table"
    table = frame.table
    table.first_row = bool(header)
    table.horizontal_banding = False
    if label:
        # the row labels on one line where they fit in a quarter of the width (long English chain names)
        need = Pt(max(text_width(r, size) for r in g.rows)) + Inches(0.12) if g.rows else 0
        first = int(min(max(need, width * 0.14), width * 0.25))
        table.columns[0].width = first
        for j in range(1, n_cols):
            table.columns[j].width = int((width - first) / (n_cols - 1))
    else:
        for j in range(n_cols):
            table.columns[j].width = int(width / n_cols)
    for i in range(n_rows):
        table.rows[i].height = head_h if i < header else row_h

    def put(cell, text: str, fill: str | None, ink: str, bold: bool = False, align=PP_ALIGN.CENTER, size=size) -> None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _colour(fill or "#ffffff")
        cell.margin_left = cell.margin_right = Inches(0.04)
        cell.margin_top = cell.margin_bottom = Inches(0.02)
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        tf = cell.text_frame
        tf.word_wrap = True
        for k, line in enumerate(text.split("\n")):
            paragraph = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
            paragraph.alignment = align
            run = paragraph.add_run()
            run.text = line
            _font(run.font, size, ink, bold=bold or (k == 0 and "\n" in text))

    if header:
        if label:
            put(table.cell(0, 0), g.corner, theme.PALETTE[0], "#ffffff", True, PP_ALIGN.LEFT)
        for j, name in enumerate(g.columns, start=label):
            put(table.cell(0, j), name, theme.PALETTE[0], "#ffffff", True, size=size - (1 if lang == "en" else 0))
    for i, row in enumerate(g.cells, start=header):
        if label:
            put(table.cell(i, 0), g.rows[i - header], "#ffffff", INK, False, PP_ALIGN.LEFT)
        for j, c in enumerate(row, start=label):
            put(table.cell(i, j), c.text, c.fill, c.ink)
    fonts_everywhere(frame._element, lang)
    return frame


def chart_values(graphic_frame) -> tuple[list[str], dict[str, list[float | None]]]:
    """Categories and series values as PowerPoint reads them from a chart shape (tests, checks)."""
    chart = graphic_frame.chart
    plot_ = chart.plots[0]
    return list(plot_.categories), {s.name: list(s.values) for s in plot_.series}
