"""Every submission file under a folder → typed raw_<dataset> tables, load_manifest and quarantine.

The work is split so that the slow part runs once per column rather than once per cell:
1. per file (in worker processes when there are many): read the cells, find the header, sort each
   row into data / blank / total / note;
2. per dataset: concatenate the data rows of all its files and type + validate each column once
   (`normalize.normalize_column`), then the cross-field rules and duplicate keys, vectorised;
3. per file again: its county and period (from its rows), submission order, duplicates and
   superseding; then everything is written to DuckDB in bulk (Arrow tables, one insert per table).

Choices, kept simple on purpose:
- A file's county is the county of its rows when they all agree; its period is the quarter of its
  rows when they all agree (the period column, else the dated column named in datasets.csv
  `period_from`; the year for honours and targets). Registries (`latest_wins`: studios, sites) take
  the period written in the title rows or the file name (`2024年第一季度`), else none. A file without
  a county or period never supersedes and is never superseded.
- Submission order (`file_seq`, higher = newer) sorts files by (period, mtime, relative path).
- Of several files with the same bytes the oldest (mtime, then path) loads; the others are `duplicate`.
- Only files whose status is `loaded` put rows in raw_* and records in quarantine. A superseded
  file keeps its row counts in the manifest; duplicate and rejected files count zero rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from data_pipeline import config, contracts, normalize, readers
from data_pipeline.reference import Column, Dataset, datasets

Progress = Callable[[str], None] | None

IGNORED_NAMES = ("_demo.json",)  # the demo generator's marker, not a submission

MANIFEST_DDL = """create table load_manifest (
  file_name VARCHAR, path VARCHAR, sha256 VARCHAR, dataset VARCHAR, county VARCHAR, period VARCHAR,
  rows_total INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER, rows_skipped INTEGER,
  status VARCHAR, reason VARCHAR, unknown_columns VARCHAR, file_seq INTEGER, loaded_at TIMESTAMP
)"""
QUARANTINE_DDL = """create table quarantine (
  file_sha256 VARCHAR, file_name VARCHAR, row_number INTEGER, dataset VARCHAR, "column" VARCHAR,
  value VARCHAR, rule VARCHAR, message VARCHAR, original VARCHAR
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

STATUS_ZH = {"loaded": "已载入", "superseded": "已被替代", "duplicate": "重复文件", "rejected": "已拒收"}


# ---------------------------------------------------------------- reports


@dataclass
class Problem:
    """One broken rule in one row: what the person has to fix."""

    row_number: int
    column: str  # the header as written in the file ('' for a whole-row rule)
    value: str
    rule: str
    message: str


@dataclass
class FileReport:
    """What happened to one file."""

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

    @property
    def ok(self) -> bool:
        """True when the file was read and every data row passed."""
        return self.status != "rejected" and self.rows_quarantined == 0

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
        shown = [f"    第{p.row_number}行 {p.message}" for p in self.problems[:max_problems]]
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
        for p in self.problems[:max_problems]:
            lines.append(f"  第{p.row_number}行 {p.message}")
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
        return sum(f.rows_quarantined for f in self.files if f.status == "loaded")

    def summary_zh(self) -> str:
        return (
            f"文件 {len(self.files)} 个：载入 {self.count('loaded')}，被替代 {self.count('superseded')}，"
            f"重复 {self.count('duplicate')}，拒收 {self.count('rejected')}；"
            f"载入 {self.rows_loaded} 行，隔离 {self.rows_quarantined} 行"
        )


def _dataset_title(name: str | None) -> str:
    for ds in datasets():
        if ds.dataset == name:
            return ds.title_zh
    return "未知"


# ---------------------------------------------------------------- per file


@dataclass
class _Parsed:
    """A file after reading: its data rows (cells by sheet column) with their spreadsheet row numbers."""

    report: FileReport
    mtime: float
    match: readers.HeaderMatch | None = None
    columns: list[tuple[object, ...]] = field(default_factory=list)  # data rows' cells by sheet column
    row_numbers: list[int] = field(default_factory=list)
    title_period: str | None = None

    @property
    def n_rows(self) -> int:
        return len(self.row_numbers)


def _parse_file(path: Path, rel: str, data: bytes, report: FileReport) -> _Parsed:
    parsed = _Parsed(report, mtime=0.0)
    try:
        sheets = readers.read_sheets(path, data)
    except readers.ReadError as exc:
        report.status, report.reason = "rejected", exc.reason_zh
        return parsed
    best: tuple[tuple[int, int], readers.HeaderMatch, readers.Sheet] | None = None
    for sheet in sheets:
        m = readers.find_header(sheet.rows)
        if m is None:
            continue
        key = (-len(m.missing_required), len(m.columns))
        if best is None or key > best[0]:
            best = (key, m, sheet)
    if best is None:
        report.status = "rejected"
        report.reason = "未找到可识别的表头（应有“县市区”“统一社会信用代码”等模板列名），请使用标准模板报送"
        return parsed
    _, m, sheet = best
    report.dataset = m.dataset.dataset
    report.unknown_columns = m.unknown
    if m.missing_required:
        report.status = "rejected"
        names = "、".join(c.header_zh for c in m.missing_required)
        report.reason = f"缺少必填列：{names}（识别为“{m.dataset.title_zh}”），请按模板补齐列后重新报送"
        return parsed
    parsed.match = m
    header_texts = {str(v).strip() for v in sheet.rows[m.row_index] if isinstance(v, str) and v.strip()}
    data: list[list[object]] = []
    for r in range(m.row_index + 1, len(sheet.rows)):
        row = sheet.rows[r]
        report.rows_total += 1
        if readers.row_kind(row, header_texts) == "data":
            data.append(row)
            parsed.row_numbers.append(r + 1)
        else:
            report.rows_skipped += 1
    width = max(len(m.headers), max((len(row) for row in data), default=0))
    if any(len(row) < width for row in data):  # ragged CSV lines
        data = [row + [None] * (width - len(row)) for row in data]
    parsed.columns = list(zip(*data, strict=True)) if data else []
    if m.dataset.latest_wins:
        found = [readers.period_in_text(t) for t in (m.title_text, Path(rel).stem)]
        parsed.title_period = next((q for q in found if q and "Q" in q), None)
    return parsed


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
    bad: np.ndarray  # bool: row quarantined
    problems: list[tuple[int, str, str, str, str]]  # (global row, column, value, rule, detail/message)
    column_values: dict[str, np.ndarray]  # contract column → typed values (quarter as tuples)


def _validate_dataset(ds: Dataset, files: list[_Parsed], hash_key: bytes) -> _DatasetResult:
    lengths = [f.n_rows for f in files]
    n = sum(lengths)
    file_pos = np.repeat(np.arange(len(files)), lengths)
    row_pos = np.concatenate([np.arange(k) for k in lengths]) if files else np.zeros(0, dtype=int)
    problems: list[tuple[int, str, str, str, str]] = []
    bad = np.zeros(n, dtype=bool)
    column_values: dict[str, np.ndarray] = {}
    col_ok: dict[str, np.ndarray] = {}
    for col in ds.columns:
        raw = np.empty(n, dtype=object)
        pos = 0
        for f in files:
            idx = _sheet_index(f.match, col)
            k = f.n_rows
            if k:
                # fromiter keeps each cell as the Python object it is (an ExcelError stays one)
                raw[pos : pos + k] = None if idx is None else np.fromiter(f.columns[idx], dtype=object, count=k)
            pos += k
        res = normalize.normalize_column(col, raw, file_pos, hash_key)
        column_values[col.column] = res.values
        has_rule = res.rules != None  # noqa: E711 - elementwise on an object array
        if col.required and col.type != "person_name":
            missing = (res.values == None) & ~has_rule  # noqa: E711
            for i in np.flatnonzero(missing):
                problems.append((int(i), col.column, "", "required", "必填项为空"))
        else:
            missing = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(has_rule):
            problems.append((int(i), col.column, _shown(col, raw[i]), res.rules[i], res.details[i]))
        col_ok[col.column] = ~has_rule & ~missing
        bad |= has_rule | missing
    for rule in contracts.CROSS_RULES:
        if rule.dataset != ds.dataset:
            continue
        left, right = column_values[rule.left], column_values[rule.right]
        both = col_ok[rule.left] & col_ok[rule.right] & (left != None) & (right != None)  # noqa: E711
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
    return _DatasetResult(values, file_pos, row_pos, row_number, bad, problems, column_values)


def _sheet_index(match: readers.HeaderMatch | None, col: Column) -> int | None:
    if match is None:
        return None
    for i, c in match.columns.items():
        if c.column == col.column:
            return i
    return None


def _shown(col: Column, v: object) -> str:
    s = normalize.show(v)
    return normalize.mask_id(s) if col.type == "id_number" else normalize.mask_ids_in(s)


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
    frame = pd.DataFrame({"_file": file_pos[ok]})
    for k in ds.key:
        frame[k] = pd.Series(column_values[k][ok], dtype=object)
    dup = frame.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    involved = np.flatnonzero(frame.duplicated(keep=False).to_numpy())
    first: dict[tuple, int] = {}
    cols = [frame[c].to_numpy() for c in frame.columns]
    for j in involved:
        key = tuple(c[j] for c in cols)
        if not dup[j]:
            first.setdefault(key, j)
            continue
        i = int(ok[j])
        f = files[file_pos[i]]
        first_row = f.row_numbers[int(row_pos[ok[first[key]]])]
        names = "、".join(_header_of(f.match, k) or k for k in ds.key)
        value = "、".join(_fmt_key(v) for v in key[1:])
        problems.append(
            (i, KEY_COLUMNS, value, "duplicate_key", f"与第{first_row}行重复（{names}相同：{value}），本行未载入")
        )
        bad[i] = True


def _fmt_key(v: object) -> str:
    if v is None:
        return "空"
    if isinstance(v, tuple):
        return f"{v[0]}Q{v[1]}"
    return _fmt(v)


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


# ---------------------------------------------------------------- the run


def _read_one(item: tuple[float, str, Path]) -> _Parsed:
    """Read and parse one file; never raises (a file that cannot be read is rejected with a reason)."""
    mtime, rel, path = item
    report = FileReport(path=rel, file_name=path.name)
    try:
        data = path.read_bytes()
    except OSError:
        report.status, report.reason = "rejected", "无法读取该文件（权限或磁盘错误）"
        return _Parsed(report, mtime)
    report.sha256 = hashlib.sha256(data).hexdigest()
    try:
        p = _parse_file(path, rel, data, report)
    except Exception as exc:  # one odd file must never stop the others; no cell value in the reason
        report.status = "rejected"
        report.reason = f"无法读取该文件（{type(exc).__name__}），请另存为标准模板后重新报送"
        p = _Parsed(report, mtime)
    p.mtime = mtime
    return p


PARALLEL_MIN_FILES = 300  # below this, starting worker processes costs more than it saves


def _read_all(stamped: list[tuple[float, str, Path]], progress: Progress) -> list[_Parsed]:
    """Parse files in order, in worker processes when there are many and the machine has cores to spare."""
    total = len(stamped)
    workers = min(4, os.cpu_count() or 1)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if total >= PARALLEL_MIN_FILES and workers > 1 and can_fork:
        # fork: the workers run only this module's parsing, never the caller's DuckDB connection
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            out = []
            for k, p in enumerate(pool.map(_read_one, stamped, chunksize=16), 1):
                out.append(p)
                if progress and (k % 200 == 0 or k == total):
                    progress(f"读取报送文件 {k}/{total}")
            return out
    out = []
    for k, item in enumerate(stamped, 1):
        out.append(_read_one(item))
        if progress and (k % 200 == 0 or k == total):
            progress(f"读取报送文件 {k}/{total}")
    return out


def _run(
    items: list[tuple[Path, str]], hash_key: bytes, progress: Progress, *, supersede: bool = True
) -> tuple[list[_Parsed], dict[str, tuple[list[_Parsed], _DatasetResult]]]:
    stamped = []
    for path, rel in items:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        stamped.append((mtime, rel, path))
    stamped.sort(key=lambda t: (t[0], t[1]))  # copies of the same bytes: the oldest one is kept
    parsed = _read_all(stamped, progress)
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
        report = FileReport(path=p.report.path, file_name=p.report.file_name, sha256=sha, status="duplicate")
        report.reason = f"与文件“{twin.report.path}”内容完全相同（重复报送），已忽略"
        parsed[i] = _Parsed(report, p.mtime)
        twins.append((parsed[i], twin))
    by_ds: dict[str, list[_Parsed]] = defaultdict(list)
    for p in parsed:
        if p.match is not None and p.report.status == "loaded":
            by_ds[p.report.dataset].append(p)
    results: dict[str, tuple[list[_Parsed], _DatasetResult]] = {}
    for ds in datasets():
        files = by_ds.get(ds.dataset, [])
        if progress and files:
            progress(f"校验 {ds.title_zh}：{len(files)} 个文件")
        res = _validate_dataset(ds, files, hash_key)
        results[ds.dataset] = (files, res)
        _apply_results(ds, files, res)
    for p, twin in twins:
        p.report.dataset, p.report.county, p.report.period = twin.report.dataset, twin.report.county, twin.report.period
    _order_and_supersede(parsed, supersede)
    return parsed, results


def _apply_results(ds: Dataset, files: list[_Parsed], res: _DatasetResult) -> None:
    """Per-file counts, problems (with the file's own header text), county and period."""
    by_file_rows: dict[int, set[int]] = defaultdict(set)
    for i, column, value, rule, detail in res.problems:
        fpos = int(res.file_pos[i])
        f = files[fpos]
        row_number = f.row_numbers[int(res.row_pos[i])]
        header = _header_of(f.match, column)
        plain = _is_cross(rule) or column == KEY_COLUMNS
        message = f"「{header}」列：{detail}" if header and not plain else detail
        f.report.problems.append(Problem(row_number, header, value, rule, message))
        by_file_rows[fpos].add(i)
    county = res.column_values.get("county")
    for fpos, f in enumerate(files):
        sel = res.file_pos == fpos
        f.report.rows_quarantined = len(by_file_rows.get(fpos, ()))
        f.report.rows_loaded = f.n_rows - f.report.rows_quarantined
        f.report.problems.sort(key=lambda p: p.row_number)
        f.report.county = _agree(county[sel]) if county is not None and ds.dataset != "targets" else None
        f.report.period = _file_period(ds, res, sel, f)


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
            return match.headers[i] or c.header_zh
    return column


def _order_and_supersede(parsed: list[_Parsed], supersede: bool = True) -> None:
    """Number files in submission order (period, mtime, path), then mark superseded files."""
    parsed.sort(key=lambda p: (p.report.period or "", p.mtime, p.report.path))
    for seq, p in enumerate(parsed, 1):
        p.report.file_seq = seq
    if not supersede:
        return
    latest: dict[tuple[str, str, str], _Parsed] = {}
    for p in parsed:  # in order, so a later file replaces an earlier one
        r = p.report
        if r.status != "loaded" or not (r.dataset and r.county and r.period):
            continue
        key = (r.dataset, r.county, r.period)
        older = latest.get(key)
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


def _write_raw(con, ds: Dataset, files: list[_Parsed], res: _DatasetResult) -> None:
    """The good rows of loaded files, typed, with their lineage, in one insert."""
    if not files:
        return
    loaded_file = np.array([f.report.status == "loaded" for f in files], dtype=bool)
    idx = np.flatnonzero(~res.bad & loaded_file[res.file_pos])
    fp = res.file_pos[idx]
    arrays = []
    names = []
    for name, typ in contracts.raw_columns(ds):
        if name == "_file_sha256":
            arr = pa.array(np.array([f.report.sha256 for f in files], dtype=object)[fp], type=pa.string())
        elif name == "_row_number":
            arr = pa.array(res.row_number[idx], type=pa.int32())
        elif name == "_file_seq":
            arr = pa.array(np.array([f.report.file_seq for f in files], dtype=np.int32)[fp], type=pa.int32())
        else:
            arr = pa.array(res.values[name][idx], type=_ARROW_TYPES[typ], from_pandas=True)
        arrays.append(arr)
        names.append(name)
    _insert(con, f"raw_{ds.dataset}", pa.Table.from_arrays(arrays, names=names))


def _write_quarantine(con, ds: Dataset, files: list[_Parsed], res: _DatasetResult) -> None:
    cols: dict[str, list] = defaultdict(list)
    for f in files:
        r = f.report
        if r.status != "loaded" or not r.problems:
            continue
        originals: dict[int, str] = {}
        row_index = {rn: k for k, rn in enumerate(f.row_numbers)}
        for p in r.problems:
            if p.row_number not in originals:
                originals[p.row_number] = _original_json(f, row_index[p.row_number])
            cols["file_sha256"].append(r.sha256)
            cols["file_name"].append(r.file_name)
            cols["row_number"].append(p.row_number)
            cols["dataset"].append(ds.dataset)
            cols["column"].append(p.column)
            cols["value"].append(p.value)
            cols["rule"].append(p.rule)
            cols["message"].append(p.message)
            cols["original"].append(originals[p.row_number])
    if not cols:
        return
    schema = pa.schema([(c, pa.int32() if c == "row_number" else pa.string()) for c in cols])
    _insert(con, "quarantine", pa.Table.from_pydict(dict(cols), schema=schema))


def _original_json(f: _Parsed, k: int) -> str:
    """The k-th data row's cells under their headers; names dropped, ID numbers masked, only contract columns."""
    out: dict[str, str] = {}
    for i, col in sorted(f.match.columns.items()):
        if col.type == "person_name":
            continue
        v = normalize.show(f.columns[i][k])
        out[f.match.headers[i] or col.header_zh] = (
            normalize.mask_id(v) if col.type == "id_number" and v else normalize.mask_ids_in(v)
        )
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
    }
    types = {c: pa.int32() for c in ("rows_total", "rows_loaded", "rows_quarantined", "rows_skipped", "file_seq")}
    types["loaded_at"] = pa.timestamp("us")
    schema = pa.schema([(c, types.get(c, pa.string())) for c in rows])
    _insert(con, "load_manifest", pa.Table.from_pydict(rows, schema=schema))


# ---------------------------------------------------------------- public API


def ingest_dir(raw_dir: Path, con, *, hash_key: bytes, progress: Progress = None) -> IngestReport:
    """Read every file under raw_dir into raw_<dataset>, load_manifest and quarantine of `con` (replacing them)."""
    raw_dir = Path(raw_dir)
    items = [(p, p.relative_to(raw_dir).as_posix()) for p in _list_files(raw_dir)]
    parsed, results = _run(items, hash_key, progress)
    if progress:
        progress("写入数据仓库")
    _create_tables(con)
    for ds in datasets():
        files, res = results[ds.dataset]
        _write_raw(con, ds, files, res)
        _write_quarantine(con, ds, files, res)
    reports = [p.report for p in parsed]
    _write_manifest(con, reports, dt.datetime.now().replace(microsecond=0))
    return IngestReport(reports)


def check_files(paths: list[Path]) -> list[FileReport]:
    """Read and validate files without a warehouse: the dataset found and every problem with its row and column.

    A folder stands for every file under it. Files are judged one by one: nothing is superseded.
    """
    key = secrets.token_bytes(32)  # ID hashes are not shown, so any key will do
    items: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            items.extend((f, str(f)) for f in _list_files(p))
        else:
            items.append((p, str(p)))
    parsed, _ = _run(items, key, None, supersede=False)  # each file is judged on its own
    order = {rel: k for k, (_, rel) in enumerate(items)}
    return sorted((p.report for p in parsed), key=lambda r: order.get(r.path, 0))


def hash_key(where: config.Paths | Path | None = None) -> bytes:
    """The key for hashing ID numbers: env UNION_DASH_HASH_KEY, else a key file created (mode 0600) on first use.

    `where` is a config.Paths (its hash_key_file) or a data directory (hash.key inside it); None = config.paths().
    """
    env = os.environ.get(config.HASH_KEY_ENV)
    if env:
        return env.encode("utf-8")
    if where is None:
        where = config.paths()
    key_file = where.hash_key_file if isinstance(where, config.Paths) else Path(where) / "hash.key"
    if key_file.exists():
        key = key_file.read_bytes().strip()
        if key:
            return key
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key + b"\n")
    finally:
        os.close(fd)
    os.chmod(key_file, 0o600)
    return key
