"""The one Plotly template (CJK font stack, palette, sizes) shared by the screen and exported files."""

from __future__ import annotations

from functools import cache

import plotly.graph_objects as go

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# Colours that mean a status (data_pipeline.status), the same on every chart, card, slide and page; red means
# "behind what was due by now" and nothing else, so no series colour is red or green.
STATUS_COLOURS = {
    "ahead": "#1b7f3b",
    "on_track": "#6aaa64",
    "behind": "#c62828",
    "no_target": "#1f5aa6",
    "not_yet_due": "#9ca3af",
}
GOOD = STATUS_COLOURS["ahead"]
BAD = STATUS_COLOURS["behind"]
# Series colours (several lines or groups in one chart): union blue first, then hues far from red and green.
PALETTE = ("#1f5aa6", "#edae49", "#00798c", "#6a4c93", "#8d6e63", "#30638e", "#b07aa1", "#4e79a7")
PROJECT_COLOURS = {1: "#30638e", 2: "#1f5aa6", 3: "#edae49", 4: "#00798c", 5: "#6a4c93"}
TARGET = "#e07a00"
SEQUENTIAL = ((0.0, "#eef4fb"), (0.35, "#a9c6e8"), (0.7, "#4a86c5"), (1.0, "#123d73"))

_INK = {"light": "#1f2937", "dark": "#e5e7eb"}
_GRID = {"light": "#e5e7eb", "dark": "#374151"}
_MUTED = {"light": "#6b7280", "dark": "#9ca3af"}


def faded(colour: str, amount: float = 0.55) -> str:
    """A colour mixed towards white (rows outside a highlighted selection)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


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
        "exponentformat": "none",  # 20,000, never 20k (Chinese ticks of 万 and above are set per chart)
        "separatethousands": True,
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
