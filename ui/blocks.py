"""Page blocks: a recipe of reporting.spec (one question, what it means) drawn on screen with its downloads.

Every judgement (status, expected progress, hidden small cells) arrives from the query layer; these blocks
only decide where things go on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from data_pipeline import metrics, reference
from reporting import format as fmt
from reporting import spec as recipes
from reporting.i18n import code_label
from ui import data, figures
from ui.components import CARD_WIDTH, chart, empty_note, headline_grid, kpi_row, section
from ui.filters import lang, names, tr
from ui.layout import Renderer, View, header, later, project_rows


def catalogue() -> pd.DataFrame:
    return data.ask(metrics.catalogue)


def indicator(code: str) -> reference.Indicator:
    """The catalogue row of one indicator."""
    return reference.indicator(code)


def _rows_height(n: int) -> int:
    """A table height that shows every row (no inner scrolling for short tables)."""
    return 38 + 35 * n


def show(
    view: View,
    recipe: Callable[..., recipes.ChartSpec],
    *args: Hashable,
    key: str,
    section_key: str,
    drop: Sequence[str] = (),
    **kwargs: Hashable,
) -> None:
    """Draw `recipe(view.ctx, *args, key=key, **kwargs)` (built once per data version, filters, language and
    arguments: ui.figures), or say in words that the selection has no data."""
    with section(section_key):
        built = figures.drawn(view, recipe, *args, key=key, **kwargs)
        spec = built.spec
        silent = spec.silent
        if silent == "not_yet_due":
            st.info(f"{spec.title}：{tr('honours_pending_short')}", icon=":material/event:")
        elif silent == "all_zero":
            st.info(f"{spec.title}：{tr('all_zero', scope=view.scope(drop=drop))}", icon=":material/info:")
        elif silent:
            empty_note(view.scope(drop=drop))
        else:
            chart(spec, built.figure)


def ranking(view: View, code: str, dim: str, *, key: str) -> None:
    """Ranking of an indicator by county or chain; all of that dimension shown, the filtered ones highlighted."""
    if dim not in indicator(code).dims:
        st.caption(tr("not_by_dim", name=recipes.indicator_name(code, view.lang), dim=tr(dim)))
        return
    show(view, recipes.ranking, code, dim, key=f"{key}_{dim}_{code}", section_key=key, drop=(dim,))


def trend(view: View, codes: Sequence[str], *, key: str) -> None:
    """Quarterly trend of one or more indicators sharing a unit (all years up to the selected one)."""
    show(view, recipes.trend, tuple(codes), key=f"{key}_trend_{'_'.join(codes)}", section_key=f"{key}_trend")


def breakdown(view: View, code: str, dim: str, *, key: str) -> None:
    """An indicator split by one of the breakdowns its catalogue row offers."""
    if dim not in indicator(code).breakdowns:
        return
    show(view, recipes.breakdown, code, dim, key=f"{key}_{code}_{dim}", section_key=f"{key}_{dim}")


def breakdowns(view: View, codes: Sequence[str], *, key: str) -> None:
    """Every breakdown the given indicators offer, two to a row."""
    pairs = [(c, d) for c in codes for d in indicator(c).breakdowns]
    for start in range(0, len(pairs), 2):
        for column, (code, dim) in zip(st.columns(2), pairs[start : start + 2], strict=False):
            with column:
                breakdown(view, code, dim, key=key)


def heatmap(view: View, code: str, *, key: str) -> None:
    """Chain × county cells of one indicator; a click filters to that county and chain."""
    show(view, recipes.heatmap, code, key=f"{key}_heatmap_{code}", section_key=f"{key}_heatmap")


def county_grid(view: View, code: str, *, key: str) -> None:
    """The counties laid out like a map; a click filters to the county."""
    show(view, recipes.county_grid, code, key=f"{key}_grid_{code}", section_key=f"{key}_grid", drop=("county",))


def indicator_picker(view: View, codes: Sequence[str], *, key: str, default: str | None = None) -> str:
    """A selectbox of indicators shown by name and unit."""
    options = list(codes)
    return st.selectbox(
        tr("pick_indicator"),
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda c: f"{recipes.indicator_name(c, view.lang)}（{recipes.indicator_unit(c, view.lang)}）",
        key=f"{key}_indicator",
    )


def indicator_panel(view: View, code: str, *, key: str) -> None:
    """Rankings by chain and by county (only those the indicator is collected by), then its quarterly trend; on
    a freshly opened page all but the first chart come a moment after the first paint (layout.later)."""
    dims = [d for d in ("chain", "county") if d in indicator(code).dims]
    for n, (column, dim) in enumerate(
        zip(st.columns(len(dims)) if len(dims) > 1 else [st.container()], dims, strict=False)
    ):
        with column:
            if n == 0:
                ranking(view, code, dim, key=key)
            else:
                later(partial(ranking, view, code, dim, key=key))
    later(partial(trend, view, [code], key=key))


def project_page(slug: str, extras: Renderer | None = None) -> View:
    """The generic page of one 工程: every indicator as a card, then rankings and trend of the one picked, then
    every breakdown its indicators offer."""
    project = next(p for p in reference.projects() if p.slug == slug)
    view = header(project.name_zh if lang() == "zh" else project.name_en)
    rows = project_rows(catalogue(), project.project)
    codes = tuple(rows["code"])
    kpis = data.ask(metrics.kpis, view.filters, codes)
    spark = data.ask(metrics.trend, view.filters, codes)
    st.subheader(tr("all_indicators"), anchor=False)
    if kpis["value"].isna().all() and not kpis["suppressed"].any():
        empty_note(view.scope())
    kpi_row(rows, kpis, spark, key=slug)
    st.subheader(tr("charts_heading"), anchor=False)
    with_data = kpis.dropna(subset=["value"])["indicator"].tolist()
    code = indicator_picker(view, codes, key=slug, default=next((c for c in codes if c in with_data), None))
    indicator_panel(view, code, key=slug)

    def rest() -> None:
        if extras is not None:
            extras(view)
        st.subheader(tr("breakdowns"), anchor=False)
        breakdowns(view, [c for c in codes if c in with_data], key=slug)

    later(rest)
    return view


def value_text(view: View, code: str, value: object) -> str:
    """A value of an indicator formatted with its unit and decimals."""
    return fmt.value(value, recipes.indicator_unit(code, view.lang), indicator(code).decimals, view.lang)


def cards(view: View, codes: Sequence[str], *, key: str, by_project: bool = False) -> pd.DataFrame:
    """KPI cards for the given indicators under the filters in force (one column per project when
    `by_project`); returns the kpis frame."""
    cat = catalogue().set_index("code").loc[list(codes)].reset_index()
    kpis = data.ask(metrics.kpis, view.filters, tuple(codes))
    spark = data.ask(metrics.trend, view.filters, tuple(codes))
    if kpis["value"].isna().all() and not kpis["suppressed"].any():
        empty_note(view.scope())
    if by_project:
        headline_grid(cat, kpis, spark, key=key)
    else:
        kpi_row(cat, kpis, spark, key=key)
    return kpis


def progress_chart(view: View, codes: Sequence[str], *, key: str) -> None:
    """Each headline indicator against what was due by now, coloured by status."""
    show(view, recipes.progress, tuple(codes), key=f"{key}_progress", section_key=f"{key}_progress")


def attention(view: View, kpis: pd.DataFrame, codes: Sequence[str]) -> None:
    """需要关注: the indicators behind schedule, then the counties and chains furthest behind what was due."""
    sep = "、" if view.lang == "zh" else ", "
    with section("attention"):
        behind = kpis.loc[kpis["status"] == "behind"].sort_values("relative_gap")
        if behind.empty:
            st.markdown(f"- {tr('no_lagging')}")
        else:
            items = sep.join(
                _bracket(recipes.indicator_name(r["indicator"], view.lang), _shortfall(view, r), view.lang)
                for _, r in behind.iterrows()
            )
            st.markdown(f"- {tr('lagging_targets', items=items)}")
        units = data.ask(metrics.attention, view.filters, tuple(codes))
        for dim in ("county", "chain"):
            rows = units.loc[units["dim"] == dim]
            if rows.empty:
                continue
            items = sep.join(
                _bracket(
                    r["name_en" if view.lang == "en" else "name_zh"],
                    f"{recipes.indicator_name(r['indicator'], view.lang)} {_shortfall(view, r)}",
                    view.lang,
                )
                for _, r in rows.iterrows()
            )
            st.markdown(f"- {tr(f'lagging_{dim}', items=items)}")
        pending = kpis.loc[kpis["status"] == "not_yet_due", "indicator"].tolist()
        if pending:
            names_ = sep.join(recipes.indicator_name(c, view.lang) for c in pending)
            st.caption(tr("pending_honours", items=names_))


def _bracket(text: str, note: str, language: str) -> str:
    """新泰市（入会率 低5.4个百分点） / Xintai City (Membership rate 5.4 pp short)."""
    return f"{text}（{note}）" if language == "zh" else f"{text} ({note})"


def _shortfall(view: View, row: pd.Series) -> str:
    """How far short of what was due: percentage points for rates, a percent of what was due otherwise."""
    if indicator(row["indicator"]).unit_zh == "%":
        return tr("short_points", n=f"{abs(row['gap']):.1f}")
    return tr("short_share", n=f"{abs(row['relative_gap']) * 100:.0f}%")


def rates_by(view: View, codes: Sequence[str], dim: str, *, key: str, title: str) -> None:
    """Several rates side by side per county or chain (e.g. 建会率, 入会率, 农民工入会率)."""
    rates = tuple(codes)
    show(
        view,
        recipes.rates_by,
        rates,
        dim,
        title=title,
        key=f"{key}_{dim}_rates",
        section_key=f"{key}_{dim}_rates",
        drop=(dim,),
    )


def innovation_targets(view: View, *, key: str) -> None:
    """全员创新企业 named per county (and the city) against the policy's 10 a year."""
    show(view, recipes.innovation_targets, key=f"{key}_innovative", section_key=f"{key}_innovative", drop=("county",))


def focus(view: View, dim: str, code: str) -> View:
    """The same view narrowed to one county or chain."""
    f = view.filters
    narrowed = replace(f, counties=(code,)) if dim == "county" else replace(f, chains=(code,))
    return replace(view, filters=narrowed)


def pick(view: View, dim: str, *, key: str) -> str | None:
    """Choose one county or chain within the user's scope (defaults to the first one in the sidebar filter)."""
    allowed = metrics.area(replace(view.filters, counties=(), chains=()))[0 if dim == "county" else 1]
    options = [c for c in names(dim, view.lang) if not allowed or c in allowed]
    if not options:
        return None
    chosen = [c for c in (view.filters.counties if dim == "county" else view.filters.chains) if c in options]
    default = chosen[0] if chosen else options[0]
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
        own_filters = focus(view, dim, code).filters
        own = data.ask(metrics.kpis, own_filters, codes).set_index("indicator")
        city = data.ask(metrics.city, view.filters, codes).set_index("indicator")
        if own["value"].isna().all():
            empty_note(focus(view, dim, code).scope())
            return
        short = {p.project: (p.short_zh if view.lang == "zh" else p.short_en) for p in reference.projects()}
        rows = []
        for _, r in cat.iterrows():
            mine, hidden = own["value"].get(r["code"]), bool(own["suppressed"].get(r["code"]))
            whole = city["value"].get(r["code"])
            additive = r["kind"] in ("stock", "flow") and pd.notna(mine) and pd.notna(whole) and whole
            rows.append(
                {
                    tr("col_project"): short.get(int(r["project"]), ""),
                    tr("col_indicator"): recipes.indicator_name(r["code"], view.lang),
                    view.name(code, dim): fmt.SMALL_TEXT if hidden else value_text(view, r["code"], mine),
                    tr("status"): code_label("judgement", own["status"].get(r["code"]), view.lang),
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
        built = figures.drawn(view, recipes.coverage, chain, key=f"{key}_coverage_{chain}")
        spec = built.spec
        if spec.empty:
            empty_note(focus(view, "chain", chain).scope())
            return
        chart(spec, built.figure)
        rates = spec.frame["member_rate"]
        st.caption(tr("firms_count", n=len(spec.frame), low=int((rates < 80).sum())))


def compare_rates(view: View, dim: str, code: str, codes: Sequence[str], *, key: str) -> None:
    """Rates of one county or chain beside the city's."""
    show(view, recipes.compare, dim, code, tuple(codes), key=f"{key}_compare_{code}", section_key=f"{key}_compare")


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
    "notes": ("说明", "Notes"),
    "loaded_at": ("加载时间", "Loaded at"),
}
QUARANTINE_LABELS = {
    "file_name": ("文件名", "File"),
    "sheet": ("工作表", "Sheet"),
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
    "accrual": ("目标进度", "Target accrual"),
    "source": ("来源数据集", "Source dataset"),
    "definition_zh": ("口径", "Definition"),
}


def _labelled(frame: pd.DataFrame, labels: dict[str, tuple[str, str]], language: str) -> pd.DataFrame:
    cols = [c for c in labels if c in frame.columns]
    return frame[cols].rename(columns={c: labels[c][1 if language == "en" else 0] for c in cols})


def freshness(view: View) -> None:
    """When the warehouse was built and last loaded, which quarter it reaches, files and quarantined rows."""
    info = view.info
    facts = (
        (tr("built_at"), str(info.get("built_at") or "—")[:16].replace("T", " ")),
        (tr("last_loaded"), str(info.get("last_loaded_at") or "—")[:16].replace("T", " ")),
        (tr("data_through_label"), fmt.period(info.get("data_through"), view.lang)),
    )
    with st.container(border=True, horizontal=True, gap="medium"):
        for label, value in facts:
            st.markdown(tr("label_value", label=label, value=value), width="content")
    with st.container(horizontal=True):
        for key in ("files_loaded", "files_rejected", "rows_quarantined"):
            st.metric(tr(key), fmt.number(info.get(key)), border=True, width=CARD_WIDTH)


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
    for col in ("status", "kind", "time_agg", "accrual"):
        if col in out.columns:
            group = "due_basis" if col == "accrual" else col
            out[col] = out[col].map(lambda v, g=group: code_label(g, v, language))
    if language == "en" and {"message", "rule"} <= set(out.columns):
        # the pipeline writes each reason as a Chinese sentence; English names the rule it broke
        out["message"] = out["rule"].map(lambda v: code_label("rule", v, "en"))
    return out


def manifest_table(view: View) -> None:
    """What was loaded when (load_manifest), the user's own files only."""
    with section("manifest"):
        frame = data.ask(metrics.manifest, view.filters.scope)
        if frame.empty:
            empty_note(tr("manifest_heading"))
            return
        with st.container(key="user_files"):  # the users' own file names (user data, shown as written)
            st.dataframe(
                _labelled(_readable(frame, view.lang), MANIFEST_LABELS, view.lang),
                hide_index=True,
                width="stretch",
                key="manifest",
            )


def quarantine_table(view: View, limit: int = 1000) -> None:
    """Quarantined rows with the rule each broke and why, in Chinese (the user's own files only)."""
    with section("quarantine"):
        frame = data.ask(metrics.quarantine, view.filters.scope, limit)
        if frame.empty:
            st.success(tr("no_quarantine"), icon=":material/check_circle:")
            return
        st.caption(tr("quarantine_shown", n=len(frame)))
        with st.container(key="user_rows"):  # file names, the files' own headers and values (user data)
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
