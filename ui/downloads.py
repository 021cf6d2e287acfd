"""The download menu under every chart: PNG/SVG rendered on the server, and the data exactly as drawn."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from reporting import export, theme
from ui import auth


def _key(name: str, key: str | None) -> str:
    return key or "dl_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def _image(fig: go.Figure, fmt: str) -> bytes:
    # Runs on click, in a worker thread: everything it needs is bound in by functools.partial. The light copy
    # is made here, not on every page run: files are always light, whatever the viewer's theme.
    return export.figure_image(theme.apply(go.Figure(fig), "light"), fmt)


def download_menu(
    fig: go.Figure,
    frame: pd.DataFrame,
    *,
    name: str,
    header_lines: Sequence[str] = (),
    key: str | None = None,
) -> None:
    """A 下载 popover: PNG (16:9, high resolution) and SVG via kaleido, CSV (UTF-8 with BOM) and XLSX of `frame`.

    Files are made only when a button is clicked (callables, on_click="ignore": no rerun). Without a browser on
    the server the image buttons are disabled and a sentence says how to install one; data downloads still work.
    """
    if not auth.allowed("export"):  # the role's permission (data an admin can change)
        return
    base = _key(name, key)
    stem = export.safe_filename(name)
    lines = tuple(header_lines)
    has_browser = export.chrome_path() is not None
    with st.popover("下载", icon=":material/download:", type="tertiary", key=f"{base}_menu"):
        for fmt, label, icon in (
            ("png", "图片 PNG（高清，16:9）", ":material/image:"),
            ("svg", "矢量图 SVG", ":material/draw:"),
        ):
            st.download_button(
                label,
                data=auth.logged(partial(_image, fig, fmt), file=f"{stem}.{fmt}") if has_browser else b"",
                file_name=f"{stem}.{fmt}",
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                icon=icon,
                disabled=not has_browser,
                help=None if has_browser else export.NO_CHROME_ZH,
                key=f"{base}_{fmt}",
            )
        if not has_browser:
            st.caption(export.NO_CHROME_ZH)
        st.download_button(
            "数据 CSV（Excel 可直接打开）",
            data=auth.logged(partial(export.frame_csv, frame.copy(), lines), file=f"{stem}.csv"),
            file_name=f"{stem}.csv",
            mime=export.MIME_TYPES["csv"],
            on_click="ignore",
            icon=":material/table_view:",
            key=f"{base}_csv",
        )
        st.download_button(
            "数据 XLSX",
            data=auth.logged(partial(export.frame_xlsx, frame.copy(), lines), file=f"{stem}.xlsx"),
            file_name=f"{stem}.xlsx",
            mime=export.MIME_TYPES["xlsx"],
            on_click="ignore",
            icon=":material/grid_on:",
            key=f"{base}_xlsx",
        )
