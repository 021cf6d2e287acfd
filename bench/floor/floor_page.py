"""The framework's floor: a bare Streamlit page with one Plotly bar chart (same Streamlit and Plotly as the app).

bench_browser.py loads it beside the dashboard's pages in one run; what a page takes above it is ours."""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor", anchor=False)
fig = go.Figure(go.Bar(x=["a", "b", "c", "d", "e"], y=[3, 1, 4, 1, 5]))
st.plotly_chart(fig)
