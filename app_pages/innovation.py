"""搭建平台推动企业创新创效工程: project 4, the policy's 全员创新企业 target per county, studios and results."""

import streamlit as st

import ui


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("policy_target_heading"), anchor=False)
    ui.innovation_targets(view, key="innovation")
    st.subheader(ui.tr("breakdowns"), anchor=False)
    left, right = st.columns(2)
    with left:
        ui.breakdown(view, "P4_STUDIOS", "level", key="innovation")
    with right:
        ui.breakdown(view, "P4_STUDIOS", "stars", key="innovation")
    ui.breakdown(view, "P4_RESULTS", "category", key="innovation")


ui.project_page("innovation", extras)
