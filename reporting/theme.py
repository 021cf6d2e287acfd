"""The one Plotly template (CJK font stack, palette, sizes) shared by the screen and exported files."""

from __future__ import annotations

from functools import cache

import plotly.graph_objects as go

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# Union blue first; the five projects keep these colours on every chart.
PALETTE = ("#1f5aa6", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#66a182", "#8d6e63", "#30638e")
PROJECT_COLOURS = {1: "#d1495b", 2: "#1f5aa6", 3: "#edae49", 4: "#00798c", 5: "#6a4c93"}
GOOD = "#2e7d32"
BAD = "#c62828"
TARGET = "#e07a00"
SEQUENTIAL = ((0.0, "#eef4fb"), (0.35, "#a9c6e8"), (0.7, "#4a86c5"), (1.0, "#123d73"))

_INK = {"light": "#1f2937", "dark": "#e5e7eb"}
_GRID = {"light": "#e5e7eb", "dark": "#374151"}
_MUTED = {"light": "#6b7280", "dark": "#9ca3af"}


def muted(mode: str = "light") -> str:
    """The grey used for notes and reference lines."""
    return _MUTED.get(mode, _MUTED["light"])


@cache
def template(mode: str = "light") -> go.layout.Template:
    """The template for 'light' or 'dark' backgrounds; transparent so it sits on either page colour."""
    ink, grid = _INK.get(mode, _INK["light"]), _GRID.get(mode, _GRID["light"])
    axis = {
        "gridcolor": grid,
        "linecolor": grid,
        "zerolinecolor": grid,
        "tickfont": {"size": 12, "color": ink},
        "title": {"font": {"size": 12, "color": ink}},
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT_STACK, "size": 13, "color": ink},
            "title": {
                "font": {"family": FONT_STACK, "size": 16, "color": ink},
                "x": 0,
                "xanchor": "left",
                "xref": "container",
                "pad": {"l": 6},
                "y": 0.985,
                "yref": "container",
                "yanchor": "top",
                "subtitle": {"font": {"size": 11, "color": muted(mode)}},
            },
            "colorway": list(PALETTE),
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "xaxis": axis,
            "yaxis": axis,
            # legend between the subtitle and the plot: never collides with long, angled tick labels
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "font": {"size": 12},
            },
            "hoverlabel": {"font": {"family": FONT_STACK, "size": 13}},
            "margin": {"l": 8, "r": 16, "t": 96, "b": 8},
            "separators": ".,",
        }
    )


def apply(fig: go.Figure, mode: str = "light") -> go.Figure:
    """Put the shared template on a figure (used again at export time so files match the screen)."""
    fig.update_layout(template=template(mode))
    return fig
