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

from data_pipeline import readers, xlsx_patch

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
    if data[:4] == b"PK\x03\x04" and _unpacked_size(data) > xlsx_patch.MAX_UNPACKED:
        grid, loc = [], None  # a zip bomb gets the 问题清单 alone, never an unpacked copy
        data = b""
    if data[:4] == b"PK\x03\x04" and grid:
        try:  # the original parts untouched but the marked cells: fast, and nothing openpyxl cannot keep is lost
            return _patched(data, loc, marks)
        except Exception:  # a workbook the patcher does not expect (xlsx_patch.Unsupported or worse): openpyxl
            for m in marks:
                m.cell = m.where = ""
    wb, names = _open_workbook(data, file_name, grid)
    if loc is not None:
        _apply(wb, names, loc, marks)
    rows, widths, heights = _problem_rows(marks)
    _problem_sheet(wb, rows, widths, heights)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _unpacked_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _locate(marks: list[_Mark], loc: HeaderLocation, sheet_names: dict[str, str], top_left) -> dict:
    """Each mark's cell (sheet, row, col 1-based) after merges; marks grouped by cell. top_left(sheet, r, c)."""
    by_cell: dict[tuple[str, int, int], list[_Mark]] = defaultdict(list)
    for m in marks:
        if m.row is None:
            continue
        sheet = sheet_names.get(m.sheet or "") or sheet_names.get(loc.sheet)
        if sheet is None:
            continue
        col = loc.column_index(m.column)
        r, c = top_left(sheet, m.row, (loc.first_column if col is None else col) + 1)
        m.cell, m.where = f"{get_column_letter(c)}{r}", sheet
        by_cell[(sheet, r, c)].append(m)
    return by_cell


def _comment_text(items: list[_Mark]) -> str:
    return "\n".join(f"【{'错误' if m.level == 'error' else '提示'}】{m.message}" for m in items)


def _level(items: list[_Mark]) -> str:
    return "error" if any(m.level == "error" for m in items) else "warning"


MARK_STYLE = {
    "error": xlsx_patch.Style(fill=ERROR_FILL, color=ERROR_FONT),
    "warning": xlsx_patch.Style(fill=WARNING_FILL, color=WARNING_FONT),
}


def _patched(data: bytes, loc: HeaderLocation | None, marks: list[_Mark]) -> bytes:
    book = xlsx_patch.XlsxPatch(data)
    names = {n: n for n in book.sheet_names()}
    by_cell = _locate(marks, loc, names, book.top_left) if loc is not None else {}
    per_sheet: dict[str, dict] = defaultdict(dict)
    for (sheet, r, c), items in by_cell.items():
        per_sheet[sheet][(r, c)] = (MARK_STYLE[_level(items)], _comment_text(items))
    for sheet, cells in per_sheet.items():
        book.mark(sheet, cells, AUTHOR)
    rows, widths, heights = _problem_rows(marks)
    title = LIST_SHEET
    while title in names:
        title += "_"
    book.add_first_sheet(title, rows, widths=widths, heights=heights, freeze_rows=3, autofilter=_filter_ref(rows))
    return book.to_bytes()


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
        title = sheet.name if sheet.name and sheet.name not in ("csv", "parquet") else (Path(file_name).stem or "数据")
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
                    widths[c] = max(widths.get(c, 0), xlsx_patch.display_width(str(v)))
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


def _apply(wb: openpyxl.Workbook, names: dict[str, str], loc: HeaderLocation, marks: list[_Mark]) -> None:
    def top_left(sheet: str, r: int, c: int) -> tuple[int, int]:
        cell = wb[sheet].cell(r, c)
        if isinstance(cell, MergedCell):  # a merged cell: its range's top-left cell carries fill and comment
            for rng in wb[sheet].merged_cells.ranges:
                if cell.coordinate in rng:
                    return rng.min_row, rng.min_col
        return r, c

    present = {k: v for k, v in names.items() if v in wb.sheetnames}
    by_cell = _locate(marks, loc, present, top_left)
    for sheet in {k[0] for k in by_cell}:
        wb[sheet].page_setup.cellComments = "atEnd"  # a printed copy lists the messages after the sheet
    for (sheet, r, c), items in by_cell.items():
        cell = wb[sheet].cell(r, c)
        style = MARK_STYLE[_level(items)]
        cell.fill = PatternFill("solid", fgColor=style.fill)
        f = cell.font
        cell.font = Font(name=f.name, size=f.size, bold=f.bold, italic=f.italic, color=style.color)
        text = _comment_text(items)
        if cell.comment is not None and cell.comment.text:
            text += "\n" + cell.comment.text
        comment = Comment(text, AUTHOR)
        comment.width = 320
        comment.height = 24 + 18 * sum(1 + len(line) // 22 for line in text.split("\n"))
        cell.comment = comment


# ---------------------------------------------------------------- the 问题清单 sheet

_HEADS = ("问题类型", "工作表", "单元格", "行号", "列名", "填写值", "上期值", "问题说明")
_WIDTHS = [10.0, 16.0, 9.0, 7.0, 18.0, 22.0, 12.0, 90.0]
_S = xlsx_patch.Style
_HEAD_STYLE = _S(bold=True, fill="DDEBF7")
_WRAP = _S(wrap=True)
_CENTRE = _S(halign="center")
_LINK = _S(halign="center", color="0563C1", underline=True)
_LABEL = {"error": _S(fill=ERROR_FILL, halign="center"), "warning": _S(fill=WARNING_FILL, halign="center")}


def _problem_rows(marks: list[_Mark]) -> tuple[list[list[xlsx_patch.Cell]], list[float], dict[int, float]]:
    """The 问题清单 as cells: a count line, a blank line, the heads, then one row per problem, errors first."""
    Cell = xlsx_patch.Cell
    n_err = sum(1 for m in marks if m.level == "error")
    summary = (
        f"共 {n_err} 处错误（须修改后重新报送）、{len(marks) - n_err} 处提示（请核对，属实的在上报说明中写明原因）"
        if marks
        else "未发现问题"
    )
    rows = [[Cell(summary, _S(bold=True, size=12))], [], [Cell(h, _HEAD_STYLE) for h in _HEADS]]
    heights: dict[int, float] = {}
    ordered = sorted(marks, key=lambda m: (m.level != "error", m.row is None, m.row or 0))
    for m in ordered:
        link = f"'{m.where}'!{m.cell}" if m.cell else None
        rows.append(
            [
                Cell("错误" if m.level == "error" else "提示", _LABEL[m.level]),
                Cell(m.where, _WRAP),
                Cell(m.cell, _LINK if link else _CENTRE, link),
                Cell(m.row, _CENTRE),
                Cell(m.column, _WRAP),
                Cell(m.value, _WRAP),
                Cell(m.previous, _WRAP),
                Cell(m.message, _WRAP),
            ]
        )
        lines = max(
            1,
            -(-xlsx_patch.display_width(m.message) // int(_WIDTHS[-1] - 2)),
            -(-xlsx_patch.display_width(m.value) // int(_WIDTHS[5])),
            -(-xlsx_patch.display_width(m.previous) // int(_WIDTHS[6])),
        )
        heights[len(rows)] = 15 * lines + 2
    return rows, _WIDTHS, heights


def _filter_ref(rows: list) -> str | None:
    return f"A3:H{len(rows)}" if len(rows) > 3 else None


def _problem_sheet(wb: openpyxl.Workbook, rows: list, widths: list[float], heights: dict[int, float]) -> None:
    """The same 问题清单 through openpyxl, placed first and opened first."""
    title = LIST_SHEET
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for i, row in enumerate(rows, 1):
        for j, c in enumerate(row, 1):
            if c.value is None or c.value == "":
                continue
            cell = ws.cell(i, j, c.value)
            if isinstance(c.value, str) and cell.data_type == "f":
                cell.data_type = "s"
            st = c.style
            if st.fill:
                cell.fill = PatternFill("solid", fgColor=st.fill)
            if st.bold or st.size or st.color or st.underline:
                cell.font = Font(
                    bold=st.bold, size=st.size, color=st.color, underline="single" if st.underline else None
                )
            if st.halign or st.wrap:
                cell.alignment = Alignment(horizontal=st.halign, vertical="top", wrap_text=st.wrap or None)
            if c.link:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=c.link, display=str(c.value))
    for i, h in heights.items():
        ws.row_dimensions[i].height = h
    ws.freeze_panes = "A4"
    ref = _filter_ref(rows)
    if ref:
        ws.auto_filter.ref = ref
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
