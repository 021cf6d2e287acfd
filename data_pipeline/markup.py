"""The marked-up copy of an upload: the person's own workbook with every problem cell coloured and explained.

Errors are filled red (FFC7CE), warnings amber (FFEB9C); each message is the cell's comment; a 问题清单 sheet
(placed first and opened first) lists every problem with a link to its cell. An .xlsx/.xlsm upload keeps its
sheets, formats and formulas; a CSV (or .xls, .ods, Parquet) becomes an .xlsx with the same rows, so the
row numbers in the messages stay true. A cell is found from the problem's row number (as the sheet shows
it) and its column header as written, in the sheet whose header ingest recognised (or the problem's own
`sheet`, when it has one); a whole-row problem marks the row's first cell.
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from data_pipeline import readers

ERROR_FILL = "FFC7CE"
ERROR_FONT = "9C0006"
WARNING_FILL = "FFEB9C"
WARNING_FONT = "9C5700"
LIST_SHEET = "问题清单"
AUTHOR = "数据看板"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class HeaderLocation:
    """Where ingest finds the table: the sheet, the header row (0-based) and the column mapping."""

    sheet: str
    match: readers.HeaderMatch

    @property
    def header_row(self) -> int:
        """The header's row number as the sheet shows it (1-based)."""
        return self.match.row_index + 1

    def column_index(self, column: str) -> int | None:
        """0-based sheet column of a header as written, a contract header or a canonical column name."""
        names: dict[str, int] = {}
        for i, col in sorted(self.match.columns.items()):
            for name in (self.match.headers[i], col.header_zh, col.column):
                if name:
                    names.setdefault(name, i)
        for i, h in enumerate(self.match.headers):
            if h:
                names.setdefault(h, i)
        if not column:
            return None
        if column in names:
            return names[column]
        for part in column.split("、"):  # a duplicate-key problem names all key columns: mark the first
            if part in names:
                return names[part]
        return None

    @property
    def first_column(self) -> int:
        return next((i for i, h in enumerate(self.match.headers) if h), 0)


def read_grid(data: bytes, file_name: str) -> list[readers.Sheet]:
    """The upload's sheets as ingest reads them (raises readers.ReadError)."""
    suffix = Path(file_name).suffix.lower() or ".xlsx"
    if data[:8] == _OLE2:  # the reader opens .xls (OLE2) files only from a path
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            return readers.read_sheets(path, data)
    return readers.read_sheets(Path(f"upload{suffix}"), data)


def locate_header(sheets: Sequence[readers.Sheet]) -> HeaderLocation | None:
    """The sheet and header row ingest uses: the best header of all sheets, as ingest chooses it."""
    best = None
    for sheet in sheets:
        m = readers.find_header(sheet.rows)
        if m is None:
            continue
        key = (-len(m.missing_required), len(m.columns))
        if best is None or key > best[0]:
            best = (key, HeaderLocation(sheet.name, m))
    return best[1] if best else None


@dataclass
class _Mark:
    level: str  # error | warning
    row: int | None
    column: str
    value: str
    previous: str
    message: str
    sheet: str | None
    cell: str = ""  # A1 address once located
    where: str = ""  # the workbook sheet of that cell


def _marks(errors: Sequence, warnings: Sequence) -> list[_Mark]:
    out = []
    for level, items in (("error", errors), ("warning", warnings)):
        for p in items:
            row = getattr(p, "row_number", None)
            out.append(
                _Mark(
                    level,
                    row if isinstance(row, int) and row > 0 else None,
                    getattr(p, "column", "") or "",
                    str(getattr(p, "value", "") or ""),
                    str(getattr(p, "previous", "") or ""),
                    p.message,
                    getattr(p, "sheet", None),
                )
            )
    return out


def mark_up(
    data: bytes,
    file_name: str,
    errors: Sequence = (),
    warnings: Sequence = (),
    *,
    sheets: Sequence[readers.Sheet] | None = None,
) -> bytes:
    """The marked-up copy (.xlsx bytes) of an upload. `errors` are ingest Problems (or alike: row_number,
    column, value, message, optionally sheet); `warnings` are SubmissionWarnings. `sheets` saves a second read
    when the caller has the grid already. Never raises on a bad file: the 问题清单 then stands alone."""
    marks = _marks(errors, warnings)
    try:
        grid = list(sheets) if sheets is not None else read_grid(data, file_name)
    except readers.ReadError:
        grid = []
    loc = locate_header(grid) if grid else None
    wb, names = _open_workbook(data, file_name, grid)
    if loc is not None:
        _apply(wb, names, loc, marks)
    _problem_sheet(wb, marks)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _open_workbook(data: bytes, file_name: str, grid: list[readers.Sheet]) -> tuple[openpyxl.Workbook, dict[str, str]]:
    """The original workbook (xlsx/xlsm) or a new one holding the grid; and reader sheet name → workbook sheet."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                is_xlsx = "xl/workbook.xml" in zf.namelist()
            if is_xlsx:
                wb = openpyxl.load_workbook(io.BytesIO(data), rich_text=False)
                return wb, {ws.title: ws.title for ws in wb.worksheets}
        except Exception:  # openpyxl cannot open everything calamine can: fall back to the grid
            pass
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names: dict[str, str] = {}
    for sheet in grid:
        title = sheet.name if sheet.name not in ("csv", "parquet") else (Path(file_name).stem or "数据")
        title = _BAD_SHEET_CHARS.sub("_", title)[:31] or "数据"
        while title in wb.sheetnames:
            title = title[:28] + f"_{len(wb.sheetnames)}"
        ws = wb.create_sheet(title)
        names[sheet.name] = title
        widths: dict[int, int] = {}
        for r, row in enumerate(sheet.rows, 1):
            for c, v in enumerate(row, 1):
                if v is None or v == "":
                    continue
                cell = ws.cell(r, c, v if not isinstance(v, readers.ExcelError) else str(v))
                if isinstance(v, str) and cell.data_type == "f":
                    cell.data_type = "s"  # a text like “=1+1” from a CSV stays text, never a formula
                if len(row) > 1 and sum(1 for x in row if x not in (None, "")) > 1:  # not a title line
                    widths[c] = max(widths.get(c, 0), _display_width(str(v)))
        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, 8), 40)
        m = readers.find_header(sheet.rows)
        if m is not None:  # a copy made here may show its header as a header: bold and frozen
            for c in range(1, len(m.headers) + 1):
                ws.cell(m.row_index + 1, c).font = Font(bold=True)
            ws.freeze_panes = ws.cell(m.row_index + 2, 1).coordinate
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    return wb, names


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _apply(wb: openpyxl.Workbook, names: dict[str, str], loc: HeaderLocation, marks: list[_Mark]) -> None:
    by_cell: dict[tuple[str, int, int], list[_Mark]] = defaultdict(list)
    for m in marks:
        if m.row is None:
            continue
        sheet = names.get(m.sheet or "") or names.get(loc.sheet)
        if sheet is None or sheet not in wb.sheetnames:
            continue
        col = loc.column_index(m.column)
        col = loc.first_column if col is None else col
        ws = wb[sheet]
        cell = ws.cell(m.row, col + 1)
        if isinstance(cell, MergedCell):  # a merged cell: its range's top-left cell carries fill and comment
            for rng in ws.merged_cells.ranges:
                if cell.coordinate in rng:
                    cell = ws.cell(rng.min_row, rng.min_col)
                    break
        m.cell, m.where = cell.coordinate, sheet
        by_cell[(sheet, cell.row, cell.column)].append(m)
    for sheet in {k[0] for k in by_cell}:
        wb[sheet].page_setup.cellComments = "atEnd"  # a printed copy lists the messages after the sheet
    fills = {lvl: PatternFill("solid", fgColor=c) for lvl, c in (("error", ERROR_FILL), ("warning", WARNING_FILL))}
    colours = {"error": ERROR_FONT, "warning": WARNING_FONT}
    for (sheet, r, c), items in by_cell.items():
        cell = wb[sheet].cell(r, c)
        level = "error" if any(m.level == "error" for m in items) else "warning"
        cell.fill = fills[level]
        f = cell.font
        cell.font = Font(name=f.name, size=f.size, bold=f.bold, italic=f.italic, color=colours[level])
        lines = [f"【{'错误' if m.level == 'error' else '提示'}】{m.message}" for m in items]
        if cell.comment is not None and cell.comment.text:
            lines.append(cell.comment.text)
        text = "\n".join(lines)
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = 24 + 18 * sum(1 + len(line) // 22 for line in lines)
        cell.comment = comment


def _problem_sheet(wb: openpyxl.Workbook, marks: list[_Mark]) -> None:
    """The 问题清单 sheet: a count line, then one row per problem, errors first, with a link to its cell."""
    title = LIST_SHEET
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    n_err = sum(1 for m in marks if m.level == "error")
    n_warn = len(marks) - n_err
    summary = f"共 {n_err} 处错误（须修改后重新报送）、{n_warn} 处提示（请核对，属实的在上报说明中写明原因）"
    if not marks:
        summary = "未发现问题"
    ws.cell(1, 1, summary).font = Font(bold=True, size=12)
    heads = ("问题类型", "工作表", "单元格", "行号", "列名", "填写值", "上期值", "问题说明")
    widths = (10, 16, 9, 7, 18, 22, 12, 90)
    for j, (h, w) in enumerate(zip(heads, widths, strict=True), 1):
        cell = ws.cell(3, j, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(j)].width = w
    ordered = sorted(marks, key=lambda m: (m.level != "error", m.row is None, m.row or 0))
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="top")
    fills = {"error": PatternFill("solid", fgColor=ERROR_FILL), "warning": PatternFill("solid", fgColor=WARNING_FILL)}
    for i, m in enumerate(ordered, 4):
        sheet = m.where
        values = (
            "错误" if m.level == "error" else "提示",
            sheet,
            m.cell,
            m.row,
            m.column,
            m.value,
            m.previous,
            m.message,
        )
        for j, v in enumerate(values, 1):
            cell = ws.cell(i, j, v if v != "" else None)
            if isinstance(v, str) and cell.data_type == "f":
                cell.data_type = "s"
            cell.alignment = centre if j in (1, 3, 4) else wrap
        ws.cell(i, 1).fill = fills[m.level]
        lines = max(1, -(-_display_width(m.message) // (widths[-1] - 2)), -(-_display_width(m.value) // widths[5]))
        ws.row_dimensions[i].height = 15 * lines + 2
        if m.cell and sheet:
            link = ws.cell(i, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{m.cell}", display=m.cell)
            link.font = Font(color="0563C1", underline="single")
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    if ordered:
        ws.auto_filter.ref = f"A3:H{3 + len(ordered)}"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
