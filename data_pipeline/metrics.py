"""The questions the dashboard, the deck and the command line ask, answered from the warehouse marts
(sql/queries/*.sql, bound parameters).

Every answer is already narrowed to the user's scope (before any filter), judged against expected progress
(data_pipeline.status) and protected by the small-cell rules (data_pipeline.disclosure): nothing that leaves
this module needs another rule applied on the way to a screen or a file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from data_pipeline import disclosure, reference, status
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


_MEASURES = ["value", "numerator", "denominator"]
_NONE = "\x00none"  # a code no row has: an area narrowed to nothing must match nothing, not everything


# ---------------------------------------------------------------- scope and area


def _narrow(picked: tuple[str, ...], allowed: tuple[str, ...] | None) -> list[str]:
    """The selection within what the scope allows ([] = all; [_NONE] = nothing)."""
    if allowed is None:
        return list(picked)
    inside = [c for c in picked if c in allowed] if picked else list(allowed)
    return inside or [_NONE]


def area(f: Filters) -> tuple[list[str], list[str]]:
    """The counties and chains a question covers: the scope first, then the selection ([] = all)."""
    return _narrow(f.counties, f.scope.counties), _narrow(f.chains, f.scope.chains)


def outside_scope(f: Filters) -> bool:
    """True when the selection asks for counties or chains the user may not see (a link from someone else)."""
    s = f.scope
    return bool(
        (s.counties is not None and any(c not in s.counties for c in f.counties))
        or (s.chains is not None and any(c not in s.chains for c in f.chains))
    )


def _params(f: Filters) -> dict[str, Any]:
    counties, chains = area(f)
    return {"counties": counties, "chains": chains}


def _ranking_filters(f: Filters, code: str, dim: str) -> Filters:
    """A ranking across `dim` may show units outside the scope when the admin allows it, never for aid figures."""
    s = f.scope
    if not s.rank_others or code in reference.disclosure_rules():
        return f
    return replace(f, scope=replace(s, counties=None) if dim == "county" else replace(s, chains=None))


def _range(q_from: int, q_to: int) -> dict[str, int]:
    return {"q_from": q_from, "q_to": q_to}


# ---------------------------------------------------------------- aggregation


def _rule(code: str) -> reference.Indicator:
    return reference.indicator(code)


def _is_rate(code: str) -> bool:
    return _rule(code).kind == "rate"


def _keys(f: Filters, grain: str) -> list[tuple[str | None, str | None]]:
    """Every (county, chain) group of a grain within the area, in reference order (None = not split)."""
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


def _key(x: Any) -> str | None:
    return None if x is None or x is pd.NA or x != x else x


def _ranges_params(ranges: Sequence[tuple[int, int]]) -> dict[str, list[int]]:
    return {"range_from": [a for a, _ in ranges], "range_to": [b for _, b in ranges]}


def _aggregate(con: Con, f: Filters, codes: Sequence[str], grain: str, ranges: list[tuple[int, int]]) -> pd.DataFrame:
    """span (1-based index into ranges), indicator, county, chain, value, numerator, denominator; groups without
    records are 0 (a rate: no value, 0/0) when the indicator has data in that range; no rows when it has none.

    Each indicator is totalled by the query its catalogue row names (additive cells by default)."""
    codes = list(dict.fromkeys(codes))
    if _NONE in area(f)[0] or _NONE in area(f)[1]:  # narrowed to nothing: no data, not zeros
        return pd.DataFrame(columns=["span", "indicator", "county", "chain", *_MEASURES]).astype(
            {m: "float64" for m in _MEASURES}
        )
    names = tuple(dict.fromkeys((_rule(c).query or "agg_cells") for c in codes))
    params = {"grain": grain, **_ranges_params(ranges), **_params(f), "codes": codes, "all_rules": False}
    found_rows = run_rows(con, names, params) if names else []  # one statement, one round trip, plain rows
    available: list[tuple[int, str]] = []
    cells: dict[tuple[int, str], dict[tuple[str | None, str | None], tuple[float, float, float]]] = {}
    for span, code, county, chain, value, num, den, marker in found_rows:  # small results: plain Python
        if marker:
            available.append((int(span), code))
        else:
            cells.setdefault((int(span), code), {})[(_key(county), _key(chain))] = (_num(value), _num(num), _num(den))
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
    """Per range: indicator, value, numerator, denominator, suppressed over the whole area (NaN value = no data)."""
    df = _aggregate(con, f, codes, "total", ranges)
    found = {(s, c): (v, n, d) for s, c, v, n, d in df[["span", "indicator", *_MEASURES]].itertuples(index=False)}
    nan = (float("nan"),) * 3
    out = [
        pd.DataFrame([(c, *found.get((i + 1, c), nan)) for c in codes], columns=["indicator", *_MEASURES]).astype(
            {m: "float64" for m in _MEASURES}
        )
        for i in range(len(ranges))
    ]
    for frame in out:
        frame["suppressed"] = False
    for code in [c for c in dict.fromkeys(codes) if c in reference.disclosure_rules()]:
        if not area(f)[1]:  # every chain: a county or the city, never hidden
            continue
        for frame, pat in zip(out, _patterns(con, code, ranges), strict=True):
            if _hidden(f, pat, None, None, "total"):
                frame.loc[frame["indicator"] == code, _MEASURES] = float("nan")
                frame.loc[frame["indicator"] == code, "suppressed"] = True
    return out


# ---------------------------------------------------------------- small-cell protection


def _patterns(con: Con, code: str, ranges: Sequence[tuple[int, int]]) -> list[disclosure.Pattern]:
    """The suppression pattern of one aid-derived indicator for each range, on the whole county × chain table."""
    rule = reference.disclosure_rules()[code]
    base = {**_ranges_params(ranges), "codes": [code], "all_rules": True, "counties": [], "chains": []}
    cells = run_rows(con, ("agg_units",), {**base, "grain": "cell"})
    chains = run_rows(con, ("agg_units",), {**base, "grain": "chain"})
    by_span_cells: dict[int, dict] = {i + 1: {} for i in range(len(ranges))}
    by_span_chains: dict[int, dict] = {i + 1: {} for i in range(len(ranges))}
    for span, _code, county, chain, value, _n, _d, marker in cells:
        if not marker:
            by_span_cells[int(span)][(county, _key(chain))] = _num(value)
    for span, _code, _county, chain, value, _n, _d, marker in chains:
        if not marker:
            by_span_chains[int(span)][_key(chain)] = _num(value)
    return [disclosure.pattern(by_span_cells[i + 1], by_span_chains[i + 1], rule.min_units) for i in range(len(ranges))]


def _hidden(f: Filters, pat: disclosure.Pattern, county: str | None, chain: str | None, grain: str) -> bool:
    """Whether one answer row (a total, or a county / chain / cell of a breakdown) must be hidden."""
    counties, chains = area(f)
    row_counties = [county] if grain in ("county", "cell") else counties
    row_chains: list[str | None] = [chain] if grain in ("chain", "cell") else list(chains)
    if not row_chains:  # every chain: a county or the city, never hidden
        return False
    all_counties = not row_counties
    real_counties = row_counties or [c.code for c in reference.counties()]
    return pat.hides(real_counties, row_chains, all_counties)


def _protect(con: Con, f: Filters, frame: pd.DataFrame, code: str, grain: str, ranges, span_col: str | None = None):
    """Hide the rows of `frame` (county/chain columns per grain) that small-cell protection covers."""
    frame = frame.copy()
    frame["suppressed"] = False
    if code not in reference.disclosure_rules() or frame.empty:
        return frame
    patterns = _patterns(con, code, ranges)
    county_col = "county" if "county" in frame.columns else "key"
    chain_col = "chain" if "chain" in frame.columns else "key"
    hide = []
    for _, row in frame.iterrows():
        pat = patterns[int(row[span_col]) - 1] if span_col else patterns[0]
        county = row[county_col] if grain in ("county", "cell") else None
        chain = _key(row[chain_col]) if grain in ("chain", "cell") else None
        hide.append(_hidden(f, pat, county, chain, grain))
    mask = pd.Series(hide, index=frame.index)
    for col in ("value", "numerator", "denominator", "target"):
        if col in frame.columns and col != "target":
            frame.loc[mask, col] = float("nan")
    frame["suppressed"] = mask
    return frame


# ---------------------------------------------------------------- plain facts


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
    """Each indicator over the whole selection: indicator, value, numerator, denominator, suppressed (NaN value =
    no data, or hidden when suppressed)."""
    return _totals_for(con, f, codes, [(f.period_from, f.period_to)])[0]


def city(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """The whole city's totals for comparison (indicator, value), whatever the selection; NaN where the user's
    scope does not include the city total."""
    if not f.scope.city_total:
        return pd.DataFrame({"indicator": list(codes), "value": [float("nan")] * len(codes)})
    whole = replace(f, counties=(), chains=(), scope=EVERYTHING)
    return totals(con, whole, codes)[["indicator", "value"]]


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


# ---------------------------------------------------------------- status against expected progress


def _history_years(con: Con, year: int) -> list[int]:
    """The complete years (with a fourth quarter of data) before `year`, most recent last, as many as the
    seasonal profile uses."""
    per = periods(con)
    full = sorted(int(y) for y in per.loc[per["quarter"] == 4, "year"].unique() if int(y) < year)
    return full[-int(reference.status_settings()["profile_max_years"]) :]


def _history_ranges(f: Filters, years: Sequence[int]) -> list[tuple[int, int]]:
    """For each history year: the same quarters as the selection, then the whole year."""
    out = []
    for y in years:
        out += [(y * 4 + f.quarter_from - 1, y * 4 + f.quarter_to - 1), (y * 4, y * 4 + 3)]
    return out


def _shares(hist: list[pd.DataFrame], codes: Sequence[str]) -> dict[str, float | None]:
    """Each indicator's seasonal share of a year due over the selected quarters, from the history frames."""
    out = {}
    for code in codes:
        pairs = []
        for part, whole in zip(hist[0::2], hist[1::2], strict=True):
            p = part.loc[part["indicator"] == code, "value"]
            w = whole.loc[whole["indicator"] == code, "value"]
            if not p.empty and not w.empty:
                pairs.append((float(p.iloc[0]), float(w.iloc[0])))
        out[code] = status.seasonal_share(pairs)
    return out


def _judge(code: str, value: float, target: float, f: Filters, share: float | None) -> status.Judgement:
    rule = _rule(code)
    return status.judge(
        value,
        target,
        accrual=rule.accrual,
        q_from=f.quarter_from,
        q_to=f.quarter_to,
        share=share,
        rate=rule.kind == "rate",
    )


def kpis(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """KPI cards: indicator, value, previous, change, target, progress (value ÷ year target), basis (what the
    change compares with, see comparison()), expected (what was due by the end of the range), due_share,
    due_basis (seasonal, pro_rata, as_is, annual), status, gap (value − expected), relative_gap, reference_value
    and reference_year (annual honours not yet due: last year's full figure), suppressed."""
    codes = list(codes)
    prev_from, prev_to, basis = comparison(f, info(con).get("data_through"))
    years = _history_years(con, f.year)
    last_year = ((f.year - 1) * 4, (f.year - 1) * 4 + 3)
    ranges = [(f.period_from, f.period_to), (prev_from, prev_to), last_year, *_history_ranges(f, years)]
    now, before, reference_year, *hist = _totals_for(con, f, codes, ranges)
    shares = _shares(hist, codes)
    targets = run_query(con, "kpi_targets", {"codes": codes, "year": f.year, **_params(f)})
    target_of = dict(zip(targets["indicator"], targets["target"].astype("float64"), strict=True))
    rows = []
    for code, value, previous, hidden, hidden_before, ref in zip(
        codes,
        now["value"],
        before["value"],
        now["suppressed"],
        before["suppressed"],
        reference_year["value"],
        strict=True,
    ):
        target = target_of.get(code, float("nan"))
        judged = _judge(code, value, target, f, shares.get(code))
        not_due = judged.status == status.NOT_YET_DUE
        rows.append(
            {
                "indicator": code,
                "value": value,
                "previous": previous,
                "change": value - previous if not (hidden or hidden_before) else float("nan"),
                "target": target,
                "progress": value / target if target and target > 0 else float("nan"),
                "basis": basis,
                "expected": judged.expected,
                "due_share": judged.due_share,
                "due_basis": judged.basis,
                "status": judged.status,
                "gap": judged.gap,
                "relative_gap": judged.relative_gap,
                "reference_value": ref if not_due else float("nan"),
                "reference_year": f.year - 1 if not_due else None,
                "suppressed": bool(hidden),
            }
        )
    out = pd.DataFrame(rows)
    floats = ["value", "previous", "change", "target", "progress", "expected", "due_share", "gap", "relative_gap"]
    return out.astype({c: "float64" for c in [*floats, "reference_value"]})


def _dimension_targets(con: Con, f: Filters, codes: Sequence[str], dim: str) -> dict[tuple[str, str], float]:
    """(indicator, county or chain) → that unit's own year target."""
    found: dict[tuple[str, str], float] = {}
    for code in codes:
        t = run_query(con, "dimension_targets", {"code": code, "year": f.year, "dim": dim, **_params(f)})
        found.update({(code, k): float(v) for k, v in zip(t["key"], t["target"], strict=True) if v == v})
    return found


def _judged_by(con: Con, f: Filters, codes: Sequence[str], dim: str) -> pd.DataFrame:
    """Every code per county or chain, judged: key, indicator, value, numerator, denominator, target, expected,
    status, gap, relative_gap, suppressed. A unit without its own target is judged on a rate against the
    enclosing area's target (e.g. a chain's 入会率 against the city's); counts need their own target."""
    years = _history_years(con, f.year)
    ranges = [(f.period_from, f.period_to), *_history_ranges(f, years)]
    df = _aggregate(con, f, codes, dim, [ranges[0]])
    hist = _totals_for(con, f, codes, ranges[1:]) if years else []
    shares = _shares(hist, codes)
    own = _dimension_targets(con, f, codes, dim)
    enclosing = run_query(con, "kpi_targets", {"codes": list(codes), "year": f.year, **_params(f)})
    area_target = dict(zip(enclosing["indicator"], enclosing["target"].astype("float64"), strict=True))
    df = df.assign(key=df[dim].map(_key))
    targets, judged = [], []
    for code, key, value in zip(df["indicator"], df["key"], df["value"], strict=True):
        target = own.get((code, key), float("nan"))
        if target != target and _is_rate(code):
            target = area_target.get(code, float("nan"))
        targets.append(target)
        judged.append(_judge(code, value, target, f, shares.get(code)))
    df["target"] = pd.Series(targets, index=df.index, dtype="float64")
    df["expected"] = [j.expected for j in judged]
    df["status"] = [j.status for j in judged]
    df["gap"] = [j.gap for j in judged]
    df["relative_gap"] = [j.relative_gap for j in judged]
    parts = []
    for code, part in df.groupby("indicator", sort=False):
        parts.append(_protect(con, f, part, code, dim, [ranges[0]]))
    out = pd.concat(parts, ignore_index=True) if parts else df.assign(suppressed=False)
    hidden = out["suppressed"].astype(bool)
    out.loc[hidden, ["expected", "gap", "relative_gap"]] = float("nan")
    out.loc[hidden, "status"] = status.NO_DATA
    return out


def by_dimension(con: Con, f: Filters, code: str, dim: Dimension) -> pd.DataFrame:
    """One indicator per county or chain (chains only where the indicator is collected by chain; the part not
    specific to any chain is left out): key, name_zh, name_en, value, numerator, denominator, target, expected,
    status, gap, suppressed."""
    if dim not in ("county", "chain"):
        raise ValueError(f"dim must be 'county' or 'chain', not {dim!r}")
    if dim not in _rule(code).dims:
        raise ValueError(f"{code} is not broken down by {dim}")
    g = _ranking_filters(f, code, dim)
    df = _judged_by(con, g, [code], dim)
    if dim == "chain":
        df = df.loc[df["key"].notna()]
    names = _names(dim)
    keys = list(df["key"])
    cols = ["value", "numerator", "denominator", "target", "expected", "status", "gap", "suppressed"]
    out = pd.DataFrame(
        {
            "key": keys,
            "name_zh": [names.get(k, (k, k))[0] for k in keys],
            "name_en": [names.get(k, (k, k))[1] for k in keys],
            **{c: df[c].to_numpy() for c in cols},
        }
    )
    return out.astype({c: "float64" for c in ["value", "numerator", "denominator", "target", "expected", "gap"]})


def attention(con: Con, f: Filters, codes: Sequence[str], n: int = 3) -> pd.DataFrame:
    """The counties and chains furthest behind what was due by now: for each dimension, up to n units with an
    indicator behind, ordered by how far short (relative gap), each with its worst indicator: dim, key, name_zh,
    name_en, indicator, value, expected, gap, relative_gap, behind (how many of `codes` are behind there)."""
    rows = []
    for dim in ("county", "chain"):
        offered = [c for c in codes if dim in _rule(c).dims and c not in reference.disclosure_rules()]
        if not offered:
            continue
        judged = _judged_by(con, replace(f, **({"counties": ()} if dim == "county" else {"chains": ()})), offered, dim)
        behind = judged.loc[(judged["status"] == status.BEHIND) & judged["key"].notna()]
        if behind.empty:
            continue
        counts = behind.groupby("key").size()
        worst = behind.sort_values("relative_gap").drop_duplicates("key").head(n)
        names = _names(dim)
        for _, r in worst.iterrows():
            rows.append(
                {
                    "dim": dim,
                    "key": r["key"],
                    "name_zh": names[r["key"]][0],
                    "name_en": names[r["key"]][1],
                    "indicator": r["indicator"],
                    "value": r["value"],
                    "expected": r["expected"],
                    "gap": r["gap"],
                    "relative_gap": r["relative_gap"],
                    "behind": int(counts[r["key"]]),
                }
            )
    cols = ["dim", "key", "name_zh", "name_en", "indicator", "value", "expected", "gap", "relative_gap", "behind"]
    return pd.DataFrame(rows, columns=cols)


def heatmap(con: Con, f: Filters, code: str) -> pd.DataFrame:
    """One indicator per county × chain: county, chain, county_zh, chain_zh, value, numerator, denominator,
    suppressed."""
    df = _aggregate(con, f, [code], "cell", [(f.period_from, f.period_to)])
    counties, chains = _names("county"), _names("chain")
    county_keys = list(df["county"])
    chain_keys = [_key(k) for k in df["chain"]]
    out = pd.DataFrame(
        {
            "county": county_keys,
            "chain": chain_keys,
            "county_zh": [counties.get(k, (k, k))[0] for k in county_keys],
            "chain_zh": [chains.get(k, (k, k))[0] for k in chain_keys],
            **{m: df[m].to_numpy() for m in _MEASURES},
        }
    )
    return _protect(con, f, out, code, "cell", [(f.period_from, f.period_to)])


def trend(con: Con, f: Filters, codes: Sequence[str]) -> pd.DataFrame:
    """Each indicator per quarter, every quarter with data up to the end of the range (earlier years included):
    indicator, year, quarter, period ('2026Q1'), value, suppressed. Each quarter is totalled as its own range."""
    per = periods(con)
    quarters = [(int(y), int(q)) for y, q in per.itertuples(index=False) if int(y) * 4 + int(q) - 1 <= f.period_to]
    cols = ["indicator", "year", "quarter", "period", "value", "suppressed"]
    if not quarters:
        return pd.DataFrame(columns=cols)
    ranges = [(y * 4 + q - 1, y * 4 + q - 1) for y, q in quarters]
    frames = _totals_for(con, f, list(codes), ranges)
    rows = []
    for (y, q), frame in zip(quarters, frames, strict=True):
        for code, value, hidden in zip(frame["indicator"], frame["value"], frame["suppressed"], strict=True):
            if value == value or hidden:
                rows.append((code, y, q, f"{y}Q{q}", value, bool(hidden)))
    out = pd.DataFrame(rows, columns=cols).astype({"value": "float64", "year": "int64", "quarter": "int64"})
    return _hide_lone_quarters(out)


def _hide_lone_quarters(frame: pd.DataFrame) -> pd.DataFrame:
    """A year's total is shown elsewhere: a year of a series with one hidden quarter hides its smallest other one."""
    frame = frame.copy()
    for (_code, _year), part in frame.groupby(["indicator", "year"]):
        hidden = part["suppressed"]
        if hidden.sum() == 1 and (~hidden).any():
            smallest = part.loc[~hidden, "value"].idxmin()
            frame.loc[smallest, ["value", "suppressed"]] = [float("nan"), True]
    return frame


def breakdown(con: Con, f: Filters, code: str, dim: str) -> pd.DataFrame:
    """One indicator split by one of its breakdowns (kind, level, stars): category, value, suppressed. The parts
    add up to the indicator (distinct counts: each part counted on its own)."""
    if dim not in _rule(code).breakdowns:
        raise ValueError(f"{code} is not broken down by {dim}")
    df = run_query(con, "breakdown", {"code": code, "dim": dim, **_params(f), **_range(f.period_from, f.period_to)})
    df = df.astype({"value": "float64", "units": "float64"})
    df["suppressed"] = False
    rule = reference.disclosure_rules().get(code)
    if rule is not None and not df.empty:
        whole = _totals_for(con, f, [code], [(f.period_from, f.period_to)])[0]
        whole_hidden = bool(whole["suppressed"].iloc[0])
        below_county = bool(area(f)[1])
        if below_county or whole_hidden:
            units = {cat: (n if n == n else 0.0) for cat, n in zip(df["category"], df["units"], strict=True)}
            hidden = disclosure.protect_parts(units, rule.min_units, whole_hidden)
            mask = df["category"].isin(hidden)
            df.loc[mask, "value"] = float("nan")
            df["suppressed"] = mask
    return df[["category", "value", "suppressed"]]


def innovative_firms_vs_target(con: Con, f: Filters) -> pd.DataFrame:
    """全员创新企业 in f.year: one city row (市级 honours) and one per county (县级): scope, name_zh, name_en, actual, target."""
    return run_query(con, "innovative_firms_vs_target", {"year": f.year, "counties": area(f)[0]})


def firm_coverage(con: Con, f: Filters, chain: str) -> pd.DataFrame:
    """Firms of one chain at the range's last quarter: credit_code, enterprise_name, county, employees, members, member_rate."""
    counties, chains = area(f)
    if chains and chain not in chains:
        chain = _NONE
    params = {"chain": chain, "counties": counties, **_range(f.period_from, f.period_to)}
    return run_query(con, "firm_coverage", params)


def _file_counties(scope: Scope) -> list[str]:
    """The counties whose files a user may see ([] = all); a chain union's files come with the submission ledger."""
    if scope.counties is None and scope.chains is None:
        return []
    return list(scope.counties) if scope.counties else [_NONE]


def manifest(con: Con, scope: Scope = EVERYTHING) -> pd.DataFrame:
    """The load manifest: one row per submitted file, newest first (a county user: its own county's files)."""
    return run_query(con, "manifest", {"counties": _file_counties(scope)})


def received_files(con: Con) -> pd.DataFrame:
    """Loaded files: dataset, county, period, path (a file published from the ledger: `ledger/<unit>/…`). Only
    which units sent what, no figures: data_pipeline.completeness narrows it to a user's units."""
    return run_query(con, "received_files", {})


def quarantine(con: Con, scope: Scope = EVERYTHING, limit: int = 1000) -> pd.DataFrame:
    """Quarantined rows (at most `limit`) with file, row number, column, value, rule and message (a county user:
    its own county's files)."""
    return run_query(con, "quarantine", {"max_rows": int(limit), "counties": _file_counties(scope)})


def status_of(kpi: pd.Series) -> str:
    """The status of one kpis() row (for callers that hold a row)."""
    return str(kpi.get("status", status.NO_TARGET))


def is_number(x: object) -> bool:
    """True for a finite number (not None, not NaN)."""
    return isinstance(x, int | float | np.floating | np.integer) and math.isfinite(float(x))
