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
