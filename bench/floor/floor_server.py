"""The floor page served the way the dashboard is (an st.App, `streamlit run bench/floor/floor_server.py`)."""

import streamlit as st

app = st.App("floor_page.py")
