"""报送审核与发布 (admins): the status matrix of a quarter, reminders for who is late, each submission with its
warnings and explanations to accept or return with a reason, and 发布 (a background build of the accepted files)."""

import streamlit as st

from ui import cycle

st.title("报送审核与发布", anchor=False)
who = cycle.actor()
if who is None or not who.admin:
    st.info("只有管理员可以审核和发布报送数据。", icon=":material/block:")
    st.stop()
cycle.flash()

left, right = st.columns([2, 3])
with left:
    quarter = cycle.quarter_picker("review_quarter", label="报送季度")
with cycle.ledger() as con:
    matrix = cycle.submissions.matrix(con, quarter)
with right:
    cycle.deadline_editor(who, quarter, matrix)

cycle.counts(matrix)
cycle.matrix_tables(matrix)
cycle.reminders(matrix)

st.subheader("审核", anchor=False)
cycle.review_queue(who, matrix)

st.subheader("发布", anchor=False)
cycle.publish_panel(who)
