"""The download menu under every chart: PNG/SVG rendered on the server, and the data as a staffer pastes it."""

from __future__ import annotations

from functools import partial

import plotly.graph_objects as go
import streamlit as st

from reporting import export, theme
from reporting.spec import ChartSpec
from ui import auth
from ui.filters import tr

# A slide-sized picture: laid out at 1024 × 576 and scaled to 3200 × 1800 pixels, so the chart's 12–16 px text
# lands at 11–15 pt on a 13.3-inch slide (laid out at 1600 px it would shrink to 7–10 pt).
IMAGE_LAYOUT = {"width": 1024, "height": 576, "scale": 3.125}


def _image(spec: ChartSpec, fmt: str) -> bytes:
    # Runs on click, in a worker thread: everything it needs is bound in by functools.partial. The light copy
    # is made here, not on every page run: files are always light, whatever the viewer's theme.
    return export.figure_image(theme.apply(go.Figure(spec.figure("light")), "light"), fmt, **IMAGE_LAYOUT)


def _table(spec: ChartSpec, kind: str) -> bytes:
    table, lines = spec.table(), spec.header_lines
    return export.frame_csv(table, lines) if kind == "csv" else export.frame_xlsx(table, lines, sheet=tr("sheet_data"))


def download_menu(spec: ChartSpec) -> None:
    """A 下载 popover: PNG (16:9, sized for a slide) and SVG via kaleido, CSV (UTF-8 with BOM) and XLSX of the
    chart's table (headers in the user's language with units, values rounded as on screen, filters and data date
    on top).

    Files are made only when a button is clicked (callables, on_click="ignore": no rerun). Without a browser on
    the server the image buttons are disabled and a sentence says how to install one; data downloads still work.
    """
    if not auth.allowed("export"):  # the role's permission (data an admin can change)
        return
    base = f"dl_{spec.key}"
    stem = export.safe_filename(spec.title)
    has_browser = export.chrome_path() is not None
    with st.popover(tr("download"), icon=":material/download:", type="tertiary", key=f"{base}_menu"):
        for fmt, label, icon in (
            ("png", tr("download_png"), ":material/image:"),
            ("svg", tr("download_svg"), ":material/draw:"),
        ):
            st.download_button(
                label,
                data=auth.logged(partial(_image, spec, fmt), file=f"{stem}.{fmt}") if has_browser else b"",
                file_name=f"{stem}.{fmt}",
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                icon=icon,
                disabled=not has_browser,
                help=None if has_browser else tr("no_chrome"),
                key=f"{base}_{fmt}",
            )
        if not has_browser:
            st.caption(tr("no_chrome"))
        for fmt, label, icon in (
            ("csv", tr("download_csv"), ":material/table_view:"),
            ("xlsx", tr("download_xlsx"), ":material/grid_on:"),
        ):
            st.download_button(
                label,
                data=auth.logged(partial(_table, spec, fmt), file=f"{stem}.{fmt}"),
                file_name=f"{stem}.{fmt}",
                mime=export.MIME_TYPES[fmt],
                on_click="ignore",
                icon=icon,
                key=f"{base}_{fmt}",
            )
