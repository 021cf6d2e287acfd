"""Every submission file under a folder → typed raw_<dataset> tables, load_manifest and quarantine.

A build streams, so its memory holds a few files and one batch of rows, not the whole data set:
1. per file, in the reader processes: read the cells, find the header, sort the rows into data / blank /
   total / note (a column at a time), type and check each column once per distinct value
   (`normalize.normalize_column`; values already parsed in an earlier file are remembered), then the
   cross-field rules and duplicate keys; the file's county and period come from its rows. Every rule is
   about one row or one file, so judging a file alone is judging it among all the others;
2. in the build process, file by file in stamp order (mtime, path): copies of the same bytes are told
   apart, and each loaded file's good rows and problems are staged as Arrow batches in Parquet files;
3. once every file is in: submission order and superseding from the files' reports, then the staged rows
   of the files that stay in force go into raw_<dataset> and quarantine (one insert per table, in the
   order they were staged) and the manifest is written.
`check_file` and the submission feedback (one upload) keep the file's typed rows in memory instead (`_run`).

Choices, kept simple on purpose:
- A file's county is the county of its rows when they all agree; its period is the quarter of its
  rows when they all agree (the period column, else the dated column named in datasets.csv
  `period_from`; the year for honours and targets). Registries (`latest_wins`: studios, sites) take
  the period written in the title rows or the file name (`2024年第一季度`), else none. A file without
  a county or period never supersedes and is never superseded.
- Submission order (`file_seq`, higher = newer) sorts files by (period, mtime, relative path).
- Of several files with the same bytes the oldest (mtime, then path) loads; the others are `duplicate`.
- Only files whose status is `loaded` put rows in raw_*. A superseded file keeps its row counts in the
  manifest; duplicate and rejected files count zero rows.
- A newer file replaces an older one for the same county × dataset × period and sender (the unit folder
  of a file publish staged, `ledger/<unit code>/…`, else the county), and only when it would load:
  when none of its data rows would load, or more than `mostly_quarantined` (settings.csv, 0.5) of them
  are quarantined, it is recorded as `rejected_resubmission`, its problems go to quarantine and the
  older file stays in force.
- Every sheet of a workbook is read: the sheets whose header names the file's dataset are loaded as
  parts of the file (each row keeps its sheet and row number); a sheet of another dataset, or one whose
  header lacks required columns, is reported in `FileReport.sheet_notes` and the manifest's `notes`.
- Files are read in forked worker processes (when the platform can fork) that die with the build, each
  with a memory limit and each file with a time limit (settings.csv `read_*`); a file that exhausts
  either is rejected with the limit named, and the others go on.
- Nothing personal is stored or printed in clear: ID numbers are hashed; anything shaped like an ID
  number, in any spelling, is masked wherever a value is shown (quarantine value, message and original,
  printed reports, file names); in datasets with names or ID numbers (aid cases) a value that broke a
  rule is masked too, as is any name of the file's name column wherever it appears.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import hashlib
import hmac
import json
import multiprocessing
import os
import pickle
import re
import secrets
import shutil
import signal
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from multiprocessing.connection import wait as wait_for
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from data_pipeline import config, contracts, normalize, readers, roster
from data_pipeline.reference import Column, Dataset, datasets

Progress = Callable[[str], None] | None

IGNORED_NAMES = ("_demo.json",)  # the demo generator's marker, not a submission

MANIFEST_DDL = """create table load_manifest (
  file_name VARCHAR, path VARCHAR, sha256 VARCHAR, dataset VARCHAR, county VARCHAR, period VARCHAR,
  rows_total INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER, rows_skipped INTEGER,
  status VARCHAR, reason VARCHAR, unknown_columns VARCHAR, file_seq INTEGER, loaded_at TIMESTAMP,
  notes VARCHAR
)"""
QUARANTINE_DDL = """create table quarantine (
  file_sha256 VARCHAR, file_name VARCHAR, row_number INTEGER, dataset VARCHAR, "column" VARCHAR,
  value VARCHAR, rule VARCHAR, message VARCHAR, original VARCHAR, sheet VARCHAR
)"""

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
}

KEY_COLUMNS = "<key>"  # the problem column of a duplicate key: all the dataset's key columns

STATUS_ZH = {
    "loaded": "已载入",
    "superseded": "已被替代",
    "duplicate": "重复文件",
    "rejected": "已拒收",
    "rejected_resubmission": "未采用的重新报送",
}
# Files whose problems are recorded in quarantine (a held-back resubmission's too, so people see why).
QUARANTINE_STATUSES = ("loaded", "rejected_resubmission")


# ---------------------------------------------------------------- reports


@dataclass
class Problem:
    """One broken rule in one row: what the person has to fix.

    `value` and `message` are safe to show: anything shaped like an ID number is masked, and so are the
    values of aid files that broke a rule. `sheet` is the workbook sheet the row is on (None for CSV and
    Parquet files, which have no sheets); `row_number` is the row number that sheet shows.
    """

    row_number: int
    column: str  # the header as written in the file ('' for a whole-row rule)
    value: str
    rule: str
    message: str
    sheet: str | None = None


@dataclass
class SheetNote:
    """A sheet of a workbook that was not loaded, and why; `has_data` = it holds a table of a dataset."""

    sheet: str
    reason: str
    has_data: bool = False


@dataclass
class FileReport:
    """What happened to one file. `path` and `file_name` are shown as a person can read them (bytes of any
    encoding decoded, control characters replaced, ID-like digits masked)."""

    path: str
    file_name: str
    sha256: str = ""
    dataset: str | None = None
    county: str | None = None
    period: str | None = None
    rows_total: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped: int = 0
    status: str = "loaded"
    reason: str | None = None
    unknown_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_seq: int = 0
    sheet_notes: list[SheetNote] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was read, every data row passed and no sheet with a table was left out."""
        return (
            self.status not in ("rejected", "rejected_resubmission")
            and self.rows_quarantined == 0
            and not any(n.has_data for n in self.sheet_notes)
        )

    @property
    def notes_zh(self) -> str | None:
        """The sheet notes as one line (the manifest's `notes`)."""
        return "；".join(n.reason for n in self.sheet_notes) or None

    def line_zh(self, max_problems: int = 3) -> str:
        """One line for the build's per-file summary; a file with problems adds its first few below."""
        mark = "✓" if self.ok and self.status == "loaded" else ("✗" if self.status == "rejected" else "!")
        if self.status == "rejected":
            return f"{mark} {self.path}：已拒收 —— {self.reason}"
        where = " ".join(x for x in (self.county, self.period) if x)
        line = (
            f"{mark} {self.path}：{_dataset_title(self.dataset)} {where}，"
            f"载入 {self.rows_loaded}，隔离 {self.rows_quarantined}，跳过 {self.rows_skipped}"
        )
        if self.status != "loaded":
            line += f"（{STATUS_ZH[self.status]}：{self.reason}）"
        shown = [f"    {n.reason}" for n in self.sheet_notes if n.has_data]
        shown += [f"    {_where(p)} {p.message}" for p in self.problems[:max_problems]]
        if len(self.problems) > max_problems:
            shown.append(f"    …… 另有 {len(self.problems) - max_problems} 个问题，用 check 命令查看全部")
        return "\n".join([line, *shown])

    def render_zh(self, max_problems: int = 50) -> str:
        """Printable Chinese summary: dataset, counts, then each problem with its row and column."""
        lines = [f"文件：{self.path}"]
        if self.status == "rejected":
            lines.append(f"  结果：已拒收 —— {self.reason}")
            return "\n".join(lines)
        title = _dataset_title(self.dataset)
        lines.append(f"  数据类型：{title}（{self.dataset}）")
        if self.county or self.period:
            lines.append(f"  县市区：{self.county or '多个/未知'}  统计期：{self.period or '未知'}")
        lines.append(
            f"  数据行 {self.rows_total}：可载入 {self.rows_loaded}，有问题 {self.rows_quarantined}，"
            f"跳过（空行/合计/备注） {self.rows_skipped}"
        )
        if self.status != "loaded":
            lines.append(f"  状态：{STATUS_ZH[self.status]} —— {self.reason}")
        if self.unknown_columns:
            lines.append(f"  未使用的列（已忽略）：{'、'.join(self.unknown_columns)}")
        for n in self.sheet_notes:
            lines.append(f"  {n.reason}")
        for p in self.problems[:max_problems]:
            lines.append(f"  {_where(p)} {p.message}")
        if len(self.problems) > max_problems:
            lines.append(f"  …… 另有 {len(self.problems) - max_problems} 个问题未列出")
        lines.append("  结论：" + ("通过" if self.ok else "请修改后重新报送"))
        return "\n".join(lines)


@dataclass
class IngestReport:
    """Per-file summaries of one ingest run."""

    files: list[FileReport]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files if f.status in QUARANTINE_STATUSES)

    def summary_zh(self) -> str:
        held = self.count("rejected_resubmission")
        return (
            f"文件 {len(self.files)} 个：载入 {self.count('loaded')}，被替代 {self.count('superseded')}，"
            f"重复 {self.count('duplicate')}，拒收 {self.count('rejected')}"
            + (f"，未采用的重新报送 {held}" if held else "")
            + f"；载入 {self.rows_loaded} 行，隔离 {self.rows_quarantined} 行"
        )


def _where(p: Problem) -> str:
    return f"工作表“{p.sheet}”第{p.row_number}行" if p.sheet else f"第{p.row_number}行"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def display_name(text: str) -> str:
    """A file or sheet name as a person can read it, safe for a terminal, a table and a spreadsheet cell.

    Bytes that were not valid in the file system's encoding (a Windows zip unpacked on Linux leaves GBK
    bytes, which Python keeps as surrogates) are decoded as UTF-8, else GB18030; control and direction
    characters become `?`; anything shaped like an ID number is masked."""
    return _display_name(text)


@lru_cache(maxsize=8192)
def _display_name(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # surrogates: bytes the file system's encoding could not decode
        raw = text.encode("utf-8", "surrogateescape")
        for enc in ("utf-8", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = raw.decode("utf-8", "replace")
        text = text.encode("utf-8", "replace").decode("utf-8")  # any lone surrogate left
    if _CONTROL.search(text):
        text = _CONTROL.sub("?", text)
    return normalize.mask_ids_in(text)


def _dataset_title(name: str | None) -> str:
    for ds in datasets():
        if ds.dataset == name:
            return ds.title_zh
    return "未知"


# ---------------------------------------------------------------- per file


@dataclass
class _Part:
    """One sheet's table inside a file: its header and where its rows start among the file's data rows."""

    sheet: str | None
    match: readers.HeaderMatch
    start: int


@dataclass
class _Parsed:
    """A file after reading: its data rows' cells by contract column, with their sheets and row numbers."""

    report: FileReport
    mtime: float
    parts: list[_Part] = field(default_factory=list)
    cols: dict[str, tuple[object, ...]] = field(default_factory=dict)  # contract column → cells of every data row
    row_numbers: list[int] = field(default_factory=list)
    title_period: str | None = None
    order: int = 0  # position in the caller's list of files
    broken: dict[int, set[str]] = field(default_factory=dict)  # data row → contract columns that broke a rule
    redact: _Redactor | None = None

    @property
    def n_rows(self) -> int:
        return len(self.row_numbers)

    @property
    def match(self) -> readers.HeaderMatch | None:
        return self.parts[0].match if self.parts else None

    def part_of(self, k: int) -> _Part:
        """The part (sheet) the k-th data row is in."""
        if len(self.parts) == 1:
            return self.parts[0]
        return self.parts[bisect_right([p.start for p in self.parts], k) - 1]

    def part_ranges(self) -> Iterable[tuple[_Part, range]]:
        """Each part with the range of its data rows."""
        for j, part in enumerate(self.parts):
            end = self.parts[j + 1].start if j + 1 < len(self.parts) else self.n_rows
            yield part, range(part.start, end)


def _pick_parts(sheets: list[readers.Sheet], report: FileReport) -> list[tuple[readers.Sheet, readers.HeaderMatch]]:
    """The sheets to load (all those of the file's dataset) and a note for every other sheet with content."""
    found = [(sheet, readers.find_header(sheet.rows)) for sheet in sheets]
    best: tuple[tuple[int, int], readers.HeaderMatch] | None = None
    for _sheet, m in found:
        if m is not None:
            key = (-len(m.missing_required), len(m.columns))
            if best is None or key > best[0]:
                best = (key, m)
    if best is None:
        return []
    primary = best[1]
    if primary.missing_required:
        return [(next(sh for sh, m in found if m is primary), primary)]
    parts = []
    for sheet, m in found:
        name = display_name(sheet.name or "")
        if m is None:
            if any(readers._filled(v) for row in sheet.rows for v in row):
                report.sheet_notes.append(SheetNote(name, f"工作表“{name}”没有可识别的表头，未读取"))
        elif m.dataset.dataset != primary.dataset.dataset:
            report.sheet_notes.append(
                SheetNote(
                    name,
                    f"工作表“{name}”是“{m.dataset.title_zh}”的数据，本文件按“{primary.dataset.title_zh}”载入，"
                    "一个文件只载入一类数据，该表未载入：请把它另存为单独的文件报送",
                    has_data=not m.missing_required and _rows_below(sheet, m),
                )
            )
        elif m.missing_required:
            names = "、".join(c.header_zh for c in m.missing_required)
            report.sheet_notes.append(
                SheetNote(
                    name,
                    f"工作表“{name}”缺少必填列：{names}，该表未载入：请按模板补齐列",
                    has_data=_rows_below(sheet, m),
                )
            )
        else:
            parts.append((sheet, m))
    return parts


def _rows_below(sheet: readers.Sheet, m: readers.HeaderMatch) -> bool:
    """Whether anything is filled in below the header (a table someone filled, not a list of column names)."""
    return any(readers._filled(v) for row in sheet.rows[m.row_index + 1 :] for v in row)


def _parse_file(path: Path, rel: str, data: bytes, report: FileReport) -> _Parsed:
    parsed = _Parsed(report, mtime=0.0)
    try:
        sheets = readers.read_sheets(path, data)
    except readers.ReadError as exc:
        report.status, report.reason = "rejected", exc.reason_zh
        return parsed
    chosen = _pick_parts(sheets, report)
    if not chosen:
        report.status = "rejected"
        report.reason = "未找到可识别的表头（应有“县市区”“统一社会信用代码”等模板列名），请使用标准模板报送"
        return parsed
    first = chosen[0][1]
    ds = first.dataset
    report.dataset = ds.dataset
    if first.missing_required:
        report.status = "rejected"
        names = "、".join(c.header_zh for c in first.missing_required)
        report.reason = f"缺少必填列：{names}（识别为“{ds.title_zh}”），请按模板补齐列后重新报送"
        return parsed
    unknown: list[str] = []
    per_column: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for sheet, m in chosen:
        header_texts = {str(v).strip() for v in sheet.rows[m.row_index] if isinstance(v, str) and v.strip()}
        body = sheet.rows[m.row_index + 1 :]
        width = max(len(m.headers), max(map(len, body), default=0))
        if body and min(map(len, body)) < width:  # ragged CSV lines; an empty cell more changes no row's kind
            body = [row if len(row) >= width else row + [None] * (width - len(row)) for row in body]
        sheet_columns = list(zip(*body, strict=True)) if body else []
        kinds = readers.row_kinds(body, header_texts, sheet_columns)
        n_data = kinds.count("data")
        keep = [k == "data" for k in kinds] if n_data < len(body) else None
        report.rows_total += len(body)
        report.rows_skipped += len(body) - n_data
        start = m.row_index + 2  # the row number the sheet shows for the first row below the header
        if keep is None:
            parsed.row_numbers.extend(range(start, start + n_data))
        else:
            parsed.row_numbers.extend(r for r, ok in enumerate(keep, start) if ok)
        parsed.parts.append(
            _Part(display_name(sheet.name) if sheet.name is not None else None, m, len(parsed.row_numbers) - n_data)
        )
        unknown.extend(h for h in m.unknown if h not in unknown)
        where = {c.column: i for i, c in m.columns.items()}
        for col in ds.columns:
            i = where.get(col.column)
            if i is None or not n_data:
                per_column[col.column].append((None,) * n_data)
            elif n_data == len(body):
                per_column[col.column].append(sheet_columns[i])
            else:
                per_column[col.column].append(tuple(compress(sheet_columns[i], keep)))
    report.unknown_columns = [display_name(h) for h in unknown]
    parsed.cols = {
        c: (parts[0] if len(parts) == 1 else tuple(v for p in parts for v in p)) for c, parts in per_column.items()
    }
    if ds.latest_wins:
        found = [readers.period_in_text(t) for t in (first.title_text, Path(rel).stem)]
        parsed.title_period = next((q for q in found if q and "Q" in q and _period_plausible(q)), None)
    return parsed


def _period_plausible(text: str) -> bool:
    """A period written in a title or file name counts only inside the window (a `2099Q1` would never be superseded)."""
    y, q = text.split("Q")
    return contracts.quarter_in_window((int(y), int(q)))


def _list_files(raw_dir: Path) -> list[Path]:
    out = []
    for p in raw_dir.rglob("*"):
        if not p.is_file() or p.name in IGNORED_NAMES:
            continue
        rel_parts = p.relative_to(raw_dir).parts
        if any(part.startswith(".") for part in rel_parts) or p.name.startswith("~$"):
            continue  # hidden files and Excel's lock files are not submissions
        out.append(p)
    return sorted(out)


# ---------------------------------------------------------------- per dataset


@dataclass
class _DatasetResult:
    """Typed columns of all data rows of one dataset, with each row's problems."""

    values: dict[str, np.ndarray]  # stored column name → object array
    file_pos: np.ndarray  # index into the list of parsed files of this dataset
    row_pos: np.ndarray  # index of the row inside its file's data rows
    row_number: np.ndarray  # the row number the spreadsheet shows
    row_sheet: np.ndarray  # the sheet the row is on (None for CSV and Parquet)
    bad: np.ndarray  # bool: row quarantined
    problems: list[tuple[int, str, str, str, str]]  # (global row, column, value, rule, detail/message)
    column_values: dict[str, np.ndarray]  # contract column → typed values (quarter as tuples)
    raw: dict[str, np.ndarray]  # contract column → the cells as read


@dataclass
class _Context:
    """What judging files needs from one run: the ID-hash key, each column's plausible range (resolved once,
    so `now` does not move during a build) and each column's memo of parsed values (normalize_column)."""

    hash_key: bytes
    bounds: dict[tuple[str, str], contracts.Bounds | None]
    memos: dict[tuple, normalize.ParseMemo] = field(default_factory=dict)

    @classmethod
    def new(cls, hash_key: bytes) -> _Context:
        return cls(hash_key, {(c.dataset, c.column): contracts.bounds(c) for ds in datasets() for c in ds.columns})

    def memo(self, col: Column) -> normalize.ParseMemo | None:
        """The memo of a column's parsed values: shared by the columns that parse alike (same type, choices
        and bounds: a firm's credit code in every dataset), one per column for free text."""
        if col.type == "person_name":  # dropped at once: nothing to remember
            return None
        bounds = self.bounds[(col.dataset, col.column)]
        key = (col.type, col.choices, bounds, (col.dataset, col.column) if col.type == "text" else None)
        memo = self.memos.get(key)
        if memo is None:
            memo = self.memos[key] = normalize.ParseMemo()
        return memo


def _validate_dataset(ds: Dataset, files: list[_Parsed], ctx: _Context) -> _DatasetResult:
    for f in files:  # a name of the file's name column is masked wherever the file shows it, its own name too
        f.redact = _Redactor.for_file(ds, f)
        if f.redact.names:
            r = f.report
            r.path, r.file_name = f.redact.text(r.path), f.redact.text(r.file_name)
            r.unknown_columns = [f.redact.text(c) for c in r.unknown_columns]
            for part in f.parts:
                part.sheet = f.redact.text(part.sheet) if part.sheet is not None else None
    lengths = [f.n_rows for f in files]
    n = sum(lengths)
    file_pos = np.repeat(np.arange(len(files)), lengths)
    row_pos = np.concatenate([np.arange(k) for k in lengths]) if files else np.zeros(0, dtype=int)
    problems: list[tuple[int, str, str, str, str]] = []
    bad = np.zeros(n, dtype=bool)
    column_values: dict[str, np.ndarray] = {}
    raws: dict[str, np.ndarray] = {}
    col_ok: dict[str, np.ndarray] = {}
    col_null: dict[str, np.ndarray] = {}
    for col in ds.columns:
        # fromiter keeps each cell as the Python object it is (an ExcelError stays one)
        if len(files) == 1:
            raw = np.fromiter(files[0].cols[col.column], dtype=object, count=n)
        else:
            raw = np.empty(n, dtype=object)
            pos = 0
            for f in files:
                k = f.n_rows
                if k:
                    raw[pos : pos + k] = np.fromiter(f.cols[col.column], dtype=object, count=k)
                pos += k
        raws[col.column] = raw
        res = normalize.normalize_column(
            col,
            raw,
            file_pos,
            ctx.hash_key,
            ctx.bounds[(ds.dataset, col.column)],
            ctx.memo(col),
        )
        column_values[col.column] = res.values
        col_null[col.column] = res.null
        has_rule = res.broken
        if col.required and col.type != "person_name":
            missing = res.null & ~has_rule
            for i in np.flatnonzero(missing):
                problems.append((int(i), col.column, "", "required", "必填项为空"))
        else:
            missing = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(has_rule):
            problems.append((int(i), col.column, "", *res.rule_of(i)))
        col_ok[col.column] = ~has_rule & ~missing
        bad |= has_rule | missing
    for rule in contracts.CROSS_RULES:
        if rule.dataset != ds.dataset:
            continue
        left, right = column_values[rule.left], column_values[rule.right]
        both = col_ok[rule.left] & col_ok[rule.right] & ~col_null[rule.left] & ~col_null[rule.right]
        idx = np.flatnonzero(both)
        if not len(idx):
            continue
        lv, rv = left[idx], right[idx]
        if rule.op == "zero_unless":
            broken = np.array([r is False and lft != 0 for lft, r in zip(lv, rv, strict=True)], dtype=bool)
        else:
            kind = "datetime64[D]" if isinstance(lv[0], dt.date) else float
            la, ra = np.asarray(lv, dtype=kind), np.asarray(rv, dtype=kind)
            broken = ~(la <= ra) if rule.op == "<=" else ~(la >= ra)
        for i in idx[broken]:
            msg = rule.message_zh.format(left=_fmt(left[i]), right=_fmt(right[i]))
            problems.append((int(i), rule.left, _fmt(left[i]), rule.name, msg))
            bad[i] = True
    _percent_targets(ds, column_values, col_ok, bad, problems)
    _names_in_text(ds, files, column_values, file_pos, col_ok, bad, problems)
    _duplicate_keys(ds, column_values, file_pos, row_pos, files, bad, problems)
    values: dict[str, np.ndarray] = {}
    for col in ds.columns:
        v = column_values[col.column]
        if col.type == "quarter":
            values["year"] = np.array([t[0] if t else None for t in v], dtype=object)
            values["quarter"] = np.array([t[1] if t else None for t in v], dtype=object)
        elif col.type == "id_number":
            values["id_hash"] = v
        elif col.type != "person_name":
            values[col.column] = v
    row_number = np.concatenate([np.asarray(f.row_numbers, dtype=np.int32) for f in files]) if files else row_pos
    row_sheet = np.empty(n, dtype=object)
    pos = 0
    for f in files:
        for part, rows in f.part_ranges():
            row_sheet[pos + rows.start : pos + rows.stop] = part.sheet
        pos += f.n_rows
    return _DatasetResult(values, file_pos, row_pos, row_number, row_sheet, bad, problems, column_values, raws)


def _percent_targets(
    ds: Dataset, values: dict[str, np.ndarray], ok: dict[str, np.ndarray], bad: np.ndarray, problems: list
) -> None:
    """A target of a rate indicator is a percent (contracts.PERCENT_TARGET)."""
    dataset, column, indicator = contracts.PERCENT_TARGET
    if ds.dataset != dataset:
        return
    rates = contracts.percent_indicators()
    target, code = values[column], values[indicator]
    for i in np.flatnonzero(ok[column] & ok[indicator]):
        t = target[i]
        if code[i] in rates and t is not None and not 0 <= t <= 100:
            msg = f"“{code[i]}”是比率类指标，目标值应为0至100之间的百分数，实际为“{_fmt(t)}”"
            problems.append((int(i), column, _fmt(t), "percent_range", msg))
            bad[i] = True


def _names_in_text(
    ds: Dataset,
    files: list[_Parsed],
    values: dict[str, np.ndarray],
    file_pos: np.ndarray,
    ok: dict[str, np.ndarray],
    bad: np.ndarray,
    problems: list,
) -> None:
    """In a dataset with a name column (aid cases), a name of the file's name column inside another text
    column (档案编号 `张三-2024`) would be stored in clear: the row is quarantined instead."""
    name_cols = [c for c in ds.columns if c.type == "person_name"]
    text_cols = [c for c in ds.columns if c.type == "text"]
    if not name_cols or not text_cols:
        return
    for fpos, f in enumerate(files):
        if f.redact is None or not f.redact.names:
            continue
        rows = np.flatnonzero(file_pos == fpos)
        for col in text_cols:
            v = values[col.column]
            for i in rows[ok[col.column][rows]]:
                if v[i] is not None and f.redact.has_name(v[i]):
                    problems.append(
                        (int(i), col.column, "", "name_in_text", "含有本文件“姓名”列中的姓名，此列不能填写姓名")
                    )
                    bad[i] = True


def _fmt(v: object) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _duplicate_keys(
    ds: Dataset,
    column_values: dict[str, np.ndarray],
    file_pos: np.ndarray,
    row_pos: np.ndarray,
    files: list[_Parsed],
    bad: np.ndarray,
    problems: list[tuple[int, str, str, str, str]],
) -> None:
    """A later row with the same dataset key as an earlier good row of the same file is quarantined."""
    ok = np.flatnonzero(~bad)
    if not len(ok) or not ds.key:
        return
    rows = ok.tolist()
    first: dict[tuple, int] = {}
    dups = []
    keys = zip(file_pos[ok].tolist(), *(column_values[k][ok].tolist() for k in ds.key), strict=True)
    for i, key in zip(rows, keys, strict=True):
        j = first.setdefault(key, i)
        if j != i:
            dups.append((i, j, key))
    for i, j, key in dups:
        f = files[file_pos[i]]
        k_first = int(row_pos[j])
        part_first = f.part_of(k_first)
        first_row = f.row_numbers[k_first]
        same_sheet = part_first is f.part_of(int(row_pos[i]))
        where = (
            f"第{first_row}行"
            if same_sheet or part_first.sheet is None
            else f"工作表“{part_first.sheet}”第{first_row}行"
        )
        names = "、".join(_header_of(part_first.match, k) or k for k in ds.key)
        value = "、".join(_fmt_key(v) for v in key[1:])
        problems.append((i, KEY_COLUMNS, value, "duplicate_key", f"与{where}重复（{names}相同：{value}），本行未载入"))
        bad[i] = True


def _fmt_key(v: object) -> str:
    if v is None:
        return "空"
    if isinstance(v, tuple):
        return f"{v[0]}Q{v[1]}"
    return _fmt(v)


# ---------------------------------------------------------------- privacy


_LETTERS = re.compile(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


class _Redactor:
    """What may be shown of one file's values.

    Everywhere: anything shaped like an ID number is masked. In a sensitive dataset (one with a name or
    an ID number column: aid cases) also every name of the file's name column wherever it appears, and
    any value with letters or Chinese characters that broke a rule (a name typed into 救助类别 is a
    name, whatever the column): `欧阳明` → `欧**`."""

    def __init__(self, sensitive: bool, names: Iterable[str] = ()) -> None:
        self.sensitive = sensitive
        self.names = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)

    @classmethod
    def for_file(cls, ds: Dataset, f: _Parsed) -> _Redactor:
        sensitive = any(c.type in ("person_name", "id_number") for c in ds.columns)
        names = set()
        for c in ds.columns:
            if c.type == "person_name":
                names.update(normalize.clean_text(normalize.show(v)) for v in f.cols.get(c.column, ()) if v)
        return cls(sensitive, names)

    def has_name(self, s: str) -> bool:
        return not s.isascii() and any(n in s for n in self.names)

    def text(self, s: str) -> str:
        s = normalize.mask_ids_in(s)
        if self.names and not s.isascii():
            for name in self.names:
                if name in s:
                    s = s.replace(name, normalize.mask_name(name))
        return s

    def cell(self, col: Column | None, v: object, broke: bool) -> str:
        """A cell as it may be shown; `broke` = it broke a rule."""
        s = normalize.show(v)
        if col is not None and col.type == "id_number" and s:
            return normalize.mask_id(s)
        if self.sensitive and broke and _LETTERS.search(s):
            return normalize.mask_name(s)
        return self.text(s)

    def detail(self, col: Column | None, v: object, detail: str) -> str:
        """A message about the cell `v` (which broke a rule)."""
        s = normalize.show(v)
        if self.sensitive and s and _LETTERS.search(s):
            detail = detail.replace(s, normalize.mask_name(s))
        return self.text(detail)


_PLAIN = _Redactor(False)


# ---------------------------------------------------------------- file-level facts


def _agree(values: Iterable[object]) -> object | None:
    distinct = {v for v in values if v is not None}
    return distinct.pop() if len(distinct) == 1 else None


def _file_period(ds: Dataset, res: _DatasetResult, sel: np.ndarray, parsed: _Parsed) -> str | None:
    if ds.latest_wins:
        return parsed.title_period
    src = res.column_values.get(ds.period_from)
    if src is None:
        return None
    col = next(c for c in ds.columns if c.column == ds.period_from)
    vals = src[sel]
    if col.type == "quarter":
        got = _agree(vals)
        return f"{got[0]}Q{got[1]}" if got else None
    if col.type == "date":
        got = _agree((v.year, (v.month - 1) // 3 + 1) if v else None for v in vals)
        return f"{got[0]}Q{got[1]}" if got else None
    if col.type == "year":
        got = _agree(vals)
        return str(got) if got else None
    return None


# ---------------------------------------------------------------- reading, isolated


@dataclass
class _Item:
    """One file to read: where it is, how to call it, its bytes when the caller already has them."""

    path: Path
    rel: str
    mtime: float = 0.0
    data: bytes | None = None
    order: int = 0


def _read_one(item: _Item) -> _Parsed:
    """Read and parse one file; never raises (a file that cannot be read is rejected with a reason)."""
    report = FileReport(path=display_name(item.rel), file_name=display_name(item.path.name))
    data = item.data
    if data is None:
        try:
            reason = readers.too_big_reason(item.path.stat().st_size)
            if reason:
                report.status, report.reason = "rejected", reason
                return _Parsed(report, item.mtime, order=item.order)
            data = item.path.read_bytes()
        except OSError:
            report.status, report.reason = "rejected", "无法读取该文件（文件不存在、权限或磁盘错误）"
            return _Parsed(report, item.mtime, order=item.order)
    report.sha256 = hashlib.sha256(data).hexdigest()
    try:
        p = _parse_file(item.path, item.rel, data, report)
    except MemoryError:
        report.status, report.reason = "rejected", _memory_reason()
        p = _Parsed(report, item.mtime)
    except Exception as exc:  # one odd file must never stop the others; no cell value in the reason
        report.status = "rejected"
        report.reason = f"无法读取该文件（{type(exc).__name__}），请另存为标准模板后重新报送"
        report.problems, report.sheet_notes = [], []
        p = _Parsed(report, item.mtime)
    p.mtime, p.order = item.mtime, item.order
    return p


def _memory_reason() -> str:
    lim = readers.limits()
    return (
        f"读取该文件需要的内存超过上限 {readers.size_text(lim.memory_bytes)}（读取限制），已拒收："
        "可能含有超大的内容，请删除多余内容后重新保存再报送"
    )


PARALLEL_MIN_FILES = 300  # below this, one reader process (for isolation); from here on, several
MAX_READERS = 4
CHUNK = 16  # files sent to a reader at a time; their results come back in one message
WINDOW = 256  # with results handed over in order: no file is sent this far past the first one not done
_TAKEN = object()  # a result already handed over
ISOLATE = True  # read in worker processes when the platform can fork


def _read_all(
    items: list[_Item],
    progress: Progress,
    task: Callable[[_Item], object] = _read_one,
    emit: Callable[[int, object], None] | None = None,
) -> list:
    """`task` (by default: parse) every file: in forked reader processes when possible, else in this process.

    Without `emit`, the results in input order. With `emit`, each result is handed to `emit(index, result)`
    in input order as soon as it and all before it are done, and not kept (the list returned is empty)."""
    total = len(items)

    def tick(k: int) -> None:
        if progress and (k % 200 == 0 or k == total):
            progress(f"读取报送文件 {k}/{total}")

    if not total:
        return []
    if ISOLATE and "fork" in multiprocessing.get_all_start_methods():
        workers = min(MAX_READERS, os.cpu_count() or 1, total) if total >= PARALLEL_MIN_FILES else 1
        return _Readers(items, max(workers, 1), readers.limits(), task).run(tick, emit)
    out = []
    finish = getattr(task, "finish", None)
    for k, item in enumerate(items):
        got = task(item) if finish is None else finish([item], [task(item)])[0]
        if emit is None:
            out.append(got)
        else:
            emit(k, got)
        tick(k + 1)
    return out


@dataclass
class _Worker:
    proc: multiprocessing.Process
    conn: object
    slot: object  # shared with the reader: [index of the file it is reading (-1: none), when it began]
    chunks: deque = field(default_factory=deque)  # chunks sent and not yet answered, in order

    def current(self) -> tuple[int, float]:
        return int(self.slot[0]), float(self.slot[1])


class _Readers:
    """Reader processes forked from this one. Each reads the files of a chunk one after the other and
    sends the chunk's results back in one message; while reading it keeps, in memory shared with this
    process, which file it is on and since when.

    Each reader: dies with its parent (PR_SET_PDEATHSIG, and its pipe closing), has an address-space
    limit of its start size + `read_memory_mb`, writes nothing to the terminal. A reader that dies (the
    spreadsheet library aborts when memory runs out) or overruns `read_seconds` on a file rejects exactly
    that file; the other files of its chunks go to a new reader."""

    def __init__(self, items: list[_Item], n: int, lim: readers.Limits, task: Callable[[_Item], object]) -> None:
        self.items, self.n, self.lim, self.task = items, n, lim, task
        self.ctx = multiprocessing.get_context("fork")
        self.results: list[object] = [None] * len(items)
        self.queue: deque[int] = deque(range(len(items)))
        self.done = 0
        self.emitted = 0  # with `emit`: results before this index have been handed over
        self.window = len(items)  # how far past `emitted` files are sent to readers

    def _start(self) -> _Worker:
        mine, theirs = self.ctx.Pipe()
        slot = self.ctx.RawArray("d", [-1.0, 0.0])
        proc = self.ctx.Process(
            target=_reader_main,
            args=(theirs, slot, self.items, self.task, os.getpid(), self.lim.memory_bytes),
            daemon=True,
        )
        proc.start()
        theirs.close()
        return _Worker(proc, mine, slot)

    def _feed(self, w: _Worker) -> bool:
        """Keep two chunks in the reader's hands; False when it is gone (the chunk goes back to the queue)."""
        while len(w.chunks) < 2 and self.queue and self.queue[0] < self.emitted + self.window:
            chunk = [self.queue.popleft() for _ in range(min(CHUNK, len(self.queue)))]
            try:
                w.conn.send(chunk)
            except OSError:  # it died
                self.queue.extendleft(reversed(chunk))
                return False
            w.chunks.append(chunk)
        return True

    def _fail(self, w: _Worker, reason: str) -> None:
        """The reader `w` died or was stopped: reject the file it was on, requeue its other files."""
        current, _ = w.current()
        pending = [i for chunk in w.chunks for i in chunk if self.results[i] is None]
        culprit = current if current in pending else (pending[0] if pending else None)
        if culprit is not None:
            item = self.items[culprit]
            report = FileReport(display_name(item.rel), display_name(item.path.name), status="rejected", reason=reason)
            if item.data is not None:
                report.sha256 = hashlib.sha256(item.data).hexdigest()
            else:
                with contextlib.suppress(OSError):
                    report.sha256 = hashlib.sha256(item.path.read_bytes()).hexdigest()
            self.results[culprit] = (
                _Parsed(report, item.mtime, order=item.order)
                if self.task is _read_one
                else _Checked(report, item.mtime, item.order)
            )
            self.done += 1
        self.queue.extendleft(reversed([i for i in pending if i != culprit]))
        w.chunks.clear()
        _stop(w)

    def run(self, tick: Callable[[int], None], emit: Callable[[int, object], None] | None = None) -> list:
        workers: list[_Worker] = []
        ticked = 0
        if emit is not None:  # results wait for the ones before them: keep that wait short
            self.window = WINDOW
        seconds = self.lim.seconds
        try:
            while self.done < len(self.items):
                while len(workers) < min(self.n, len(self.queue) + sum(bool(w.chunks) for w in workers)):
                    workers.append(self._start())
                for w in list(workers):
                    if not self._feed(w) and not w.chunks:  # with files in hand, its death is handled below
                        _stop(w)
                        workers.remove(w)
                busy = [w for w in workers if w.chunks]
                now = time.monotonic()
                deadlines = [w.current()[1] + seconds - now for w in busy if w.current()[0] >= 0]
                timeout = min(max(0.0, min(deadlines, default=seconds)), seconds)
                ready = set(wait_for([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout))
                for w in busy:
                    if w.conn in ready or w.proc.sentinel in ready:
                        self._drain(w)
                    current, began = w.current()
                    if w.chunks and not w.proc.is_alive():
                        self._fail(w, _crash_reason(w.proc.exitcode, self.lim))
                        workers.remove(w)
                    elif w.chunks and current >= 0 and time.monotonic() - began > seconds:
                        self._fail(
                            w,
                            f"读取该文件超过 {seconds:g} 秒仍未完成（读取时间上限），已拒收："
                            "请检查文件是否过大或损坏，另存为标准模板后重新报送",
                        )
                        workers.remove(w)
                for k in range(ticked + 1, self.done + 1):
                    tick(k)
                ticked = self.done
                if emit is not None:
                    self._emit(emit)
        finally:
            for w in workers:
                _stop(w, gently=True)
        return [] if emit is not None else [r for r in self.results if r is not None]

    def _emit(self, emit: Callable[[int, object], None]) -> None:
        """Hand over the results that are done, in order, and forget them (they are marked as taken)."""
        while self.emitted < len(self.results) and self.results[self.emitted] is not None:
            k = self.emitted
            got, self.results[k] = self.results[k], _TAKEN
            self.emitted += 1
            emit(k, got)

    def _drain(self, w: _Worker) -> None:
        try:
            while w.chunks and w.conn.poll():
                answered = w.conn.recv()
                if [i for i, _ in answered] != w.chunks[0]:
                    raise EOFError("out of order")
                w.chunks.popleft()
                for i, parsed in answered:
                    self.results[i] = parsed
                self.done += len(answered)
        except (EOFError, OSError, pickle.UnpicklingError):
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()


def _crash_reason(code: int | None, lim: readers.Limits) -> str:
    if code is not None and code < 0 and -code in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
        return (
            f"读取该文件时读取程序异常终止（内存上限 {readers.size_text(lim.memory_bytes)}，读取限制），已拒收："
            "可能含有超大的内容或已损坏，请删除多余内容后重新保存再报送"
        )
    return f"读取该文件时读取程序异常终止（退出码 {code}），已拒收：可能已损坏，请另存为标准模板后重新报送"


def _stop(w: _Worker, gently: bool = False) -> None:
    try:
        if gently and w.proc.is_alive():
            w.conn.send(None)
            w.proc.join(timeout=2)
    except OSError:
        pass
    if w.proc.is_alive():
        w.proc.kill()
        w.proc.join()
    w.conn.close()


def _reader_main(
    conn, slot, items: list[_Item], task: Callable[[_Item], object], parent: int, memory_bytes: int
) -> None:
    """A reader process: die with the parent, stay within the memory limit, never print; say which file
    it is on in `slot` ([index, since when]) and send each chunk's results in one message."""
    try:
        _die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends the readers
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)  # a library's crash report is not for the user; the parent says what happened
        faulthandler.disable()  # it may write to a copy of the terminal's stderr
        _limit_memory(memory_bytes)
        while True:
            try:
                chunk = conn.recv()
            except (EOFError, OSError):
                break
            if chunk is None:
                break
            answered = []
            for i in chunk:
                slot[1] = time.monotonic()
                slot[0] = i
                answered.append((i, task(items[i])))
            slot[0] = -1
            finish = getattr(task, "finish", None)
            if finish is not None:  # judged a chunk at a time (`_Judge`)
                done = finish([items[i] for i, _ in answered], [got for _, got in answered])
                answered = [(i, got) for (i, _), got in zip(answered, done, strict=True)]
            conn.send(answered)
    except BaseException:  # noqa: BLE001 - end quietly; the parent rejects the file in hand
        os._exit(1)


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the parent (thread) ends
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(0)


def _limit_memory(extra: int) -> None:
    try:
        import resource

        with open("/proc/self/status") as fh:
            size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft != resource.RLIM_INFINITY:
            limit = min(limit, soft)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, StopIteration, ImportError):
        pass


# ---------------------------------------------------------------- the run


def _stamp(items: list[_Item]) -> list[_Item]:
    """Number the items as given and read their mtimes; return them oldest first (mtime, then path), the order
    in which copies of the same bytes are told apart (the oldest one is kept)."""
    for k, item in enumerate(items):
        item.order = k
        if item.data is None:
            try:
                item.mtime = item.path.stat().st_mtime
            except OSError:
                item.mtime = 0.0
    return sorted(items, key=lambda t: (t.mtime, t.rel))


def _duplicate(report: FileReport) -> FileReport:
    return FileReport(path=report.path, file_name=report.file_name, sha256=report.sha256, status="duplicate")


def _copy_of(dup: FileReport, twin: FileReport, redact: _Redactor | None) -> None:
    """A copy's report after its twin was judged: the twin's dataset, county and period; its name masked as
    the twin's is."""
    dup.dataset, dup.county, dup.period = twin.dataset, twin.county, twin.period
    if redact is not None:
        dup.path, dup.file_name = redact.text(dup.path), redact.text(dup.file_name)
    dup.reason = f"与文件“{twin.path}”内容完全相同（重复报送），已忽略"


def _run(
    items: list[_Item], hash_key: bytes, progress: Progress, *, supersede: bool = True
) -> tuple[list[_Parsed], dict[str, tuple[list[_Parsed], _DatasetResult]]]:
    """Read and judge files with every data row kept in memory (one upload, a few files): the parsed files
    and, per dataset, its files with their typed rows. A warehouse build streams instead (`_stream`)."""
    parsed = _read_all(_stamp(items), progress)
    first_copy: dict[str, _Parsed] = {}
    twins: list[tuple[_Parsed, _Parsed]] = []
    for i, p in enumerate(parsed):
        sha = p.report.sha256
        if not sha:
            continue
        twin = first_copy.get(sha)
        if twin is None:
            first_copy[sha] = p
            continue
        parsed[i] = _Parsed(_duplicate(p.report), p.mtime, order=p.order)
        twins.append((parsed[i], twin))
    by_ds: dict[str, list[_Parsed]] = defaultdict(list)
    for p in parsed:
        if p.match is not None and p.report.status == "loaded":
            by_ds[p.report.dataset].append(p)
    results: dict[str, tuple[list[_Parsed], _DatasetResult]] = {}
    ctx = _Context.new(hash_key)
    for ds in datasets():
        files = by_ds.get(ds.dataset, [])
        if progress and files:
            progress(f"校验 {ds.title_zh}：{len(files)} 个文件")
        res = _validate_dataset(ds, files, ctx)
        results[ds.dataset] = (files, res)
        _apply_results(ds, files, res)
    for p, twin in twins:  # after validation: the twin's name is shown as masked as it is
        _copy_of(p.report, twin.report, twin.redact)
    _order_and_supersede(parsed, supersede)
    return parsed, results


# ---------------------------------------------------------------- the run, streamed


@dataclass
class _Checked:
    """A file read and judged on its own (`_check_one`, in a reader process): its report, and its good rows
    (the columns of raw_<dataset> but `_file_seq`) and quarantine rows as Arrow tables until they are staged.
    Judging a file alone gives what judging it among others does: every rule is about one row or one file."""

    report: FileReport
    mtime: float
    order: int
    redact: _Redactor | None = None
    rows: pa.Table | None = None
    quarantine: pa.Table | None = None
    index: int = 0  # position in stamp order (`_stamp`), the stage's `_file`


class _Judge:
    """Read files one at a time (a reader's slot names the file in hand while it reads), then judge them a chunk
    at a time: the files of one dataset in a chunk are typed and checked together, a few calls for many small
    files instead of a few per file. Every rule is about one row or one file, so each file's answer is the one it
    gets alone. Never raises: when judging files together fails, each is read again and judged alone, so only an
    odd file is rejected, with a reason."""

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx

    def __call__(self, item: _Item) -> _Parsed:
        return _read_one(item)

    def finish(self, items: list[_Item], parsed: list[_Parsed]) -> list[_Checked]:
        out = [_Checked(p.report, p.mtime, p.order) for p in parsed]
        groups: dict[str, list[int]] = defaultdict(list)
        for k, p in enumerate(parsed):
            if p.match is not None and p.report.status == "loaded":
                groups[p.report.dataset].append(k)
        for name, ks in groups.items():
            ds = next(d for d in datasets() if d.dataset == name)
            if len(ks) > 1:
                try:
                    self._judge(ds, [parsed[k] for k in ks], [out[k] for k in ks])
                    continue
                except Exception:  # noqa: BLE001 - judged again one file at a time, below
                    for k in ks:
                        parsed[k] = _read_one(items[k])  # the failed attempt may have marked the files
                        out[k] = _Checked(parsed[k].report, parsed[k].mtime, parsed[k].order)
            for k in ks:
                try:
                    self._judge(ds, [parsed[k]], [out[k]])
                except Exception as exc:  # noqa: BLE001 - one odd file must never stop the others
                    r = out[k].report
                    r.status = "rejected"
                    r.reason = (
                        _memory_reason()
                        if isinstance(exc, MemoryError)
                        else f"无法读取该文件（{type(exc).__name__}），请另存为标准模板后重新报送"
                    )
                    r.problems, r.sheet_notes, r.rows_loaded, r.rows_quarantined = [], [], 0, 0
                    out[k].rows = out[k].quarantine = None
        return out

    def _judge(self, ds: Dataset, files: list[_Parsed], out: list[_Checked]) -> None:
        res = _validate_dataset(ds, files, self.ctx)
        _apply_results(ds, files, res)
        good = ~res.bad
        for j, (p, o) in enumerate(zip(files, out, strict=True)):
            o.rows = _rows_table(ds, files, res, np.flatnonzero(good & (res.file_pos == j)), per_file=False)
            o.quarantine = _quarantine_table(ds, [p])
            o.redact = p.redact


def _check_one(item: _Item, ctx: _Context) -> _Checked:
    """Read, type and check one file; never raises (a file that cannot be judged is rejected with a reason)."""
    judge = _Judge(ctx)
    return judge.finish([item], [judge(item)])[0]


def _stream(items: list[_Item], ctx: _Context, progress: Progress, stage: _Stage | None) -> list[_Checked]:
    """Judge every file in the reader processes, one file at a time, and hand each loaded file's rows to
    `stage` as it comes (in stamp order), keeping only the reports: memory does not grow with the rows.

    Copies of the same bytes are told apart as `_run` does; superseding is left to the caller, once every
    file's county and period are known."""
    checked: list[_Checked] = []
    first_copy: dict[str, _Checked] = {}
    twins: list[tuple[_Checked, _Checked]] = []

    def take(k: int, c: _Checked) -> None:
        c.index = k
        sha = c.report.sha256
        twin = first_copy.get(sha) if sha else None
        if twin is not None:
            c = _Checked(_duplicate(c.report), c.mtime, c.order, index=k)
            twins.append((c, twin))
        elif sha:
            first_copy[sha] = c
        if stage is not None and c.report.status == "loaded":
            stage.add(c)
        c.rows = c.quarantine = None
        checked.append(c)

    _read_all(_stamp(items), progress, _Judge(ctx), take)
    for c, twin in twins:
        _copy_of(c.report, twin.report, twin.redact)
    return checked


STAGE_FLUSH_ROWS = 100_000  # rows kept in memory before the stage writes them out


class _Stage:
    """Checked files' rows on their way into the warehouse.

    Each loaded file's good rows and quarantine rows are appended, with `_file` (its stamp index), to one
    Parquet file per dataset and table in `folder` (created when first needed; a temporary folder when
    None), a batch at a time. Once every file's status and submission order are known, `load` inserts the
    rows of the files that stay in force into raw_<dataset> and quarantine, with their `_file_seq`, in the
    order they were staged (stamp order, rows in file order)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.made = False
        self.buffers: dict[tuple[str, str], list[pa.Table]] = defaultdict(list)
        self.buffered = 0
        self.writers: dict[tuple[str, str], object] = {}

    def __enter__(self) -> _Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _path(self, key: tuple[str, str]) -> Path:
        if not self.made:
            if self.folder is None:
                self.folder = Path(tempfile.mkdtemp(prefix="ingest-stage-"))
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
            self.made = True
        return self.folder / f"{key[0]}_{key[1]}.parquet"

    def add(self, c: _Checked) -> None:
        for kind, table in (("raw", c.rows), ("quarantine", c.quarantine)):
            if table is None or not table.num_rows:
                continue
            table = table.append_column("_file", pa.array(np.full(table.num_rows, c.index, dtype=np.int32)))
            self.buffers[(kind, c.report.dataset)].append(table)
            self.buffered += table.num_rows
        if self.buffered >= STAGE_FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow.parquet as pq

        for key, tables in self.buffers.items():
            table = pa.concat_tables(tables)
            writer = self.writers.get(key)
            if writer is None:
                writer = self.writers[key] = pq.ParquetWriter(self._path(key), table.schema)
            writer.write_table(table)
        self.buffers.clear()
        self.buffered = 0

    def load(self, con, checked: list[_Checked]) -> None:
        """Insert the staged rows of files that stay in force, dataset by dataset (raw, then quarantine)."""
        self.flush()
        for writer in self.writers.values():
            writer.close()
        n = max((c.index for c in checked), default=-1) + 1
        seq, sha, raw_keep, quarantine_keep = [0] * n, [""] * n, [False] * n, [False] * n
        for c in checked:
            seq[c.index] = c.report.file_seq
            sha[c.index] = c.report.sha256
            raw_keep[c.index] = c.report.status == "loaded"
            quarantine_keep[c.index] = c.report.status in QUARANTINE_STATUSES
        for kind in ("raw", "quarantine"):
            for ds in datasets():
                key = (kind, ds.dataset)
                if key not in self.writers:
                    continue
                if kind == "raw":
                    con.execute(
                        f"insert into raw_{ds.dataset} by name select * exclude (_file), "
                        "list_extract($sha, _file + 1) as _file_sha256, list_extract($seq, _file + 1) as _file_seq "
                        "from read_parquet($path) where list_extract($keep, _file + 1)",
                        {"sha": sha, "seq": seq, "keep": raw_keep, "path": str(self._path(key))},
                    )
                else:
                    con.execute(
                        "insert into quarantine by name select * exclude (_file) from read_parquet($path) "
                        "where list_extract($keep, _file + 1)",
                        {"keep": quarantine_keep, "path": str(self._path(key))},
                    )

    def close(self) -> None:
        for writer in self.writers.values():
            with contextlib.suppress(Exception):
                writer.close()
        self.writers.clear()
        self.buffers.clear()
        if self.made and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _apply_results(ds: Dataset, files: list[_Parsed], res: _DatasetResult) -> None:
    """Per-file counts, problems (with the file's own header text, values masked), county and period."""
    by_file_rows: dict[int, set[int]] = defaultdict(set)
    columns = {c.column: c for c in ds.columns}
    for i, column, value, rule, detail in res.problems:
        fpos = int(res.file_pos[i])
        f = files[fpos]
        k = int(res.row_pos[i])
        part = f.part_of(k)
        col = columns.get(column)
        header = _header_of(part.match, column)
        plain = _is_cross(rule) or column == KEY_COLUMNS
        red = f.redact or _PLAIN
        if col is not None and not plain:
            raw_cell = res.raw[column][i]
            value = red.cell(col, raw_cell, broke=True)
            detail = red.detail(col, raw_cell, detail)
        else:
            value, detail = red.text(value), red.text(detail)
        message = f"「{header}」列：{detail}" if header and not plain else detail
        f.report.problems.append(Problem(f.row_numbers[k], header, value, rule, message, part.sheet))
        f.broken.setdefault(k, set()).add(column)
        by_file_rows[fpos].add(i)
    county = res.column_values.get("county")
    for fpos, f in enumerate(files):
        sel = res.file_pos == fpos
        f.report.rows_quarantined = len(by_file_rows.get(fpos, ()))
        f.report.rows_loaded = f.n_rows - f.report.rows_quarantined
        f.report.problems.sort(key=lambda p, f=f: (_part_index(f, p.sheet), p.row_number))
        f.report.county = _agree(county[sel]) if county is not None and ds.dataset != "targets" else None
        f.report.period = _file_period(ds, res, sel, f)


def _part_index(f: _Parsed, sheet: str | None) -> int:
    return next((j for j, part in enumerate(f.parts) if part.sheet == sheet), 0)


def _is_cross(rule: str) -> bool:
    return any(r.name == rule for r in contracts.CROSS_RULES)


def _header_of(match: readers.HeaderMatch | None, column: str) -> str:
    """The header as written in the file for a contract column ('' when none)."""
    if match is None or not column:
        return ""
    if column == KEY_COLUMNS:
        return "、".join(_header_of(match, k) or k for k in match.dataset.key)
    for i, c in match.columns.items():
        if c.column == column:
            return display_name(match.headers[i] or c.header_zh)
    return column


def held_back(report: FileReport) -> bool:
    """Whether a newer file is too broken to replace an older one: no data row would load, or more than
    settings `mostly_quarantined` (0.5) of its data rows are quarantined."""
    data_rows = report.rows_loaded + report.rows_quarantined
    return (
        report.rows_loaded == 0 or report.rows_quarantined > contracts.setting_number("mostly_quarantined") * data_rows
    )


def _order_and_supersede(parsed: list[_Parsed] | list[_Checked], supersede: bool = True) -> None:
    """Number files in submission order (period, mtime, path), then mark superseded files.

    A newer file for the same county × dataset × period from the same sender (`roster.sender_code`: a chain
    union's file never replaces a county union's) supersedes the older one only when it is not `held_back`;
    otherwise it is `rejected_resubmission` and the older file stays in force."""
    parsed.sort(key=lambda p: (p.report.period or "", p.mtime, p.report.path))
    for seq, p in enumerate(parsed, 1):
        p.report.file_seq = seq
    if not supersede:
        return
    latest: dict[tuple[str, str, str], _Parsed | _Checked] = {}
    for p in parsed:  # in order, so a later file replaces an earlier one
        r = p.report
        if r.status != "loaded" or not (r.dataset and r.county and r.period):
            continue
        key = (r.dataset, r.county, r.period, roster.sender_code(r.path, r.county))
        older = latest.get(key)
        if older is not None and held_back(r):
            data_rows = r.rows_loaded + r.rows_quarantined
            why = "没有可载入的数据行" if r.rows_loaded == 0 else f"{data_rows} 行数据中 {r.rows_quarantined} 行有问题"
            r.status = "rejected_resubmission"
            r.reason = (
                f"{why}，未替代较早的文件“{older.report.path}”（同一县市区、数据类型和统计期），"
                "较早文件的数据继续有效：请修改本文件后重新报送"
            )
            continue
        if older is not None:
            older.report.status = "superseded"
            older.report.reason = f"已被较新的文件“{r.path}”替代（同一县市区、数据类型和统计期）"
        latest[key] = p


# ---------------------------------------------------------------- writing


def _create_tables(con) -> None:
    for ds in datasets():
        con.execute(f"drop table if exists raw_{ds.dataset}")
        con.execute(contracts.raw_table_ddl(ds))
    con.execute("drop table if exists load_manifest")
    con.execute(MANIFEST_DDL)
    con.execute("drop table if exists quarantine")
    con.execute(QUARANTINE_DDL)


def _insert(con, table: str, arrow_table: pa.Table) -> None:
    if arrow_table.num_rows == 0:
        return
    name = f"_ingest_{table}"
    con.register(name, arrow_table)
    try:
        con.execute(f"insert into {table} by name select * from {name}")
    finally:
        con.unregister(name)


def _rows_table(
    ds: Dataset, files: list[_Parsed], res: _DatasetResult, idx: np.ndarray, *, per_file: bool = True
) -> pa.Table:
    """Rows `idx` of a dataset result as the raw_<dataset> table would hold them; without the columns that
    are the same for a whole file (`_file_sha256`, `_file_seq`) when not `per_file` (the stage adds them:
    a file's place in the submission order is known only once every file is read)."""
    fp = res.file_pos[idx]
    arrays = []
    names = []
    for name, typ in contracts.raw_columns(ds):
        if name in ("_file_sha256", "_file_seq") and not per_file:
            continue
        if name == "_file_sha256":
            arr = pa.array(np.array([f.report.sha256 for f in files], dtype=object)[fp], type=pa.string())
        elif name == "_row_number":
            arr = pa.array(res.row_number[idx], type=pa.int32())
        elif name == "_file_seq":
            arr = pa.array(np.array([f.report.file_seq for f in files], dtype=np.int32)[fp], type=pa.int32())
        elif name == "_sheet":
            arr = pa.array(res.row_sheet[idx], type=pa.string())
        else:
            arr = pa.array(res.values[name][idx], type=_ARROW_TYPES[typ], from_pandas=True)
        arrays.append(arr)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


QUARANTINE_SCHEMA = pa.schema(
    [
        (c, pa.int32() if c == "row_number" else pa.string())
        for c in ("file_sha256", "file_name", "row_number", "dataset", "column")
        + ("value", "rule", "message", "original", "sheet")
    ]
)


def _quarantine_table(ds: Dataset, files: list[_Parsed], statuses: tuple[str, ...] | None = None) -> pa.Table | None:
    """The quarantine rows of the files' problems (of the files whose status is in `statuses`; None = all)."""
    cols: dict[str, list] = {name: [] for name in QUARANTINE_SCHEMA.names}
    for f in files:
        r = f.report
        if (statuses is not None and r.status not in statuses) or not r.problems:
            continue
        originals: dict[tuple[str | None, int], str] = {}
        for p in r.problems:
            where = (p.sheet, p.row_number)
            if where not in originals:
                originals[where] = _original_json(ds, f, _row_of(f, p.sheet, p.row_number))
            cols["file_sha256"].append(r.sha256)
            cols["file_name"].append(r.file_name)
            cols["row_number"].append(p.row_number)
            cols["dataset"].append(ds.dataset)
            cols["column"].append(p.column)
            cols["value"].append(p.value)
            cols["rule"].append(p.rule)
            cols["message"].append(p.message)
            cols["original"].append(originals[where])
            cols["sheet"].append(p.sheet)
    if not cols["file_sha256"]:
        return None
    return pa.Table.from_pydict(cols, schema=QUARANTINE_SCHEMA)


def _row_of(f: _Parsed, sheet: str | None, row_number: int) -> int:
    """The data row (index among the file's data rows) a sheet shows as `row_number`: row numbers rise
    within each part (sheet)."""
    for part, rows in f.part_ranges():
        if part.sheet == sheet:
            k = bisect_left(f.row_numbers, row_number, rows.start, rows.stop)
            if k < rows.stop and f.row_numbers[k] == row_number:
                return k
    raise KeyError((sheet, row_number))


def _original_json(ds: Dataset, f: _Parsed, k: int) -> str:
    """The k-th data row's cells under their headers: names dropped, ID-like values and (in aid files) the
    values that broke a rule masked, only contract columns."""
    part = f.part_of(k)
    broken = f.broken.get(k, set())
    red = f.redact or _PLAIN
    out: dict[str, str] = {}
    for i, col in sorted(part.match.columns.items()):
        if col.type == "person_name":
            continue
        header = display_name(part.match.headers[i] or col.header_zh)
        out[header] = red.cell(col, f.cols[col.column][k], broke=col.column in broken)
    return json.dumps(out, ensure_ascii=False)


def _write_manifest(con, reports: list[FileReport], loaded_at: dt.datetime) -> None:
    rows = {
        "file_name": [r.file_name for r in reports],
        "path": [r.path for r in reports],
        "sha256": [r.sha256 or None for r in reports],
        "dataset": [r.dataset for r in reports],
        "county": [r.county for r in reports],
        "period": [r.period for r in reports],
        "rows_total": [r.rows_total for r in reports],
        "rows_loaded": [r.rows_loaded for r in reports],
        "rows_quarantined": [r.rows_quarantined for r in reports],
        "rows_skipped": [r.rows_skipped for r in reports],
        "status": [r.status for r in reports],
        "reason": [r.reason for r in reports],
        "unknown_columns": [",".join(r.unknown_columns) or None for r in reports],
        "file_seq": [r.file_seq for r in reports],
        "loaded_at": [loaded_at] * len(reports),
        "notes": [r.notes_zh for r in reports],
    }
    types = {c: pa.int32() for c in ("rows_total", "rows_loaded", "rows_quarantined", "rows_skipped", "file_seq")}
    types["loaded_at"] = pa.timestamp("us")
    schema = pa.schema([(c, types.get(c, pa.string())) for c in rows])
    _insert(con, "load_manifest", pa.Table.from_pydict(rows, schema=schema))


# ---------------------------------------------------------------- public API


def ingest_dir(
    raw_dir: Path, con, *, hash_key: bytes, progress: Progress = None, stage_dir: Path | None = None
) -> IngestReport:
    """Read every file under raw_dir into raw_<dataset>, load_manifest and quarantine of `con` (replacing them).

    Files are judged one at a time in the reader processes and their rows staged as Parquet in `stage_dir`
    (created when needed and removed at the end; None = a temporary folder), so memory holds one batch of
    rows, not the whole data set; superseding and submission order are settled once all files are read."""
    raw_dir = Path(raw_dir)
    items = [_Item(p, p.relative_to(raw_dir).as_posix()) for p in _list_files(raw_dir)]
    with _Stage(stage_dir) as stage:
        checked = _stream(items, _Context.new(hash_key), progress, stage)
        _order_and_supersede(checked)
        if progress:
            progress("写入数据仓库")
        _create_tables(con)
        stage.load(con, checked)
    reports = [c.report for c in checked]
    _write_manifest(con, reports, dt.datetime.now().replace(microsecond=0))
    return IngestReport(reports)


def check_files(paths: list[Path]) -> list[FileReport]:
    """Read and validate files without a warehouse: the dataset found and every problem with its row and column.

    A folder stands for every file under it. Files are judged one by one: nothing is superseded.
    """
    key = secrets.token_bytes(32)  # ID hashes are not shown, so any key will do
    items: list[_Item] = []
    for p in map(Path, paths):
        if p.is_dir():
            items.extend(_Item(f, str(f)) for f in _list_files(p))
        else:
            items.append(_Item(p, str(p)))
    checked = _stream(items, _Context.new(key), None, None)
    _order_and_supersede(checked, supersede=False)  # each file is judged on its own
    return [c.report for c in sorted(checked, key=lambda c: c.order)]


@dataclass
class CheckedFile:
    """One file judged on its own (ingest.check_file).

    `report`: what ingest would record for it (counts, problems with sheet and row, sheet notes).
    `rows`: the data rows that would load, one per row, with the columns of raw_<dataset> (the contract's
    canonical names; a quarter stored as `year` + `quarter` and also given as `period` '2024Q1'; ID numbers
    as `id_hash`, the keyed hash; names never), plus `_row_number` (as the sheet shows it) and `_sheet`
    (None for CSV and Parquet). Empty (no columns) when the file was rejected."""

    report: FileReport
    rows: pd.DataFrame


def check_file(path: Path, *, hash_key: bytes | None = None, data: bytes | None = None) -> CheckedFile:
    """Read and validate one file as ingest would, without a warehouse and without superseding.

    `data`: the file's bytes when the caller has them (an upload); `path` then only names it (its
    extension and name are used, nothing is read from disk). `hash_key`: the key for hashing ID numbers
    (pass `hash_key()` to compare with a warehouse); None = a random key, so the hashes are comparable
    only within this call. Read under the same limits and isolation as a build; never raises for a bad file.
    """
    path = Path(path)
    key = hash_key if hash_key is not None else secrets.token_bytes(32)
    item = _Item(path, path.name, data=data)
    parsed, results = _run([item], key, None, supersede=False)
    (p,) = parsed
    rows = pd.DataFrame()
    if p.report.status == "loaded" and p.report.dataset:
        files, res = results[p.report.dataset]
        ds = next(d for d in datasets() if d.dataset == p.report.dataset)
        fpos = next(j for j, f in enumerate(files) if f is p)
        idx = np.flatnonzero(~res.bad & (res.file_pos == fpos))
        table = _rows_table(ds, files, res, idx).drop_columns(["_file_sha256", "_file_seq"])
        rows = table.to_pandas()
        if "quarter" in rows.columns and any(c.type == "quarter" for c in ds.columns):
            rows.insert(0, "period", [f"{y}Q{q}" for y, q in zip(rows["year"], rows["quarter"], strict=True)])
    return CheckedFile(p.report, rows)


# ---------------------------------------------------------------- the hash key

MIN_KEY_BYTES = 32


class HashKeyError(ValueError):
    """The ID-hash key is unusable; `str(error)` is one Chinese sentence saying what to do."""


def _checked_key(key: bytes, where: str) -> bytes:
    if not key.strip():
        raise HashKeyError(
            f"{where}是空的（或只有空白）：身份证号哈希密钥不能为空，请填入原来的密钥（至少 {MIN_KEY_BYTES} 字节）"
        )
    if len(key.strip()) < MIN_KEY_BYTES:
        raise HashKeyError(
            f"{where}只有 {len(key.strip())} 字节，太短：身份证号哈希密钥至少需要 {MIN_KEY_BYTES} 字节"
            '（例如 python -c "import secrets; print(secrets.token_hex(32))" 生成的 64 个字符）'
        )
    return key


def hash_key(where: config.Paths | Path | None = None) -> bytes:
    """The key for hashing ID numbers: env UNION_DASH_HASH_KEY, else a key file created (mode 0600) on first use.

    `where` is a config.Paths (its hash_key_file) or a data directory (hash.key inside it); None = config.paths().
    Raises HashKeyError (a Chinese sentence) for a key that is blank or shorter than 32 bytes. An existing
    key file is never replaced, whatever it holds: a new key would split every family's history in two.
    """
    env = os.environ.get(config.HASH_KEY_ENV)
    if env is not None:
        return _checked_key(env.encode("utf-8"), f"环境变量 {config.HASH_KEY_ENV} ")
    if where is None:
        where = config.paths()
    key_file = where.hash_key_file if isinstance(where, config.Paths) else Path(where) / "hash.key"
    if key_file.exists():
        return _checked_key(key_file.read_bytes().strip(), f"密钥文件 {key_file} ")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now: use that one
        return _checked_key(key_file.read_bytes().strip(), f"密钥文件 {key_file} ")
    try:
        os.write(fd, key + b"\n")
    finally:
        os.close(fd)
    os.chmod(key_file, 0o600)
    return key


def key_fingerprint(key: bytes) -> str:
    """A short fingerprint that tells keys apart without revealing them (stored in warehouse_info)."""
    return hmac.new(key, b"union-dash: ID hash key fingerprint", hashlib.sha256).hexdigest()[:16]
