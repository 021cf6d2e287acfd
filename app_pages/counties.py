"""县市区对比: counties side by side on any indicator, ranked, on a map-like grid, and one county's profile."""

import streamlit as st

import ui

view = ui.header(ui.tr("page_counties"))
code = ui.indicator_picker(view, tuple(ui.catalogue()["code"]), key="counties", default="P5_MEMBER_RATE")

left, right = st.columns(2)
with left:
    st.subheader(ui.tr("county_ranking"), anchor=False)
    ui.ranking(view, code, "county", key="counties")


def grid() -> None:
    st.subheader(ui.tr("county_grid"), anchor=False)
    ui.county_grid(view, code, key="counties")


def profile() -> None:
    st.subheader(ui.tr("county_profile"), anchor=False)
    county = ui.pick(view, "county", key="profile_county")
    if county is not None:
        ui.cards(ui.focus(view, "county", county), tuple(ui.headline_rows(ui.catalogue())["code"]), key="county")
        ui.profile_table(view, "county", county, key="county")


with right:
    ui.later(grid)  # on a freshly opened page: a moment after the first paint
ui.later(profile)
