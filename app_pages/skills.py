"""职工素质提升工程: every indicator of project 2, plus contests by level and training by programme."""

import streamlit as st

import ui


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("breakdowns"), anchor=False)
    left, right = st.columns(2)
    with left:
        ui.breakdown(view, "P2_SKILL_CONTESTS", "level", key="skills")
    with right:
        ui.breakdown(view, "P2_ACADEMY_TRAINEES", "programme", key="skills", title=ui.tr("training_by_programme"))


ui.project_page("skills", extras)
