"""Reference data (counties, chains, projects, indicator catalogue, contracts) read from package CSVs."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from data_pipeline.config import REFERENCE_DIR


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


@dataclass(frozen=True)
class County:
    code: str
    name_zh: str
    name_en: str
    kind: str
    adcode: str
    population_2020: int | None
    grid_row: int
    grid_col: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Chain:
    code: str
    name_zh: str
    name_en: str
    parent_zh: str
    group_441x: str
    confirmed: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    project: int
    slug: str
    name_zh: str
    short_zh: str
    name_en: str
    short_en: str


@dataclass(frozen=True)
class Indicator:
    code: str
    project: int
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    kind: str  # stock | flow | rate | distinct
    time_agg: str  # latest | sum | distinct | range
    source: str
    headline: int | None
    decimals: int
    definition_zh: str
    definition_en: str


@dataclass(frozen=True)
class Column:
    dataset: str
    column: str
    header_zh: str
    type: str
    required: bool
    choices: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    dataset: str
    title_zh: str
    title_en: str
    grain_zh: str
    key: tuple[str, ...]
    period_from: str
    latest_wins: bool
    columns: tuple[Column, ...]


@cache
def counties() -> tuple[County, ...]:
    return tuple(
        County(
            code=r["code"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            kind=r["kind"],
            adcode=r["adcode"],
            population_2020=int(r["population_2020"]) if r["population_2020"] else None,
            grid_row=int(r["grid_row"]),
            grid_col=int(r["grid_col"]),
            aliases=_split(r["aliases"]),
        )
        for r in _rows("counties.csv")
    )


@cache
def chains() -> tuple[Chain, ...]:
    return tuple(
        Chain(
            code=r["code"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            parent_zh=r["parent_zh"],
            group_441x=r["group_441x"],
            confirmed=r["confirmed"].strip().lower() == "true",
            aliases=_split(r["aliases"]),
        )
        for r in _rows("chains.csv")
    )


@cache
def projects() -> tuple[Project, ...]:
    return tuple(
        Project(int(r["project"]), r["slug"], r["name_zh"], r["short_zh"], r["name_en"], r["short_en"])
        for r in _rows("projects.csv")
    )


@cache
def indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            code=r["code"],
            project=int(r["project"]),
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            unit_zh=r["unit_zh"],
            unit_en=r["unit_en"],
            kind=r["kind"],
            time_agg=r["time_agg"],
            source=r["source"],
            headline=int(r["headline"]) if r["headline"] else None,
            decimals=int(r["decimals"]),
            definition_zh=r["definition_zh"],
            definition_en=r["definition_en"],
        )
        for r in _rows("indicators.csv")
    )


@cache
def datasets() -> tuple[Dataset, ...]:
    columns = [
        Column(
            dataset=r["dataset"],
            column=r["column"],
            header_zh=r["header_zh"],
            type=r["type"],
            required=r["required"].strip().lower() == "true",
            choices=_split(r["choices"]),
            aliases=_split(r["aliases"]),
        )
        for r in _rows("columns.csv")
    ]
    return tuple(
        Dataset(
            dataset=r["dataset"],
            title_zh=r["title_zh"],
            title_en=r["title_en"],
            grain_zh=r["grain_zh"],
            key=_split(r["key"]),
            period_from=r["period_from"],
            latest_wins=r["latest_wins"].strip().lower() == "true",
            columns=tuple(c for c in columns if c.dataset == r["dataset"]),
        )
        for r in _rows("datasets.csv")
    )


def dataset(name: str) -> Dataset:
    """The contract of one dataset by its code."""
    for d in datasets():
        if d.dataset == name:
            return d
    raise KeyError(name)


def indicator(code: str) -> Indicator:
    for i in indicators():
        if i.code == code:
            return i
    raise KeyError(code)


@dataclass(frozen=True)
class PolicyTarget:
    indicator: str
    scope: str  # city | each_county
    target: float
    note_zh: str


@cache
def policy_targets() -> tuple[PolicyTarget, ...]:
    """The policy's own fixed targets (policy_targets.csv)."""
    return tuple(
        PolicyTarget(r["indicator"], r["scope"], float(r["target"]), r["note_zh"]) for r in _rows("policy_targets.csv")
    )


@dataclass(frozen=True)
class WarningRule:
    """A plausibility warning of the submission cycle: a comparison with the unit's last published quarter.

    check: relative_change (|new − old| ÷ old > threshold), relative_drop ((old − new) ÷ old > threshold),
    missing_row (a row of the last quarter, by the dataset's key without its period, is absent) or
    rate_drop (the unit's sum(numerator) ÷ sum(denominator), in percent, falls by more than threshold points;
    column is `numerator/denominator`). message_zh is a template filled by data_pipeline.warning_rules.
    """

    rule: str
    dataset: str
    check: str
    column: str
    threshold: float | None
    message_zh: str


@cache
def warning_rules() -> tuple[WarningRule, ...]:
    return tuple(
        WarningRule(
            rule=r["rule"],
            dataset=r["dataset"],
            check=r["check"],
            column=r["column"],
            threshold=float(r["threshold"]) if r["threshold"] else None,
            message_zh=r["message_zh"],
        )
        for r in _rows("warning_rules.csv")
    )


@dataclass(frozen=True)
class Duty:
    """One line of the duty roster: a kind of unit owes a dataset at a frequency by a due rule.

    Quarterly duties fall due `due_days_after_quarter` days after the quarter ends. Yearly duties are owed
    in the fourth quarter's cycle, for the year `period_year_offset` after the quarter's year (0 = the
    year just ended, 1 = the coming year), due on `due_month_day` (MM-DD) of the following year.
    nil_return is what a unit may send instead of a file ('本期无数据', '无变化'); '' = a file is required.
    """

    unit_kind: str  # county | chain | city
    dataset: str
    frequency: str  # quarterly | yearly
    due_days_after_quarter: int | None
    due_month_day: str
    period_year_offset: int
    nil_return: str
    scope_zh: str


@cache
def duty_roster() -> tuple[Duty, ...]:
    return tuple(
        Duty(
            unit_kind=r["unit_kind"],
            dataset=r["dataset"],
            frequency=r["frequency"],
            due_days_after_quarter=int(r["due_days_after_quarter"]) if r["due_days_after_quarter"] else None,
            due_month_day=r["due_month_day"],
            period_year_offset=int(r["period_year_offset"]) if r["period_year_offset"] else 0,
            nil_return=r["nil_return"],
            scope_zh=r["scope_zh"],
        )
        for r in _rows("duty_roster.csv")
    )
