"""搭建平台推动企业创新创效工程: project 4, and the policy's 全员创新企业 target per county."""

import streamlit as st

import ui


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("policy_target_heading"), anchor=False)
    ui.innovation_targets(view, key="innovation")


ui.project_page("innovation", extras)
