"""总览: headline indicators of the five projects, who lags, 入会率 by chain × county, targets, trends."""

import streamlit as st

import ui

view = ui.header(ui.tr("app_short"), caption=ui.tr("overview_caption"))
headline = ui.headline_rows(ui.catalogue())
codes = tuple(headline["code"])

kpis = ui.cards(view, codes, key="overview", by_project=True)

with st.container(border=True):
    st.markdown(f"**{ui.tr('lagging_heading')}**")
    ui.lagging_notes(view, kpis, headline)

st.subheader(ui.tr("heatmap_heading"), anchor=False)
st.caption(ui.tr("click_hint"))
ui.heatmap(view, "P5_MEMBER_RATE", key="overview")

left, right = st.columns(2)
with left:
    st.subheader(ui.tr("progress_heading"), anchor=False)
    ui.progress_chart(view, kpis, headline, key="overview")
with right:
    st.subheader(ui.tr("trend_heading"), anchor=False)
    picked = ui.indicator_picker(view, codes, key="overview_trend", default="P5_MEMBER_RATE")
    ui.trend(view, [picked], key="overview")
