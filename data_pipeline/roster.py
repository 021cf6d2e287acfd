"""Who owes what, and by when: the submitting units, reporting periods and the duty roster (reference/duty_roster.csv).

A unit is a county union (code from counties.csv), a chain union (C01–C13) or the city union (`city`).
Quarterly duties are owed for the quarter with a deadline `due_days_after_quarter` days after it ends
(default 10: the 10th day after the quarter); yearly duties are owed in the fourth quarter's cycle and fall
due on `due_month_day` of the next year (31 January). A per-quarter deadline set by an admin overrides the
quarterly ones. A nil return (“本期无数据”, “无变化”) is allowed where the roster names one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from data_pipeline import normalize
from data_pipeline.reference import Duty, chains, counties, dataset, duty_roster

UNIT_KINDS = ("county", "chain", "city")
UNIT_KIND_ZH = {"county": "县市区工会", "chain": "产业链工会", "city": "市总工会"}
QUARTER_ZH = "一二三四"


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    """A submitting unit. `column` is the contract column its rows must match (None for the city union)."""

    kind: str  # county | chain | city
    code: str  # county code, chain code, or 'city'
    name_zh: str

    @property
    def column(self) -> str | None:
        return {"county": "county", "chain": "chain"}.get(self.kind)

    @property
    def label_zh(self) -> str:
        """How a title or a message names the unit: 新泰市, 汽车及零部件产业链, 市总工会."""
        return f"{self.name_zh}产业链" if self.kind == "chain" else self.name_zh


CITY = Unit("city", "city", "市总工会")

LEDGER_DIR = "ledger"  # publish stages each accepted file as ledger/<unit code>/<dataset>/<file>


def sender_code(path: str, county: str | None) -> str | None:
    """The code of the unit that sent a file: the unit folder of a file staged by publish
    (`ledger/<unit code>/…`), else the file's county (a plain raw folder holds county unions' files)."""
    parts = str(path).replace("\\", "/").split("/")
    if len(parts) > 2 and parts[0] == LEDGER_DIR:
        return parts[1]
    return county


def units(kind: str | None = None) -> tuple[Unit, ...]:
    """Every unit (10 counties, 13 chains, the city union), or those of one kind."""
    out = (
        *(Unit("county", c.code, c.name_zh) for c in counties()),
        *(Unit("chain", c.code, c.name_zh) for c in chains()),
        CITY,
    )
    return tuple(u for u in out if kind is None or u.kind == kind)


def county_unit(name: str) -> Unit:
    """A county union from its code or any name ingest recognises (新泰, 新泰市, xintai); ValueError otherwise."""
    code, rule, detail = normalize.parse_county(name)
    if rule or code is None:
        raise ValueError(detail or f"未知县市区：{name}")
    return next(u for u in units("county") if u.code == code)


def chain_unit(name: str) -> Unit:
    """A chain union from its code or any name ingest recognises (C01, 汽车零部件); ValueError otherwise."""
    code, rule, detail = normalize.parse_chain(name)
    if rule or code is None:
        raise ValueError(detail or f"未知产业链：{name}")
    return next(u for u in units("chain") if u.code == code)


def unit_for(*, county: str | None = None, chain: str | None = None) -> Unit | None:
    """The unit named by a county or a chain (at most one of them); None when neither is given."""
    if county and chain:
        raise ValueError("县市区和产业链只能指定一个")
    if county:
        return county_unit(county)
    if chain:
        return chain_unit(chain)
    return None


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026Q4`, `2026年第四季度`, `2026-Q4` or a date inside the quarter; ValueError otherwise."""
        got = normalize.to_quarter(text)
        if got is None:
            raise ValueError(f"“{text}”不是有效的统计期（示例：2026Q4）")
        return cls(*got)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def index(self) -> int:
        """year * 4 + quarter − 1, the warehouse's period_index."""
        return self.year * 4 + self.quarter - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> dt.date:
        nxt = self.next()
        return nxt.first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{QUARTER_ZH[self.quarter - 1]}季度"


def reporting_quarter(today: dt.date | None = None) -> Quarter:
    """The quarter units report now: the last one that has ended."""
    return Quarter.of(today or dt.date.today()).previous()


# ---------------------------------------------------------------- the roster


@dataclass(frozen=True)
class Owed:
    """One cell of the status matrix: a unit owes a dataset for a period by a deadline."""

    unit: Unit
    dataset: str
    dataset_title: str
    period: str  # '2026Q4' for quarterly duties, '2026' for yearly ones
    frequency: str
    deadline: dt.date
    nil_return: str | None  # '本期无数据' | '无变化' | None (a file is required)
    scope_zh: str

    def overdue(self, today: dt.date) -> bool:
        """Past the deadline (the page shows 逾期 for cells with no accepted file)."""
        return today > self.deadline


def deadline(duty: Duty, quarter: Quarter) -> dt.date:
    """When a duty falls due in a quarter's cycle."""
    if duty.frequency == "quarterly":
        return quarter.last_day + dt.timedelta(days=duty.due_days_after_quarter or 0)
    month, day = (int(x) for x in duty.due_month_day.split("-"))
    return dt.date(quarter.year + 1, month, day)


def owed(quarter: Quarter | str, *, unit: Unit | None = None, deadline_override: dt.date | None = None) -> list[Owed]:
    """Every (unit, dataset, period) owed in a quarter's cycle with its deadline, in roster then unit order.

    Yearly duties appear in the fourth quarter only. `deadline_override` (an admin's deadline for the quarter)
    replaces the quarterly deadlines; `unit` narrows the list to one unit.
    """
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    out: list[Owed] = []
    for duty in duty_roster():
        if duty.frequency == "yearly" and q.quarter != 4:
            continue
        if duty.frequency == "quarterly":
            period = str(q)
            due = deadline_override or deadline(duty, q)
        else:
            period = str(q.year + duty.period_year_offset)
            due = deadline(duty, q)
        title = dataset(duty.dataset).title_zh
        for u in units(duty.unit_kind):
            if unit is not None and u != unit:
                continue
            out.append(
                Owed(u, duty.dataset, title, period, duty.frequency, due, duty.nil_return or None, duty.scope_zh)
            )
    return out


def nil_return(unit_kind: str, dataset_code: str) -> str | None:
    """What a unit of this kind may send instead of a file for this dataset, or None (a file is required)."""
    for duty in duty_roster():
        if duty.unit_kind == unit_kind and duty.dataset == dataset_code:
            return duty.nil_return or None
    return None
