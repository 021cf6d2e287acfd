"""One chart spec for the screen, the downloads, the deck and the Word report.

A recipe asks the query layer one question (through `ask(metrics.<question>, …)`: the dashboard passes its
cached `ui.ask`, the command line a plain one) and says what the answer means: title, subtitle (unit, data
date, the filters in force), takeaway, status colours, the table a staffer pastes into a report, and what a
click on the chart filters to. The page draws `spec.figure()`, the download menu writes `spec.table()`, the
deck turns the same spec into a slide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from data_pipeline import metrics, reference
from data_pipeline.metrics import Filters
from reporting import charts, takeaways
from reporting import format as fmt
from reporting.i18n import code_label, t

Ask = Callable[..., Any]


def direct(con) -> Ask:
    """An `ask` that answers straight from a DuckDB connection or cursor (command line, tests)."""
    return lambda question, *args: question(con, *args)


# ---------------------------------------------------------------- names and scope text


def names(dim: str, lang: str = "zh") -> dict[str, str]:
    """Code → display name for counties or chains, in reference order."""
    items = reference.counties() if dim == "county" else reference.chains()
    return {i.code: (i.name_en if lang == "en" else i.name_zh) for i in items}


def scope_text(f: Filters, lang: str = "zh", *, drop: Sequence[str] = ()) -> str:
    """'2026年第一至三季度 · 新泰市 · 全部产业链' — the filters in force, in words (within the user's scope)."""
    parts = [fmt.quarter_range(f.year, f.quarter_from, f.quarter_to, lang)]
    sep = "、" if lang == "zh" else ", "
    counties, chains = metrics.area(f)
    if "county" not in drop:
        shown = [names("county", lang).get(c, "—") for c in counties]
        parts.append(sep.join(shown) or t("all_counties", lang))
    if "chain" not in drop:
        shown = [names("chain", lang).get(c, "—") for c in chains]
        parts.append(sep.join(shown) or t("all_chains", lang))
    return " · ".join(parts)


def indicator_name(code: str, lang: str = "zh") -> str:
    row = reference.indicator(code)
    return row.name_en if lang == "en" else row.name_zh


def indicator_unit(code: str, lang: str = "zh") -> str:
    row = reference.indicator(code)
    return row.unit_en if lang == "en" else row.unit_zh


def kind_label(code: str, dim: str, lang: str = "zh") -> str:
    """What a breakdown is by, in the source's own words (项目, 救助类别, 级别, 星级 …)."""
    if dim == "kind":
        return t(f"dim_kind_{reference.indicator(code).source}", lang)
    return t(f"dim_{dim}", lang)


def unit_header(label: str, unit: str, lang: str) -> str:
    """A column header that states its unit: 入会率（%）/ Membership rate (%)."""
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


# ---------------------------------------------------------------- the context of a question


@dataclass(frozen=True)
class Context:
    """Who asks what: the way to ask the query layer, the filters (scope included), the language, the data date."""

    ask: Ask
    filters: Filters
    lang: str = "zh"
    data_through: str | None = None

    @classmethod
    def of(cls, ask: Ask, filters: Filters, lang: str = "zh") -> Context:
        return cls(ask, filters, lang, ask(metrics.info).get("data_through"))

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def with_filters(self, f: Filters) -> Context:
        return replace(self, filters=f)

    def without(self, *dims: str) -> Context:
        """The same question across the whole of a dimension (rankings show all of it)."""
        f = self.filters
        return self.with_filters(
            replace(f, counties=() if "county" in dims else f.counties, chains=() if "chain" in dims else f.chains)
        )

    def focus(self, dim: str, code: str) -> Context:
        """The same question narrowed to one county or chain."""
        f = self.filters
        return self.with_filters(replace(f, counties=(code,)) if dim == "county" else replace(f, chains=(code,)))

    def scope(self, drop: Sequence[str] = ()) -> str:
        return scope_text(self.filters, self.lang, drop=drop)

    @property
    def data_date(self) -> str:
        if not self.data_through:
            return self.t("data_through", when="—")
        return self.t("data_through", when=fmt.period(self.data_through, self.lang))

    def subtitle(self, unit: str, drop: Sequence[str] = ()) -> str:
        """Unit · data date, then the filters in force: the second line of every chart title."""
        return f"{self.t('unit_suffix', unit=unit)} · {self.data_date}<br>{self.scope(drop)}"


# ---------------------------------------------------------------- the spec


@dataclass(frozen=True)
class ChartSpec:
    """One chart: what it shows, the answer it draws, what it means, and how it is exported."""

    kind: str  # the reporting.charts function that draws it
    key: str  # stable identity (widget keys, file names)
    title: str
    subtitle: str
    unit: str
    decimals: int
    lang: str
    frame: pd.DataFrame
    takeaway: str = ""
    scope: str = ""
    data_date: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    select: tuple[str, ...] = ()  # what a click filters: customdata positions ('county', 'chain')
    notes: tuple[str, ...] = ()  # shown under the chart and in files (hidden cells, honours not yet due …)
    columns: tuple[tuple[str, str, str], ...] = ()  # export table: (frame column, header, format)
    table_frame: pd.DataFrame | None = None  # the frame the export table reads, when not `frame` itself
    pending: bool = False  # annual honours whose quarter (Q4) is not in the range: not yet due, not "no data"

    @property
    def empty(self) -> bool:
        """Nothing to draw: no rows, or no value at all (a chart of nothing is never offered as information)."""
        value = next((c for c in ("value", "actual", "progress", "member_rate") if c in self.frame.columns), None)
        if self.frame.empty or value is None:
            return self.frame.empty
        shown = self.frame[value].notna()
        if "suppressed" in self.frame.columns:
            shown |= self.frame["suppressed"].astype(bool)
        return not shown.any()

    @property
    def silent(self) -> str | None:
        """Why this chart would say nothing in a briefing, or None: no data, annual honours not yet due (counted
        in Q4), or every value zero."""
        if self.pending or ("status" in self.frame.columns and (self.frame["status"] == "not_yet_due").all()):
            return "not_yet_due"
        if self.empty:
            return "no_data"
        value = next((c for c in ("value", "actual") if c in self.frame.columns), None)
        hidden = self.frame["suppressed"].astype(bool).any() if "suppressed" in self.frame.columns else False
        if value is not None and not hidden and (self.frame[value].fillna(0) == 0).all():
            return "all_zero"
        return None

    def figure(self, mode: str = "light") -> go.Figure:
        draw = getattr(charts, self.kind)
        kwargs: dict[str, Any] = {"title": self.title, "subtitle": self.subtitle, "lang": self.lang, "mode": mode}
        return draw(self.frame, **kwargs, **self.options)

    @property
    def header_lines(self) -> tuple[str, ...]:
        """What a file says above the data: title, filters, data date, and notes."""
        return (self.title, t("filters_label", self.lang, scope=self.scope), self.data_date, *self.notes)

    def table(self) -> pd.DataFrame:
        """The data as drawn, ready to paste: headers in the user's language with their units, no internal
        codes, values rounded as on screen, hidden cells as "<5"; a trend has one row per quarter."""
        if self.kind == "trend":
            return self._trend_table()
        frame = self.frame if self.table_frame is None else self.table_frame
        out = {}
        hidden = frame["suppressed"].astype(bool) if "suppressed" in frame.columns else None
        for column, header, kind in self.columns:
            if column in frame.columns:
                out[header] = _formatted(frame[column], kind, self.lang, hidden if kind.startswith("num") else None)
        return pd.DataFrame(out)

    def _trend_table(self) -> pd.DataFrame:
        frame = self.frame
        if frame.empty:
            return pd.DataFrame(columns=[header for _, header, _ in self.columns])
        wide = frame.pivot_table(index="period", columns="indicator", values="value", aggfunc="first", dropna=False)
        hidden = frame.assign(suppressed=frame["suppressed"].astype(float)).pivot_table(
            index="period", columns="indicator", values="suppressed", aggfunc="max"
        )
        out = {self.columns[0][1]: [fmt.period(p, self.lang) for p in wide.index]}
        for code, header, kind in self.columns[1:]:
            if code in wide.columns:
                mask = hidden[code].fillna(0).astype(bool) if code in hidden.columns else None
                out[header] = _formatted(wide[code], kind, self.lang, mask).to_list()
        return pd.DataFrame(out)


def _formatted(values: pd.Series, kind: str, lang: str, hidden: pd.Series | None) -> pd.Series:
    """num:<decimals> rounds; status and category translate codes; text passes through."""
    if kind.startswith("num"):
        decimals = int(kind.split(":")[1]) if ":" in kind else 0
        rounded = values.astype("float64").round(decimals)
        if hidden is not None and hidden.any():
            return rounded.astype(object).where(~hidden.to_numpy(), fmt.SMALL_TEXT)
        return rounded
    if kind == "status":
        return values.map(lambda v: code_label("judgement", v, lang))
    if kind == "category":
        return values.map(lambda v: code_label("category", v, lang))
    if kind == "period":
        return values.map(lambda v: fmt.period(v, lang))
    return values


def _decimals_shown(unit: str, decimals: int) -> int:
    return max(decimals, 1) if unit == "%" else decimals


def _pending(ctx: Context, codes: Sequence[str]) -> bool:
    """Annual honours (counted in Q4) asked about over quarters without Q4: not yet due."""
    f = ctx.filters
    return not (f.quarter_from <= 4 <= f.quarter_to) and all(reference.indicator(c).accrual == "annual" for c in codes)


def _notes(ctx: Context, frame: pd.DataFrame, code: str | None = None) -> tuple[str, ...]:
    notes = []
    if "suppressed" in frame.columns and frame["suppressed"].astype(bool).any() and code:
        rule = reference.disclosure_rules().get(code)
        n = rule.min_units if rule else fmt.SMALL_COUNT
        notes.append(ctx.t("suppressed_note", n=n))
    return tuple(notes)


# ---------------------------------------------------------------- recipes: one per kind of question


def ranking(ctx: Context, code: str, dim: str, *, key: str = "") -> ChartSpec:
    """An indicator per county or chain (the whole dimension; the selection highlighted), bars coloured by status."""
    lang, f = ctx.lang, ctx.filters
    whole = ctx.without(dim)
    frame = ctx.ask(metrics.by_dimension, whole.filters, code, dim)
    kpis = ctx.ask(metrics.kpis, whole.filters, (code,))
    row = reference.indicator(code)
    unit, decimals = indicator_unit(code, lang), row.decimals
    name = indicator_name(code, lang)
    change = kpis["change"].iloc[0] if not kpis.empty else None
    against = kpis["basis"].iloc[0] if not kpis.empty else "quarter"
    other = f.counties if dim == "chain" else f.chains
    whole_name = ctx.t("city") if not other else ctx.t("selected_scope")
    sentence = takeaways.ranking(
        frame, name=name, unit=unit, decimals=decimals, lang=lang, change=change, against=against, whole=whole_name
    )
    shown = _decimals_shown(row.unit_zh, decimals)
    label = ctx.t(f"col_{dim}")
    columns = (
        ("name_en" if lang == "en" else "name_zh", label, "text"),
        ("value", unit_header(name, unit, lang), f"num:{shown}"),
        ("expected", unit_header(ctx.t("expected"), unit, lang), f"num:{shown}"),
        ("target", unit_header(ctx.t("year_target"), unit, lang), f"num:{shown}"),
        ("status", ctx.t("status"), "status"),
    )
    return ChartSpec(
        kind="ranking",
        key=key or f"ranking_{code}_{dim}",
        title=ctx.t(f"by_{dim}", name=name),
        subtitle=whole.subtitle(unit, drop=(dim,)),
        unit=unit,
        decimals=decimals,
        lang=lang,
        frame=frame,
        takeaway=sentence,
        scope=whole.scope(drop=(dim,)),
        data_date=ctx.data_date,
        options={"unit": unit, "decimals": decimals, "highlight": tuple(f.counties if dim == "county" else f.chains)},
        select=(dim,),
        notes=_notes(ctx, frame, code),
        columns=columns,
        pending=_pending(ctx, (code,)),
    )


def trend(ctx: Context, codes: Sequence[str], *, key: str = "") -> ChartSpec:
    """Quarterly values of one or more indicators sharing a unit, every quarter up to the end of the range; a
    level or rate shows its target on the selected year only."""
    lang, f = ctx.lang, ctx.filters
    codes = list(codes)
    frame = ctx.ask(metrics.trend, f, tuple(codes))
    first = reference.indicator(codes[0])
    unit, decimals = indicator_unit(codes[0], lang), first.decimals
    labels = {c: indicator_name(c, lang) for c in codes}
    target = None
    if len(codes) == 1 and first.accrual == "as_is":
        kpis = ctx.ask(metrics.kpis, f, tuple(codes))
        target = kpis["target"].iloc[0] if not kpis.empty and pd.notna(kpis["target"].iloc[0]) else None
    periods = list(frame["period"]) if not frame.empty else []
    span = ""
    if periods:
        start, end = fmt.period(min(periods), lang), fmt.period(max(periods), lang)
        span = f"（{start}至{end}）" if lang == "zh" else f" ({start} to {end})"
    sep = "、" if lang == "zh" else ", "
    joined = sep.join(labels.values()) if len(codes) < 4 else ctx.t("trend_heading")
    shown = _decimals_shown(first.unit_zh, decimals)
    wide_cols = tuple((c, unit_header(labels[c], unit, lang), f"num:{shown}") for c in codes)
    return ChartSpec(
        kind="trend",
        key=key or f"trend_{'_'.join(codes)}",
        title=ctx.t("trend_title", name=joined) + span,
        subtitle=ctx.subtitle(unit),
        unit=unit,
        decimals=decimals,
        lang=lang,
        frame=frame,
        takeaway=takeaways.trend(frame, names=labels, unit=unit, decimals=decimals, lang=lang),
        scope=ctx.scope(),
        data_date=ctx.data_date,
        options={"unit": unit, "names": labels, "decimals": decimals, "target": target, "target_year": f.year},
        notes=_notes(ctx, frame, codes[0]),
        columns=(("period", ctx.t("quarter_col"), "period"), *wide_cols),
        pending=_pending(ctx, codes),
    )


def heatmap(ctx: Context, code: str, *, key: str = "") -> ChartSpec:
    """An indicator per chain × county, all of both (the selection outlined, as rankings highlight theirs); a
    click on a cell filters to that county and chain."""
    lang, f = ctx.lang, ctx.filters
    whole = ctx.without("county", "chain")
    frame = ctx.ask(metrics.heatmap, whole.filters, code)
    row = reference.indicator(code)
    unit, decimals = indicator_unit(code, lang), row.decimals
    name = indicator_name(code, lang)
    if lang == "en" and not frame.empty:
        frame = frame.assign(
            county_en=[names("county", "en").get(c, c) for c in frame["county"]],
            chain_en=[names("chain", "en").get(c, c) for c in frame["chain"]],
        )
    shown = _decimals_shown(row.unit_zh, decimals)
    return ChartSpec(
        kind="heatmap",
        key=key or f"heatmap_{code}",
        title=ctx.t("heatmap_title", name=name),
        subtitle=whole.subtitle(unit, drop=("county", "chain")),
        unit=unit,
        decimals=decimals,
        lang=lang,
        frame=frame,
        takeaway=takeaways.heatmap(frame, name=name, unit=unit, decimals=decimals, lang=lang),
        scope=whole.scope(drop=("county", "chain")),
        data_date=ctx.data_date,
        options={"unit": unit, "decimals": decimals, "highlight": (tuple(f.counties), tuple(f.chains))},
        select=("county", "chain"),
        notes=(*_notes(ctx, frame, code), ctx.t("heatmap_blank_note")),
        columns=(
            ("county_en" if lang == "en" else "county_zh", ctx.t("col_county"), "text"),
            ("chain_en" if lang == "en" else "chain_zh", ctx.t("col_chain"), "text"),
            ("value", unit_header(name, unit, lang), f"num:{shown}"),
        ),
        pending=_pending(ctx, (code,)),
    )


def breakdown(ctx: Context, code: str, dim: str, *, key: str = "") -> ChartSpec:
    """An indicator split by one of the breakdowns its catalogue row offers; the parts add up to it."""
    lang = ctx.lang
    frame = ctx.ask(metrics.breakdown, ctx.filters, code, dim)
    row = reference.indicator(code)
    unit, decimals = indicator_unit(code, lang), row.decimals
    name = indicator_name(code, lang)
    by = kind_label(code, dim, lang)
    shown = _decimals_shown(row.unit_zh, decimals)
    return ChartSpec(
        kind="breakdown",
        key=key or f"breakdown_{code}_{dim}",
        title=ctx.t("breakdown_title", name=name, dim=by),
        subtitle=ctx.subtitle(unit),
        unit=unit,
        decimals=decimals,
        lang=lang,
        frame=frame,
        takeaway=takeaways.breakdown(frame, name=name, unit=unit, decimals=decimals, lang=lang),
        scope=ctx.scope(),
        data_date=ctx.data_date,
        options={"unit": unit, "decimals": decimals},
        notes=_notes(ctx, frame, code),
        columns=(
            ("category", by[:1].upper() + by[1:], "category"),
            ("value", unit_header(name, unit, lang), f"num:{shown}"),
        ),
        pending=_pending(ctx, (code,)),
    )


def progress(ctx: Context, codes: Sequence[str], *, key: str = "") -> ChartSpec:
    """Headline indicators against what was due by now (status colours; 100 = exactly what was due)."""
    lang = ctx.lang
    kpis = ctx.ask(metrics.kpis, ctx.filters, tuple(codes))
    rows = []
    for _, k in kpis.iterrows():
        ind = reference.indicator(k["indicator"])
        due = k["value"] / k["expected"] * 100 if k["expected"] and not math.isnan(k["expected"]) else math.nan
        rows.append(
            {
                "indicator": ind.code,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit_zh": ind.unit_zh,
                "project": ind.project,
                "value": k["value"],
                "expected": k["expected"],
                "target": k["target"],
                "progress": due,
                "status": k["status"],
                "gap": k["gap"],
                "relative_gap": k["relative_gap"],
                "value_text": fmt.value(k["value"], indicator_unit(ind.code, lang), ind.decimals, lang),
                "expected_text": fmt.value(k["expected"], indicator_unit(ind.code, lang), ind.decimals, lang),
                "target_text": fmt.value(k["target"], indicator_unit(ind.code, lang), ind.decimals, lang),
            }
        )
    frame = pd.DataFrame(rows)
    notes = (ctx.t("progress_note"),)
    if not frame.empty and (frame["status"] == "not_yet_due").any():
        notes += (ctx.t("honours_pending_note"),)
    return ChartSpec(
        kind="target_progress",
        key=key or "progress",
        title=ctx.t("projects_progress_title"),
        subtitle=ctx.subtitle("%"),
        unit="%",
        decimals=0,
        lang=lang,
        frame=frame,
        takeaway=takeaways.progress(frame, lang) if not frame.empty else takeaways.NO_DATA[lang],
        scope=ctx.scope(),
        data_date=ctx.data_date,
        notes=notes,
        columns=(
            ("name_en" if lang == "en" else "name_zh", ctx.t("col_indicator"), "text"),
            ("value_text", ctx.t("col_value"), "text"),
            ("expected_text", ctx.t("expected"), "text"),
            ("target_text", ctx.t("year_target"), "text"),
            ("progress", unit_header(ctx.t("progress_due"), "%", lang), "num:0"),
            ("status", ctx.t("status"), "status"),
        ),
    )


def innovation_targets(ctx: Context, *, key: str = "") -> ChartSpec:
    """全员创新企业 named per county (县级) and for the city (市级) against the policy's 10 a year, judged as
    annual honours: not yet due before Q4 (then last year's figure is shown for reference)."""
    lang = ctx.lang
    whole = ctx.without("county")
    frame = ctx.ask(metrics.innovative_firms_vs_target, whole.filters).copy()
    code = "P4_INNOVATIVE_FIRMS"
    unit = indicator_unit(code, lang)
    f = whole.filters
    due = f.quarter_from <= 4 <= f.quarter_to
    last_year = None
    if not due:
        last = ctx.ask(metrics.innovative_firms_vs_target, replace(f, year=f.year - 1, quarter_from=1, quarter_to=4))
        frame = frame.merge(last[["scope", "actual"]].rename(columns={"actual": "reference"}), on="scope", how="left")
        frame["status"] = "not_yet_due"
        last_year = f.year - 1
    else:
        frame["status"] = [
            "no_target" if pd.isna(tg) else ("behind" if (a if pd.notna(a) else 0) < tg else "on_track")
            for a, tg in zip(frame["actual"], frame["target"], strict=True)
        ]
    name = indicator_name(code, lang)
    return ChartSpec(
        kind="target_vs_actual",
        key=key or "innovative",
        title=ctx.t("innovative_title"),
        subtitle=whole.subtitle(unit, drop=("county",)),
        unit=unit,
        decimals=0,
        lang=lang,
        frame=frame,
        takeaway=takeaways.target_vs_actual(frame, name=name, unit=unit, lang=lang, last_year=last_year),
        scope=whole.scope(drop=("county",)),
        data_date=ctx.data_date,
        options={"unit": unit},
        select=("county",),
        notes=() if due else (ctx.t("honours_pending_note"),),
        columns=(
            ("name_en" if lang == "en" else "name_zh", ctx.t("col_name"), "text"),
            ("actual", unit_header(ctx.t("actual"), unit, lang), "num:0"),
            ("target", unit_header(ctx.t("target"), unit, lang), "num:0"),
            *((("reference", unit_header(ctx.t("last_year_actual"), unit, lang), "num:0"),) if not due else ()),
            ("status", ctx.t("status"), "status"),
        ),
    )


def county_grid(ctx: Context, code: str, *, key: str = "") -> ChartSpec:
    """The counties laid out like a map; a click on a tile filters to the county."""
    lang = ctx.lang
    whole = ctx.without("county")
    frame = ctx.ask(metrics.by_dimension, whole.filters, code, "county")
    grid = pd.DataFrame([{"key": c.code, "grid_row": c.grid_row, "grid_col": c.grid_col} for c in reference.counties()])
    tiles = grid.merge(frame, on="key", how="left") if not frame.empty else frame
    in_scope = metrics.area(whole.filters)[0]
    if in_scope and not tiles.empty:  # a user whose scope is some counties sees only their tiles
        tiles = tiles.loc[tiles["key"].isin(in_scope)]
    row = reference.indicator(code)
    unit, decimals = indicator_unit(code, lang), row.decimals
    name = indicator_name(code, lang)
    shown = _decimals_shown(row.unit_zh, decimals)
    return ChartSpec(
        kind="tile_grid",
        key=key or f"grid_{code}",
        title=ctx.t("grid_title", name=name),
        subtitle=whole.subtitle(unit, drop=("county",)),
        unit=unit,
        decimals=decimals,
        lang=lang,
        frame=tiles,
        takeaway=takeaways.ranking(frame, name=name, unit=unit, decimals=decimals, lang=lang)
        if not frame.empty
        else "",
        scope=whole.scope(drop=("county",)),
        data_date=ctx.data_date,
        options={"unit": unit, "decimals": decimals},
        select=("county",),
        notes=_notes(ctx, frame, code),
        columns=(
            ("name_en" if lang == "en" else "name_zh", ctx.t("col_county"), "text"),
            ("value", unit_header(name, unit, lang), f"num:{shown}"),
            ("status", ctx.t("status"), "status"),
        ),
        pending=_pending(ctx, (code,)),
    )


def rates_by(ctx: Context, codes: Sequence[str], dim: str, *, title: str, key: str = "") -> ChartSpec:
    """Several rates side by side per county or chain (e.g. 建会率, 入会率, 农民工入会率)."""
    lang = ctx.lang
    whole = ctx.without(dim)
    parts = [ctx.ask(metrics.by_dimension, whole.filters, c, dim).assign(indicator=c) for c in codes]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    labels = {c: indicator_name(c, lang) for c in codes}
    wide = (
        frame.pivot_table(index="key", columns="indicator", values="value", aggfunc="first", sort=False)
        .reindex(columns=list(codes))
        .reset_index()
        if not frame.empty
        else pd.DataFrame()
    )
    label_col = "name_en" if lang == "en" else "name_zh"
    if not wide.empty:
        wide = wide.merge(frame.drop_duplicates("key")[["key", label_col]], on="key", how="left")
    return ChartSpec(
        kind="grouped",
        key=key or f"rates_{dim}",
        title=title,
        subtitle=whole.subtitle("%", drop=(dim,)),
        unit="%",
        decimals=1,
        lang=lang,
        frame=frame,
        scope=whole.scope(drop=(dim,)),
        data_date=ctx.data_date,
        options={"unit": "%", "names": labels},
        select=(dim,),
        columns=(
            (label_col, ctx.t(f"col_{dim}"), "text"),
            *((c, unit_header(labels[c], "%", lang), "num:1") for c in codes),
        ),
        table_frame=wide,
    )


def compare(ctx: Context, dim: str, code: str, codes: Sequence[str], *, key: str = "") -> ChartSpec:
    """Rates of one county or chain beside the whole city's."""
    lang = ctx.lang
    own = ctx.ask(metrics.kpis, ctx.focus(dim, code).filters, tuple(codes))
    city = ctx.ask(metrics.city, ctx.filters, tuple(codes))
    frame = pd.DataFrame(
        {
            "indicator": list(codes),
            "name_zh": [reference.indicator(c).name_zh for c in codes],
            "name_en": [reference.indicator(c).name_en for c in codes],
        }
    )
    frame = frame.merge(own[["indicator", "value"]], on="indicator", how="left").merge(
        city.rename(columns={"value": "city"}), on="indicator", how="left"
    )
    label = names(dim, lang).get(code, code)
    return ChartSpec(
        kind="compare",
        key=key or f"compare_{dim}_{code}",
        title=ctx.t("compare_title", chain=label),
        subtitle=ctx.subtitle("%", drop=(dim,)),
        unit="%",
        decimals=1,
        lang=lang,
        frame=frame,
        scope=ctx.scope(drop=(dim,)),
        data_date=ctx.data_date,
        options={"unit": "%", "left": label, "right": ctx.t("city")},
        columns=(
            ("name_en" if lang == "en" else "name_zh", ctx.t("col_indicator"), "text"),
            ("value", unit_header(label, "%", lang), "num:1"),
            ("city", unit_header(ctx.t("city"), "%", lang), "num:1"),
        ),
    )


def coverage(ctx: Context, chain: str, *, key: str = "") -> ChartSpec:
    """The chain's firms by membership rate (5-point bins), with the 80 % line."""
    lang = ctx.lang
    frame = ctx.ask(metrics.firm_coverage, ctx.filters, chain)
    frame = frame.assign(county_name=frame["county"].map(names("county", lang)))
    focus = ctx.focus("chain", chain)
    chain_name = names("chain", lang).get(chain, chain)
    return ChartSpec(
        kind="histogram",
        key=key or f"coverage_{chain}",
        title=ctx.t("coverage_title", chain=chain_name),
        subtitle=focus.subtitle(ctx.t("firms")),
        unit=ctx.t("firms"),
        decimals=0,
        lang=lang,
        frame=frame,
        scope=focus.scope(),
        data_date=ctx.data_date,
        options={
            "column": "member_rate",
            "x_title": ctx.t("coverage_axis"),
            "y_title": ctx.t("firms"),
            "threshold": 80,
        },
        columns=(
            ("enterprise_name", ctx.t("col_firm"), "text"),
            ("county_name", ctx.t("col_county"), "text"),
            ("employees", unit_header(ctx.t("col_employees"), "人" if lang == "zh" else "people", lang), "num:0"),
            ("members", unit_header(ctx.t("col_members"), "人" if lang == "zh" else "people", lang), "num:0"),
            ("member_rate", unit_header(indicator_name("P5_MEMBER_RATE", lang), "%", lang), "num:1"),
        ),
    )
