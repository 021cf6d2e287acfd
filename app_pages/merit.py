"""职工立足岗位建功立业工程: every indicator of project 3, plus contests by level and by kind."""

import streamlit as st

import ui


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("breakdowns"), anchor=False)
    left, right = st.columns(2)
    with left:
        ui.breakdown(view, "P3_LABOUR_CONTESTS", "level", key="merit")
    with right:
        ui.breakdown(view, "P3_LABOUR_REACH", "kind", key="merit", title=ui.tr("contests_by_kind"))


ui.project_page("merit", extras)
