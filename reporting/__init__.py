"""Figures, strings and number formats shared by the screen and the exported files (no Streamlit here)."""
