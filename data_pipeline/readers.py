"""Read a submission file into a grid of cells, find its header row and map the header to a contract.

Only reading and recognising happen here; typing and validation of the values live in
`normalize`, and the bookkeeping (manifest, quarantine, superseding) in `ingest`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path

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
    """The cells of one sheet, row 0 = spreadsheet row 1 (so a row number is index + 1)."""

    name: str
    rows: list[list[object]]


# ---------------------------------------------------------------- reading


def read_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """All sheets of a submission file as cell grids; raises ReadError with a Chinese reason.

    The content decides, not the extension: a workbook saved as .csv or a CSV renamed .xlsx still reads.
    """
    data = path.read_bytes() if data is None else data
    if not data.strip():
        raise ReadError("文件为空")
    suffix = path.suffix.lower()
    if data[:4] == _PARQUET_MAGIC:
        return [_read_parquet(data)]
    if data[:4] == _ZIP_MAGIC or data[:8] == _OLE2_MAGIC:
        return _read_workbook(path, data)
    if suffix == ".parquet":
        raise ReadError("Parquet 文件已损坏或不完整，无法读取")
    if suffix in (".csv", ".txt", ".tsv") or (suffix in SPREADSHEET_SUFFIXES and _looks_like_text(data)):
        return [Sheet("csv", _read_csv(data))]
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


def _read_workbook(path: Path, data: bytes) -> list[Sheet]:
    import python_calamine as pc

    zf = None
    if data[:4] == _ZIP_MAGIC:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise ReadError("文件已损坏或不完整（压缩结构无法读取），请重新导出后报送") from exc
        if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
            raise ReadError("文件不是Excel工作簿（可能是Word文档或压缩包），请上传 .xlsx 表格")
    try:
        # calamine recognises OLE2 files (.xls, encrypted .xlsx) only by name, so those open from the path
        wb = (
            pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
            if zf is not None
            else pc.CalamineWorkbook.from_path(path)
        )
        sheets = []
        for i, name in enumerate(wb.sheet_names):
            sheet = wb.get_sheet_by_index(i)
            rows = sheet.to_python(skip_empty_area=False)
            _fill_vertical_merges(rows, sheet.merged_cell_ranges or ())
            sheets.append(Sheet(name, rows))
    except pc.PasswordError as exc:  # Excel stores an encrypted .xlsx inside an OLE2 container
        raise ReadError("文件已加密（设置了打开密码），请取消密码后重新报送") from exc
    except Exception as exc:  # calamine raises several types for damaged files
        raise ReadError("文件已损坏或不完整，无法打开，请重新导出后报送") from exc
    if zf is not None:
        _mark_error_cells(zf, sheets)
    for sheet in sheets:
        _trim_trailing_blank_rows(sheet.rows)
    if not any(sheet.rows for sheet in sheets):
        raise ReadError("文件中没有任何数据")
    return sheets


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


def _mark_error_cells(zf: zipfile.ZipFile, sheets: list[Sheet]) -> None:
    """Put Excel error cells back: calamine reads them as empty text, which would hide `#DIV/0!`."""
    try:
        targets = _sheet_targets(zf)
    except (zipfile.BadZipFile, KeyError, ValueError):
        return
    for sheet, target in zip(sheets, targets, strict=False):
        try:
            xml = zf.read(target)
        except KeyError:
            continue
        if b't="e"' not in xml:
            continue
        for col_letters, row_digits, value in _CELL_ERR.findall(xml):
            r = int(row_digits) - 1
            c = 0
            for ch in col_letters.decode():
                c = c * 26 + ord(ch) - 64
            c -= 1
            if r < len(sheet.rows):
                row = sheet.rows[r]
                while len(row) <= c:
                    row.append("")
                row[c] = ExcelError(value.decode("utf-8", "replace") or "#VALUE!")


def _sheet_targets(zf: zipfile.ZipFile) -> list[str]:
    """Worksheet XML paths in workbook order."""
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
    for m in re.finditer(r"<sheet\b[^>]*>", wb):
        rid = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', m.group(0))
        if rid:
            out.append(rel_target.get(rid.group(1) or rid.group(2), ""))
    return out


def _read_csv(data: bytes) -> list[list[object]]:
    text = decode_text(data)
    if "\x00" in text:
        raise ReadError("文件内容不是文本表格（CSV），请用Excel另存为 .xlsx 或 CSV 后重新报送")
    head = text[:4096]
    delimiter = max(",\t;", key=head.count) if head.count(",") == 0 else ","
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
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


def _read_parquet(data: bytes) -> Sheet:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as exc:
        raise ReadError("Parquet 文件已损坏或不完整，无法读取") from exc
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows: list[list[object]] = [list(table.column_names)]
    rows.extend([("" if v is None else v) for v in r] for r in zip(*cols, strict=True))
    return Sheet("parquet", rows)


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
