"""Page scaffolding: the view in force (filters, language, data info), the page header and the error guard."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from data_pipeline import metrics, warehouse
from data_pipeline.config import paths
from data_pipeline.metrics import Filters
from reporting import spec as recipes
from reporting.i18n import t
from ui import data
from ui.components import status_badges
from ui.filters import (
    SETTLING,
    WIDGET_GENERATION,
    clear_dimensions,
    current,
    forget_link_problems,
    lang,
    link_problems,
    names,
    scope_text,
    sidebar,
    tr,
)

log = logging.getLogger(__name__)

BUILD_COMMAND = "python -m data_pipeline demo --out data/raw\npython -m data_pipeline build --raw data/raw --db data/warehouse.duckdb"


@dataclass(frozen=True)
class View:
    """What a page is asked to show: the filters, the language and the warehouse's facts."""

    filters: Filters
    lang: str
    info: dict

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def without(self, *dims: str) -> Filters:
        """The filters minus county and/or chain (rankings across a dimension show all of it)."""
        f = self.filters
        return replace(
            f,
            counties=() if "county" in dims else f.counties,
            chains=() if "chain" in dims else f.chains,
        )

    def scope(self, drop: Sequence[str] = ()) -> str:
        return scope_text(self.filters, self.lang, drop=drop)

    @property
    def ctx(self) -> recipes.Context:
        """What the chart recipes need: the cached way to ask, the filters, the language, the data date."""
        return recipes.Context(data.ask, self.filters, self.lang, self.info.get("data_through"))

    def name(self, code: str, dim: str) -> str:
        return names(dim, self.lang).get(code, code)


def sidebar_filters() -> Filters | None:
    """Shared sidebar (called by dashboard.py before the page runs); None when there is no warehouse/data."""
    if not data.available():
        return None
    try:
        periods = data.ask(metrics.periods)
    except Exception:
        log.exception("could not read periods")
        return None
    return sidebar(list(periods[["year", "quarter"]].itertuples(index=False, name=None)))


def no_warehouse() -> None:
    st.title(tr("app_short"), anchor=False)
    st.error(tr("no_warehouse", path=paths().db), icon=":material/database:")
    st.code(BUILD_COMMAND, language="bash")


def header(title: str, *, caption: str | None = None) -> View:
    """Title, status badges and the chart-click notice; stops the page (with a sentence) when there is no data."""
    if not data.available():
        no_warehouse()
        st.stop()
    if (broken := warehouse.problem(paths().db)) is not None:  # damaged, not DuckDB, an older schema: say which
        st.error(broken, icon=":material/database:")
        st.stop()
    if "year" not in st.session_state:
        st.title(title, anchor=False)
        st.info(tr("no_periods"))
        st.stop()
    info = data.ask(metrics.info)
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)
    status_badges(info)
    if problem := link_problems():
        st.warning(problem, icon=":material/link_off:")
    view = View(filters=current(), lang=lang(), info=info)
    if metrics.outside_scope(view.filters):
        st.warning(tr("outside_scope"), icon=":material/lock:")
    clicked = st.session_state.get("_clicked")
    if clicked and (view.filters.counties or view.filters.chains):
        what = "、".join(view.name(c, d) for d, codes in clicked.items() for c in codes)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(tr("selected", what=what))
            st.button(
                tr("clear_selection", what=what),
                on_click=clear_dimensions,
                icon=":material/close:",
                type="tertiary",
                key="clear_click",
            )
    return view


def run_page(page: st.navigation) -> None:  # type: ignore[valid-type]
    """Run the selected page; any exception becomes a Chinese sentence on screen and a log entry."""
    st.session_state[_LATER] = 0
    try:
        page.run()
    except Exception:
        log.exception("page %s failed", getattr(page, "url_path", "?"))
        st.error(tr("page_error"), icon=":material/error:")
    except BaseException:  # st.stop() / st.rerun(): nothing was left for later, the page is as drawn as it gets
        if not st.session_state.get(_LATER):
            st.session_state[_PAINTED] = True
            st.session_state[SETTLING] = False
        raise
    if st.session_state.get(_LATER):
        st.session_state[SETTLING] = True
        st.session_state[_INLINE] = True  # the fragment's own call in this run: only arms its timer
        _paint_later()
        st.session_state[_INLINE] = False
    else:
        st.session_state[_PAINTED] = True
        st.session_state[SETTLING] = False
        forget_link_problems()  # said once, on the page the link opened


# ---------------------------------------------------------------- the first paint of a freshly opened page

# A freshly opened page (a new tab, a reload, a shared link) pays for loading the browser's Plotly bundle and
# for drawing every chart in one go before the first shows. On the first run of a browser session the parts
# below the fold are drawn one run later: the first run ends with a fragment whose timer (LATER_S, started when
# the browser gets the run) marks the session painted and reruns the page, which then draws everything in
# place; the browser drops the timer at that new run. Moving between pages, changing a filter and any run
# without a browser (AppTest, exports) draw everything at once.
LATER_S = 1.2
_LATER, _PAINTED, _INLINE = "_later_parts", "_painted", "_later_inline"


def _deferring() -> bool:
    if st.session_state.get(_PAINTED):
        return False
    try:
        return bool(st.context.headers.get("User-Agent"))
    except Exception:  # no browser behind this run
        return False


def later(draw: Callable[[], None], *, height: int = 420) -> None:
    """Draw `draw()` here, or on a freshly opened page, a moment after its first paint (a blank of `height`
    pixels holds its place, so nothing above moves)."""
    if not _deferring():
        draw()
        return
    st.session_state[_LATER] = st.session_state.get(_LATER, 0) + 1
    st.container(height=height, border=False, key=f"later_{st.session_state[_LATER]}")  # .st-key-later_N


@st.fragment(run_every=LATER_S)
def _paint_later() -> None:
    if st.session_state.get(_INLINE) or st.session_state.get(_PAINTED):
        return
    st.session_state[_PAINTED] = True  # the timer fired: the whole page, drawn in place
    st.session_state[WIDGET_GENERATION] = st.session_state.get(WIDGET_GENERATION, 0) + 1
    st.rerun()


def project_rows(catalogue: pd.DataFrame, project: int) -> pd.DataFrame:
    """The project's indicators, headline ones first, then catalogue order."""
    rows = catalogue.loc[catalogue["project"] == project].copy()
    rows["_order"] = rows["headline"].fillna(99)
    return rows.sort_values("_order", kind="stable").drop(columns="_order")


def headline_rows(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Headline indicators of all five projects, by project then headline rank."""
    rows = catalogue.dropna(subset=["headline"])
    return rows.sort_values(["project", "headline"], kind="stable")


Renderer = Callable[[View], None]
