"""数据报送: a county or chain union (or an admin for any unit) downloads its template, uploads files, sees
errors by row and column and warnings within seconds, explains the warnings, submits; or sends a nil return."""

import streamlit as st

from ui import cycle
from ui.filters import tr

st.title(tr("page_submit"), anchor=False)
cycle.flash()
who = cycle.actor()
if who is None or not (who.can_submit or who.admin):
    st.info(tr("submit_only"), icon=":material/block:")
    st.stop()

if who.admin:
    left, right, _ = st.columns([2, 2, 3])
    with left:
        unit = cycle.unit_picker(who, key="submit_unit")
    with right:
        quarter = cycle.quarter_picker("submit_quarter")
else:
    unit = cycle.unit_picker(who, key="submit_unit")  # the account's own unit
    left, _ = st.columns([2, 5])
    with left:
        quarter = cycle.quarter_picker("submit_quarter")
if unit is None:
    st.stop()

st.subheader(tr("submit_owed", unit=cycle.union_label(unit), quarter=cycle.quarter_label(quarter)), anchor=False)
cycle.unit_status(who, unit, quarter)

st.subheader(tr("submit_template_heading"), anchor=False)
st.caption(tr("submit_template_caption"))
dataset_code = cycle.template_and_nil(who, unit, quarter)
cycle.uploads(who, unit, quarter, dataset_code)

st.subheader(tr("submit_history_heading"), anchor=False)
cycle.history_table(unit)
