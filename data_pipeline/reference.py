"""Reference data (counties, chains, projects, indicator catalogue, contracts) read from package CSVs."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from data_pipeline.config import reference_dir


def _rows(name: str) -> list[dict[str, str]]:
    with open(reference_dir() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def reload() -> None:
    """Read the reference CSVs again (after UNION_DASH_REFERENCE changes, e.g. in tests)."""
    for fn in (counties, chains, projects, indicators, datasets, policy_targets, disclosure_rules, status_settings):
        fn.cache_clear()
    _lookup.cache_clear()
    warning_rules.cache_clear()
    duty_roster.cache_clear()


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
    measure: str  # the source's measure summed (the numerator of a rate); see sql/marts/source_cells.sql
    denominator: str  # a rate's denominator measure ('' otherwise)
    kinds: tuple[str, ...]  # only records of these kinds (contest kind, programme, honour, category…); () = all
    levels: tuple[str, ...]  # only records of these levels; () = all
    dims: tuple[str, ...]  # what it can be broken down by: county, chain, kind, level, stars
    accrual: str  # how its year target falls due: seasonal | pro_rata | as_is | annual
    query: str  # the query that totals it when cells do not add up (sql/queries/<query>.sql); '' = agg_cells
    city_target: str  # '' = the city row; city_plus_counties = the city row plus every county row

    @property
    def breakdowns(self) -> tuple[str, ...]:
        """The breakdowns other than by place (kind, level, stars) that this indicator offers."""
        return tuple(d for d in self.dims if d not in ("county", "chain"))


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
            measure=r["measure"],
            denominator=r["denominator"],
            kinds=_split(r["kinds"]),
            levels=_split(r["levels"]),
            dims=_split(r["dims"]),
            accrual=r["accrual"],
            query=r["query"],
            city_target=r["city_target"],
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
class DisclosureRule:
    """Small-cell protection of one aid-derived indicator: cells below county level built from fewer than
    `min_units` distinct families are not shown (nor any cell that would reveal them by subtraction)."""

    indicator: str
    min_units: int
    units_zh: str
    units_en: str


@cache
def disclosure_rules() -> dict[str, DisclosureRule]:
    """Indicator code → its disclosure rule (disclosure.csv)."""
    return {
        r["indicator"]: DisclosureRule(r["indicator"], int(r["min_units"]), r["units_zh"], r["units_en"])
        for r in _rows("disclosure.csv")
    }


@cache
def status_settings() -> dict[str, float]:
    """How status is judged (status.csv): tolerances and the seasonal profile's history."""
    return {r["key"]: float(r["value"]) for r in _rows("status.csv")}


# ---------------------------------------------------------------- names → codes (the one lookup)


def _key(text: str) -> str:
    """How names are compared: NFKC (full-width to half-width), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


@cache
def _lookup(dim: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if dim == "county":
        for c in counties():
            for name in (c.code, c.name_zh, c.name_en, *c.aliases, c.adcode):
                if name:
                    out.setdefault(_key(name), c.code)
    else:
        for c in chains():
            for name in (c.code, f"C{int(c.code[1:])}", c.name_zh, c.name_en, *c.aliases):
                out.setdefault(_key(name), c.code)
    return out


def code_of(dim: str, text: object) -> str | None:
    """The county or chain code a person means by `text` (a code, a name, a known alias, with or without
    泰安市 / 工会 / 产业链 around it), or None. One matching rule for files, links, the CLI and the deck."""
    if text is None:
        return None
    s = _key(str(text))
    if not s:
        return None
    lookup = _lookup(dim)
    if dim == "county":
        no_city = re.sub(r"^(山东省)?泰安市", "", s)
        candidates = (s, no_city, re.sub(r"(总工会|工会)$", "", no_city))
    else:
        candidates = (s, re.sub(r"(产业链|产业|链)$", "", s))
    return next((lookup[c] for c in candidates if c in lookup), None)


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
