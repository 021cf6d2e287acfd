"""职工思想政治引领工程: every indicator of project 1, plus honours by level and spirit bases by level."""

import streamlit as st

import ui


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("breakdowns"), anchor=False)
    left, right = st.columns(2)
    with left:
        ui.breakdown(view, "P1_CRAFTSMEN", "level", key="ideology")
    with right:
        ui.breakdown(view, "P1_SPIRIT_BASES", "level", key="ideology")


ui.project_page("ideology", extras)
