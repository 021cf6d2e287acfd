"""Instant feedback on one uploaded file: errors (the contract's rules, rows of another unit), warnings
(against the unit's last published rows) and the marked-up copy. No Streamlit here: the submission page
calls `feedback(...)` and shows what it returns.

    fb = feedback(data, "2026Q4_新泰市_企业建会入会情况.xlsx", unit=county_unit("xintai"), con=warehouse)
    fb.ok            # True when the file may be accepted (read, no errors); warnings never block
    fb.errors        # ingest.Problem list: row_number, column (header as written), value, rule, message
    fb.warnings      # warning_rules.SubmissionWarning list
    fb.markup        # .xlsx bytes: the file with problem cells coloured and commented, plus 问题清单
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import ingest, markup, published, readers
from data_pipeline.reference import chains, counties, dataset
from data_pipeline.roster import Quarter, Unit, county_unit, reporting_quarter
from data_pipeline.warning_rules import SubmissionWarning, check_warnings

OTHER_UNIT = "other_unit"
OWN_CHAIN_MISSING = "own_chain_missing"
REJECTED = "rejected"


@dataclass
class CheckedUpload:
    """One file judged on its own: ingest's report and its data rows, typed.

    rows: one row per data row of the file (loaded or not): the contract's canonical columns (county and
    chain as codes, a quarter as '2026Q4', ID numbers as their keyed hash, names dropped) plus `_row_number`
    (as the sheet shows it), `_sheet` and `_error` (True when the row breaks a rule). headers: contract
    column → header as written in the file. sheets: the cells as read (for the marked-up copy).
    """

    report: ingest.FileReport
    rows: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    sheets: list[readers.Sheet] | None = None


def _safe_name(file_name: str) -> str:
    """A name that can be written to disk whatever bytes the upload's name holds (ingest reads periods from it)."""
    name = Path(str(file_name).replace("\\", "/")).name
    name = name.encode("utf-8", "replace").decode("utf-8")  # undecodable bytes (a Windows zip's GBK name) → '?'
    name = re.sub(r"[\x00-\x1f]", "_", name)
    if len(name.encode("utf-8")) > 200:
        name = name[:60] + Path(name).suffix[:10]
    return name or "upload.xlsx"


def check_upload(data: bytes, file_name: str, *, hash_key: bytes | None = None) -> CheckedUpload:
    """Read and validate one uploaded file with the same code as `build`, without a warehouse.

    Unlike ingest.check_file (the rows that would load), feedback needs every data row with its typed values and
    an error flag, and the headers as written, so it reads the file through ingest's own run of one file.
    """
    key = hash_key or secrets.token_bytes(32)
    name = _safe_name(file_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        parsed, results = ingest._run([ingest._Item(path, name, data=data)], key, None, supersede=False)
    report = parsed[0].report
    report.path = str(file_name)
    try:
        sheets = markup.read_grid(data, name)
    except readers.ReadError:
        sheets = None
    if report.status != "loaded" or not report.dataset:
        return CheckedUpload(report, pd.DataFrame(), {}, sheets)
    ds = dataset(report.dataset)
    files, res = results[ds.dataset]
    match = files[0].match
    headers = {col.column: match.headers[i] or col.header_zh for i, col in match.columns.items()}
    frame: dict[str, object] = {}
    for col in ds.columns:
        if col.type == "person_name":
            continue
        values = res.column_values[col.column]
        if col.type == "quarter":
            values = [f"{v[0]}Q{v[1]}" if v else None for v in values]
        frame[col.column] = pd.Series(values, dtype=object)
    loc = markup.locate_header(sheets) if sheets else None
    rows = pd.DataFrame(frame)
    rows["_row_number"] = pd.Series(res.row_number, dtype="int64")
    sheet_of = pd.Series(res.row_sheet, dtype=object) if len(res.row_sheet) else pd.Series(dtype=object)
    rows["_sheet"] = sheet_of.where(sheet_of.notna(), loc.sheet if loc else None)  # CSV: the grid's own name
    rows["_error"] = pd.Series(res.bad, dtype=bool)
    return CheckedUpload(report, rows, headers, sheets)


# ---------------------------------------------------------------- rows of another unit


def other_unit_problems(
    rows: pd.DataFrame, unit: Unit | None, headers: dict[str, str] | None = None, existing: Sequence = ()
) -> list:
    """Errors for rows of another county (a county union's file) or another chain (a chain union's file).

    A chain union's row with no chain is an error too: its rows must say which chain they belong to.
    The city union may submit for any unit. A county or chain cell that already has an error (blank where
    required, unknown) in `existing` (the ingest problems) gets no second one.
    """
    if unit is None or unit.column is None or rows.empty or unit.column not in rows.columns:
        return []
    headers = headers or {}
    col = unit.column
    header = headers.get(col) or _DEFAULT_HEADER[col]
    flagged = {p.row_number for p in existing if p.column == header}
    names = {c.code: c.name_zh for c in (*counties(), *chains())}
    out = []
    for value, row_number in zip(rows[col], rows["_row_number"], strict=True):
        if value == unit.code or int(row_number) in flagged:
            continue
        if value is None:
            if col != "chain":
                continue  # a blank county is an error of its own (a required column)
            message = f"「{header}」列：产业链工会只能报送本产业链（{unit.name_zh}）的数据，请填写产业链"
            out.append(ingest.Problem(int(row_number), header, "", OWN_CHAIN_MISSING, message))
            continue
        other = names.get(value, value)
        what = "县市区" if col == "county" else "产业链"
        message = (
            f"「{header}」列：本单位是{unit.label_zh}，不能报送{other}的数据；"
            f"请删除该行（由{other}自行报送），或核对{what}是否填错"
        )
        out.append(ingest.Problem(int(row_number), header, other, OTHER_UNIT, message))
    return out


_DEFAULT_HEADER = {"county": "县市区", "chain": "产业链"}


# ---------------------------------------------------------------- the whole feedback


@dataclass
class Feedback:
    """What the submission page shows for one file."""

    report: ingest.FileReport
    rows: pd.DataFrame
    errors: list  # ingest.Problem: the contract's rules and rows of another unit (a rejected file: one, row 0)
    warnings: list[SubmissionWarning]
    previous_period: str | None  # what the warnings compared with ('2026Q3', 已发布名录), None = nothing
    markup: bytes | None
    headers: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # why no comparison was possible although one was asked for (an older warehouse)
    sheets: list[readers.Sheet] | None = field(default=None, repr=False)  # the cells as read, for make_markup

    def make_markup(self, data: bytes) -> bytes:
        """The marked-up copy, made now (for a page that shows the messages first: feedback(with_markup=False))."""
        if self.markup is None:
            self.markup = markup.mark_up(data, self.report.file_name, self.errors, self.warnings, sheets=self.sheets)
        return self.markup

    @property
    def ok(self) -> bool:
        """The file can be accepted: it was read and has no error (warnings need only an explanation)."""
        return self.report.status != "rejected" and not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({p.row_number for p in self.errors if p.row_number})

    def summary_zh(self) -> str:
        r = self.report
        if r.status == "rejected":
            return f"{r.file_name}：无法接收 —— {r.reason}"
        title = dataset(r.dataset).title_zh if r.dataset else "未知"
        head = f"{r.file_name}：{title}，数据 {len(self.rows)} 行"
        if self.ok and not self.warnings:
            return f"{head}，全部通过"
        parts = []
        if self.errors:
            parts.append(f"{self.rows_with_errors} 行有错误（共 {len(self.errors)} 处），须修改后重新报送")
        if self.warnings:
            parts.append(f"{len(self.warnings)} 处提示，请核对，属实的填写上报说明")
        return f"{head}：" + "；".join(parts)

    def lines_zh(self) -> list[str]:
        """Every problem as one line, errors first (ingest's messages carry no row: it is added here)."""
        out = []
        for p in self.errors:
            out.append(f"错误：第{p.row_number}行 {p.message}" if p.row_number else f"错误：{p.message}")
        out.extend(f"提示：{w.message}" for w in self.warnings)
        return out


def feedback(
    data: bytes,
    file_name: str,
    *,
    unit: Unit | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    quarter: Quarter | None = None,
    with_markup: bool = True,
) -> Feedback:
    """Check one upload: errors, warnings against the warehouse `con` (none without one) and the marked-up copy.

    unit: the submitting unit (its rows only; warnings against its own last rows). None or the city union:
    any unit's rows, warnings against the file's county when all rows agree on one. quarter: the period being
    reported, used when the file does not say (registries without a period in their title); default the
    last quarter that has ended.
    """
    checked = check_upload(data, file_name)
    report = checked.report
    if report.status == "rejected":
        errors = [ingest.Problem(0, "", "", REJECTED, report.reason or "文件无法读取")]
    else:
        others = other_unit_problems(checked.rows, unit, checked.headers, report.problems)
        if others:  # rows of another unit never count towards this unit's totals
            bad = checked.rows["_row_number"].isin({p.row_number for p in others})
            checked.rows["_error"] = checked.rows["_error"] | bad
        errors = sorted([*report.problems, *others], key=lambda p: p.row_number)
    warnings: list[SubmissionWarning] = []
    previous_period = note = None
    if con is not None and report.status == "loaded" and published.has_previous(report.dataset or ""):
        base = unit if unit is not None and unit.column else None
        if base is None and report.county:
            base = county_unit(report.county)
        if base is not None:
            q = _quarter_of(report.period) or quarter or reporting_quarter()
            prev = published.last_published(con, report.dataset, base, q)
            previous_period, note = prev.period, prev.unavailable
            warnings = check_warnings(
                checked.rows,
                prev.rows,
                dataset_name=report.dataset,
                previous_period=prev.period,
                headers=checked.headers,
            )
    fb = Feedback(report, checked.rows, errors, warnings, previous_period, None, checked.headers, note, checked.sheets)
    if with_markup:
        fb.make_markup(data)
    return fb


def _quarter_of(period: str | None) -> Quarter | None:
    if not period or "Q" not in period:
        return None
    try:
        return Quarter.parse(period)
    except ValueError:
        return None
