"""强化工会效能提升服务能力工程: project 5, union/membership rates by chain and county, aid and sites."""

import streamlit as st

import ui

RATES = ("P5_UNION_RATE", "P5_MEMBER_RATE", "P5_MIGRANT_RATE")


def extras(view: ui.View) -> None:
    st.subheader(ui.tr("rates_heading"), anchor=False)
    ui.rates_by(view, RATES, "chain", key="service", title=ui.tr("rates_heading") + " · " + ui.tr("chain"))
    ui.rates_by(view, RATES, "county", key="service", title=ui.tr("rates_heading") + " · " + ui.tr("county"))
    st.subheader(ui.tr("aid_heading"), anchor=False)
    left, right = st.columns(2)
    with left:
        ui.breakdown(view, "P5_AID_FUNDS", "category", key="service")
    with right:
        ui.breakdown(view, "P5_MOTHER_ROOMS", "kind", key="service", title=ui.tr("sites_by_kind"))


ui.project_page("service", extras)
