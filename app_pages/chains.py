"""产业链画像: one chain across the five projects, its counties, its firms' coverage, against the city."""

import streamlit as st

import ui

RATES = ("P5_UNION_RATE", "P5_MEMBER_RATE", "P5_MIGRANT_RATE", "P5_LEGAL_COVERAGE")

view = ui.header(ui.tr("page_chains"))
chain = ui.pick(view, "chain", key="profile_chain")
if chain is None:
    ui.empty_note(view.scope())
    st.stop()
chain_view = ui.focus(view, "chain", chain)
name = view.name(chain, "chain")

st.subheader(ui.tr("chain_profile", chain=name), anchor=False)
ui.cards(chain_view, tuple(ui.headline_rows(ui.catalogue())["code"]), key="chain")
ui.later(lambda: ui.profile_table(view, "chain", chain, key="chain"), height=600)  # a moment after the first paint

st.subheader(ui.tr("chain_counties", chain=name), anchor=False)
by_chain = tuple(c for c in ui.catalogue()["code"] if "chain" in ui.indicator(c).dims)
code = ui.indicator_picker(view, by_chain, key="chain_county", default="P5_MEMBER_RATE")
ui.ranking(chain_view, code, "county", key="chain")


def coverage_and_city() -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(ui.tr("firm_coverage"), anchor=False)
        ui.firm_coverage(view, chain, key="chain")
    with right:
        st.subheader(ui.tr("chain_vs_city"), anchor=False)
        ui.compare_rates(view, "chain", chain, RATES, key="chain")


ui.later(coverage_and_city)
