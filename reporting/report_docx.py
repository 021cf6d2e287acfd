"""The Word 简报 (.docx) from a deck spec: the written report leaders read.

Title block; a summary of where the city stands with the headline table; one section per 工程 (its headline
numbers, what is behind and where, each chart's takeaway as a sentence with the chart under it); the
sources, data date and scope at the end. Headings use Word's built-in Heading styles, so the navigation pane
and an inserted table of contents work. Charts are native Office charts (the same builder as the deck's, data
embedded, "编辑数据" in Word and WPS); heatmaps are coloured tables; with `pictures`, the screen's images.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor
from pptx import Presentation

from reporting import pptx_charts
from reporting.briefing import PICTURE_PX, footer_text, made_on, readable_table, source_lines
from reporting.i18n import t
from reporting.pptx_charts import FONT

CJK = re.compile(r"[\u2e80-\u9fff]")
BLUE = RGBColor(0x1F, 0x5A, 0xA6)
INK = RGBColor(0x1F, 0x29, 0x37)
MUTED = RGBColor(0x6B, 0x72, 0x80)
WARN = RGBColor(0xC6, 0x28, 0x28)
PAGE_W, PAGE_H = Cm(21), Cm(29.7)  # A4
MARGIN_X, MARGIN_Y = Cm(2.2), Cm(2.2)
TEXT_W = PAGE_W - 2 * MARGIN_X
# Sizes in points: 五号 body, 小四 for sections
STYLES = {
    "Normal": (10.5, False, INK),
    "Title": (22, True, BLUE),
    "Heading 1": (16, True, BLUE),
    "Heading 2": (12.5, True, INK),
    "Heading 3": (11, True, INK),
    "Caption": (9, False, MUTED),
    "List Bullet": (10.5, False, INK),
    "Footer": (8.5, False, MUTED),
    "Header": (8.5, False, MUTED),
}


def write_docx(spec, pictures: Sequence[bytes | None] | None = None) -> bytes:
    """The report as DOCX bytes. Without `pictures`, native charts; with them (one PNG or None per chart of
    spec.charts, in order), pictures, and a small data table where there is None."""
    lang = spec.lang
    doc = Document()
    _page(doc)
    _styles(doc, lang)
    charts = _ChartFactory(doc, lang) if pictures is None else None
    by_chart = dict(zip((id(c) for _, c in spec.charts), pictures or [], strict=False))
    numbers = {"table": 0}

    def caption(title: str) -> None:
        numbers["table"] += 1
        p = doc.add_paragraph(t("brief_table_caption", lang, n=numbers["table"], title=title), style="Caption")
        p.paragraph_format.keep_with_next = True

    # title block
    doc.add_paragraph(spec.title, style="Title")
    for line in (spec.scope, spec.data_date, _made_on(spec)):
        _muted(doc.add_paragraph(line))
    if spec.is_demo:
        run = doc.add_paragraph().add_run(t("brief_demo", lang))
        run.bold, run.font.color.rgb = True, WARN

    # where the city stands
    doc.add_heading(t("brief_summary", lang), level=1)
    summary = spec.summary or spec.kpi_takeaway
    if summary:
        doc.add_paragraph(summary)
    if not spec.kpi_rows.empty:
        caption(t("brief_kpi_title", lang))
        _table(doc, spec.kpi_rows)
    else:
        _muted(doc.add_paragraph(t("brief_no_kpis", lang)))

    for section in spec.sections:
        shown = [c for c in section.charts if not c.empty]
        if not shown and section.kpi_rows.empty and not section.behind:
            continue  # nothing to say in this range: no empty section (the sources name the charts left out)
        doc.add_heading(section.title, level=1)
        if not section.kpi_rows.empty:
            caption(f"{section.title} · {t('brief_section_kpis', lang)}")
            _table(doc, section.kpi_rows)
        if section.behind:
            p = doc.add_paragraph()
            p.add_run(t("brief_behind", lang, items="")).bold = True
            for item in section.behind:
                doc.add_paragraph(item, style="List Bullet")
        for chart in shown:
            doc.add_heading(chart.title, level=2).paragraph_format.keep_with_next = True
            if chart.takeaway:
                doc.add_paragraph(chart.takeaway).paragraph_format.keep_with_next = True
            if charts is not None:
                charts.add(chart)
            else:
                _picture_or_table(doc, chart, by_chart.get(id(chart)), lang)
            if chart.scope and chart.scope != spec.scope:
                _muted(doc.add_paragraph(t("brief_footer", lang, scope=chart.scope, date=spec.data_date)))

    doc.add_heading(t("brief_sources_title", lang), level=1)

    lines = [t("brief_scope", lang, scope=spec.scope), *source_lines(spec)]
    if not any(spec.data_date in line for line in lines):
        lines.insert(1, spec.data_date)
    for line in lines:
        doc.add_paragraph(line, style="List Bullet")
    _footer(doc, spec)
    doc.core_properties.title = spec.title
    doc.core_properties.language = "en-US" if lang == "en" else "zh-CN"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _made_on(spec) -> str:

    return made_on(spec)


# ---------------------------------------------------------------- page, styles, fonts


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.left_margin = section.right_margin = MARGIN_X
    section.top_margin = section.bottom_margin = MARGIN_Y


def _fonts(rpr, lang: str) -> None:
    """Name FONT for Latin and East Asian text (w:rFonts w:eastAsia), dropping theme fonts that would win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), "en-US" if lang == "en" else "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")


def _styles(doc, lang: str) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _fonts(rpr, lang)
    for name, (size, bold, colour) in STYLES.items():
        style = doc.styles[name]
        font = style.font
        font.size, font.bold, font.color.rgb = Pt(size), bold, colour
        font.italic = False
        _fonts(style.element.get_or_add_rPr(), lang)
        fmt = style.paragraph_format
        if name.startswith("Heading"):
            fmt.space_before, fmt.space_after = Pt(14 if name == "Heading 1" else 10), Pt(4)
            fmt.keep_with_next = True
        elif name == "Normal":
            fmt.space_after = Pt(4)
            fmt.line_spacing = 1.3
        elif name == "Title":
            fmt.space_after = Pt(8)
            _no_border(style)
    # the title's bottom rule in the default template is a paragraph border; headings keep a clean look


def _no_border(style) -> None:
    ppr = style.element.find(qn("w:pPr"))
    if ppr is not None:
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)


def _muted(paragraph) -> None:
    for run in paragraph.runs:
        run.font.color.rgb = MUTED
        run.font.size = Pt(9.5)
    paragraph.paragraph_format.space_after = Pt(2)


def _footer(doc, spec) -> None:

    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.style = doc.styles["Footer"]
    paragraph.add_run(footer_text(spec) + "    ")
    before, _, after = t("brief_page", spec.lang).partition("{n}")
    paragraph.add_run(before)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(after)  # runs append after the field


# ---------------------------------------------------------------- tables


def _width(text: object) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _numeric(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values):
        return True
    texts = [str(v) for v in values.dropna()]
    return bool(texts) and all(re.match(r"^[-+−±—<]|^\d", s) for s in texts)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#").upper())
    tcpr.append(shd)


def _cell_text(cell, text: str, *, size: float = 9, bold: bool = False, colour=INK, align=WD_ALIGN_PARAGRAPH.LEFT):
    lines = str(text).split("\n")
    paragraph = cell.paragraphs[0]
    for k, line in enumerate(lines):
        p = paragraph if k == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        run = p.add_run(line)
        run.font.size = Pt(size)
        run.bold = bold or (k == 0 and len(lines) > 1)
        run.font.color.rgb = colour


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _table(doc, frame: pd.DataFrame, *, size: float = 9) -> None:
    """A formatted table: blue header row (repeated on each page), numbers right-aligned, widths by content."""
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    numeric = [_numeric(frame[c]) for c in frame.columns]
    needs = [max([_width(c), *(_width(v) for v in frame[c].head(20))]) + 2 for c in frame.columns]
    widths = [int(TEXT_W * n / sum(needs)) for n in needs]
    header = table.rows[0]
    _repeat_header(header)
    for j, column in enumerate(frame.columns):
        cell = header.cells[j]
        _shade(cell, "1F5AA6")
        align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[j] else WD_ALIGN_PARAGRAPH.LEFT
        _cell_text(cell, str(column), size=size, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF), align=align)
    for _, row in frame.iterrows():
        cells = table.add_row().cells
        for j, value in enumerate(row):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric[j] else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cells[j], text, size=size, align=align)
    _widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _widths(table, widths: list[int]) -> None:
    # Word reads the cell widths, LibreOffice the grid columns: set both, and keep them (no autofit).
    table.autofit = False
    for j, column in enumerate(table.columns):
        column.width = Emu(widths[j])
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            cell.width = Emu(widths[j])


def _grid_table(doc, g: pptx_charts.Grid) -> None:
    """A heatmap or tile grid as a Word table, cells filled on the same colour scale as the slide."""
    label = 1 if g.rows else 0
    n_cols = (len(g.cells[0]) if g.cells else 0) + label
    table = doc.add_table(rows=0, cols=n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tight(table)
    size = 7.5 if n_cols > 8 else 9
    head = size - (1.5 if any(not CJK.search(c) for c in g.columns) else 0)  # long English place names
    first = int(TEXT_W * (0.22 if label and not CJK.search(" ".join(g.rows)) else 0.18)) if label else 0
    other = int((TEXT_W - first) / max(n_cols - label, 1))
    widths = ([first] if label else []) + [other] * (n_cols - label)
    white = RGBColor(0xFF, 0xFF, 0xFF)
    if g.columns:
        cells = table.add_row().cells
        _repeat_header(table.rows[-1])
        for j, text in enumerate(([g.corner] if label else []) + g.columns):
            _shade(cells[j], "1F5AA6")
            _cell_text(cells[j], text, size=head, bold=True, colour=white, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, row in enumerate(g.cells):
        cells = table.add_row().cells
        if label:
            _cell_text(cells[0], g.rows[i], size=size)
        for j, c in enumerate(row, start=label):
            if c.fill:
                _shade(cells[j], c.fill)
            ink = RGBColor.from_string(c.ink.lstrip("#").upper())
            _cell_text(cells[j], c.text, size=size, colour=ink, align=WD_ALIGN_PARAGRAPH.CENTER)
    _widths(table, widths)


def _tight(table, twips: int = 40) -> None:
    """Narrow cell margins (about 0.07 cm): ten county columns fit a portrait page."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    table._tbl.tblPr.append(margins)


def _key(doc, pieces: list[tuple[str, str]]) -> None:
    """The line under a chart: what the colours mean, what "<5" means, the unit."""
    if not pieces:
        return
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(8)
    for text, colour in pieces:
        run = paragraph.add_run(text)
        run.font.size = Pt(8.5)
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())


def _picture_or_table(doc, chart, picture: bytes | None, lang: str) -> None:

    if picture is not None:
        height = int(TEXT_W * PICTURE_PX[1] / PICTURE_PX[0])
        doc.add_paragraph().add_run().add_picture(io.BytesIO(picture), width=TEXT_W, height=height)
        return
    shown, more = readable_table(chart, lang, limit=15)
    note = t("brief_no_browser_more", lang, total=more, shown=len(shown)) if more else t("brief_no_browser", lang)
    _muted(doc.add_paragraph(note))
    if not shown.empty:
        _table(doc, shown)


# ---------------------------------------------------------------- native charts in Word


class _ChartFactory:
    """Office charts for the report: drawn by reporting.pptx_charts on a scratch slide, then the chart part and
    its embedded workbook are moved into the Word package (a DrawingML chart is the same part in both)."""

    def __init__(self, doc, lang: str) -> None:
        self.doc = doc
        self.lang = lang
        self.scratch = Presentation()
        self.slide = self.scratch.slides.add_slide(self.scratch.slide_layouts[6])
        self.count = 0

    def add(self, chart) -> None:
        if chart.kind in pptx_charts.TABLE_KINDS:
            g = pptx_charts.grid(chart, self.lang)
            _grid_table(self.doc, g)
            _key(self.doc, pptx_charts._key_lines([], g.small_note, g.note, self.lang))
            return
        p = pptx_charts.plot(chart, self.lang)
        n = len(p.categories)
        height = Cm(max(6.0, 2.0 + 0.9 * n)) if p.horizontal else Cm(7.5 if p.line else 7.0)
        frame = pptx_charts.add_plot(self.slide.shapes, p, 0, 0, TEXT_W, height, lang=self.lang, size=9)
        chart_part = frame.chart_part
        xml, workbook = chart_part.blob, chart_part.chart_workbook.xlsx_part.blob
        self.slide.shapes._spTree.remove(frame._element)  # the scratch slide keeps nothing
        self._embed(xml, workbook, TEXT_W, height, chart.title)
        _key(self.doc, pptx_charts.key_pieces(p, self.lang))

    def _embed(self, xml: bytes, workbook: bytes, width: int, height: int, title: str) -> None:
        package = self.doc.part.package
        self.count += 1
        sheet = Part(
            package.next_partname("/word/embeddings/Microsoft_Excel_Worksheet%d.xlsx"), CT.SML_SHEET, workbook, package
        )
        part = Part(package.next_partname("/word/charts/chart%d.xml"), CT.DML_CHART, b"", package)
        sheet_rid = part.relate_to(sheet, RT.PACKAGE)
        part._blob = re.sub(rb'(<c:externalData r:id=")[^"]*(")', rb"\g<1>" + sheet_rid.encode() + rb"\g<2>", xml)
        rid = self.doc.part.relate_to(part, RT.CHART)
        docpr = self.doc.part.next_id
        name = re.sub(r'[<>&"]', "", title)[:60]
        inline = parse_xml(
            f'<wp:inline distT="0" distB="0" distL="0" distR="0" {nsdecls("wp", "a", "c", "r")}>'
            f'<wp:extent cx="{int(width)}" cy="{int(height)}"/>'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{docpr}" name="Chart {self.count}" descr="{name}"/>'
            "<wp:cNvGraphicFramePr/>"
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            f'<c:chart r:id="{rid}"/>'
            "</a:graphicData></a:graphic></wp:inline>"
        )
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        paragraph = self.doc.add_paragraph()
        paragraph.paragraph_format.keep_with_next = False
        paragraph.add_run()._r.append(drawing)


def chart_parts(docx: bytes) -> list[tuple[bytes, bytes | None]]:
    """(chart XML, embedded workbook) of every native chart in a report, in document order (tests, checks)."""
    doc = Document(io.BytesIO(docx))
    rels = doc.part.rels
    out = []
    body = doc.element.body
    for chart in body.iter(qn("c:chart")):
        part = rels[chart.get(qn("r:id"))].target_part
        workbook = next((r.target_part.blob for r in part.rels.values() if r.reltype == RT.PACKAGE), None)
        out.append((part.blob, workbook))
    return out
