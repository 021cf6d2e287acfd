"""The briefing deck (PPTX, 16:9) and its files: a spec of sections → charts built from the query layer, then
slides with native, editable charts (reporting.pptx_charts), a Word report (reporting.report_docx), a workbook.

A deck spec is plain data (titles, the kind of chart and the frame it draws, a takeaway), so the page, the
command line and the tests share one builder. Pictures of the screen's figures (one browser session for all)
are an option: `charts="image"`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE
from pptx.util import Emu, Inches, Pt

from data_pipeline import metrics
from reporting import export, pptx_charts, report_docx, takeaways
from reporting import spec as recipes
from reporting.briefing import (
    PICTURE_PX,
    TABLE_ROWS,
    Briefing,
    Chart,
    DeckSpec,
    Section,
    footer_text,
    made_on,
    readable_table,
    source_lines,
)
from reporting.i18n import t
from reporting.pptx_charts import FONT
from reporting.spec import ChartSpec

BLUE = RGBColor(0x1F, 0x5A, 0xA6)
INK = RGBColor(0x1F, 0x29, 0x37)
MUTED = RGBColor(0x6B, 0x72, 0x80)
PALE = RGBColor(0xEE, 0xF4, 0xFB)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
WARN = RGBColor(0xC6, 0x28, 0x28)

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # PowerPoint’s own 16:9 (13.333 × 7.5 in)
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
# Charts fill the band between the takeaway and the footer; pictures are rendered at this layout size so the
# chart's 12–16 px text lands at a readable 10–13 pt on the slide.
PICTURE_TOP, PICTURE_H = Inches(1.95), Inches(4.95)
PICTURE_SCALE = 2.5
# The ZIP of charts: the figures as on screen, 16:9.
ZIP_PX = (1600, 900)
CHART_MODES = ("native", "image")


# ---------------------------------------------------------------- rendering


def render_deck(
    spec: DeckSpec,
    *,
    charts: str = "native",
    progress: Callable[[str], None] | None = None,
    with_zip: bool = False,
    with_pptx: bool = True,
    with_docx: bool = False,
    with_xlsx: bool = True,
    session: export.BrowserSession | None = None,
) -> Briefing:
    """Write the deck (native charts, or `charts="image"`: pictures of the screen's figures), and when asked the
    Word report, the workbook and the PNG ZIP. Pictures render in one browser session (`session`, or one opened
    here); without a browser, image slides show the data as a table and `warning` says why.
    """
    if charts not in CHART_MODES:
        raise ValueError(f"charts must be one of {CHART_MODES}, not {charts!r}")
    say = progress or (lambda _message: None)
    pairs = spec.charts
    pictures: list[bytes | None] | None = None
    zipped = None
    warning = None
    pictured = charts == "image" or with_zip  # figures are drawn only when pictures are wanted
    drawn = [(i, chart, chart.draw()) for i, (_, chart) in enumerate(pairs) if not chart.empty] if pictured else []
    jobs = [(_for_slide(fig), _opts(*PICTURE_PX, PICTURE_SCALE)) for _, _, fig in drawn] if charts == "image" else []
    if with_zip:
        jobs += [(fig, _opts(*ZIP_PX, 2)) for _, _, fig in drawn]
    if charts == "image":
        pictures = [None] * len(pairs)
    if jobs:
        try:
            say(f"正在生成 {len(jobs)} 张图片（一个浏览器会话）…")
            images = export.render_jobs(jobs, session=session, progress=lambda done, total: say(f"图片 {done}/{total}"))
            slide_images = images[: len(drawn)] if charts == "image" else []
            for (i, _, _), image in zip(drawn, slide_images, strict=False):
                pictures[i] = image  # type: ignore[index]
            if with_zip:
                zip_images = images[len(slide_images) :]
                zipped = export.zip_files(
                    [
                        (f"{n:02d}_{export.safe_filename(chart.title, 'png')}", image)
                        for n, ((_, chart, _), image) in enumerate(zip(drawn, zip_images, strict=True), 1)
                    ]
                )
        except export.ChromeNotFound as error:
            warning = str(error)
    pptx = docx = xlsx = None
    if with_pptx:
        say(t("deck_writing", spec.lang))
        pptx = write_pptx(spec, pictures)
    if with_docx:
        say(t("deck_writing_docx", spec.lang))
        docx = report_docx.write_docx(spec, pictures)
    if with_xlsx:
        # numbered sheet names: two sections may hold charts with the same title; each sheet is the chart's own
        # download table (headers in words with units, values rounded as on screen, filters and data date on top)
        xlsx = export.frames_xlsx(
            {f"{n:02d} {chart.title}": (chart.table(), chart.header_lines) for n, (_, chart) in enumerate(pairs, 1)}
        )
    return Briefing(pptx=pptx, zip=zipped, xlsx=xlsx, warning=warning, docx=docx)


def _opts(width: int, height: int, scale: float) -> dict:
    return {"format": "png", "width": width, "height": height, "scale": scale}


def _for_slide(fig: go.Figure) -> go.Figure:
    # The slide title says what the chart shows and the footer carries filters and date, so drop the figure's own.
    out = go.Figure(fig)
    top = out.layout.margin.t if out.layout.margin.t is not None else 0
    out.update_layout(title=None, margin={"t": max(24, top - 60)}, height=None)
    return out


def write_pptx(spec: DeckSpec, pictures: Sequence[bytes | None] | None = None) -> bytes:
    """The deck as PPTX bytes. Without `pictures`, every chart is a native chart; with them (one PNG or None per
    chart of spec.charts, in order), pictures, and a data table where there is None. Charts without data get
    no slide: the sources slide names them."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _theme_fonts(prs)
    total = spec.slide_count
    _title_slide(prs, spec, total)
    _kpi_slide(prs, spec, total)
    for (section, chart), picture in zip(spec.charts, pictures or [None] * len(spec.charts), strict=True):
        if not chart.empty:
            _chart_slide(prs, spec, section, chart, picture, total, native=pictures is None)
    _closing_slide(prs, spec, total)
    for slide in prs.slides:  # one pass: the East Asian font and the language on every run
        pptx_charts.fonts_everywhere(slide.shapes._spTree, spec.lang)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _theme_fonts(prs) -> None:
    # Theme fonts cover any text without its own run font (e.g. new text typed into the deck later).
    theme = prs.slide_masters[0].part.part_related_by(RELATIONSHIP_TYPE.THEME)
    xml = theme.blob.decode("utf-8")
    xml = re.sub(r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{FONT}"', xml)
    xml = re.sub(r'<a:ea typeface="[^"]*"', f'<a:ea typeface="{FONT}"', xml)
    xml = re.sub(r'<a:font script="Hans" typeface="[^"]*"', f'<a:font script="Hans" typeface="{FONT}"', xml)
    theme._blob = xml.encode("utf-8")


def _style(run, size: float, *, bold: bool = False, colour: RGBColor = INK) -> None:
    font = run.font
    font.size, font.bold = Pt(size), bold
    font.color.rgb = colour
    # a:latin and a:ea (what PowerPoint/WPS use for Chinese) come in write_pptx's last pass over every run


def _text(
    slide,
    left,
    top,
    width,
    height,
    lines: Sequence[str] | str,
    size: float,
    *,
    bold: bool = False,
    colour: RGBColor = INK,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
    name: str | None = None,
    spacing: float | None = None,
):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    _fill_frame(box.text_frame, lines, size, bold=bold, colour=colour, align=align, anchor=anchor, spacing=spacing)
    return box


def _fill_frame(
    frame, lines, size, *, bold=False, colour=INK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP, spacing=None
):
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.08)
    for i, line in enumerate([lines] if isinstance(lines, str) else list(lines)):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if spacing:
            paragraph.space_after = Pt(spacing)
        run = paragraph.add_run()
        run.text = line
        _style(run, size, bold=bold, colour=colour)


TITLE_TOP = Inches(0.42)


def _set_title(slide, text: str, *, top=TITLE_TOP, size: float = 26, colour: RGBColor = BLUE) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, top, CONTENT_W, Inches(0.7)
    title.text_frame.text = ""
    if size == 26 and _width(text) > 64:  # a long chart title still fits one line
        size = 22
    _fill_frame(title.text_frame, text, size, bold=True, colour=colour, anchor=MSO_ANCHOR.MIDDLE)


def _width(text: object) -> int:
    """Display width in half-width characters (CJK counts double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _footer(slide, spec: DeckSpec, number: int, total: int, scope: str | None = None) -> None:
    line = slide.shapes.add_connector(1, MARGIN, Inches(6.98), SLIDE_W - MARGIN, Inches(6.98))
    line.line.color.rgb = RGBColor(0xD1, 0xD5, 0xDB)
    _text(
        slide,
        MARGIN,
        Inches(7.02),
        Inches(10.8),
        Inches(0.36),
        footer_text(spec, scope),
        10,
        colour=MUTED,
        name="Footer",
    )
    _text(
        slide,
        SLIDE_W - MARGIN - Inches(1.4),
        Inches(7.02),
        Inches(1.4),
        Inches(0.36),
        f"{number} / {total}",
        10,
        colour=MUTED,
        align=PP_ALIGN.RIGHT,
        name="Slide number",
    )


def _band(slide, left, top, width, height, colour: RGBColor):
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()
    shape.shadow.inherit = False
    return shape


def _title_slide(prs, spec: DeckSpec, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _band(slide, 0, 0, SLIDE_W, Inches(4.3), BLUE)
    title = slide.shapes.title
    # keep the title placeholder above the band in z-order
    slide.shapes._spTree.remove(title._element)
    slide.shapes._spTree.append(title._element)
    _set_title(slide, spec.title, top=Inches(1.9), size=36, colour=WHITE)
    slide.shapes.title.height = Inches(1.2)
    lines = [spec.scope, spec.data_date, made_on(spec)]
    _text(slide, MARGIN, Inches(4.7), CONTENT_W, Inches(1.6), lines, 18, colour=INK, name="Scope", spacing=6)
    if spec.is_demo:
        _text(
            slide, MARGIN, Inches(6.2), CONTENT_W, Inches(0.5), t("brief_demo", spec.lang), 14, bold=True, colour=WARN
        )
    _footer(slide, spec, 1, total)


def _kpi_slide(prs, spec: DeckSpec, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(slide, t("brief_kpi_title", spec.lang))
    _takeaway(slide, spec.kpi_takeaway)
    rows = spec.kpi_rows
    if rows.empty:
        _text(slide, MARGIN, PICTURE_TOP, CONTENT_W, Inches(1), t("brief_no_kpis", spec.lang), 16, colour=MUTED)
    else:
        _table(slide, rows, top=PICTURE_TOP, max_height=PICTURE_H, size=12)
    _footer(slide, spec, 2, total)


def _takeaway(slide, text: str) -> None:
    if not text:
        return
    box = _band(slide, MARGIN, Inches(1.18), CONTENT_W, Inches(0.66), PALE)
    box.name = "Takeaway"
    # about 110 half-width characters fit on one line at 16 pt; longer sentences get two lines at 14 pt
    _fill_frame(
        box.text_frame, text, 16 if _width(text) <= 108 else 14, bold=True, colour=INK, anchor=MSO_ANCHOR.MIDDLE
    )
    box.text_frame.margin_left = Inches(0.2)


def _table(slide, frame: pd.DataFrame, *, top, max_height, size: float) -> None:
    n_rows = min(len(frame), TABLE_ROWS + 2) + 1
    row_h = min(Inches(0.42), int(max_height / n_rows))
    shape = slide.shapes.add_table(n_rows, len(frame.columns), MARGIN, top, CONTENT_W, row_h * n_rows)
    table = shape.table
    _column_widths(table, frame)
    numeric = [_looks_numeric(frame[c].head(n_rows - 1)) for c in frame.columns]
    for j, column in enumerate(frame.columns):
        cell = table.cell(0, j)
        cell.text_frame.text = ""
        _fill_frame(
            cell.text_frame,
            str(column),
            size,
            bold=True,
            colour=WHITE,
            align=PP_ALIGN.RIGHT if numeric[j] else PP_ALIGN.LEFT,
        )
    for i, (_, row) in enumerate(frame.head(n_rows - 1).iterrows(), start=1):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text_frame.text = ""
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            _fill_frame(cell.text_frame, text, size, align=PP_ALIGN.RIGHT if numeric[j] else PP_ALIGN.LEFT)
    for i in range(n_rows):
        table.rows[i].height = row_h


def _looks_numeric(values: pd.Series) -> bool:
    # numbers (also formatted ones such as "3.37万人次", "+2.1个百分点", "—", "<5") align right, words left
    if pd.api.types.is_numeric_dtype(values):
        return True
    texts = [str(v) for v in values.dropna()]
    return bool(texts) and all(re.match(r"^[-+−±—<]|^\d", t) for t in texts)


def _column_widths(table, frame: pd.DataFrame) -> None:
    # widths follow the longest text in each column (CJK characters count double)
    needs = [max([_width(c), *(_width(v) for v in frame[c].head(14))]) + 2 for c in frame.columns]
    total = sum(needs)
    for j, need in enumerate(needs):
        table.columns[j].width = int(CONTENT_W * need / total)


def _chart_slide(
    prs, spec: DeckSpec, section: Section, chart: Chart, picture: bytes | None, total: int, *, native: bool = True
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    number = len(prs.slides)
    _text(slide, MARGIN, Inches(0.12), CONTENT_W, Inches(0.34), section.title, 12, colour=MUTED, name="Section")
    _set_title(slide, chart.title)
    _takeaway(slide, chart.takeaway)
    if native:
        pptx_charts.add(slide.shapes, chart, MARGIN, PICTURE_TOP, CONTENT_W, PICTURE_H, lang=spec.lang)
    elif picture is not None:
        width_px, height_px = PICTURE_PX
        width = min(CONTENT_W, int(PICTURE_H * width_px / height_px))
        height = int(width * height_px / width_px)
        left = MARGIN + int((CONTENT_W - width) / 2)
        slide.shapes.add_picture(io.BytesIO(picture), left, PICTURE_TOP, width, height)
    else:
        shown, more = readable_table(chart, spec.lang)
        note = (
            t("brief_no_browser_more", spec.lang, total=more, shown=len(shown))
            if more
            else t("brief_no_browser", spec.lang)
        )
        _text(slide, MARGIN, PICTURE_TOP, CONTENT_W, Inches(0.4), note, 11, colour=MUTED)
        if not shown.empty:
            _table(slide, shown, top=PICTURE_TOP + Inches(0.45), max_height=PICTURE_H - Inches(0.45), size=11)
    _footer(slide, spec, number, total, chart.scope or None)


def _closing_slide(prs, spec: DeckSpec, total: int) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(slide, t("brief_sources_title", spec.lang))
    lines = source_lines(spec)
    size = 15 if len(lines) <= 12 else 12
    _text(
        slide,
        MARGIN,
        Inches(1.35),
        CONTENT_W,
        Inches(5.4),
        [f"• {line}" for line in lines],
        size,
        name="Sources",
        spacing=8 if size == 15 else 4,
    )
    _footer(slide, spec, total, total)


# ---------------------------------------------------------------- reading a deck back (tests, checks)


def slide_texts(pptx: bytes) -> list[dict]:
    """Per slide: title, every text, and how many pictures, tables and charts it has (tests, the CLI summary)."""
    prs = Presentation(io.BytesIO(pptx))
    out = []
    for slide in prs.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text]
        out.append(
            {
                "title": slide.shapes.title.text_frame.text if slide.shapes.title is not None else "",
                "texts": texts,
                "named": {shape.name: shape.text_frame.text for shape in slide.shapes if shape.has_text_frame},
                "pictures": sum(1 for shape in slide.shapes if shape.shape_type == 13),
                "tables": sum(1 for shape in slide.shapes if shape.has_table),
                "charts": sum(1 for shape in slide.shapes if getattr(shape, "has_chart", False)),
            }
        )
    return out


def with_sections(spec: DeckSpec, sections: Sequence[Section]) -> DeckSpec:
    """The same deck with other sections (handy for scaling benchmarks)."""
    return replace(spec, sections=tuple(sections))


# ---------------------------------------------------------------- building a spec from the query layer

DEFAULT_SECTIONS = ("overview", "ideology", "skills", "merit", "innovation", "service")
NUMERALS = "一二三四五"


@dataclass(frozen=True)
class Recipe:
    """One chart of a section: which reporting.spec recipe, for which indicator(s), split by what."""

    kind: str  # progress | ranking | trend | heatmap | breakdown | targets
    codes: tuple[str, ...] = ()
    dim: str | None = None


RECIPES: dict[str, tuple[Recipe, ...]] = {
    "overview": (Recipe("progress"), Recipe("trend", ("P5_MEMBER_RATE",))),
    "ideology": (Recipe("ranking", ("P1_CRAFTSMEN",), "county"), Recipe("ranking", ("P1_LECTURE_REACH",), "county")),
    "skills": (
        Recipe("ranking", ("P2_ACADEMY_TRAINEES",), "county"),
        Recipe("breakdown", ("P2_TRAINEES",), "kind"),
        Recipe("ranking", ("P2_SKILL_CONTESTANTS",), "chain"),
    ),
    "merit": (
        Recipe("ranking", ("P3_LABOUR_REACH",), "county"),
        Recipe("breakdown", ("P3_LABOUR_CONTESTS",), "level"),
        Recipe("ranking", ("P3_ADVANCED",), "county"),
    ),
    "innovation": (
        Recipe("targets", ("P4_INNOVATIVE_FIRMS",)),
        Recipe("breakdown", ("P4_STUDIOS",), "level"),
        Recipe("ranking", ("P4_RESULTS",), "county"),
    ),
    "service": (
        Recipe("ranking", ("P5_MEMBER_RATE",), "county"),
        Recipe("heatmap", ("P5_MEMBER_RATE",)),
        Recipe("breakdown", ("P5_AID_FUNDS",), "kind"),
    ),
    "chain": (
        Recipe("ranking", ("P5_MEMBER_RATE",), "county"),
        Recipe("trend", ("P5_MEMBER_RATE",)),
        Recipe("ranking", ("P2_SKILL_CONTESTANTS",), "county"),
    ),
    "county": (
        Recipe("ranking", ("P5_MEMBER_RATE",), "chain"),
        Recipe("trend", ("P5_UNION_RATE", "P5_MEMBER_RATE")),
        Recipe("ranking", ("P2_SKILL_CONTESTANTS",), "chain"),
    ),
}


def _spec(recipe: Recipe, ctx: recipes.Context) -> ChartSpec:
    """The shared chart spec of one recipe (the same one the dashboard draws)."""
    from data_pipeline import reference

    if recipe.kind == "progress":
        codes = tuple(sorted((i for i in reference.indicators() if i.headline), key=lambda i: (i.project, i.headline)))
        return recipes.progress(ctx, tuple(i.code for i in codes))
    if recipe.kind == "ranking":
        return recipes.ranking(ctx, recipe.codes[0], recipe.dim or "county")
    if recipe.kind == "trend":
        return recipes.trend(ctx, recipe.codes)
    if recipe.kind == "heatmap":
        return recipes.heatmap(ctx, recipe.codes[0])
    if recipe.kind == "breakdown":
        return recipes.breakdown(ctx, recipe.codes[0], recipe.dim or "kind")
    if recipe.kind == "targets":
        return recipes.innovation_targets(ctx)
    raise ValueError(f"unknown chart kind {recipe.kind!r}")


def _offered(recipe: Recipe) -> bool:
    """A recipe asks only for a breakdown or a ranking the indicator has (catalogue dims)."""
    from data_pipeline import reference

    if recipe.kind in ("ranking", "breakdown") and recipe.codes:
        return (recipe.dim or "") in reference.indicator(recipe.codes[0]).dims
    return True


def section_choices(lang: str = "zh") -> dict[str, str]:
    """Section key → label for the fixed sections (overview and the five projects)."""
    from data_pipeline import reference

    out = {"overview": t("nav_overview", lang)}
    for p in reference.projects():
        out[p.slug] = f"{NUMERALS[p.project - 1]}、{p.short_zh}" if lang == "zh" else f"{p.project}. {p.short_en}"
    return out


def parse_sections(items: Sequence[str]) -> list[str]:
    """Section words → keys: overview, p1…p5 / 1…5 / slugs, chain:<code|name>, county:<code|name>.

    Raises ValueError with a Chinese sentence naming the word it did not understand.
    """
    from data_pipeline import reference

    slugs = {p.slug: p.slug for p in reference.projects()}
    slugs.update({f"p{p.project}": p.slug for p in reference.projects()})
    slugs.update({str(p.project): p.slug for p in reference.projects()})
    slugs.update({p.short_zh: p.slug for p in reference.projects()})
    slugs.update({"overview": "overview", "总览": "overview"})
    out: list[str] = []
    for raw in items:
        for word in (w.strip() for w in re.split(r"[,，\s]+", raw)):
            if not word:
                continue
            dim, sep, value = word.partition(":")
            if sep and dim in ("chain", "county"):
                code = _dimension_code(value, dim)
                key = f"{dim}:{code}"
            elif word.lower() in slugs or word in slugs:
                key = slugs.get(word.lower(), slugs.get(word))
            else:
                raise ValueError(
                    f"无法识别的简报章节“{word}”：可用 overview、p1…p5（或 {'、'.join(p.slug for p in reference.projects())}）、chain:产业链、county:县市区"
                )
            if key not in out:
                out.append(key)
    return out


def _dimension_code(value: str, dim: str) -> str:
    from data_pipeline import reference

    code = reference.code_of(dim, value)
    if code is None:
        kind = "县市区" if dim == "county" else "产业链"
        raise ValueError(f"未找到{kind}“{value}”，请使用代码或中文名称")
    return code


def dimension_codes(values: Sequence[str], dim: str) -> tuple[str, ...]:
    """County/chain codes from codes, Chinese names or aliases (CLI arguments); ValueError on unknown ones."""
    return tuple(dict.fromkeys(_dimension_code(v, dim) for v in values))


def build_spec(
    source,
    filters,
    sections: Sequence[str] = DEFAULT_SECTIONS,
    *,
    title: str | None = None,
    lang: str = "zh",
) -> DeckSpec:
    """A deck spec from the query layer. `source` is a DuckDB connection/cursor, or `ask(question, *args)`
    (the dashboard passes its cached `ui.ask`; questions are metrics functions); `filters` is a metrics.Filters
    (with the user's scope); `sections` as parse_sections. Every chart is the dashboard's own chart spec."""
    from data_pipeline import reference
    from reporting.i18n import t

    ask = source if callable(source) else recipes.direct(source)
    info = ask(metrics.info)
    ctx = recipes.Context(ask, filters, lang, info.get("data_through"))
    labels = section_choices(lang)
    built: list[Section] = []
    for key in parse_sections(sections):  # accepts the same words as the command line
        dim, _, code = key.partition(":")
        if code:
            section_ctx = ctx.focus(dim, code)
            label = t("label_plain", lang, label=t(f"col_{dim}", lang), value=recipes.names(dim, lang).get(code, code))
            chosen = RECIPES[dim]
        else:
            section_ctx, label, chosen = ctx, labels[key], RECIPES[key]
        charts = tuple(Chart.of(_spec(r, section_ctx)) for r in chosen if _offered(r))
        built.append(Section(label, charts))

    headline = sorted((row for row in reference.indicators() if row.headline), key=lambda r: (r.project, r.headline))
    kpis = ask(metrics.kpis, filters, tuple(r.code for r in headline))
    kpi_rows = _kpi_rows(kpis, headline, lang)
    slugs = {p.slug: p.project for p in reference.projects()}
    for n, key in enumerate(parse_sections(sections)):  # a project's section: its headline rows, what is behind
        if key in slugs:
            rows = [i for i, r in enumerate(headline) if r.project == slugs[key]]
            codes = tuple(i.code for i in reference.indicators() if i.project == slugs[key])
            built[n] = replace(
                built[n],
                kpi_rows=kpi_rows.iloc[rows].reset_index(drop=True),
                behind=tuple(_behind(ask, ctx, codes)),
            )
    summary = takeaways.status_summary(kpis, lang)
    where = _behind(ask, ctx, tuple(r.code for r in headline), indicators=False)
    return DeckSpec(
        title=title or t("deck_title", lang),
        scope=ctx.scope(),
        data_date=ctx.data_date,
        footer=t("brief_footer", lang, scope=ctx.scope(), date=ctx.data_date),
        sections=tuple(built),
        kpi_rows=kpi_rows,
        kpi_takeaway=summary,
        summary=" ".join([summary, *where]),
        sources=tuple(_sources(ask, info, ctx.data_date, lang)),
        is_demo=_truthy(info.get("is_demo")),
        lang=lang,
    )


def _behind(ask, ctx: recipes.Context, codes: tuple[str, ...], *, indicators: bool = True) -> list[str]:
    """Sentences on what is behind what was due by now, and where (the counties and chains furthest behind)."""
    from data_pipeline import reference

    lang = ctx.lang
    sep = "、" if lang == "zh" else "; "
    out = []
    kpis = ask(metrics.kpis, ctx.filters, codes)
    if indicators:
        for _, k in kpis.loc[kpis["status"] == "behind"].sort_values("relative_gap").iterrows():
            ind = reference.indicator(k["indicator"])
            unit = recipes.indicator_unit(ind.code, lang)
            value = fmt_value(k["value"], unit, ind.decimals, lang)
            due = fmt_value(k["expected"], unit, ind.decimals, lang)
            out.append(
                t("brief_behind_indicator", lang, name=recipes.indicator_name(ind.code, lang), value=value, due=due)
            )
    units = ask(metrics.attention, ctx.filters, codes)
    for dim in ("county", "chain"):
        rows = units.loc[units["dim"] == dim]
        if not rows.empty:
            names = sep.join(
                f"{r['name_en' if lang == 'en' else 'name_zh']}（{recipes.indicator_name(r['indicator'], lang)}）"
                if lang == "zh"
                else f"{r['name_en']} ({recipes.indicator_name(r['indicator'], lang)})"
                for _, r in rows.iterrows()
            )
            out.append(t(f"lagging_{dim}", lang, items=names))
    return out


def fmt_value(value, unit: str, decimals: int, lang: str) -> str:
    from reporting import format as fmt

    return fmt.value(value, unit, decimals, lang)


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "t")


def _kpi_rows(kpis: pd.DataFrame, headline: list, lang: str = "zh") -> pd.DataFrame:
    """The headline table: indicator, project, value, change, what was due, year target, status (formatted)."""
    from reporting import format as fmt
    from reporting.i18n import code_label

    by_code = kpis.set_index("indicator") if not kpis.empty else pd.DataFrame()
    basis = kpis["basis"].iloc[0] if not kpis.empty else "quarter"
    rows = []
    for r in headline:
        k = by_code.loc[r.code] if r.code in by_code.index else None

        def get(col, k=k):
            return k[col] if k is not None and col in k.index else None

        hidden = bool(get("suppressed"))
        unit = recipes.indicator_unit(r.code, lang)
        status = get("status")
        due = t("brief_q4", lang) if status == "not_yet_due" else fmt.value(get("expected"), unit, r.decimals, lang)
        rows.append(
            {
                t("col_indicator", lang): recipes.indicator_name(r.code, lang),
                t("col_project", lang): _project_short(r.project, lang),
                t("col_value", lang): fmt.SMALL_TEXT if hidden else fmt.value(get("value"), unit, r.decimals, lang),
                t(f"vs_{basis}", lang): "—" if hidden else fmt.change(get("change"), unit, r.decimals, lang) or "—",
                t("expected", lang): due,
                t("year_target", lang): fmt.value(get("target"), unit, r.decimals, lang),
                t("status", lang): code_label("judgement", status, lang),
            }
        )
    return pd.DataFrame(rows)


def _project_short(project: int, lang: str = "zh") -> str:
    from data_pipeline import reference

    return next((p.short_zh if lang == "zh" else p.short_en) for p in reference.projects() if p.project == project)


def _sources(ask, info: dict, data_date: str, lang: str = "zh") -> list[str]:
    from data_pipeline import reference

    lines = []
    try:
        manifest = ask(metrics.manifest)
    except Exception:  # noqa: BLE001 - the closing slide still lists what it can
        manifest = pd.DataFrame()
    titles = {d.dataset: (d.title_en if lang == "en" else d.title_zh) for d in reference.datasets()}
    if not manifest.empty and "status" in manifest.columns:
        loaded = manifest[manifest["status"] == "loaded"]
        for dataset, rows in loaded.groupby("dataset", sort=True):
            latest = pd.to_datetime(rows["loaded_at"]).max() if "loaded_at" in rows.columns else None
            when = (
                t("deck_latest", lang, when=f"{latest:%Y-%m-%d}") if latest is not None and not pd.isna(latest) else ""
            )
            lines.append(t("deck_files", lang, title=titles.get(dataset, dataset), n=len(rows), when=when))
    lines.insert(0, t("deck_source_loaded" if lines else "deck_source", lang))
    built = info.get("built_at")
    lines.append(f"{data_date}" + (t("deck_built", lang, when=str(built)[:16].replace("T", " ")) if built else ""))
    quarantined = info.get("rows_quarantined")
    if quarantined not in (None, "", "0", 0):
        lines.append(t("deck_quarantined", lang, n=quarantined))
    lines.append(t("deck_method", lang))
    if _truthy(info.get("is_demo")):
        lines.append(t("deck_demo", lang))
    return lines


def build_deck(
    source,
    filters,
    sections: Sequence[str] = DEFAULT_SECTIONS,
    *,
    charts: str = "native",
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
    with_zip: bool = False,
    with_pptx: bool = True,
    with_docx: bool = False,
    with_xlsx: bool = True,
) -> tuple[DeckSpec, Briefing]:
    """The spec from the query layer, then the files. When pictures are wanted (`charts="image"` or the ZIP),
    the browser starts while the query layer answers and renders every image in that one session."""
    say = progress or (lambda _message: None)
    session = None
    if charts == "image" or with_zip:
        try:
            session = export.BrowserSession()
        except export.ChromeNotFound:
            session = None
    try:
        say(t("deck_querying", lang))
        spec = build_spec(source, filters, sections, lang=lang)
        return spec, render_deck(
            spec,
            charts=charts,
            progress=say,
            with_zip=with_zip,
            with_pptx=with_pptx,
            with_docx=with_docx,
            with_xlsx=with_xlsx,
            session=session,
        )
    finally:
        if session is not None:
            session.close()


def charts_zip(spec: DeckSpec, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """Every chart of the deck that has data as a 16:9 PNG (as on screen), in one browser session."""
    named = [(chart.title, chart.draw()) for _, chart in spec.charts if not chart.empty]
    return export.charts_zip(named, width=ZIP_PX[0], height=ZIP_PX[1], scale=2, progress=progress)
