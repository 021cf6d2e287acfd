"""Reusable page blocks: one metrics question → one chart (or cards), titled with scope and data date."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from data_pipeline import metrics, reference
from reporting import charts
from reporting import format as fmt
from reporting.i18n import code_label
from ui import auth, data
from ui.components import chart, empty_note, headline_grid, kpi_row, section
from ui.filters import lang, names, tr
from ui.layout import Renderer, View, behind_schedule, header, lowest, project_rows

PRIVATE_COUNTS = frozenset({"P5_HARDSHIP_FAMILIES"})  # counts of aided families: "<5" below county level


def private(view: View) -> frozenset[str]:
    """Indicators whose small values must be masked under these filters (one county × some chains)."""
    return PRIVATE_COUNTS if view.filters.counties and view.filters.chains else frozenset()


def catalogue() -> pd.DataFrame:
    return data.ask(metrics.catalogue)


@st.cache_resource(max_entries=2, show_spinner=False)
def _catalogue_rows(data_version: str | None) -> dict[str, pd.Series]:
    """Catalogue rows by code, built once per warehouse version (pages look rows up ~80 times a run)."""
    return {row["code"]: row for _, row in catalogue().iterrows()}


def indicator(code: str) -> pd.Series:
    """The catalogue row of one indicator (shared: read it, never change it)."""
    return _catalogue_rows(data.version())[code]


def _name(view: View, row: pd.Series) -> str:
    return str(row[f"name_{view.lang}"])


def _unit(view: View, row: pd.Series) -> str:
    return str(row[f"unit_{view.lang}"])


def _rows_height(n: int) -> int:
    """A table height that shows every row (no inner scrolling for short tables)."""
    return 38 + 35 * n


def _nothing(frame: pd.DataFrame, column: str = "value") -> bool:
    return frame.empty or frame[column].isna().all()


def ranking(view: View, code: str, dim: str, *, key: str) -> pd.DataFrame:
    """Ranking of an indicator by county or chain; all of that dimension shown, the filtered ones highlighted."""
    row = indicator(code)
    with section(f"{key}_{dim}"):
        frame = data.ask(metrics.by_dimension, view.without(dim), code, dim)
        if _nothing(frame):
            empty_note(view.scope(drop=(dim,)))
            return frame
        selected = view.filters.counties if dim == "county" else view.filters.chains
        if code in PRIVATE_COUNTS and (view.filters.chains if dim == "county" else view.filters.counties):
            frame = frame.assign(suppressed=frame["value"].map(fmt.is_small))  # cells below county level
        fig = charts.ranking(
            frame,
            title=tr(f"by_{dim}", name=_name(view, row)),
            subtitle=view.subtitle(_unit(view, row), drop=(dim,)),
            unit=row["unit_zh"] if view.lang == "zh" else _unit(view, row),
            decimals=int(row["decimals"]),
            lang=view.lang,
            highlight=tuple(selected),
        )
        chart(fig, frame, key=f"{key}_{dim}_{code}", select=(dim,))
        return frame
    return pd.DataFrame()


def trend(view: View, codes: Sequence[str], *, key: str, target: float | None = None) -> None:
    """Quarterly trend of one or more indicators sharing a unit (all years up to the selected one)."""
    rows = [indicator(c) for c in codes]
    first = rows[0]
    with section(f"{key}_trend"):
        frame = data.ask(metrics.trend, view.filters, tuple(codes))
        if _nothing(frame):
            empty_note(view.scope())
            return
        title = tr(
            "trend_title", name="、".join(_name(view, r) for r in rows) if len(rows) < 4 else tr("trend_heading")
        )
        fig = charts.trend(
            frame,
            title=title,
            subtitle=view.subtitle(_unit(view, first)),
            unit=first["unit_zh"] if view.lang == "zh" else _unit(view, first),
            names={r["code"]: _name(view, r) for r in rows},
            decimals=int(first["decimals"]),
            lang=view.lang,
            target=target,
        )
        chart(fig, frame, key=f"{key}_trend_{'_'.join(codes)}")


def breakdown(view: View, code: str, dim: str, *, key: str, title: str | None = None) -> None:
    """An indicator split by level, stars, category, programme or kind (title overrides the default)."""
    row = indicator(code)
    with section(f"{key}_{code}_{dim}"):
        frame = data.ask(metrics.breakdown, view.filters, code, dim)
        if _nothing(frame):
            empty_note(view.scope())
            return
        fig = charts.breakdown(
            frame,
            title=title or tr("breakdown_title", name=_name(view, row), dim=tr(f"dim_{dim}")),
            subtitle=view.subtitle(_unit(view, row)),
            unit=row["unit_zh"] if view.lang == "zh" else _unit(view, row),
            decimals=int(row["decimals"]),
            lang=view.lang,
        )
        chart(fig, frame, key=f"{key}_breakdown_{code}_{dim}")


def heatmap(view: View, code: str, *, key: str) -> pd.DataFrame:
    """Chain × county cells of one indicator; a click filters to that county and chain."""
    row = indicator(code)
    with section(f"{key}_heatmap"):
        frame = data.ask(metrics.heatmap, view.filters, code)
        if _nothing(frame):
            empty_note(view.scope())
            return frame
        fig = charts.heatmap(
            frame,
            title=tr("heatmap_title", name=_name(view, row)),
            subtitle=view.subtitle(_unit(view, row)),
            unit=row["unit_zh"] if view.lang == "zh" else _unit(view, row),
            decimals=int(row["decimals"]),
            lang=view.lang,
        )
        chart(fig, frame, key=f"{key}_heatmap_{code}", select=("county", "chain"))
        return frame
    return pd.DataFrame()


def county_grid(view: View, code: str, *, key: str) -> None:
    """The counties laid out like a map (counties.csv grid_row/grid_col); a click filters to the county."""
    row = indicator(code)
    with section(f"{key}_grid"):
        frame = data.ask(metrics.by_dimension, view.without("county"), code, "county")
        if _nothing(frame):
            empty_note(view.scope(drop=("county",)))
            return
        grid = pd.DataFrame(
            [{"key": c.code, "grid_row": c.grid_row, "grid_col": c.grid_col} for c in reference.counties()]
        )
        tiles = grid.merge(frame, on="key", how="left")
        fig = charts.tile_grid(
            tiles,
            title=tr("grid_title", name=_name(view, row)),
            subtitle=view.subtitle(_unit(view, row), drop=("county",)),
            unit=row["unit_zh"] if view.lang == "zh" else _unit(view, row),
            decimals=int(row["decimals"]),
            lang=view.lang,
        )
        chart(fig, tiles, key=f"{key}_grid_{code}", select=("county",))


def indicator_picker(view: View, codes: Sequence[str], *, key: str, default: str | None = None) -> str:
    """A selectbox of indicators shown by name."""
    cat = catalogue().set_index("code")
    options = list(codes)
    return st.selectbox(
        tr("pick_indicator"),
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda c: f"{cat.loc[c, f'name_{view.lang}']}（{cat.loc[c, f'unit_{view.lang}']}）",
        key=f"{key}_indicator",
    )


def indicator_panel(view: View, code: str, kpis: pd.DataFrame, *, key: str) -> None:
    """Rankings by chain and county side by side, then the quarterly trend (target line for levels/rates)."""
    row = indicator(code)
    left, right = st.columns(2)
    with left:
        ranking(view, code, "chain", key=key)
    with right:
        ranking(view, code, "county", key=key)
    target = None
    if row["kind"] in ("rate", "stock") and not kpis.empty:
        match = kpis.loc[kpis["indicator"] == code, "target"]
        target = match.iloc[0] if not match.empty and pd.notna(match.iloc[0]) else None
    trend(view, [code], key=key, target=target)


def project_page(slug: str, extras: Renderer | None = None) -> View:
    """The generic page of one 工程: every indicator as a card, then rankings and trend of the one picked."""
    project = next(p for p in reference.projects() if p.slug == slug)
    view = header(project.name_zh if lang() == "zh" else project.name_en)
    rows = project_rows(catalogue(), project.project)
    codes = tuple(rows["code"])
    kpis = data.ask(metrics.kpis, view.filters, codes)
    spark = data.ask(metrics.trend, view.filters, codes)
    st.subheader(tr("all_indicators"), anchor=False)
    if _nothing(kpis):
        empty_note(view.scope())
    kpi_row(rows, kpis, spark, key=slug, private=private(view))
    st.subheader(tr("charts_heading"), anchor=False)
    st.caption(tr("click_hint"))
    with_data = kpis.dropna(subset=["value"])["indicator"].tolist() if not kpis.empty else []
    code = indicator_picker(view, codes, key=slug, default=next((c for c in codes if c in with_data), None))
    indicator_panel(view, code, kpis, key=slug)
    if extras is not None:
        extras(view)
    return view


def value_text(view: View, code: str, value: object) -> str:
    """A value of an indicator formatted with its unit and decimals."""
    row = indicator(code)
    unit = row["unit_zh"] if view.lang == "zh" else _unit(view, row)
    return fmt.value(value, unit, int(row["decimals"]), view.lang)


def cards(view: View, codes: Sequence[str], *, key: str, by_project: bool = False) -> pd.DataFrame:
    """KPI cards for the given indicators under the filters in force (one column per project when
    `by_project`); returns the kpis frame."""
    cat = catalogue().set_index("code").loc[list(codes)].reset_index()
    kpis = data.ask(metrics.kpis, view.filters, tuple(codes))
    spark = data.ask(metrics.trend, view.filters, tuple(codes))
    if _nothing(kpis):
        empty_note(view.scope())
    if by_project:
        headline_grid(cat, kpis, spark, key=key, private=private(view))
    else:
        kpi_row(cat, kpis, spark, key=key, private=private(view))
    return kpis


def progress_chart(view: View, kpis: pd.DataFrame, rows: pd.DataFrame, *, key: str) -> None:
    """Each headline indicator's progress against the year's target, coloured by project."""
    with section(f"{key}_progress"):
        progress = kpis.merge(rows, left_on="indicator", right_on="code")
        progress["progress"] = progress["progress"] * 100  # metrics gives a ratio of the target
        if _nothing(progress, "progress"):
            empty_note(view.scope())
            return
        fig = charts.target_progress(
            progress,
            title=tr("projects_progress_title"),
            subtitle=view.subtitle("%"),
            lang=view.lang,
        )
        chart(fig, progress[["indicator", "name_zh", "value", "target", "progress"]], key=f"{key}_progress")


def lagging_notes(view: View, kpis: pd.DataFrame, rows: pd.DataFrame, *, code: str = "P5_MEMBER_RATE") -> None:
    """The lagging chains and counties (lowest 入会率, each against the whole they belong to) and the
    indicators behind schedule, in words."""
    sep = "、" if view.lang == "zh" else ", "
    with section("lagging"):
        for dim, key in (("chain", "lagging_chains"), ("county", "lagging_counties")):
            worst = lowest(data.ask(metrics.by_dimension, view.without(dim), code, dim))
            if worst.empty:
                continue
            whole = data.ask(metrics.totals, view.without(dim), (code,))["value"]
            other = view.filters.counties if dim == "chain" else view.filters.chains
            label = tr("city") if not other else tr("selected_scope")
            reference_text = f"{label} {value_text(view, code, whole.iloc[0] if not whole.empty else None)}"
            items = sep.join(
                f"{r[f'name_{view.lang}']} {value_text(view, code, r['value'])}" for _, r in worst.iterrows()
            )
            st.markdown(f"- {tr(key, items=items, city=reference_text)}")
        behind = behind_schedule(kpis, view.filters.quarter_to).merge(rows, left_on="indicator", right_on="code")
        if behind.empty:
            st.markdown(f"- {tr('no_lagging')}")
        else:
            items = sep.join(f"{r[f'name_{view.lang}']}（{fmt.percent(r['progress'])}）" for _, r in behind.iterrows())
            st.markdown(f"- {tr('lagging_targets', items=items)}")


def rates_by(view: View, codes: Sequence[str], dim: str, *, key: str, title: str) -> None:
    """Several rates side by side per county or chain (e.g. 建会率, 入会率, 农民工入会率)."""
    rows = [indicator(c) for c in codes]
    with section(f"{key}_{dim}_rates"):
        parts = [data.ask(metrics.by_dimension, view.without(dim), c, dim).assign(indicator=c) for c in codes]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if _nothing(frame):
            empty_note(view.scope(drop=(dim,)))
            return
        fig = charts.grouped(
            frame,
            title=title,
            subtitle=view.subtitle("%", drop=(dim,)),
            unit="%",
            names={r["code"]: _name(view, r) for r in rows},
            lang=view.lang,
        )
        chart(fig, frame, key=f"{key}_{dim}_rates", select=(dim,))


def innovation_targets(view: View, *, key: str) -> None:
    """全员创新企业 named per county (and the city) against the policy's 10 a year."""
    with section(f"{key}_innovative"):
        frame = data.ask(metrics.innovative_firms_vs_target, view.without("county"))
        if _nothing(frame, "actual"):
            empty_note(view.scope(drop=("county",)))
            return
        row = indicator("P4_INNOVATIVE_FIRMS")
        fig = charts.target_vs_actual(
            frame,
            title=tr("innovative_title"),
            subtitle=view.subtitle(_unit(view, row), drop=("county",)),
            unit=row["unit_zh"] if view.lang == "zh" else _unit(view, row),
            lang=view.lang,
        )
        chart(fig, frame, key=f"{key}_innovative", select=("county",))
        st.caption(tr("honours_note"))


def focus(view: View, dim: str, code: str) -> View:
    """The same view narrowed to one county or chain."""
    f = view.filters
    narrowed = replace(f, counties=(code,)) if dim == "county" else replace(f, chains=(code,))
    return replace(view, filters=narrowed)


def pick(view: View, dim: str, *, key: str) -> str:
    """Choose one county or chain (defaults to the first one in the sidebar filter); only those in the scope."""
    options = list(auth.within_scope(dim, names(dim, view.lang)))
    chosen = view.filters.counties if dim == "county" else view.filters.chains
    default = next((c for c in chosen if c in options), options[0])
    return st.selectbox(
        tr(f"pick_{dim}"),
        options,
        index=options.index(default),
        format_func=lambda c: names(dim, view.lang)[c],
        key=key,
    )


def profile_table(view: View, dim: str, code: str, *, key: str) -> None:
    """Every indicator for one county or chain next to the whole city (same other filters), by project."""
    with section(f"{key}_profile"):
        cat = catalogue().sort_values(["project"], kind="stable")
        codes = tuple(cat["code"])
        own = data.ask(metrics.kpis, focus(view, dim, code).filters, codes).set_index("indicator")
        city = data.ask(metrics.kpis, view.without(dim), codes).set_index("indicator")
        if _nothing(own.reset_index()):
            empty_note(focus(view, dim, code).scope())
            return
        short = {p.project: (p.short_zh if view.lang == "zh" else p.short_en) for p in reference.projects()}
        rows = []
        for _, r in cat.iterrows():
            mine = own["value"].get(r["code"])
            whole = city["value"].get(r["code"])
            additive = r["kind"] in ("stock", "flow") and pd.notna(mine) and pd.notna(whole) and whole
            rows.append(
                {
                    tr("col_project"): short.get(int(r["project"]), ""),
                    tr("col_indicator"): _name(view, r),
                    tr("col_chain") if dim == "chain" else view.name(code, "county"): value_text(view, r["code"], mine),
                    tr("col_city"): value_text(view, r["code"], whole),
                    tr("col_share"): fmt.percent(mine / whole * 100, 1) if additive else "—",
                }
            )
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            width="stretch",
            key=f"{key}_profile_table",
            height=_rows_height(len(rows)),
        )


def firm_coverage(view: View, chain: str, *, key: str) -> None:
    """The chain's firms by membership rate (5-point bins), with how many fall below 80%."""
    with section(f"{key}_coverage"):
        frame = data.ask(metrics.firm_coverage, view.filters, chain)
        chain_name = view.name(chain, "chain")
        if _nothing(frame, "member_rate"):
            empty_note(focus(view, "chain", chain).scope())
            return
        fig = charts.histogram(
            frame,
            column="member_rate",
            title=tr("coverage_title", chain=chain_name),
            subtitle=focus(view, "chain", chain).subtitle(tr("firms")),
            x_title=tr("coverage_axis"),
            y_title=tr("firms"),
            lang=view.lang,
            threshold=80,
        )
        chart(fig, frame.drop(columns=["credit_code"], errors="ignore"), key=f"{key}_coverage_{chain}")
        st.caption(tr("firms_count", n=len(frame), low=int((frame["member_rate"] < 80).sum())))


def compare_rates(view: View, dim: str, code: str, codes: Sequence[str], *, key: str) -> None:
    """Rates of one county or chain beside the city's."""
    with section(f"{key}_compare"):
        own = data.ask(metrics.kpis, focus(view, dim, code).filters, tuple(codes))
        city = data.ask(metrics.kpis, view.without(dim), tuple(codes))
        cat = catalogue().set_index("code").loc[list(codes)].reset_index()
        frame = (
            cat[["code", "name_zh", "name_en"]]
            .merge(own[["indicator", "value"]], left_on="code", right_on="indicator", how="left")
            .merge(city[["indicator", "value"]].rename(columns={"value": "city"}), on="indicator", how="left")
        )
        if _nothing(frame):
            empty_note(focus(view, dim, code).scope())
            return
        label = view.name(code, dim)
        fig = charts.compare(
            frame,
            title=tr("compare_title", chain=label),
            subtitle=view.subtitle("%", drop=(dim,)),
            unit="%",
            left=label,
            right=tr("city"),
            lang=view.lang,
        )
        chart(fig, frame[["indicator", "name_zh", "value", "city"]], key=f"{key}_compare_{code}")


MANIFEST_LABELS = {
    "file_name": ("文件名", "File"),
    "dataset": ("数据集", "Dataset"),
    "county": ("县市区", "County"),
    "period": ("统计期", "Period"),
    "rows_total": ("总行数", "Rows"),
    "rows_loaded": ("已加载", "Loaded"),
    "rows_quarantined": ("已隔离", "Quarantined"),
    "rows_skipped": ("已跳过", "Skipped"),
    "status": ("状态", "Status"),
    "reason": ("原因", "Reason"),
    "unknown_columns": ("未识别的列", "Unknown columns"),
    "loaded_at": ("加载时间", "Loaded at"),
}
QUARANTINE_LABELS = {
    "file_name": ("文件名", "File"),
    "row_number": ("行号", "Row"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "message": ("原因", "Reason"),
    "dataset": ("数据集", "Dataset"),
    "rule": ("规则代码", "Rule"),
}
CATALOGUE_LABELS = {
    "code": ("指标代码", "Code"),
    "project_zh": ("所属工程", "Project"),
    "name_zh": ("指标名称", "Indicator"),
    "unit_zh": ("单位", "Unit"),
    "kind": ("类型", "Kind"),
    "time_agg": ("时间汇总", "Time aggregation"),
    "source": ("来源数据集", "Source dataset"),
    "definition_zh": ("口径", "Definition"),
}


def _labelled(frame: pd.DataFrame, labels: dict[str, tuple[str, str]], language: str) -> pd.DataFrame:
    cols = [c for c in labels if c in frame.columns]
    return frame[cols].rename(columns={c: labels[c][1 if language == "en" else 0] for c in cols})


def freshness(view: View) -> None:
    """When the warehouse was built and last loaded, which quarter it reaches, files and quarantined rows."""
    info = view.info
    with st.container(border=True):
        st.markdown(
            f"**{tr('built_at')}**：{str(info.get('built_at') or '—')[:16].replace('T', ' ')}　"
            f"**{tr('last_loaded')}**：{str(info.get('last_loaded_at') or '—')[:16]}　"
            f"**{tr('data_through', when='')}**：{fmt.period(info.get('data_through'), view.lang)}"
        )
    with st.container(horizontal=True):
        st.metric(tr("files_loaded"), fmt.number(info.get("files_loaded")), border=True, width=200)
        st.metric(tr("files_rejected"), fmt.number(info.get("files_rejected")), border=True, width=200)
        st.metric(tr("rows_quarantined"), fmt.number(info.get("rows_quarantined")), border=True, width=200)


def _readable(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """Codes to names: dataset titles, county names, statuses, kinds."""
    out = frame.copy()
    titles = {d.dataset: (d.title_en if language == "en" else d.title_zh) for d in reference.datasets()}
    for col in ("dataset", "source"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: titles.get(v, v))
    if "county" in out.columns:
        county_names = names("county", language)
        out["county"] = out["county"].map(lambda v: county_names.get(v, v if isinstance(v, str) else ""))
    for col in ("status", "kind", "time_agg"):
        if col in out.columns:
            out[col] = out[col].map(lambda v, c=col: code_label(c, v, language))
    return out


def manifest_table(view: View) -> None:
    """What was loaded when (load_manifest)."""
    with section("manifest"):
        frame = data.ask(metrics.manifest)
        if frame.empty:
            empty_note(tr("manifest_heading"))
            return
        st.dataframe(
            _labelled(_readable(frame, view.lang), MANIFEST_LABELS, view.lang),
            hide_index=True,
            width="stretch",
            key="manifest",
        )


def quarantine_table(view: View, limit: int = 1000) -> None:
    """Quarantined rows with the rule each broke and why, in Chinese."""
    with section("quarantine"):
        frame = data.ask(metrics.quarantine, limit)
        if frame.empty:
            st.success(tr("no_quarantine"), icon=":material/check_circle:")
            return
        st.caption(tr("quarantine_shown", n=len(frame)))
        st.dataframe(
            _labelled(_readable(frame, view.lang), QUARANTINE_LABELS, view.lang),
            hide_index=True,
            width="stretch",
            key="quarantine",
        )


def dictionary_table(view: View) -> None:
    """The indicator catalogue as a data dictionary."""
    with section("dictionary"):
        frame = catalogue()
        if view.lang == "en":
            frame = frame.assign(project_zh=frame.get("project_en"), name_zh=frame["name_en"], unit_zh=frame["unit_en"])
            frame = frame.assign(definition_zh=frame["definition_en"])
        table = _labelled(_readable(frame, view.lang), CATALOGUE_LABELS, view.lang)
        st.dataframe(table, hide_index=True, width="stretch", key="dictionary", height=_rows_height(len(table)))
