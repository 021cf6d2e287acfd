"""One function per chart: `(DataFrame, …) -> go.Figure`. No querying; required columns in each docstring.

Every figure carries a title (what and where) and a subtitle (unit, filters in force, data date) that the
caller composes, so the same figure reads the same on screen and in an exported file. Bars and cells
put their dimension code in `customdata`, which the dashboard maps back to a filter on click.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data_pipeline import reference
from reporting import format as fmt
from reporting import theme
from reporting.i18n import t

CHART_HEIGHT = 420


def _names(lang: str, kind: str) -> dict[str, str]:
    items = reference.counties() if kind == "county" else reference.chains()
    return {c.code: (c.name_en if lang == "en" else c.name_zh) for c in items}


def _label_column(frame: pd.DataFrame, lang: str) -> pd.Series:
    col = "name_en" if lang == "en" and "name_en" in frame.columns else "name_zh"
    if col in frame.columns:
        return frame[col].astype(str)
    return frame["name"].astype(str)


def _finish(fig: go.Figure, title: str, subtitle: str, mode: str, height: int | None = None) -> go.Figure:
    theme.apply(fig, mode)
    legend = fig.layout.showlegend is not False and len(fig.data) > 1
    top = 96 + (28 if legend else 0)
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}},
        height=(height or CHART_HEIGHT) + (28 if legend else 0),
        margin={"t": top},
    )
    return fig


def empty(title: str, subtitle: str, lang: str = "zh", mode: str = "light") -> go.Figure:
    """A titled figure that says there is no data (for exports; the screen says it in words)."""
    fig = go.Figure()
    fig.add_annotation(text=t("no_data_chart", lang), showarrow=False, font={"size": 16}, x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, title, subtitle, mode, height=240)


def _whole_ticks(fig: go.Figure, axis: str, values: pd.Series, unit: str) -> None:
    """Counts never show 0.5 of a firm: step 1 on the value axis when the largest count is small."""
    top = values.max(skipna=True) if len(values) else None
    if unit != "%" and top is not None and not pd.isna(top) and top < 8:
        (fig.update_xaxes if axis == "x" else fig.update_yaxes)(dtick=1)


def _texts(values: pd.Series, unit: str, decimals: int, lang: str) -> list[str]:
    """Value labels; a place or category without data says so instead of showing an empty bar."""
    return [t("no_data_chart", lang) if pd.isna(v) else fmt.value(v, unit, decimals, lang) for v in values]


def ranking(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    decimals: int = 0,
    lang: str = "zh",
    mode: str = "light",
    highlight: tuple[str, ...] = (),
) -> go.Figure:
    """Horizontal bars, largest on top, target as a marker.

    Columns: key, name_zh (name_en), value; optional target; optional suppressed (bool: draw no bar, label "<5").
    """
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang)).sort_values("value", ascending=True, na_position="first")
    has_target = bool("target" in data.columns and data["target"].notna().any())
    colours = []
    for _, row in data.iterrows():
        behind = has_target and pd.notna(row.get("target")) and pd.notna(row["value"]) and row["value"] < row["target"]
        colour = theme.BAD if behind else (theme.PALETTE[0] if isinstance(row["key"], str) else "#9ca3af")
        colours.append(colour if not highlight or row["key"] in highlight else "#9db4d3")
    texts = _texts(data["value"], unit, decimals, lang)
    if "suppressed" in data.columns:  # small aid counts below county level: no bar, "<5"
        texts = [fmt.SMALL_TEXT if bool(hide) else text for hide, text in zip(data["suppressed"], texts, strict=True)]
        data = data.assign(value=data["value"].mask(data["suppressed"].astype(bool)))
    fig = go.Figure(
        go.Bar(
            x=data["value"],
            y=data["_label"],
            orientation="h",
            marker_color=colours,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=data["key"],
            name=t("actual_behind", lang) if has_target else t("actual", lang),
            hovertemplate="%{y}：%{text}<extra></extra>",
        )
    )
    if has_target:
        fig.add_trace(
            go.Scatter(
                x=data["target"],
                y=data["_label"],
                mode="markers",
                marker={"symbol": "line-ns", "size": 13, "line": {"width": 3, "color": theme.TARGET}},
                name=t("target", lang),
                hovertemplate="%{y} " + t("target", lang) + "：%{x}<extra></extra>",
            )
        )
    height = max(260, 90 + 28 * len(data))
    top = max(float(data["value"].max(skipna=True) or 0), float(data["target"].max()) if has_target else 0.0)
    fig.update_layout(showlegend=has_target, bargap=0.3)
    fig.update_xaxes(range=[0, top * 1.18 or 1], ticksuffix="%" if unit == "%" else None)
    _whole_ticks(fig, "x", pd.Series([top]), unit)
    return _finish(fig, title, subtitle, mode, height)


def heatmap(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    decimals: int = 1,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Chain (rows) × county (columns) cells. Columns: county, chain, value; county_zh/chain_zh used when present."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    counties, chains = _names(lang, "county"), _names(lang, "chain")
    county_order = [c for c in counties if c in set(frame["county"])]
    chain_order = [c for c in chains if c in set(frame["chain"])]
    grid = frame.pivot_table(index="chain", columns="county", values="value", aggfunc="first")
    grid = grid.reindex(index=chain_order, columns=county_order)
    z = grid.to_numpy(dtype=float)
    # cells show whole numbers (unit in the colour bar and subtitle) so 10 columns still fit a phone
    text = [[f"{v:.0f}" if not math.isnan(v) else "" for v in row] for row in z]
    hover = [[fmt.value(v, unit, decimals, lang) if not math.isnan(v) else "—" for v in row] for row in z]
    custom = [[[county, chain] for county in county_order] for chain in chain_order]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[counties[c] for c in county_order],
            y=[chains[c] for c in chain_order],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            customdata=custom,
            hovertext=hover,
            colorscale=[list(stop) for stop in theme.SEQUENTIAL],
            colorbar={"title": {"text": unit}, "thickness": 12},
            hovertemplate="%{y} · %{x}：%{hovertext}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, tickangle=-30 if len(county_order) > 6 else 0)
    return _finish(fig, title, subtitle, mode, max(360, 170 + 30 * len(chain_order)))


def trend(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    names: dict[str, str] | None = None,
    decimals: int = 0,
    lang: str = "zh",
    mode: str = "light",
    target: float | None = None,
) -> go.Figure:
    """One line per indicator over quarters. Columns: indicator, period ('2026Q3'), value; optional target line."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    fig = go.Figure()
    data = frame.sort_values("period")
    for i, (code, rows) in enumerate(data.groupby("indicator", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=[fmt.period_short(p) for p in rows["period"]],
                y=rows["value"],
                mode="lines+markers",
                name=(names or {}).get(str(code), str(code)),
                line={"width": 2.5, "color": theme.PALETTE[i % len(theme.PALETTE)]},
                text=_texts(rows["value"], unit, decimals, lang),
                customdata=[fmt.period(p, lang) for p in rows["period"]],
                hovertemplate="%{customdata}：%{text}<extra>%{fullData.name}</extra>",
            )
        )
    if target is not None and not pd.isna(target):
        fig.add_hline(
            y=float(target),
            line={"dash": "dash", "color": theme.TARGET},
            annotation_text=f"{t('target', lang)} {fmt.value(target, unit, decimals, lang)}",
            annotation_position="top left",
        )
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    fig.update_xaxes(type="category", tickangle=-45 if data["period"].nunique() > 8 else 0)
    fig.update_layout(showlegend=bool(data["indicator"].nunique() > 1), hovermode="closest")
    return _finish(fig, title, subtitle, mode, 360)


def breakdown(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    decimals: int = 0,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Bars per category in the given order (levels, stars, kinds). Columns: category, value."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    labels = [str(c) for c in frame["category"]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=frame["value"],
            marker_color=theme.PALETTE[3],
            text=_texts(frame["value"], unit, decimals, lang),
            textposition="outside",
            cliponaxis=False,
            customdata=labels,
            hovertemplate="%{x}：%{text}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    _whole_ticks(fig, "y", frame["value"], unit)
    return _finish(fig, title, subtitle, mode, 340)


def target_progress(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Bullet bars of progress (% of target) with a 100% line, coloured by project.

    Columns: indicator, name_zh (name_en), project, progress (percent of the year's target; NaN = no target).
    """
    data = frame.dropna(subset=["progress"]) if not frame.empty else frame
    if data.empty:
        return empty(title, subtitle, lang, mode)
    data = data.assign(_label=_label_column(data, lang)).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["progress"].clip(upper=150),
            y=data["_label"],
            orientation="h",
            marker_color=[theme.PROJECT_COLOURS.get(int(p), theme.PALETTE[0]) for p in data["project"]],
            text=[fmt.percent(v) for v in data["progress"]],
            textposition="auto",
            customdata=data["indicator"],
            hovertemplate="%{y}：%{text}<extra></extra>",
        )
    )
    fig.add_vline(x=100, line={"dash": "dash", "color": theme.TARGET, "width": 2})
    fig.update_xaxes(range=[0, 155], ticksuffix="%", title=t("progress", lang))
    return _finish(fig, title, subtitle, mode, max(280, 80 + 30 * len(data)))


def target_vs_actual(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Actual bars against a target marker per place. Columns: scope (code or 'city'), name_zh (name_en), actual, target."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang))
    behind = data["actual"].fillna(0) < data["target"].fillna(0)
    fig = go.Figure(
        [
            go.Bar(
                x=data["_label"],
                y=data["actual"],
                name=t("actual", lang),
                marker_color=[theme.BAD if b else theme.GOOD for b in behind],
                text=_texts(data["actual"], unit, 0, lang),
                textposition="outside",
                cliponaxis=False,
                customdata=data["scope"],
                hovertemplate="%{x}：%{text}<extra></extra>",
            ),
            go.Scatter(
                x=data["_label"],
                y=data["target"],
                mode="markers",
                name=t("target", lang),
                marker={"symbol": "line-ew", "size": 26, "line": {"width": 3, "color": theme.TARGET}},
                hovertemplate="%{x} " + t("target", lang) + "：%{y}<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(type="category", tickangle=-30)
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    _whole_ticks(fig, "y", pd.concat([data["actual"], data["target"]]), unit)
    return _finish(fig, title, subtitle, mode, 380)


def tile_grid(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    decimals: int = 0,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """A map-like grid of counties (one tile each). Columns: key, name_zh (name_en), value, grid_row, grid_col."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang))
    rows, cols = int(data["grid_row"].max()), int(data["grid_col"].max())
    z = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    custom = [[""] * cols for _ in range(rows)]
    for _, r in data.iterrows():
        i, j = int(r["grid_row"]) - 1, int(r["grid_col"]) - 1
        z[i][j] = None if pd.isna(r["value"]) else float(r["value"])
        text[i][j] = f"<b>{r['_label']}</b><br>{fmt.value(r['value'], unit, decimals, lang)}"
        custom[i][j] = r["key"]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 12},
            customdata=custom,
            colorscale=[list(stop) for stop in theme.SEQUENTIAL],
            colorbar={"title": {"text": unit}, "thickness": 12},
            hovertemplate="%{text}<extra></extra>",
            xgap=4,
            ygap=4,
        )
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=0.6)
    return _finish(fig, title, subtitle, mode, 380)


def histogram(
    frame: pd.DataFrame,
    *,
    column: str,
    title: str,
    subtitle: str,
    x_title: str,
    y_title: str,
    lang: str = "zh",
    mode: str = "light",
    threshold: float | None = None,
) -> go.Figure:
    """Distribution of one numeric column in 5-point bins (e.g. firms by membership rate). Columns: `column`."""
    if frame.empty or frame[column].dropna().empty:
        return empty(title, subtitle, lang, mode)
    fig = go.Figure(
        go.Histogram(
            x=frame[column].dropna(),
            xbins={"start": 0, "end": 100.0001, "size": 5},
            marker_color=theme.PALETTE[0],
            hovertemplate="%{x}：%{y}<extra></extra>",
        )
    )
    if threshold is not None:
        fig.add_vline(x=threshold, line={"dash": "dash", "color": theme.TARGET})
    counts = pd.cut(frame[column].dropna().clip(0, 100), bins=list(range(0, 105, 5)), include_lowest=True)
    fig.update_xaxes(title=x_title, range=[0, 100])
    fig.update_yaxes(title=y_title, dtick=1 if counts.value_counts().max() < 8 else None)  # whole firms
    fig.update_layout(bargap=0.05)
    return _finish(fig, title, subtitle, mode, 340)


def compare(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    left: str,
    right: str,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Paired bars per indicator (e.g. a chain against the city). Columns: name_zh (name_en), value, city."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang))
    fig = go.Figure(
        [
            go.Bar(
                x=data["_label"],
                y=data["value"],
                name=left,
                marker_color=theme.PALETTE[0],
                text=_texts(data["value"], unit, 1, lang),
                textposition="outside",
            ),
            go.Bar(
                x=data["_label"],
                y=data["city"],
                name=right,
                marker_color="#9ca3af",
                text=_texts(data["city"], unit, 1, lang),
                textposition="outside",
            ),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    return _finish(fig, title, subtitle, mode, 360)


def grouped(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    names: dict[str, str],
    decimals: int = 1,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Grouped bars: one group per place, one bar per indicator sharing a unit (e.g. three rates by county).

    Columns: key, name_zh (name_en), indicator, value.
    """
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang))
    order = list(dict.fromkeys(data["_label"]))
    fig = go.Figure()
    for i, (code, rows) in enumerate(data.groupby("indicator", sort=False)):
        rows = rows.set_index("_label").reindex(order).reset_index()
        fig.add_trace(
            go.Bar(
                x=rows["_label"],
                y=rows["value"],
                name=names.get(str(code), str(code)),
                marker_color=theme.PALETTE[i % len(theme.PALETTE)],
                customdata=rows["key"],
                text=_texts(rows["value"], unit, decimals, lang),
                textposition="none",
                hovertemplate="%{x}：%{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", tickangle=-35)
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    return _finish(fig, title, subtitle, mode, 400)
