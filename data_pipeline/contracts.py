"""The submission contracts: canonical columns, warehouse types and the cross-field rules."""

from __future__ import annotations

from dataclasses import dataclass

from data_pipeline.reference import Column, Dataset, datasets

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
