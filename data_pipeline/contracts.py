"""The submission contracts: canonical columns, warehouse types, the cross-field rules and the plausibility bounds.

Bounds are data: `min_value`/`max_value` in reference/columns.csv and the period window in
reference/settings.csv. A bound is a number, a date (`1950-01-01`), a quarter (`2022Q1`), or a token:
`first` = the window's first quarter (settings `window_first`), `now` = its last quarter (settings
`window_last`, blank = the current quarter), `now+N` = N units later (days for dates, quarters for
periods, years for years). Per type a quarter bound means: for a period that quarter, for a date its first
(`first`) or last (`now`) day, for a year its year.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from data_pipeline.config import reference_dir
from data_pipeline.reference import Column, Dataset, datasets, indicators

# Warehouse type of each contract column type. `quarter` expands to year + quarter,
# `id_number` is stored only as its keyed hash, `person_name` is never stored.
RAW_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "choice": "VARCHAR",
    "county": "VARCHAR",
    "chain": "VARCHAR",
    "credit_code": "VARCHAR",
    "indicator": "VARCHAR",
    "bool": "BOOLEAN",
    "count": "BIGINT",
    "count_positive": "BIGINT",
    "stars": "INTEGER",
    "year": "INTEGER",
    "money": "DOUBLE",
    "money_positive": "DOUBLE",
    "number": "DOUBLE",
    "date": "DATE",
}

# Bookkeeping columns every raw_<dataset> table carries.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file_sha256", "VARCHAR"),
    ("_row_number", "INTEGER"),  # the row number the person sees in their spreadsheet
    ("_file_seq", "INTEGER"),  # submission order: a higher number is a newer file
    ("_sheet", "VARCHAR"),  # the workbook sheet the row is on (NULL for CSV and Parquet files)
)


@dataclass(frozen=True)
class CrossRule:
    """A rule between two columns of one row: `left op right` must hold when both are present."""

    name: str
    dataset: str
    left: str
    op: str  # "<=" | ">=" | "zero_unless"
    right: str
    message_zh: str


CROSS_RULES: tuple[CrossRule, ...] = (
    CrossRule(
        "members_le_employees",
        "enterprises",
        "members",
        "<=",
        "employees",
        "会员人数（{left}）不能大于职工人数（{right}）",
    ),
    CrossRule(
        "members_zero_without_union",
        "enterprises",
        "members",
        "zero_unless",
        "has_union",
        "未建会企业的会员人数应为0，实际为{left}",
    ),
    CrossRule(
        "migrant_workers_le_employees",
        "enterprises",
        "migrant_workers",
        "<=",
        "employees",
        "农民工人数（{left}）不能大于职工人数（{right}）",
    ),
    CrossRule(
        "migrant_members_le_migrant_workers",
        "enterprises",
        "migrant_members",
        "<=",
        "migrant_workers",
        "农民工会员数（{left}）不能大于农民工人数（{right}）",
    ),
    CrossRule(
        "migrant_members_le_members",
        "enterprises",
        "migrant_members",
        "<=",
        "members",
        "农民工会员数（{left}）不能大于会员人数（{right}）",
    ),
    CrossRule(
        "female_le_employees",
        "enterprises",
        "female_employees",
        "<=",
        "employees",
        "女职工人数（{left}）不能大于职工人数（{right}）",
    ),
    CrossRule(
        "completed_le_participants",
        "training",
        "completed",
        "<=",
        "participants",
        "结业人数（{left}）不能大于参与人数（{right}）",
    ),
    CrossRule(
        "winners_le_participants",
        "contests",
        "winners",
        "<=",
        "participants",
        "获奖人数（{left}）不能大于参赛人次（{right}）",
    ),
    CrossRule(
        "end_after_start", "contests", "end_date", ">=", "start_date", "结束日期（{left}）不能早于开始日期（{right}）"
    ),
)


def raw_columns(ds: Dataset) -> list[tuple[str, str]]:
    """(name, DuckDB type) of raw_<dataset>, in contract order, lineage last."""
    out: list[tuple[str, str]] = []
    for col in ds.columns:
        out.extend(stored_columns(col))
    return out + list(LINEAGE_COLUMNS)


def stored_columns(col: Column) -> list[tuple[str, str]]:
    """How one contract column is stored: none for names, a hash for ID numbers, two for a quarter."""
    if col.type == "person_name":
        return []
    if col.type == "id_number":
        return [("id_hash", "VARCHAR")]
    if col.type == "quarter":
        return [("year", "INTEGER"), ("quarter", "INTEGER")]
    return [(col.column, RAW_TYPES[col.type])]


def raw_table_ddl(ds: Dataset) -> str:
    cols = ",\n  ".join(f"{name} {typ}" for name, typ in raw_columns(ds))
    return f"create table raw_{ds.dataset} (\n  {cols}\n)"


def all_raw_ddl() -> list[str]:
    return [raw_table_ddl(ds) for ds in datasets()]


# ---------------------------------------------------------------- settings and plausibility bounds


@cache
def settings() -> dict[str, str]:
    """reference/settings.csv as key → value (the period window, reading limits, the resubmission rule)."""
    with open(reference_dir() / "settings.csv", encoding="utf-8", newline="") as fh:
        return {r["key"]: r["value"].strip() for r in csv.DictReader(fh)}


def setting_number(key: str) -> float:
    return float(settings()[key])


_QUARTER_TEXT = re.compile(r"^(\d{4})Q([1-4])$")


def _quarter(text: str) -> tuple[int, int]:
    m = _QUARTER_TEXT.match(text)
    if not m:
        raise ValueError(f"settings.csv: {text!r} is not a quarter like 2022Q1")
    return int(m.group(1)), int(m.group(2))


def today() -> dt.date:
    """The server's date (one place, so a test can move it)."""
    return dt.date.today()


def window() -> tuple[tuple[int, int], tuple[int, int]]:
    """(first, last) quarter a period or a date may fall in: settings window_first .. window_last (blank = now)."""
    first = _quarter(settings()["window_first"])
    last_text = settings().get("window_last", "")
    if last_text:
        last = _quarter(last_text)
    else:
        d = today()
        last = (d.year, (d.month - 1) // 3 + 1)
    return first, last


def _add_quarters(q: tuple[int, int], n: int) -> tuple[int, int]:
    k = q[0] * 4 + q[1] - 1 + n
    return k // 4, k % 4 + 1


def quarter_first_day(q: tuple[int, int]) -> dt.date:
    return dt.date(q[0], 3 * q[1] - 2, 1)


def quarter_last_day(q: tuple[int, int]) -> dt.date:
    y, n = _add_quarters(q, 1)
    return dt.date(y, 3 * n - 2, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Bounds:
    """The plausible range of one column, as typed values (None = open), and the same range as text."""

    low: object | None
    high: object | None
    low_text: str
    high_text: str


_TOKEN = re.compile(r"^(first|now)(?:\+(\d+))?$")


def _bound(text: str, col_type: str, is_low: bool) -> tuple[object | None, str]:
    """One bound of a column, typed like the column's values, and as text for messages."""
    text = text.strip()
    if not text:
        return None, ""
    token = _TOKEN.match(text)
    plus = int(token.group(2) or 0) if token else 0
    if token:
        first, last = window()
        q: tuple[int, int] | None = first if token.group(1) == "first" else last
        start_of_quarter = token.group(1) == "first"
    elif _QUARTER_TEXT.match(text):
        q, start_of_quarter = _quarter(text), is_low
    else:
        q, start_of_quarter = None, is_low
    if col_type == "quarter":
        if q is None:
            raise ValueError(f"columns.csv: {text!r} is not a quarter bound")
        got = _add_quarters(q, plus)
        return got, f"{got[0]}Q{got[1]}"
    if col_type == "year":
        y = q[0] + plus if q is not None else int(text)
        return y, str(y)
    if col_type == "date":
        if q is None:
            d = dt.date.fromisoformat(text)
        else:
            d = quarter_first_day(q) if start_of_quarter else quarter_last_day(q)
        d += dt.timedelta(days=plus)
        return d, d.isoformat()
    x = float(text)
    return x, f"{x:,.0f}" if x.is_integer() else f"{x:,}"


@cache
def _column_bound_texts() -> dict[tuple[str, str], tuple[str, str]]:
    with open(reference_dir() / "columns.csv", encoding="utf-8", newline="") as fh:
        return {
            (r["dataset"], r["column"]): (r.get("min_value") or "", r.get("max_value") or "")
            for r in csv.DictReader(fh)
        }


def bounds(col: Column) -> Bounds | None:
    """The plausible range of a column from columns.csv min_value/max_value (None when it has none).

    Resolved on each call: `now` moves with the date.
    """
    low_text, high_text = _column_bound_texts().get((col.dataset, col.column), ("", ""))
    if not (low_text or high_text):
        return None
    low, lt = _bound(low_text, col.type, True)
    high, ht = _bound(high_text, col.type, False)
    return Bounds(low, high, lt, ht)


def quarter_in_window(q: tuple[int, int] | None) -> bool:
    first, last = window()
    return q is not None and first <= q <= last


# A target of a rate indicator (kind `rate` in indicators.csv) is a percent: 0–100.
PERCENT_TARGET = ("targets", "target", "indicator")


@cache
def percent_indicators() -> frozenset[str]:
    return frozenset(i.code for i in indicators() if i.kind == "rate")
