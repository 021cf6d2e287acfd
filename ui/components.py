"""Screen pieces: the chart wrapper (one place for exports), KPI cards, definitions, badges, empty notes."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_pipeline import reference
from reporting import charts, theme
from reporting import format as fmt
from reporting.i18n import code_label
from reporting.spec import ChartSpec
from ui.downloads import download_menu
from ui.filters import clear_dimensions, clicked_here, lang, on_chart_select, tr

log = logging.getLogger(__name__)

COUNT_UNITS = {"人", "人次", "个", "家", "场", "项", "对", "户"}  # catalogue unit_zh of counts


def theme_mode() -> str:
    """'dark' when the viewer's Streamlit theme is dark, else 'light'."""
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


def _filename(title: str, key: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", str(title)).strip("_")[:60] or key


def chart(spec: ChartSpec, figure: Callable[[str], go.Figure] | None = None) -> None:
    """Show a chart spec with its notes and its download menu (the data as drawn, in the user's language). A
    spec that says what a click selects ('county', 'chain') filters the page to the clicked code. `figure(mode)`
    gives the already built figure (ui.figures); without it the figure is built here."""
    mode = theme_mode()
    # title and subtitle as text: they wrap on a phone
    fig = figure(mode) if figure is not None else charts.without_title(spec.figure(mode), copy=False)
    key = spec.key
    st.markdown(f"**{spec.title}**")
    st.caption(spec.subtitle.replace("<br>", "  \n"))
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "scale": 3, "filename": _filename(spec.title, key)},
    }
    if spec.select:
        st.plotly_chart(
            fig,
            key=key,
            theme=None,
            config=config,
            on_select=partial(on_chart_select, key, tuple(spec.select)),
            selection_mode=("points",),
        )
    else:
        st.plotly_chart(fig, key=key, theme=None, config=config)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        download_menu(spec)
        if spec.select and clicked_here(key):
            st.button(
                tr("clear_click"),
                on_click=clear_dimensions,
                icon=":material/close:",
                type="secondary",
                key=f"clear_{key}",
            )
    if spec.select:
        st.caption(tr(f"click_{'_'.join(spec.select)}"))
    for note in spec.notes:
        st.caption(note)


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


STATUS_BADGE = {"ahead": "green", "on_track": "green", "behind": "red", "not_yet_due": "gray", "no_data": "gray"}


CARD_WIDTH = 170  # two cards side by side on a 390 px phone, five in a row on a desktop


def card_unit(row: pd.Series, language: str) -> tuple[str, str]:
    """(unit after the numbers on a card, unit beside the card's name). A card's value is big and its width fixed,
    so only a percent sign follows it: a count drops its unit (the name says what is counted: 疗休养人次), any
    other unit (万元, 10,000 yuan) goes beside the name."""
    unit = row["unit_zh"] if language == "zh" else row["unit_en"]
    if unit == "%" or not unit:
        return unit, ""
    if row["unit_zh"] in COUNT_UNITS:
        return "", ""
    return "", unit


def kpi_card(
    row: pd.Series,
    kpi: pd.Series | None,
    spark: Sequence[float] | None,
    *,
    key: str,
    width: int | str = 215,
    compact: bool = False,
) -> None:
    """One bordered card: value, change against the previous period, and where it stands against what was due
    by now (a status badge; the query layer judged it). Hidden small counts show "<5" and nothing else.

    The name wraps (never cut off); the definition is a hover on its ? icon, and one click away (popover) on a
    full card. The change is grey: on a card, as everywhere, only the status badge uses red ("behind")."""
    language = lang()
    decimals = int(row["decimals"])
    shown_unit, name_unit = card_unit(row, language)
    name = row[f"name_{language}"]
    value = kpi["value"] if kpi is not None else None
    hide = kpi is not None and bool(kpi.get("suppressed"))
    delta = fmt.change(kpi["change"], shown_unit, decimals, language) if kpi is not None and not hide else None
    text = fmt.SMALL_TEXT if hide else fmt.short(value, decimals, language) if not shown_unit else None
    with st.container(border=True, width=width, key=f"card_{key}"):
        label = (
            f"{name}（{name_unit}）"
            if name_unit and language == "zh"
            else f"{name} ({name_unit})"
            if name_unit
            else name
        )
        st.markdown(f"**{label}**" if not compact else label, help=row[f"definition_{language}"])
        st.metric(
            name,
            text or fmt.value(value, shown_unit, decimals, language),
            delta=delta,
            delta_color="off",
            label_visibility="collapsed",
        )
        if spark is not None and not hide and (line := sparkline_svg(spark)):
            st.html(line)
        if kpi is not None and not hide:
            status_line(kpi, shown_unit, decimals, compact=compact)
        if not compact:
            definition(row, key=f"def_{key}")


def status_line(kpi: pd.Series, unit: str, decimals: int, *, compact: bool = False) -> None:
    """The status badge and what it was judged against (what was due by now, the year target)."""
    language = lang()
    status = str(kpi.get("status"))
    target = fmt.value(kpi["target"], unit, decimals, language)
    if status in ("ahead", "on_track", "behind"):
        expected = fmt.value(kpi["expected"], unit, decimals, language)
        st.badge(code_label("judgement", status, language), color=STATUS_BADGE[status], icon=_ICONS[status])
        if not compact or status == "behind":
            st.caption(tr("due_and_target", expected=expected, target=target))
    elif status == "not_yet_due":
        last = fmt.value(kpi.get("reference_value"), unit, decimals, language)
        st.caption(tr("target_pending_honours", target=target, last=last))
    elif status == "no_data" and not pd.isna(kpi["target"]):
        st.caption(tr("target_pending", target=target))
    else:
        st.caption(tr("no_target"))


_ICONS = {"ahead": ":material/trending_up:", "on_track": ":material/check:", "behind": ":material/priority_high:"}


def kpi_row(
    catalogue: pd.DataFrame,
    kpis: pd.DataFrame,
    trend: pd.DataFrame | None,
    *,
    key: str,
    caption: str | None = None,
) -> None:
    """Cards for every catalogue row given, in order, wrapping to the width."""
    by_code = kpis.set_index("indicator") if not kpis.empty else pd.DataFrame()
    # one wrapping row: as many cards as fit (four or five on a desktop, two on a phone), never one per screen row
    with st.container(horizontal=True, gap="small", key=f"{key}_cards"):
        for _, row in catalogue.iterrows():
            code = row["code"]
            kpi = by_code.loc[code] if code in by_code.index else None
            kpi_card(row, kpi, _sparks(trend, code), key=f"{key}_{code}", width=CARD_WIDTH)
    st.caption(caption or tr("change_note"))


SPARK_COLOUR = theme.PALETTE[0]


def sparkline_svg(values: Sequence[float | None], height: int = 30) -> str:
    """The quarters of a card as a small line (an SVG image, drawn by the browser with no chart library: a
    metric's own chart_data loads and compiles Vega-Lite for every card). '' when fewer than two values."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None and not pd.isna(v)]
    if len(points) < 2:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    span, last = (high - low) or 1.0, max(len(values) - 1, 1)
    pad = 2
    xy = " ".join(f"{i / last * 100:.1f},{pad + (high - v) / span * (height - 2 * pad):.1f}" for i, v in points)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 {height}" preserveAspectRatio="none">'
        f'<polyline points="{xy}" fill="none" stroke="{SPARK_COLOUR}" stroke-width="2" '
        'vector-effect="non-scaling-stroke" stroke-linejoin="round"/></svg>'
    )
    # as an image: st.html sanitises inline SVG away, a data: image passes
    data = base64.b64encode(svg.encode()).decode()
    return f'<img src="data:image/svg+xml;base64,{data}" width="100%" height="{height}" alt="">'


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
) -> None:
    """The five projects side by side, each with its headline cards below its name. The row wraps: on a phone two
    projects share a row (their cards stacked), and a project alone on its row puts its cards side by side, so
    the grid stays two cards wide instead of one card per screen row."""
    language = lang()
    by_code = kpis.set_index("indicator") if not kpis.empty else pd.DataFrame()
    projects = list(dict.fromkeys(catalogue["project"]))
    short = {p.project: (p.short_zh if language == "zh" else p.short_en) for p in reference.projects()}
    with st.container(horizontal=True, gap="small", key=f"{key}_headline_grid"):
        for project in projects:
            rows = catalogue.loc[catalogue["project"] == project]
            with st.container(gap="small", key=f"{key}_project_{project}"):
                st.markdown(f"**:blue[{short.get(int(project), '')}]**")
                with st.container(horizontal=True, gap="small"):
                    for _, row in rows.iterrows():
                        code = row["code"]
                        kpi = by_code.loc[code] if code in by_code.index else None
                        kpi_card(row, kpi, _sparks(trend, code), key=f"{key}_{code}", width="stretch", compact=True)
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
