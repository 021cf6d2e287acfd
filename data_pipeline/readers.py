"""Read a submission file into a grid of cells, find its header row and map the header to a contract.

Only reading and recognising happen here; typing and validation of the values live in
`normalize`, and the bookkeeping (manifest, quarantine, superseding) in `ingest`.

Every file is read under limits (`limits()`, from reference/settings.csv) checked before the
expensive parse, so a file can be refused with a reason instead of taking the process down:
- the file's size;
- a workbook's parts decompressed (as declared; each sheet's real size is measured by inflating it with
  a bounded output, so a sheet whose header lies about its size is caught too);
- each sheet's extent, the rectangle from A1 to the farthest cell that holds a value: the spreadsheet
  library allocates that whole rectangle, so one value at XFD1048576 would ask for 512 GiB. The sheet's
  declared dimension and last rows are checked before the library sees it (`sheet_extent`), and the
  library's sheet again before its cells become Python objects;
- rows, columns and cells of CSV and Parquet files.
These give a reason for the usual cases cheaply. What they cannot see (a far cell hidden mid-sheet
under a lying dimension, a non-sheet part that lies about its size) is stopped by `ingest` reading
every file in a worker process with a memory and a time limit.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path

from data_pipeline import contracts
from data_pipeline.reference import Column, Dataset, datasets

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SCAN_ROWS = 30  # the header must start within the first rows of a sheet
EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#REF!",
        "#VALUE!",
        "#N/A",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
    }
)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"


class ReadError(Exception):
    """A file that cannot be read at all; `reason_zh` says why, for the manifest."""

    def __init__(self, reason_zh: str) -> None:
        super().__init__(reason_zh)
        self.reason_zh = reason_zh


class ExcelError(str):
    """An Excel error cell (#DIV/0!, #REF!, …), kept apart from a text that merely looks like one."""

    __slots__ = ()


@dataclass
class Sheet:
    """The cells of one sheet, row 0 = spreadsheet row 1 (so a row number is index + 1).

    `name` is the sheet's name in a workbook, None for a CSV or Parquet file (which have no sheets)."""

    name: str | None
    rows: list[list[object]]


# ---------------------------------------------------------------- limits

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one submission file may need (reference/settings.csv); a file beyond any of them is refused."""

    file_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int
    cells: int
    seconds: float
    memory_bytes: int


def limits() -> Limits:
    """The reading limits in force (settings.csv `max_*`, `read_*`)."""
    n = contracts.setting_number
    return Limits(
        file_bytes=int(n("max_file_mb") * MB),
        unpacked_bytes=int(n("max_unpacked_mb") * MB),
        rows=int(n("max_rows")),
        columns=int(n("max_columns")),
        cells=int(n("max_cells")),
        seconds=n("read_seconds"),
        memory_bytes=int(n("read_memory_mb") * MB),
    )


def size_text(n: float) -> str:
    """Bytes for a person: `1.8 KB`, `2.0 GB`."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def too_big_reason(size: int, lim: Limits | None = None) -> str | None:
    """The reason a file of `size` bytes is refused, or None."""
    lim = lim or limits()
    if size > lim.file_bytes:
        return (
            f"文件大小 {size_text(size)} 超过上限 {size_text(lim.file_bytes)}（读取限制），"
            "请删除多余内容或按县市区拆分后报送"
        )
    return None


def column_letters(n: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _extent_reason(sheet: str | None, rows: int, cols: int, lim: Limits) -> str | None:
    if rows <= lim.rows and cols <= lim.columns and rows * cols <= lim.cells:
        return None
    where = f"工作表“{sheet}”" if sheet else "文件"
    corner = f"A1:{column_letters(cols)}{rows}" if cols else f"{rows} 行"
    return (
        f"{where}的数据范围为 {corner}（{rows} 行 × {cols} 列），超过读取上限"
        f"（每个工作表最多 {lim.rows} 行、{lim.columns} 列、{lim.cells} 个单元格）："
        "可能有远离表格的单元格或整行整列的内容，请删除多余的行列后重新保存再报送"
    )


# ---------------------------------------------------------------- reading


def read_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """All sheets of a submission file as cell grids; raises ReadError with a Chinese reason.

    The content decides, not the extension: a workbook saved as .csv or a CSV renamed .xlsx still reads.
    Files beyond `limits()` raise ReadError naming the limit.
    """
    lim = limits()
    if data is None:
        reason = too_big_reason(path.stat().st_size, lim)
        if reason:
            raise ReadError(reason)
        data = path.read_bytes()
    reason = too_big_reason(len(data), lim)
    if reason:
        raise ReadError(reason)
    if not data.strip():
        raise ReadError("文件为空")
    suffix = path.suffix.lower()
    if data[:4] == _PARQUET_MAGIC:
        return [_read_parquet(data, lim)]
    if data[:4] == _ZIP_MAGIC or data[:8] == _OLE2_MAGIC:
        return _read_workbook(path, data, lim)
    if suffix == ".parquet":
        raise ReadError("Parquet 文件已损坏或不完整，无法读取")
    if suffix in (".csv", ".txt", ".tsv") or (suffix in SPREADSHEET_SUFFIXES and _looks_like_text(data)):
        return [Sheet(None, _read_csv(data, lim))]
    if suffix in SPREADSHEET_SUFFIXES:
        raise ReadError("文件内容不是Excel工作簿（可能已损坏或改了扩展名），请用Excel另存为 .xlsx 后重新报送")
    raise ReadError(f"不是可识别的表格文件（扩展名 {suffix or '无'}），请上传 .xlsx、.xls、.csv 或 .parquet 文件")


def _looks_like_text(data: bytes) -> bool:
    """A CSV saved under an Excel extension: decodable text with a delimiter in its first lines."""
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        text = decode_text(head[: len(head) - 4] if len(head) == 4096 else head)
    except ReadError:
        return False
    return any(d in text for d in (",", "\t"))


def _read_workbook(path: Path, data: bytes, lim: Limits) -> list[Sheet]:
    import python_calamine as pc

    zf = None
    sheet_xml: dict[str, bytes] = {}
    targets: list[tuple[str, str]] = []
    if data[:4] == _ZIP_MAGIC:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ReadError("文件已损坏或不完整（压缩结构无法读取），请重新导出后报送") from exc
        if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
            raise ReadError("文件不是Excel工作簿（可能是Word文档或压缩包），请上传 .xlsx 表格")
        sheet_xml = _check_zip(zf, data, lim)
        try:
            targets = _sheet_targets(zf)
        except (zipfile.BadZipFile, KeyError, ValueError):
            targets = []
        for name, target in targets:
            extent = sheet_extent(sheet_xml[target], lim) if target in sheet_xml else None
            reason = _extent_reason(name, *extent, lim) if extent else None
            if reason:
                raise ReadError(reason)
        if "content.xml" in sheet_xml:
            _check_ods(sheet_xml["content.xml"], lim)
    elif _is_encrypted_ooxml(data):
        raise ReadError("文件已加密（设置了打开密码），请取消密码后重新报送")
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for i, name in enumerate(wb.sheet_names):
            sheet = wb.get_sheet_by_index(i)
            reason = _extent_reason(name, sheet.height, sheet.width, lim)
            if reason:  # second guard (.xls, .xlsb, .ods): before the cells become Python objects
                raise ReadError(reason)
            rows = sheet.to_python(skip_empty_area=False)
            _fill_vertical_merges(rows, sheet.merged_cell_ranges or ())
            sheets.append(Sheet(name, rows))
    except ReadError:
        raise
    except pc.PasswordError as exc:  # Excel stores an encrypted .xlsx inside an OLE2 container
        raise ReadError("文件已加密（设置了打开密码），请取消密码后重新报送") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        raise ReadError("文件已损坏或不完整，无法打开，请重新导出后报送") from exc
    if zf is not None:
        _mark_error_cells(sheet_xml, targets, sheets)
    elif data[:8] == _OLE2_MAGIC:
        _mark_xls_error_cells(data, sheets)
    for sheet in sheets:
        _trim_trailing_blank_rows(sheet.rows)
    if not any(sheet.rows for sheet in sheets):
        raise ReadError("文件中没有任何数据")
    return sheets


def _is_encrypted_ooxml(data: bytes) -> bool:
    """Excel keeps a password-protected .xlsx inside an OLE2 container with an EncryptedPackage stream."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return bool(ole.exists("EncryptedPackage"))
    except Exception:  # not a readable container: calamine will say it is damaged
        return False


_SHEET_PART = re.compile(r"^xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$")


def _check_zip(zf: zipfile.ZipFile, data: bytes, lim: Limits) -> dict[str, bytes]:
    """Refuse a workbook whose parts are declared beyond `unpacked_bytes`, and inflate its sheets (bounded).

    Returns the sheets' XML (and an ODS file's content.xml), for the extent signs and the error cells.
    A sheet is measured by inflating it with a bounded output, so a sheet whose header lies about its size
    is caught here too; another part that lies is stopped by the reader process's memory limit."""
    infos = zf.infolist()

    def too_big(size: int) -> ReadError:
        return ReadError(
            f"文件解压后大于 {size_text(size)}，超过上限 {size_text(lim.unpacked_bytes)}（读取限制），"
            "可能含有超大的单元格或是压缩炸弹：请删除多余内容后重新保存再报送"
        )

    declared = sum(i.file_size for i in infos)
    if declared > lim.unpacked_bytes or len(infos) > 10_000:
        raise too_big(declared)
    kept: dict[str, bytes] = {}
    budget = lim.unpacked_bytes
    for info in infos:
        if info.is_dir() or not (_SHEET_PART.match(info.filename) or info.filename == "content.xml"):
            continue
        got, size = _inflate(data, info, budget, True)
        if size > budget:
            raise too_big(lim.unpacked_bytes - budget + size)
        if size != info.file_size:
            raise ReadError("文件已损坏（压缩包中记录的大小与实际内容不符），请重新导出后报送")
        budget -= size
        kept[info.filename] = got
    return kept


def _inflate(data: bytes, info: zipfile.ZipInfo, limit: int, keep: bool) -> tuple[bytes, int]:
    """(content if `keep`, real size) of one zip member, inflating at most `limit` + 1 MB of output."""
    damaged = ReadError("文件已损坏或不完整（压缩结构无法读取），请重新导出后报送")
    off = info.header_offset
    if info.flag_bits & 0x1:
        raise ReadError("文件已加密（设置了打开密码），请取消密码后重新报送")
    if data[off : off + 4] != _ZIP_MAGIC or off + 30 > len(data):
        raise damaged
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + name_len + extra_len
    comp = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return (bytes(comp) if keep else b""), len(comp)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise ReadError("文件使用了不支持的压缩方式，请用Excel另存为 .xlsx 后报送")
    d = zlib.decompressobj(-15)
    parts: list[bytes] = []
    size = 0
    buf: bytes | memoryview = comp
    try:
        while buf and not d.eof:
            chunk = d.decompress(buf, MB)
            size += len(chunk)
            if size > limit:
                return b"", size
            if keep:
                parts.append(chunk)
            buf = d.unconsumed_tail
        tail = d.flush()
    except zlib.error as exc:
        raise damaged from exc
    size += len(tail)
    if keep:
        parts.append(tail)
    return b"".join(parts), size


# A cell that holds something is an element <c …> that is not self-closing (<c r="B2" s="1"/> is only
# formatting, which the spreadsheet library skips). Its position is its r attribute, else the next column
# of its row; a row's number is its r attribute, else the next row.
_EXTENT_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(\s[^>]*?)?(/?)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_DIMENSION = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref\s*=\s*["'](?:[A-Za-z]*[0-9]*:)?([A-Za-z]*)([0-9]*)["']"""
)
_ANY_REF = re.compile(rb'r="([A-Za-z]{0,3})([0-9]+)"')


def sheet_extent(xml: bytes, lim: Limits) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the farthest cell of a worksheet's XML that may hold a value, when the
    sheet's own signs suggest it is beyond the limits; None when they do not.

    The signs are cheap: the <dimension> the sheet declares and the cells and rows it ends with (a sheet
    is written in row order). When either goes beyond the limits, the sheet is scanned tag by tag to find
    the real extent (formatting alone, which a declared dimension may include, does not count). A
    hostile sheet that hides a far cell elsewhere gets past these signs, but not past the reader
    process's memory limit (see `ingest`)."""
    refs = _ANY_REF.findall(xml, max(0, len(xml) - 2048))
    dim = _DIMENSION.search(xml, 0, 4096)
    if dim is not None:
        refs.append(dim.groups())
    if not refs:
        return None
    rows = max(int(digits or 0) for _, digits in refs)
    widest = max((letters for letters, _ in refs), key=lambda b: (len(b), b.upper()))
    cols = _letters_to_number(widest) if widest else 1
    return _scan_extent(xml) if _extent_reason(None, rows, cols, lim) else None


def _letters_to_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _scan_extent(xml: bytes) -> tuple[int, int]:
    rows = cols = 0
    row = 0
    col = 0
    for m in _EXTENT_TAG.finditer(xml):
        closing, tag, attrs, self_closing = m.groups()
        if closing:
            continue
        r = _R_ATTR.search(attrs) if attrs else None
        if tag == b"row":
            row = int(r.group(2)) if r and r.group(2) else row + 1
            col = 0
            continue
        if r and r.group(1) and r.group(2):
            col, cell_row = _letters_to_number(r.group(1)), int(r.group(2))
        else:
            col, cell_row = col + 1, max(row, 1)
        if not self_closing:
            rows, cols = max(rows, cell_row), max(cols, col)
    return rows, cols


_ODS_REPEAT = re.compile(rb'number-(rows|columns)-repeated\s*=\s*["\']([0-9]+)["\'][^>]*?(/?)>')


def _check_ods(xml: bytes, lim: Limits) -> None:
    """An OpenDocument sheet repeats a row or a cell by a count; a repeated cell or row that holds
    something (not self-closing) beyond the limits would be expanded in full."""
    for kind, count, self_closing in _ODS_REPEAT.findall(xml):
        n = int(count)
        if self_closing:
            continue
        if (kind == b"rows" and n > lim.rows) or (kind == b"columns" and n > lim.columns):
            rows, cols = (n, 1) if kind == b"rows" else (1, n)
            raise ReadError(_extent_reason(None, rows, cols, lim) or "文件内容超过读取上限")


def _fill_vertical_merges(rows: list[list[object]], merges) -> None:
    """A county merged down several rows belongs to each of them; merges within one row (titles) stay as they are."""
    for (r1, c1), (r2, c2) in merges:
        if r2 <= r1 or r1 >= len(rows):
            continue
        top = rows[r1][c1] if c1 < len(rows[r1]) else ""
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                row[c] = top


def _trim_trailing_blank_rows(rows: list[list[object]]) -> None:
    """Formatted but empty rows below the table are not rows anyone filled in."""
    while rows and not any(_filled(v) for v in rows[-1]):
        rows.pop()


_CELL_ERR = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)


def _put_error(sheet: Sheet, r: int, c: int, value: str) -> None:
    if r < len(sheet.rows):
        row = sheet.rows[r]
        while len(row) <= c:
            row.append("")
        row[c] = ExcelError(value or "#VALUE!")


def _mark_error_cells(sheet_xml: dict[str, bytes], targets: list[tuple[str, str]], sheets: list[Sheet]) -> None:
    """Put Excel error cells back: calamine reads them as empty text, which would hide `#DIV/0!`."""
    by_name = {name: target for name, target in targets}
    for sheet in sheets:
        xml = sheet_xml.get(by_name.get(sheet.name or "", ""), b"")
        if b't="e"' not in xml:
            continue
        for col_letters, row_digits, value in _CELL_ERR.findall(xml):
            _put_error(
                sheet, int(row_digits) - 1, _letters_to_number(col_letters) - 1, value.decode("utf-8", "replace")
            )


def _sheet_targets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, worksheet XML path) in workbook order."""
    import html

    wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    rel_target = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        tgt = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and tgt:
            t = tgt.group(1)
            rel_target[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    out = []
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        rid = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', m.group(0))
        name = re.search(r'\bname="([^"]*)"', m.group(0))
        if rid:
            out.append((html.unescape(name.group(1)) if name else "", rel_target.get(rid.group(1) or rid.group(2), "")))
    return out


# .xls (BIFF8): an error cell is a BOOLERR record with its error flag set, or a FORMULA record whose
# cached result is an error. calamine reads both as empty text.
_BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}


def _mark_xls_error_cells(data: bytes, sheets: list[Sheet]) -> None:
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream is None:
                return
            book = ole.openstream(stream).read()
    except Exception:  # a damaged container: calamine has read what it could, nothing to add
        return
    by_name = {sheet.name: sheet for sheet in sheets}
    for name, offset in _biff_sheet_offsets(book):
        sheet = by_name.get(name)
        if sheet is None:
            continue
        for r, c, code in _biff_error_cells(book, offset):
            _put_error(sheet, r, c, _BIFF_ERRORS.get(code, "#VALUE!"))


def _biff_records(book: bytes, pos: int):
    n = len(book)
    while pos + 4 <= n:
        rid, size = struct.unpack_from("<HH", book, pos)
        yield rid, book[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if rid == 0x000A:  # EOF of this substream
            return


def _biff_sheet_offsets(book: bytes) -> list[tuple[str, int]]:
    """(name, stream offset) of each worksheet from the globals' BOUNDSHEET records."""
    out = []
    for rid, body in _biff_records(book, 0):
        if rid != 0x0085 or len(body) < 8:
            continue
        offset, _state, kind, cch, flags = struct.unpack_from("<IBBBB", body, 0)
        if kind != 0:  # 0 = worksheet (not a chart or macro sheet)
            continue
        raw = body[8:]
        name = raw[: cch * 2].decode("utf-16-le", "replace") if flags & 1 else raw[:cch].decode("latin-1")
        out.append((name, offset))
    return out


def _biff_error_cells(book: bytes, offset: int):
    for rid, body in _biff_records(book, offset):
        if rid == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR, error flag
            r, c = struct.unpack_from("<HH", body, 0)
            yield r, c, body[6]
        elif rid == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":  # FORMULA
            r, c = struct.unpack_from("<HH", body, 0)
            yield r, c, body[8]


def _read_csv(data: bytes, lim: Limits) -> list[list[object]]:
    text = decode_text(data)
    if "\x00" in text:
        raise ReadError("文件内容不是文本表格（CSV），请用Excel另存为 .xlsx 或 CSV 后重新报送")
    head = text[:4096]
    delimiter = max(",\t;", key=head.count) if head.count(",") == 0 else ","
    lines = text.count("\n") + 1
    cells = text.count(delimiter) + lines  # at most this many cells: checked before any becomes an object
    if lines > lim.rows or cells > lim.cells:
        raise ReadError(
            f"文件约有 {lines} 行、{cells} 个单元格，超过读取上限（最多 {lim.rows} 行、{lim.cells} 个单元格），"
            "请删除多余内容或按县市区拆分后报送"
        )
    try:
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ReadError(
            f"CSV 文件有超长的单元格（超过 {csv.field_size_limit()} 个字符）或引号不配对，请用Excel另存后重新报送"
        ) from exc
    width = max(map(len, rows), default=0)
    reason = _extent_reason(None, len(rows), width, lim)
    if reason:
        raise ReadError(reason)
    _trim_trailing_blank_rows(rows)
    if not rows:
        raise ReadError("文件为空")
    return rows


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Chinese Excel writes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError("无法识别文件编码，请用Excel另存为“CSV UTF-8”或 .xlsx 后重新报送") from exc


def _read_parquet(data: bytes, lim: Limits) -> Sheet:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as exc:
        raise ReadError("Parquet 文件已损坏或不完整，无法读取") from exc
    reason = _extent_reason(None, meta.num_rows + 1, meta.num_columns, lim)
    if reason:
        raise ReadError(reason)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > lim.unpacked_bytes:
        raise ReadError(
            f"Parquet 文件解压后为 {size_text(unpacked)}，超过上限 {size_text(lim.unpacked_bytes)}（读取限制）"
        )
    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:
        raise ReadError("Parquet 文件已损坏或不完整，无法读取") from exc
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows: list[list[object]] = [list(table.column_names)]
    rows.extend([("" if v is None else v) for v in r] for r in zip(*cols, strict=True))
    return Sheet(None, rows)


def _filled(v: object) -> bool:
    return not (v is None or (isinstance(v, str) and not v.strip()))


# ---------------------------------------------------------------- headers

_BRACKETS = re.compile(r"[(\[【（〔<《][^)\]】）〕>》]*[)\]】）〕>》]")
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def norm_header(text: object) -> str:
    """Header text compared loosely: NFKC, no spaces or line breaks, no required-marks or trailing colon."""
    s = unicodedata.normalize("NFKC", str(text))
    s = _SPACE.sub("", s)
    return s.strip("*＊:：")


def strip_units(header: str) -> str:
    """`会员人数(人)` → `会员人数`: a bracketed unit or remark does not change which column it is."""
    return _BRACKETS.sub("", header)


MONEY_UNITS = frozenset({"元", "万元", "千元", "亿元", "百万元"})
_TRAILING_UNIT = re.compile(r"[(\[【（〔]([^)\]】）〕]*)[)\]】）〕]$")


def trailing_unit(header: str) -> str | None:
    m = _TRAILING_UNIT.search(header)
    return m.group(1) if m else None


@dataclass(frozen=True)
class HeaderIndex:
    """Lookup from a normalised header text to the contract column, for one dataset."""

    dataset: Dataset
    exact: dict[str, Column]
    loose: dict[str, tuple[Column, str | None]]  # unit-free form → (column, the money unit its form states)

    def match(self, header: str) -> Column | None:
        """The column a header names: exactly, else ignoring a bracketed unit, unless the money units differ."""
        h = norm_header(header)
        if not h:
            return None
        col = self.exact.get(h)
        if col is not None:
            return col
        got = self.loose.get(strip_units(h))
        if got is None:
            return None
        col, unit = got
        written = trailing_unit(h)
        if unit and written in MONEY_UNITS and written != unit:
            return None  # `救助金额（万元）` is not `救助金额（元）`: 10,000 times off
        return col


@cache
def header_indexes() -> tuple[HeaderIndex, ...]:
    """One index per dataset; a column's own header wins over another column's alias."""
    out = []
    for ds in datasets():
        exact: dict[str, Column] = {}
        loose: dict[str, tuple[Column, str | None]] = {}
        for pass_aliases in (False, True):
            for col in ds.columns:
                unit = next((u for u in map(trailing_unit, (col.header_zh, *col.aliases)) if u in MONEY_UNITS), None)
                # the canonical English name too: exports from other systems (parquet) often use it
                names = (*col.aliases, col.column) if pass_aliases else (col.header_zh,)
                for name in names:
                    h = norm_header(name)
                    exact.setdefault(h, col)
                    loose.setdefault(strip_units(h), (col, unit))
        out.append(HeaderIndex(ds, exact, loose))
    return tuple(out)


@dataclass
class HeaderMatch:
    """Where the header is, which dataset it belongs to and which sheet column holds which contract column."""

    dataset: Dataset
    row_index: int  # 0-based index of the header row in the sheet
    columns: dict[int, Column]  # sheet column index → contract column
    headers: list[str]  # the header texts as written (stripped), by sheet column index
    unknown: list[str] = field(default_factory=list)  # non-empty header texts not in the contract
    missing_required: list[Column] = field(default_factory=list)
    title_text: str = ""  # the text above the header (title, units, 填报单位 …)


@lru_cache(maxsize=65536)
def _cell_hits(text: str) -> dict[int, Column]:
    """Which column of each dataset (by position) a header cell names."""
    hits = {}
    for d, idx in enumerate(header_indexes()):
        col = idx.match(text)
        if col is not None:
            hits[d] = col
    return hits


def _score_row(row: list[object]) -> tuple[int, int, HeaderIndex | None, dict[int, Column]]:
    """(columns matched, required matched, dataset index, mapping) of the best dataset for this row."""
    cells = [(i, v) for i, v in enumerate(row) if isinstance(v, str) and v and not v.isspace()]
    if len(cells) < 2:
        return 0, 0, None, {}
    per_ds: dict[int, dict[int, Column]] = defaultdict(dict)
    seen: dict[int, set[str]] = defaultdict(set)
    for i, v in cells:
        for d, col in _cell_hits(v).items():
            if col.column not in seen[d]:
                per_ds[d][i] = col
                seen[d].add(col.column)
    if not per_ds:
        return 0, 0, None, {}
    indexes = header_indexes()
    best_key: tuple[int, int, float] = (0, 0, 0.0)
    best_d = -1
    for d, mapping in per_ds.items():
        required = [c for c in indexes[d].dataset.columns if c.required]
        n_req = sum(1 for c in required if c.column in seen[d])
        key = (len(mapping), n_req, n_req / max(len(required), 1))
        if key > best_key:
            best_key, best_d = key, d
    return best_key[0], best_key[1], indexes[best_d], per_ds[best_d]


def find_header(rows: list[list[object]]) -> HeaderMatch | None:
    """The header row: the row among the first ones that names the most contract columns (at least two).

    Scanning stops three rows after a row that names every required column of its dataset.
    """
    best_score = (1, 0)
    found: tuple[int, HeaderIndex, dict[int, Column]] | None = None
    stop = HEADER_SCAN_ROWS
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if r >= stop:
            break
        n, n_req, idx, mapping = _score_row(row)
        if idx is not None and (n, n_req) > best_score:
            best_score, found = (n, n_req), (r, idx, mapping)
            if n_req == sum(1 for c in idx.dataset.columns if c.required):
                stop = r + 3
    if found is None:
        return None
    r, idx, mapping = found
    header_row = rows[r]
    headers = [_cell_text(v) for v in header_row]
    seen = {c.column for c in mapping.values()}
    unknown = [h for i, h in enumerate(headers) if h and i not in mapping]
    missing = [c for c in idx.dataset.columns if c.required and c.column not in seen]
    lead = [_cell_text(v) for row in rows[:r] for v in row if _filled(v)]
    title = " ".join(t for t in lead if not _NOTE.match(unicodedata.normalize("NFKC", _SPACE.sub("", t))))
    return HeaderMatch(idx.dataset, r, mapping, headers, unknown, missing, title)


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return _SPACE.sub(" ", str(v)).strip()


# ---------------------------------------------------------------- non-data rows

_TOTAL = re.compile(r"^(合计|小计|总计|总合计|累计|全市合计|全市总计)[:：]?$")
_NOTE = re.compile(
    r"^(填表人|填报人|制表人|审核人|审核|负责人|单位负责人|联系人|联系电话|电话|填报单位|填报日期|填表日期|报送单位|"
    r"注|备注|说明|附注|注意|填表说明|数据来源)\s*[0-9一二三四五六七八九十]*[:：、.．]"
)


_TOTAL_START = ("合", "小", "总", "累", "全")
_TOTAL_FIRST = frozenset(_TOTAL_START)
_NOTE_START = frozenset("填制审负单联电报注备说附数")
_TOTAL_CHAR = re.compile("[" + "".join(_TOTAL_START) + "]")


def _may_start_total(joined: str) -> bool:
    """Whether a cell of `joined` (cells joined by NUL) starts, after spaces, with a character a total starts with."""
    for m in _TOTAL_CHAR.finditer(joined):
        k = m.start()
        while k and joined[k - 1].isspace():
            k -= 1
        if not k or joined[k - 1] == "\x00":
            return True
    return False


def row_kind(row: list[object], header_texts: set[str]) -> str:
    """'blank' | 'total' | 'note' | 'header' (the header row repeated, e.g. after a page break) | 'data'."""
    # Fast path for the common data row: a filled first cell that cannot start a total, note or header.
    first = row[0] if row else None
    if first is not None and first != "":
        if not isinstance(first, str):
            return "data"
        if (
            not first[0].isspace()
            and first[0] not in _NOTE_START
            and first not in header_texts
            and not any(isinstance(v, str) and v.lstrip()[:1] in _TOTAL_FIRST for v in row[:4])
        ):
            return "data"
    return _row_kind_slow(row, header_texts)


def row_kinds(
    rows: Sequence[list[object]], header_texts: set[str], columns: Sequence[Sequence[object]] | None = None
) -> list[str]:
    """`row_kind` of every row, the same answers, with the common data row recognised a column at a time.

    `columns`: the rows' cells by column (`list(zip(*rows))` of rows padded to one width), when the caller
    has them. A row is data without looking at it alone when its first cell is a filled non-text, or a text
    that cannot start a note, a total or a repeated header and none of its first four cells can start a
    total: those facts are decided once per distinct value of the first four columns. Every other row
    goes through `row_kind`'s own rules."""
    n = len(rows)
    kinds = ["data"] * n
    if not n:
        return kinds
    if columns is None:
        columns = [tuple(row[j] if j < len(row) else None for row in rows) for j in range(4)]
    if not columns:  # rows without a single cell
        return [_row_kind_slow(row, header_texts) for row in rows]
    first = columns[0]
    try:
        firsts = set(first)
    except TypeError:  # an unhashable cell (a list from a Parquet column): each row on its own
        return [row_kind(row, header_texts) for row in rows]
    total_like: set[object] = set()
    for col in columns[:4]:
        try:  # texts only (the usual case): one pass over them all says whether any can start a total
            if not _may_start_total("\x00".join(col)):
                continue
        except TypeError:  # numbers, dates or empty cells among them
            pass
        try:
            total_like.update(v for v in set(col) if isinstance(v, str) and v.lstrip()[:1] in _TOTAL_FIRST)
        except TypeError:
            return [row_kind(row, header_texts) for row in rows]
    non_text = {v for v in firsts if v is not None and v != "" and not isinstance(v, str)}
    plain = {
        v
        for v in firsts
        if isinstance(v, str) and v != "" and not v[0].isspace() and v[0] not in _NOTE_START and v not in header_texts
    }
    odd: set[int] = set()
    if len(non_text) + len(plain) < len(firsts):
        clear = non_text | plain
        odd.update(i for i, v in enumerate(first) if v not in clear)
    if total_like:
        for col in columns[:4]:
            odd.update(i for i, v in enumerate(col) if v in total_like and first[i] not in non_text)
    for i in odd:
        kinds[i] = _row_kind_slow(rows[i], header_texts)
    return kinds


def _row_kind_slow(row: list[object], header_texts: set[str]) -> str:
    lead = list(islice((v for v in row if v is not None and v != ""), 4))
    if not lead or all(isinstance(v, str) and v.isspace() for v in lead):
        lead = [v for v in row if _filled(v)][:4]
        if not lead:
            return "blank"
    for v in lead:
        if (
            isinstance(v, str)
            and v.lstrip().startswith(_TOTAL_START)
            and _TOTAL.match(unicodedata.normalize("NFKC", _SPACE.sub("", v)))
        ):
            return "total"
    first = lead[0]
    if isinstance(first, str):
        t = first.lstrip()
        if t[:1] in _NOTE_START and _NOTE.match(unicodedata.normalize("NFKC", _SPACE.sub("", t))):
            return "note"
        if len(lead) >= 2 and t.rstrip() in header_texts:
            filled = [v for v in row if _filled(v)]
            if all(isinstance(v, str) and v.strip() in header_texts for v in filled):
                return "header"
    return "data"


# ---------------------------------------------------------------- periods in titles and file names

_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_TITLE_PERIOD = re.compile(
    r"(20\d\d)\s*(?:年\s*(?:第\s*)?([一二三四1-4])\s*季度?|[-_ ]?[Qq]([1-4])|年\s*([0-9]{1,2})\s*月|年(?:度)?|[-.]([0-9]{1,2})(?![0-9]))"
)


def period_in_text(text: str) -> str | None:
    """`2024年第一季度…` → '2024Q1'; `2024年3月` → '2024Q1'; `2024年度` → '2024'; otherwise None."""
    s = unicodedata.normalize("NFKC", text)
    for m in _TITLE_PERIOD.finditer(s):
        year = m.group(1)
        q = m.group(2) or m.group(3)
        if q:
            return f"{year}Q{_CN_Q[q]}"
        month = m.group(4) or m.group(5)
        if month and 1 <= int(month) <= 12:
            return f"{year}Q{(int(month) - 1) // 3 + 1}"
        if month is None:
            return year
    return None
