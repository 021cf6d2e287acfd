"""Screen pieces: the chart wrapper (one place for exports), KPI cards, definitions, badges, empty notes."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_pipeline import reference
from reporting import format as fmt
from reporting import theme
from ui.downloads import download_menu
from ui.filters import lang, on_chart_select, tr

log = logging.getLogger(__name__)

COUNT_UNITS = {"人", "人次", "个", "家", "场", "项", "对", "户", "people", "attendances", "participations", "firms"}


def theme_mode() -> str:
    """'dark' when the viewer's Streamlit theme is dark, else 'light'."""
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


def _filename(fig: go.Figure, key: str) -> str:
    title = fig.layout.title.text or key
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", str(title)).strip("_")[:60] or key


def chart(fig: go.Figure, frame: pd.DataFrame, *, key: str, select: Sequence[str] = ()) -> None:
    """Show a figure. `frame` is the data exactly as drawn (for download menus added here, in one place);
    `select` names the customdata positions ('county', 'chain') so a click filters the page to that code."""
    theme.apply(fig, theme_mode())
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": _filename(fig, key)},
    }
    if select:
        st.plotly_chart(
            fig,
            key=key,
            theme=None,
            config=config,
            on_select=partial(on_chart_select, key, tuple(select)),
            selection_mode=("points",),
        )
    else:
        st.plotly_chart(fig, key=key, theme=None, config=config)
    title, subtitle = _plain(fig.layout.title.text), _plain(fig.layout.title.subtitle.text)
    lines = (title, *subtitle.split("\n")) if subtitle else (title,)
    download_menu(fig, frame, name=title or key, header_lines=lines, key=key)


def _plain(text: str | None) -> str:
    """A Plotly title without its markup: <br> becomes a line break, other tags go."""
    text = re.sub(r"<br\s*/?>", "\n", text or "")
    return re.sub(r"<[^>]+>", "", text).strip()


@contextmanager
def section(name: str) -> Iterator[None]:
    """Isolate one part of a page: an error becomes a Chinese sentence, the rest of the page still shows."""
    try:
        yield
    except Exception:
        log.exception("section %s failed", name)
        st.warning(tr("chart_error"), icon=":material/error:")


def empty_note(scope: str) -> None:
    """Say in words that the selection has no data."""
    st.info(tr("empty", scope=scope), icon=":material/info:")


def _aggregation(row: pd.Series) -> str:
    if row.get("kind") == "rate":
        return tr("agg_rate")
    return tr(f"agg_{row.get('time_agg', 'sum')}")


def definition(row: pd.Series, *, key: str) -> None:
    """The indicator's definition one click away."""
    language = lang()
    with st.popover(tr("definition"), icon=":material/info:", type="tertiary", key=key):
        st.markdown(f"**{row[f'name_{language}']}**")
        st.write(row[f"definition_{language}"])
        st.caption(f"{tr('unit')}：{row[f'unit_{language}']} · {tr('aggregation')}：{_aggregation(row)}")


def kpi_card(
    row: pd.Series,
    kpi: pd.Series | None,
    spark: Sequence[float] | None,
    *,
    key: str,
    width: int | str = 215,
    compact: bool = False,
    private: bool = False,
) -> None:
    """One bordered card: value, change against the previous period, progress against the year's target.

    The definition is one click away (popover), or a hover on the ? icon when `compact`."""
    language = lang()
    unit, decimals = row["unit_zh"] if language == "zh" else row["unit_en"], int(row["decimals"])
    unit_zh = row["unit_zh"]
    value = kpi["value"] if kpi is not None else None
    unit_shown_full = unit_zh if language == "zh" else unit
    hide = private and fmt.is_small(value)  # a handful of aided families in one county × chain: "<5" only
    delta = fmt.change(kpi["change"], unit_shown_full, decimals, language) if kpi is not None and not hide else None
    shown_unit = unit_zh if language == "zh" else unit
    if compact and shown_unit in COUNT_UNITS:
        shown_unit = ""  # the name already says what is counted (人次, 家, 个 …); keeps narrow cards readable
    with st.container(border=True, width=width, key=f"card_{key}"):
        if compact:
            st.markdown(row[f"name_{language}"], help=row[f"definition_{language}"])
        st.metric(
            row[f"name_{language}"],
            fmt.SMALL_TEXT if hide else fmt.value(value, shown_unit, decimals, language),
            delta=delta,
            delta_description=tr(f"vs_{kpi['basis']}") if delta and not compact else None,
            chart_data=list(spark) if spark is not None and len(spark) > 1 and not hide else None,
            chart_type="line",
            help=None if compact else row[f"definition_{language}"],
            label_visibility="collapsed" if compact else "visible",
        )
        progress = kpi["progress"] * 100 if kpi is not None else None  # metrics gives a ratio of the target
        if progress is not None and not pd.isna(progress):
            target_text = fmt.value(kpi["target"], unit_shown_full, decimals, language)
            st.progress(
                min(max(float(progress) / 100, 0.0), 1.0),
                text=tr("target_progress", pct=fmt.percent(progress), target=target_text),
            )
        elif kpi is not None and not pd.isna(kpi["target"]):
            target_text = fmt.value(kpi["target"], unit_shown_full, decimals, language)
            pending = "target_pending_honours" if row["source"] == "honors" else "target_pending"
            st.caption(tr(pending, target=target_text))
        else:
            st.caption(tr("no_target"))
        if not compact:
            definition(row, key=f"def_{key}")


def kpi_row(
    catalogue: pd.DataFrame,
    kpis: pd.DataFrame,
    trend: pd.DataFrame | None,
    *,
    key: str,
    caption: str | None = None,
    per_row: int = 4,
    private: frozenset[str] = frozenset(),
) -> None:
    """Cards for every catalogue row given, in order: `per_row` to a row, one per row on a phone."""
    by_code = kpis.set_index("indicator") if not kpis.empty else pd.DataFrame()
    rows = [row for _, row in catalogue.iterrows()]
    for start in range(0, len(rows), per_row):
        for column, row in zip(st.columns(per_row, gap="small"), rows[start : start + per_row], strict=False):
            code = row["code"]
            kpi = by_code.loc[code] if code in by_code.index else None
            with column:
                kpi_card(row, kpi, _sparks(trend, code), key=f"{key}_{code}", width="stretch", private=code in private)
    if caption:
        st.caption(caption)


def _sparks(trend: pd.DataFrame | None, code: str) -> list[float] | None:
    if trend is None or trend.empty:
        return None
    return trend.loc[trend["indicator"] == code].sort_values("period")["value"].tolist()


def headline_grid(
    catalogue: pd.DataFrame,
    kpis: pd.DataFrame,
    trend: pd.DataFrame | None,
    *,
    key: str,
    private: frozenset[str] = frozenset(),
) -> None:
    """The five projects side by side (one column each, stacked on a phone), their headline cards below."""
    language = lang()
    by_code = kpis.set_index("indicator") if not kpis.empty else pd.DataFrame()
    projects = list(dict.fromkeys(catalogue["project"]))
    short = {p.project: (p.short_zh if language == "zh" else p.short_en) for p in reference.projects()}
    for column, project in zip(st.columns(len(projects), gap="small"), projects, strict=True):
        rows = catalogue.loc[catalogue["project"] == project]
        with column:
            st.markdown(f"**:blue[{short.get(int(project), '')}]**")
            for _, row in rows.iterrows():
                code = row["code"]
                kpi = by_code.loc[code] if code in by_code.index else None
                kpi_card(
                    row,
                    kpi,
                    _sparks(trend, code),
                    key=f"{key}_{code}",
                    width="stretch",
                    compact=True,
                    private=code in private,
                )
    st.caption(tr("change_note"))


def status_badges(info: dict) -> None:
    """模拟数据 badge while the demo set is loaded, the data date, and a stale warning."""
    language = lang()
    with st.container(horizontal=True, gap="small"):
        if info.get("is_demo"):
            st.badge(tr("demo_badge"), icon=":material/science:", color="orange", help=tr("demo_help"))
        through = info.get("data_through")
        if through:
            st.badge(tr("data_through", when=fmt.period(through, language)), icon=":material/event:", color="blue")
        loaded = info.get("last_loaded_at") or info.get("built_at")
        if loaded:
            st.badge(tr("loaded_at", when=str(loaded)[:16]), icon=":material/update:", color="gray")
    days = info.get("days_since_load")
    if days is not None and days > 100 and not info.get("is_demo"):
        st.warning(tr("stale", days=days), icon=":material/schedule:")
