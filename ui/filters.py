"""Sidebar filters shared by every page, kept in the URL, and the chart-click → filter mapping."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
    """The UI language of this session: 'zh' (default) or 'en'. The first call of a session reads the link
    (`lang=en`), before the switch is drawn, so the navigation is already in that language."""
    if "lang" not in st.session_state:
        values = st.query_params.get_all("lang")
        language = parse_lang(values) if values else "zh"
        if language is None:
            _note_problems([f"lang={values[-1][:_MAX_SHOWN]}"])
        st.session_state["lang"] = language or "zh"
    return "en" if st.session_state["lang"] == "en" else "zh"


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


URL_KEYS = ("year", "quarter", "county", "chain", "lang")
_QUARTERS = re.compile(r"^[Qq第]?([1-4])(?:季度)?(?:\s*(?:-|–|—|~|～|至|,|，|\.\.)\s*[Qq第]?([1-4])(?:季度)?)?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_LANGS = {"zh": "zh", "zh-cn": "zh", "cn": "zh", "中文": "zh", "en": "en", "english": "en"}
_MAX_SHOWN = 40  # characters of a bad value echoed back in the sentence


@dataclass(frozen=True)
class LinkView:
    """What a link asks for, read leniently; None/() where it asks nothing (or nothing understood)."""

    year: int | None = None
    quarters: tuple[int, int] | None = None
    counties: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    lang: str | None = None
    problems: tuple[str, ...] = ()  # the parameters that were not understood, as `key=value`


def _values(params: Mapping[str, str | Sequence[str]], key: str) -> list[str]:
    """A parameter's values; counties and chains may also be comma-separated in one value."""
    raw = params.get(key)
    if raw is None:
        return []
    items = [str(v).strip() for v in ([raw] if isinstance(raw, str) else raw)]
    if key in DIMENSIONS:
        items = [part.strip() for v in items for part in re.split(r"[,，;；|]", v)]
    return [v for v in items if v]


def parse_lang(values: Sequence[str]) -> str | None:
    """'en' / 'English' → en, 'zh' / '中文' → zh; None when absent or not understood."""
    return _LANGS.get(values[-1].strip().lower()) if values else None


def parse_quarters(values: Sequence[str]) -> tuple[int, int] | None:
    """'1-3', 'Q1-Q3', 'Q2' or the pair ['Q1', 'Q3'] → (1, 3); None when not understood."""
    if not values:
        return None
    text = values[0] if len(values) == 1 else f"{values[0]}-{values[-1]}" if len(values) == 2 else ""
    m = _QUARTERS.match(text.strip().replace(" ", ""))
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    return (min(a, b), max(a, b))


def parse_link(params: Mapping[str, str | Sequence[str]], years: Sequence[int] = ()) -> LinkView:
    """Read a link's parameters the lenient way people write them: `year=2025` or `2025年`; `quarter=1-3`,
    `Q1-Q3` or `quarter=Q1&quarter=Q3`; counties and chains by code, name or alias (repeated or comma
    separated); `lang=en|zh` (or English/中文). A year without data (when `years` is given) or anything not
    understood is left out and named in `problems`, so the page can fall back to the default and say so."""
    problems: list[str] = []

    def bad(key: str, value: str) -> None:
        problems.append(f"{key}={value[:_MAX_SHOWN]}")

    year = None
    if raw := _values(params, "year"):
        m = _YEAR.match(raw[-1])
        if m and (not years or int(m.group(1)) in set(years)):
            year = int(m.group(1))
        else:
            bad("year", raw[-1])
    quarters = None
    if raw := _values(params, "quarter"):
        quarters = parse_quarters(raw)
        if quarters is None:
            bad("quarter", "-".join(raw))
    picked: dict[str, tuple[str, ...]] = {}
    for dim in DIMENSIONS:
        codes: list[str] = []
        for value in _values(params, dim):
            code = reference.code_of(dim, value)
            if code is None:
                bad(dim, value)
            elif code not in codes:
                codes.append(code)
        picked[dim] = tuple(codes)
    language = None
    if raw := _values(params, "lang"):
        language = parse_lang(raw)
        if language is None:
            bad("lang", raw[-1])
    return LinkView(year, quarters, picked["county"], picked["chain"], language, tuple(problems))


def link_params(
    f: Filters,
    language: str = "zh",
    *,
    default_year: int | None = None,
    default_quarters: tuple[int, int] | None = None,
) -> list[tuple[str, str]]:
    """The one URL format, for the address bar and the shared link alike: `year=2025&quarter=1-3&county=xintai
    &chain=C10&lang=en` (codes, not names). Year and quarters are left out when they equal the given defaults
    (the address bar of a default view stays clean); the shared link gives none, so it states them."""
    params: list[tuple[str, str]] = []
    if f.year != default_year:
        params.append(("year", str(f.year)))
    quarters = (f.quarter_from, f.quarter_to)
    if quarters != default_quarters:
        params.append(("quarter", f"{quarters[0]}-{quarters[1]}" if quarters[0] != quarters[1] else str(quarters[0])))
    params += [("county", c) for c in f.counties]
    params += [("chain", c) for c in f.chains]
    if language == "en":
        params.append(("lang", "en"))
    return params


def share_query(f: Filters, language: str = "zh") -> str:
    """The query string that reopens exactly this view, whatever the data holds by then (year and quarters
    always stated; Chinese left implicit)."""
    return urlencode(link_params(f, language))


def problem_sentence(problems: Sequence[str], language: str = "zh") -> str:
    """One sentence naming the link parameters that were not understood (Markdown-escaped: they come from a URL)."""
    sep = "、" if language == "zh" else ", "
    shown = sep.join(_escape(p) for p in problems)
    return t("link_problem", language, items=shown)


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~$:])", r"\\\1", text)


def scope_text(f: Filters, language: str = "zh", *, drop: Sequence[str] = ()) -> str:
    """'2026年第一至三季度 · 新泰市 · 全部产业链' — the filters in force, in words."""
    return recipes.scope_text(f, language, drop=drop)


# ---- Streamlit side -------------------------------------------------------------------------------------


def _note_problems(problems: Sequence[str]) -> None:
    """Remember link parameters that were not understood; the page header says so once (layout.header)."""
    if problems:
        st.session_state["_link_problems"] = [*st.session_state.get("_link_problems", []), *problems]


def link_problems() -> str | None:
    """The sentence about the link's unreadable parameters (None when there were none); shown until the page
    opened by the link has been drawn in full (layout.run_page then calls forget_link_problems)."""
    problems = st.session_state.get("_link_problems")
    return problem_sentence(problems, lang()) if problems else None


def forget_link_problems() -> None:
    st.session_state.pop("_link_problems", None)


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in URL_KEYS if key in st.query_params}


def default_quarters(year: int, periods: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Quarter 1 to the year's last quarter with data (all four when it has none)."""
    return (1, max((int(q) for y, q in periods if int(y) == int(year)), default=4))


def _seed_from_link(years: Sequence[int], periods: Sequence[tuple[int, int]]) -> None:
    """Once per session, before the widgets are drawn: put what the link asks for into the widgets' state (the
    link is read by parse_link; what it does not say, or says wrongly, takes the default)."""
    if "_link_read" in st.session_state:
        if st.session_state.get("year") not in years:  # a republished warehouse may no longer hold that year
            st.session_state["year"] = years[0]
        return
    st.session_state["_link_read"] = True
    link = parse_link(_url_params(), years)
    _note_problems([p for p in link.problems if not p.startswith("lang=")])  # lang() has read its own
    year = link.year or years[0]
    st.session_state["year"] = year
    st.session_state["quarter"] = link.quarters or default_quarters(year, periods)
    st.session_state["county"] = list(link.counties)
    st.session_state["chain"] = list(link.chains)


def _sync_url(f: Filters, language: str, periods: Sequence[tuple[int, int]], years: Sequence[int]) -> None:
    """Write the view into the address bar in the one link format (defaults left out); other parameters kept."""
    wanted: dict[str, list[str]] = {}
    for key, value in link_params(
        f, language, default_year=years[0], default_quarters=default_quarters(f.year, periods)
    ):
        wanted.setdefault(key, []).append(value)
    if _url_params() == wanted:
        return
    for key in URL_KEYS:
        if key in wanted:
            st.query_params[key] = wanted[key] if len(wanted[key]) > 1 else wanted[key][0]
        elif key in st.query_params:
            del st.query_params[key]


def _widget(name: str, language: str, value: object) -> str:
    """The key of the sidebar widget that shows `name` in `language`, holding the view's value before it is drawn.

    The view (year, quarter, county, chain) lives in session state under its own name; each language draws its
    own widgets (`year_zh`, `year_en` …). Streamlit remembers a widget's value by its option labels, so a widget
    kept across a language switch would lose 新泰市 once its label became "Xintai City"; a click on a chart, the
    clear buttons and a link change the view, and the widget follows here."""
    generation = st.session_state.get(WIDGET_GENERATION, 0)
    key = f"{name}_{language}" + (f"_{generation}" if generation else "")
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value
    return key


SETTLING = "_settling"  # set by ui.layout between a fresh page's first run and the run that draws its lower half
# Bumped by ui.layout when that run starts: the sidebar's widgets are drawn anew from the view (new keys), so what
# the browser's timer rerun carried for the first ones (possibly not yet drawn, empty) is never shown.
WIDGET_GENERATION = "_widget_generation"


def _keep(name: str, key: str) -> None:
    """on_change: the widget's new value becomes the view's. Not while a freshly opened page settles: the browser's
    timer rerun can carry the sidebar's widgets before it has drawn them (empty), which must not clear the view a
    link asked for."""
    if st.session_state.get(SETTLING):
        return
    st.session_state[name] = st.session_state[key]


def sidebar(periods: Sequence[tuple[int, int]]) -> Filters | None:
    """Draw the shared filters in the sidebar and return them (None when there is no quarter with data).

    The link's parameters seed the view once per session, then the view is written back into the address bar
    (by hand, not `bind`: bound widgets accept only their option labels, `2026年`, not `2026`). The quarter
    range defaults to the quarters of the latest year that have data, and is kept when the year changes, so the
    current year compares like with like against the same span of the previous year."""
    years = sorted({int(y) for y, _ in periods}, reverse=True)
    language = lang()
    with st.sidebar:
        st.segmented_control(
            t("language", language),
            list(LANG_LABELS),
            format_func=LANG_LABELS.get,
            key="lang",
            required=True,
            persist_state="session",
            label_visibility="collapsed",
        )
        st.subheader(tr("filters"), anchor=False)
        if not years:
            st.info(tr("no_periods"))
            return None
        _seed_from_link(years, periods)
        key = _widget("year", language, st.session_state["year"])
        st.selectbox(
            tr("year"),
            list(years),
            format_func=lambda y: f"{y}年" if language == "zh" else str(y),
            key=key,
            on_change=_keep,
            args=("year", key),
        )
        key = _widget("quarter", language, tuple(st.session_state["quarter"]))
        st.select_slider(
            tr("quarter"),
            options=[1, 2, 3, 4],
            value=tuple(st.session_state["quarter"]),  # a pair: a range slider
            format_func=lambda q: f"Q{q}",
            key=key,
            on_change=_keep,
            args=("quarter", key),
        )
        f = current()
        st.caption(fmt.quarter_range(f.year, f.quarter_from, f.quarter_to, language))
        for dim in DIMENSIONS:
            options = auth.within_scope(dim, names(dim), st.session_state[dim])
            key = _widget(dim, language, list(st.session_state[dim]))
            st.multiselect(
                tr(dim),
                list(options),
                format_func=lambda c, o=options: o.get(c, c),
                key=key,
                on_change=_keep,
                args=(dim, key),
                placeholder=tr(f"placeholder_{dim}"),
                select_all=False,  # empty already means all; Enter should pick one match, not every fuzzy match
            )
        _sync_url(f, language, periods, years)
        if f.counties or f.chains:
            st.button(tr("clear_filters"), on_click=clear_dimensions, icon=":material/filter_alt_off:")
        return f


def current(year: int | None = None, quarters: tuple[int, int] | None = None) -> Filters:
    """The filters in force: the view in session state (what the sidebar shows)."""
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


def share_url(page_url: str | None, f: Filters, language: str = "zh") -> str:
    """The address of this page (st.context.url: scheme, host, any base path and the page path) with the query
    string that reopens exactly this view."""
    base = (page_url or "").split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return f"{base}/?{share_query(f, language)}" if base.count("/") <= 2 else f"{base}?{share_query(f, language)}"


def share_box(f: Filters) -> None:
    """A copyable address of the current view: a link, and a text box to select and copy from.

    (Not st.code: its copy button costs every page load a 1.5 MB syntax-highlighter bundle.)"""
    url = share_url(st.context.url, f, lang())
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
        st.session_state["_clicked_chart"] = chart_key


def clicked_here(chart_key: str) -> bool:
    """Whether the filters in force were set by a click on this chart (its clear control shows beside it)."""
    clicked = st.session_state.get("_clicked")
    if not clicked or st.session_state.get("_clicked_chart") != chart_key:
        return False
    return all(list(st.session_state.get(dim, [])) == codes for dim, codes in clicked.items())
