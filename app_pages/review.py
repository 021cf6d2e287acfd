"""报送审核与发布 (admins): the status matrix of a quarter, reminders for who is late, each submission with its
warnings and explanations to accept or return with a reason, and 发布 (a background build of the accepted files)."""

import streamlit as st

from ui import cycle
from ui.filters import tr

st.title(tr("page_review"), anchor=False)
who = cycle.actor()
if who is None or not who.admin:
    st.info(tr("review_only"), icon=":material/block:")
    st.stop()
cycle.flash()

left, right = st.columns([2, 3])
with left:
    quarter = cycle.quarter_picker("review_quarter", label=tr("review_quarter"))
with cycle.ledger() as con:
    matrix = cycle.submissions.matrix(con, quarter)
with right:
    cycle.deadline_editor(who, quarter, matrix)

cycle.counts(matrix)
cycle.matrix_tables(matrix)
cycle.reminders(matrix)

st.subheader(tr("review_heading"), anchor=False)
cycle.review_queue(who, matrix)

st.subheader(tr("publish_heading"), anchor=False)
cycle.publish_panel(who)
