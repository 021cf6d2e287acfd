"""The questions the dashboard asks, answered from the warehouse marts (sql/queries/*.sql, bound parameters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from data_pipeline import reference
from data_pipeline.scope import EVERYTHING, Scope
from data_pipeline.sqlfiles import run_query, run_rows

Con = duckdb.DuckDBPyConnection
Dimension = Literal["county", "chain"]

_NO_CHAIN_ZH = "不分产业链"
_NO_CHAIN_EN = "Not chain-specific"


@dataclass(frozen=True)
class Filters:
    """The sidebar selection: one year, a quarter range inside it, counties and chains (empty = all), and the
    signed-in user's scope, which narrows every question before the selection does."""

    year: int
    quarter_from: int = 1
    quarter_to: int = 4
    counties: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    scope: Scope = EVERYTHING

    @property
    def period_from(self) -> int:
        """Absolute index of the first quarter (year·4 + quarter − 1)."""
        return self.year * 4 + self.quarter_from - 1

    @property
    def period_to(self) -> int:
        """Absolute index of the last quarter (year·4 + quarter − 1)."""
        return self.year * 4 + self.quarter_to - 1


# Indicators that cannot be added up from leaf cells, and the query that computes each from a detail mart.
_DETAIL_QUERIES = {
    "P5_HARDSHIP_FAMILIES": "agg_hardship_families",
    "P5_NEW_MEMBERS": "agg_new_members",
    "P5_LEGAL_COVERAGE": "agg_legal_coverage",
}
_MEASURES = ["value", "numerator", "denominator"]


_NONE = "\x00none"  # a code no row has: an area narrowed to nothing must match nothing, not everything


def _narrow(picked: tuple[str, ...], allowed: tuple[str, ...] | None) -> list[str]:
    """The selection within what the scope allows ([] = all; [_NONE] = nothing)."""
    if allowed is None:
        return list(picked)
    inside = [c for c in picked if c in allowed] if picked else list(allowed)
    return inside or [_NONE]


def area(f: Filters) -> tuple[list[str], list[str]]:
    """The counties and chains a question covers: the scope first, then the selection ([] = all)."""
    return _narrow(f.counties, f.scope.counties), _narrow(f.chains, f.scope.chains)


def _area(f: Filters) -> dict[str, Any]:
    counties, chains = area(f)
    return {"counties": counties, "chains": chains}


def _range(q_from: int, q_to: int) -> dict[str, int]:
    return {"q_from": q_from, "q_to": q_to}


def _is_rate(code: str) -> bool:
    return reference.indicator(code).kind == "rate"


def _keys(f: Filters, grain: str) -> list[tuple[str | None, str | None]]:
    """Every (county, chain) group of a grain within the area filter, in reference order (None = not split)."""
    in_counties, in_chains = area(f)
    counties = [c.code for c in reference.counties() if not in_counties or c.code in in_counties]
    chains = [c.code for c in reference.chains() if not in_chains or c.code in in_chains]
    if grain == "county":
        return [(c, None) for c in counties]
    if grain == "chain":
        return [(None, c) for c in chains]
    if grain == "cell":
        return [(a, b) for a in counties for b in chains]
    return [(None, None)]


def _num(x: Any) -> float:
    return float("nan") if x is None or x is pd.NA or x != x else float(x)


def _aggregate(con: Con, f: Filters, codes: Sequence[str], grain: str, ranges: list[tuple[int, int]]) -> pd.DataFrame:
    """span (1-based index into ranges), indicator, county, chain, value, numerator, denominator; groups without
    records are 0 (a rate: no value, 0/0) when the indicator has data in that range; no rows when it has none."""
    params = {"grain": grain, "range_from": [a for a, _ in ranges], "range_to": [b for _, b in ranges], **_area(f)}
    additive = [c for c in codes if c not in _DETAIL_QUERIES]
    names = ("agg_cells",) if additive else ()
    names += tuple(_DETAIL_QUERIES[c] for c in dict.fromkeys(codes) if c in _DETAIL_QUERIES)
    # one statement for the additive cells and every detail query: one round trip, plain rows (no DataFrame)
    found_rows = run_rows(con, names, {**params, "codes": additive}) if names else []
    available: list[tuple[int, str]] = []
    cells: dict[tuple[int, str], dict[tuple[str | None, str | None], tuple[float, float, float]]] = {}
    for span, code, county, chain, value, num, den, marker in found_rows:  # small results: plain Python
        if marker:
            available.append((int(span), code))
        else:
            key = (None if county is None or county != county else county, None if chain != chain else chain)
            cells.setdefault((int(span), code), {})[key] = (_num(value), _num(num), _num(den))
    grid = _keys(f, grain)
    in_grid = set(grid)
    rows = []
    for span, code in sorted(set(available), key=lambda sc: (sc[0], codes.index(sc[1]))):
        found = cells.get((span, code), {})
        rate = _is_rate(code)
        for key in grid + [k for k in found if k not in in_grid]:
            value, num, den = found.get(key, (0.0, 0.0, 0.0))
            if rate:
                num, den = (0.0 if num != num else num), (0.0 if den != den else den)
                value = 100.0 * num / den if den > 0 else float("nan")
            else:
                value, num, den = (0.0 if value != value else value), float("nan"), float("nan")
            rows.append((span, code, key[0], key[1], value, num, den))
    out = pd.DataFrame(rows, columns=["span", "indicator", "county", "chain", *_MEASURES])
    return out.astype({m: "float64" for m in _MEASURES})


def _totals_for(con: Con, f: Filters, codes: Sequence[str], ranges: list[tuple[int, int]]) -> list[pd.DataFrame]:
    df = _aggregate(con, f, codes, "total", ranges)
    found = {(s, c): (v, n, d) for s, c, v, n, d in df[["span", "indicator", *_MEASURES]].itertuples(index=False)}
    nan = (float("nan"),) * 3
    return [
        pd.DataFrame([(c, *found.get((i + 1, c), nan)) for c in codes], columns=["indicator", *_MEASURES]).astype(
            {m: "float64" for m in _MEASURES}
        )
        for i in range(len(ranges))
    ]


def _names(dim: str) -> dict[str | None, tuple[str, str]]:
    """(name_zh, name_en) of every county or chain code; the chain None = not chain-specific."""
    if dim == "county":
        return {c.code: (c.name_zh, c.name_en) for c in reference.counties()}
    names: dict[str | None, tuple[str, str]] = {c.code: (c.name_zh, c.name_en) for c in reference.chains()}
    names[None] = (_NO_CHAIN_ZH, _NO_CHAIN_EN)
    return names


def catalogue(con: Con) -> pd.DataFrame:
    """The indicator catalogue (columns of indicators.csv) with project_zh and project_en."""
    return run_query(con, "catalogue")


def periods(con: Con) -> pd.DataFrame:
    """The quarters (year, quarter) that have any indicator value, in order."""
    return run_query(con, "periods")


def info(con: Con) -> dict[str, Any]:
    """Build facts: built_at, is_demo, data_through ('2026Q3'), files_loaded, rows_quarantined and other counts."""
    raw = dict(run_query(con, "info").itertuples(index=False, name=None))
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "is_demo":
            out[key] = value == "true"
        elif key.startswith(("files_", "rows_")) or key.endswith("_rows"):
            out[key] = int(value) if value not in (None, "") else 0
        else:
            out[key] = value or None
    return out


def totals(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """Each indicator over the whole selection: indicator, value, numerator, denominator (NaN value = no data)."""
    return _totals_for(con, f, codes, [(f.period_from, f.period_to)])[0]


def comparison(f: Filters, data_through: str | None) -> tuple[int, int, str]:
    """What a KPI's change compares with: (period_from, period_to, basis).

    The selected range is first cut at the last quarter with data, so a year in progress is compared like
    with like; one quarter is compared with the quarter before (basis 'quarter', 较上季度), a longer range with
    the same quarters a year earlier (basis 'year', 较上年同期), which keeps seasonal flows comparable."""
    start, end = f.period_from, f.period_to
    if data_through and len(data_through) == 6:
        last = int(data_through[:4]) * 4 + int(data_through[5]) - 1
        end = min(end, last) if last >= start else end  # a range wholly after the data stays as chosen
    if start == end:
        return start - 1, end - 1, "quarter"
    return start - 4, end - 4, "year"


def kpis(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """KPI cards (value, previous, change, target, progress, basis); see comparison() for what previous is.

    P4_INNOVATIVE_FIRMS city target = city + every county target (the value counts 市级 and 县级 honours)."""
    prev_from, prev_to, basis = comparison(f, info(con).get("data_through"))
    now, before = _totals_for(con, f, codes, [(f.period_from, f.period_to), (prev_from, prev_to)])
    targets = run_query(con, "kpi_targets", {"codes": list(codes), "year": f.year, **_area(f)})
    out = now[["indicator", "value"]].copy()
    out["previous"] = before["value"].to_numpy()
    out["change"] = out["value"] - out["previous"]
    out = out.merge(targets.astype({"target": "float64"}), on="indicator", how="left")
    out["target"] = out["target"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["progress"] = np.where(out["target"] > 0, out["value"] / out["target"], np.nan)
    out["basis"] = basis
    return out[["indicator", "value", "previous", "change", "target", "progress", "basis"]]


def by_dimension(con: Con, f: Filters, code: str, dim: Dimension) -> pd.DataFrame:
    """One indicator per county or chain: key, name_zh, name_en, value, numerator, denominator, target."""
    if dim not in ("county", "chain"):
        raise ValueError(f"dim must be 'county' or 'chain', not {dim!r}")
    df = _aggregate(con, f, [code], dim, [(f.period_from, f.period_to)])
    names = _names(dim)
    keys = [k if isinstance(k, str) else None for k in df[dim]]
    out = pd.DataFrame(
        {
            "key": keys,
            "name_zh": [names.get(k, (k, k))[0] for k in keys],
            "name_en": [names.get(k, (k, k))[1] for k in keys],
            **{m: df[m].to_numpy() for m in _MEASURES},
        }
    )
    targets = run_query(con, "dimension_targets", {"code": code, "year": f.year, "dim": dim, **_area(f)})
    by_key = dict(zip(targets["key"], targets["target"], strict=True))
    out["target"] = pd.Series([by_key.get(k, float("nan")) for k in keys], dtype="float64")
    return out


def heatmap(con: Con, f: Filters, code: str) -> pd.DataFrame:
    """One indicator per county × chain: county, chain, county_zh, chain_zh, value, numerator, denominator."""
    df = _aggregate(con, f, [code], "cell", [(f.period_from, f.period_to)])
    counties, chains = _names("county"), _names("chain")
    county_keys = list(df["county"])
    chain_keys = [k if isinstance(k, str) else None for k in df["chain"]]
    return pd.DataFrame(
        {
            "county": county_keys,
            "chain": chain_keys,
            "county_zh": [counties.get(k, (k, k))[0] for k in county_keys],
            "chain_zh": [chains.get(k, (k, k))[0] for k in chain_keys],
            **{m: df[m].to_numpy() for m in _MEASURES},
        }
    )


def trend(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """Each indicator per quarter up to the end of the range, all years ≤ f.year: indicator, year, quarter, period, value."""
    df = run_query(con, "trend", {"codes": list(codes), "q_to": f.period_to, **_area(f)})
    return df.astype({"value": "float64"})


def breakdown(con: Con, f: Filters, code: str, dim: str) -> pd.DataFrame:
    """One indicator split by level, stars, kind, category or programme: category, value (empty if not offered)."""
    df = run_query(con, "breakdown", {"code": code, "dim": dim, **_area(f), **_range(f.period_from, f.period_to)})
    return df.astype({"value": "float64"})


def innovative_firms_vs_target(con: Con, f: Filters) -> pd.DataFrame:
    """全员创新企业 in f.year: one city row (市级 honours) and one per county (县级): scope, name_zh, name_en, actual, target."""
    return run_query(con, "innovative_firms_vs_target", {"year": f.year, "counties": area(f)[0]})


def firm_coverage(con: Con, f: Filters, chain: str) -> pd.DataFrame:
    """Firms of one chain at the range's last quarter: credit_code, enterprise_name, county, employees, members, member_rate."""
    params = {"chain": chain, "counties": area(f)[0], **_range(f.period_from, f.period_to)}
    return run_query(con, "firm_coverage", params)


def manifest(con: Con) -> pd.DataFrame:
    """The load manifest: one row per submitted file, newest first."""
    return run_query(con, "manifest")


def quarantine(con: Con, limit: int = 1000) -> pd.DataFrame:
    """Quarantined rows (at most `limit`) with file, row number, column, value, rule and message."""
    return run_query(con, "quarantine", {"max_rows": int(limit)})
