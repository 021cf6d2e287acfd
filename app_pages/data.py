"""数据说明: freshness, what was loaded when, quarantined rows and why, the indicator catalogue."""

import streamlit as st

import ui
from ui import cycle

view = ui.header(ui.tr("page_data"))

st.subheader(ui.tr("freshness"), anchor=False)
ui.freshness(view)

st.subheader(ui.tr("completeness_heading"), anchor=False)
cycle.completeness_table(view)

st.subheader(ui.tr("manifest_heading"), anchor=False)
ui.manifest_table(view)

st.subheader(ui.tr("quarantine_heading"), anchor=False)
ui.quarantine_table(view)

st.subheader(ui.tr("catalogue_heading"), anchor=False)
ui.dictionary_table(view)
