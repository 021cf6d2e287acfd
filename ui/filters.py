"""Sidebar filters shared by every page, kept in the URL, and the chart-click → filter mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from data_pipeline import reference
from data_pipeline.metrics import Filters
from reporting import format as fmt
from reporting import spec as recipes
from reporting.i18n import t
from ui import auth

DIMENSIONS = ("county", "chain")
LANG_LABELS = {"zh": "中文", "en": "English"}


def lang() -> str:
    """The UI language of this session: 'zh' (default) or 'en' (also read from the URL before the switch is drawn)."""
    if "lang" in st.session_state:
        return "en" if st.session_state["lang"] == "en" else "zh"
    return "en" if st.query_params.get("lang") == LANG_LABELS["en"] else "zh"


def tr(key: str, **values: object) -> str:
    """A UI string in the session's language."""
    return t(key, lang(), **values)


def names(dim: str, language: str | None = None) -> dict[str, str]:
    """Code → display name for counties or chains, in reference order."""
    language = language or lang()
    items = reference.counties() if dim == "county" else reference.chains()
    return {i.code: (i.name_en if language == "en" else i.name_zh) for i in items}


def to_codes(values: Iterable[str], dim: str) -> list[str]:
    """URL values → valid codes (codes, names and aliases, as reference.code_of reads them); unknown ones dropped."""
    out: list[str] = []
    for v in values:
        code = reference.code_of(dim, v)
        if code and code not in out:
            out.append(code)
    return out


def codes_from_selection(points: Sequence[Mapping[str, Any]], dims: Sequence[str]) -> dict[str, list[str]]:
    """Plotly selection points → {dimension: [codes]} from each point's customdata.

    `dims` names the customdata positions, e.g. ('county',) for a county bar chart or ('county', 'chain')
    for a heatmap cell. Values that are not valid codes (blank tiles, 'city') are ignored.
    """
    picked: dict[str, list[str]] = {d: [] for d in dims}
    for point in points or ():
        custom = point.get("customdata")
        if custom is None:
            continue
        if isinstance(custom, str) or not isinstance(custom, Sequence):
            custom = [custom]
        for dim, value in zip(dims, custom, strict=False):
            for code in to_codes([str(value)], dim):
                if code not in picked[dim]:
                    picked[dim].append(code)
    return {d: codes for d, codes in picked.items() if codes}


def share_query(f: Filters, language: str = "zh") -> str:
    """The query string that reopens this view: codes, not names; full year and Chinese left implicit."""
    params: list[tuple[str, str]] = [("year", str(f.year))]
    if (f.quarter_from, f.quarter_to) != (1, 4):
        params += [("quarter", f"Q{f.quarter_from}"), ("quarter", f"Q{f.quarter_to}")]
    params += [("county", c) for c in f.counties]
    params += [("chain", c) for c in f.chains]
    if language == "en":
        params.append(("lang", LANG_LABELS["en"]))
    return urlencode(params)


def scope_text(f: Filters, language: str = "zh", *, drop: Sequence[str] = ()) -> str:
    """'2026年第一至三季度 · 新泰市 · 全部产业链' — the filters in force, in words."""
    return recipes.scope_text(f, language, drop=drop)


# ---- Streamlit side -------------------------------------------------------------------------------------


def _seed_from_url(dim: str) -> None:
    """Once per session: take county/chain codes from the URL (they are synced by hand so codes stay in it)."""
    if dim not in st.session_state:
        st.session_state[dim] = to_codes(st.query_params.get_all(dim), dim)


def _sync_to_url(dim: str, codes: list[str]) -> None:
    if list(st.query_params.get_all(dim)) != list(codes):
        if codes:
            st.query_params[dim] = list(codes)
        elif dim in st.query_params:
            del st.query_params[dim]


def sidebar(periods: Sequence[tuple[int, int]]) -> Filters | None:
    """Draw the shared filters in the sidebar and return them (None when there is no quarter with data).

    The quarter range defaults to the quarters of the chosen year that have data, so the current year
    compares like with like against the same span of the previous year."""
    years = sorted({int(y) for y, _ in periods}, reverse=True)
    with st.sidebar:
        st.segmented_control(
            t("language", lang()),
            list(LANG_LABELS),
            format_func=LANG_LABELS.get,
            key="lang",
            default="zh",
            required=True,
            bind="query-params",
            persist_state="session",
            label_visibility="collapsed",
        )
        st.subheader(tr("filters"), anchor=False)
        if not years:
            st.info(tr("no_periods"))
            return None
        year = st.selectbox(
            tr("year"),
            list(years),
            index=0,
            format_func=lambda y: f"{y}年" if lang() == "zh" else str(y),
            key="year",
            bind="query-params",
            persist_state="session",
        )
        last = max((int(q) for y, q in periods if int(y) == int(year)), default=4)
        q_from, q_to = st.select_slider(
            tr("quarter"),
            options=[1, 2, 3, 4],
            value=(1, last),
            format_func=lambda q: f"Q{q}",
            key="quarter",
            bind="query-params",
            persist_state="session",
        )
        st.caption(fmt.quarter_range(int(year), q_from, q_to, lang()))
        for dim in DIMENSIONS:
            _seed_from_url(dim)
            options = auth.within_scope(dim, names(dim), st.session_state[dim])
            st.multiselect(
                tr(dim),
                list(options),
                format_func=lambda c, o=options: o.get(c, c),
                key=dim,
                placeholder=tr(f"placeholder_{dim}"),
                select_all=False,  # empty already means all; Enter should pick one match, not every fuzzy match
                persist_state="session",
            )
            _sync_to_url(dim, st.session_state[dim])
        f = current(int(year), (q_from, q_to))
        if f.counties or f.chains:
            st.button(tr("clear_filters"), on_click=clear_dimensions, icon=":material/filter_alt_off:")
        return f


def current(year: int | None = None, quarters: tuple[int, int] | None = None) -> Filters:
    """The filters in force, from the widgets' session state."""
    year = int(year if year is not None else st.session_state["year"])
    q_from, q_to = quarters or tuple(st.session_state.get("quarter", (1, 4)))
    return Filters(
        year=year,
        quarter_from=int(q_from),
        quarter_to=int(q_to),
        counties=tuple(st.session_state.get("county", ())),
        chains=tuple(st.session_state.get("chain", ())),
        scope=auth.current_scope(),  # fixed when the session was established; the query layer narrows to it
    )


def share_box(f: Filters, page_path: str) -> None:
    """A copyable address of the current view: a link, and a text box to select and copy from.

    (Not st.code: its copy button costs every page load a 1.5 MB syntax-highlighter bundle.)"""
    base = (st.context.url or "").rstrip("/")
    path = f"/{page_path}" if page_path else "/"
    url = f"{base}{path}?{share_query(f, lang())}"
    with st.sidebar.expander(tr("copy_link"), icon=":material/link:"):
        st.caption(tr("copy_link_help"))
        st.text_input(tr("copy_link"), url, label_visibility="collapsed")
        st.markdown(f"[{tr('open_link')}]({url})")


def clear_dimensions(dims: Sequence[str] = DIMENSIONS) -> None:
    """Callback: clear the county/chain filters (and any click that set them)."""
    for dim in dims:
        st.session_state[dim] = []
    st.session_state.pop("_clicked", None)


def on_chart_select(chart_key: str, dims: tuple[str, ...]) -> None:
    """Callback for st.plotly_chart(on_select=…): filter the page to what was clicked."""
    event = st.session_state.get(chart_key)
    try:
        points = event["selection"]["points"] if event else []
    except (KeyError, TypeError):
        points = []
    picked = codes_from_selection(points, dims)
    for dim, codes in picked.items():
        st.session_state[dim] = codes
    if picked:
        st.session_state["_clicked"] = picked
