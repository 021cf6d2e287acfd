"""总览: where the city stands against what was due by now, who is furthest behind, then the headline numbers."""

import streamlit as st

import ui
from data_pipeline import metrics
from ui import cycle

view = ui.header(ui.tr("app_short"), caption=ui.tr("overview_caption"))
cycle.completeness_note(view)  # units received / expected in the last quarter shown: a missing unit is not a zero
headline = ui.headline_rows(ui.catalogue())
codes = tuple(headline["code"])

with st.container(border=True):
    st.markdown(f"**{ui.tr('lagging_heading')}**")
    kpis = ui.ask(metrics.kpis, view.filters, codes)
    ui.attention(view, kpis, codes)

ui.cards(view, codes, key="overview", by_project=True)

left, right = st.columns(2)
with left:
    st.subheader(ui.tr("progress_heading"), anchor=False)
    ui.progress_chart(view, codes, key="overview")


def trend() -> None:
    st.subheader(ui.tr("trend_heading"), anchor=False)
    picked = ui.indicator_picker(view, codes, key="overview_trend", default="P5_MEMBER_RATE")
    ui.trend(view, [picked], key="overview")


def heatmap() -> None:
    st.subheader(ui.tr("heatmap_heading"), anchor=False)
    ui.heatmap(view, "P5_MEMBER_RATE", key="overview")


with right:
    ui.later(trend)  # on a freshly opened page: a moment after the first paint
ui.later(heatmap)
