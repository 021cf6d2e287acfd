"""强化工会效能提升服务能力工程: project 5, and union/membership rates side by side by chain and county."""

import streamlit as st

import ui

RATES = ("P5_UNION_RATE", "P5_MEMBER_RATE", "P5_MIGRANT_RATE")


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("rates_heading"), anchor=False)
    ui.rates_by(view, RATES, "chain", key="service", title=ui.tr("rates_heading") + " · " + ui.tr("chain"))
    ui.rates_by(view, RATES, "county", key="service", title=ui.tr("rates_heading") + " · " + ui.tr("county"))


ui.project_page("service", extras)
