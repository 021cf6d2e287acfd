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
from reporting.i18n import code_label, t

CHART_HEIGHT = 420
# Tick labels turn only as far as they must not to overlap, at whatever width the chart is drawn (phone or slide).
TURN = {"tickangle": None, "autotickangles": [0, 45, 90]}


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


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


def without_title(fig: go.Figure, keep: int = 24, *, copy: bool = True) -> go.Figure:
    """The figure without its title and subtitle (a page or slide shows them as text, which wraps on a phone).
    `copy=False` changes `fig` itself (a figure built just for this: copying one costs as much as building it)."""
    out = go.Figure(fig) if copy else fig
    top = out.layout.margin.t if out.layout.margin.t is not None else 0
    height = out.layout.height
    out.update_layout(title=None, margin={"t": max(keep, top - 96 + keep)})
    if height:
        out.update_layout(height=height - (top - out.layout.margin.t))
    return out


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


def _texts(values: pd.Series, unit: str, decimals: int, lang: str, hidden: pd.Series | None = None) -> list[str]:
    """Value labels; a hidden (small-cell) value shows "<5", a place without data says so. A long unit
    (10,000 yuan) is left to the subtitle, so labels stay legible beside their bars."""
    unit = "" if len(unit) > 6 else unit
    out = [t("no_data_chart", lang) if pd.isna(v) else fmt.value(v, unit, decimals, lang) for v in values]
    if hidden is not None:
        out = [fmt.SMALL_TEXT if bool(h) else text for h, text in zip(hidden, out, strict=True)]
    return out


def _hidden(frame: pd.DataFrame) -> pd.Series | None:
    return frame["suppressed"].astype(bool) if "suppressed" in frame.columns else None


def click_layer(xs: list, ys: list, custom: list, hover: list[str]) -> go.Scatter:
    """Invisible markers at cell centres that carry the cells' codes. Plotly cannot select heatmap cells (a click
    on one sends an empty selection), so a grid of cells is clicked through these; with `hoverdistance=-1` the
    nearest centre, i.e. the cell under the pointer, answers anywhere in the plot."""
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers",
        marker={"size": 18, "opacity": 0, "color": "#000000"},
        customdata=custom,
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=False,
        name="",
    )


def _grid_clicks(fig: go.Figure) -> None:
    fig.update_layout(hovermode="closest", hoverdistance=-1, clickmode="event+select", dragmode=False)


def _band_clicks(fig: go.Figure, axis: str) -> None:
    """A click anywhere in a bar's category band selects it (a small bar is as easy to hit as a long one)."""
    fig.update_layout(hovermode=axis, clickmode="event+select", dragmode=False)


def status_colours(frame: pd.DataFrame, highlight: tuple[str, ...] = (), key: str = "key") -> list[str]:
    """A bar colour per row from its status (the query layer's judgement); the plain blue without one. Rows
    outside a highlighted selection are paler."""
    statuses = frame["status"] if "status" in frame.columns else pd.Series("no_target", index=frame.index)
    colours = [theme.STATUS_COLOURS.get(str(s), theme.STATUS_COLOURS["no_target"]) for s in statuses]
    if highlight and key in frame.columns:
        colours = [c if k in highlight else theme.faded(c) for c, k in zip(colours, frame[key], strict=True)]
    return colours


def rate_range(values: pd.Series) -> tuple[list[float], bool]:
    """A rate axis that shows differences: from a round number below the smallest value (0 when values are
    spread out or small) to 100; True when it does not start at 0 (the axis title says so)."""
    finite = values.dropna()
    if finite.empty:
        return [0, 100], False
    low = float(finite.min())
    if low < 40:
        return [0, 100], False
    start = max(0.0, math.floor((low - 5) / 10) * 10)
    return [start, 100.5], start > 0


def _value_axis(fig: go.Figure, axis: str, values: pd.Series, unit: str, lang: str) -> None:
    """Ticks in the language's own number format: 1万, 2万 in Chinese (never 10k), 10,000 in English."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(exponentformat="none", separatethousands=True)
    top = values.dropna().abs().max() if len(values.dropna()) else 0
    if lang == "zh" and unit != "%" and top and top >= 10_000:
        step = _nice_step(float(top))
        ticks = [i * step for i in range(int(top // step) + 2)]
        update(tickvals=ticks, ticktext=[fmt.tick(v, "zh") for v in ticks])


def _nice_step(top: float) -> float:
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


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
    """Horizontal bars, largest on top, coloured by status (red = behind what was due); the year target as a
    tick beside the bar. Columns: key, name_zh (name_en), value; optional target, status, suppressed ("<5")."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    labels = [wrap_label(n, 7 if lang == "zh" else 16) for n in _label_column(frame, lang)]  # room for the bars
    data = frame.assign(_label=labels).sort_values("value", ascending=True, na_position="first")
    has_target = bool("target" in data.columns and data["target"].notna().any())
    texts = _texts(data["value"], unit, decimals, lang, _hidden(data))
    fig = go.Figure(
        go.Bar(
            x=data["value"],
            y=data["_label"],
            orientation="h",
            marker_color=status_colours(data, highlight),
            text=texts,
            textposition="none",  # drawn beside the bar and its target tick instead (below), never under the tick
            customdata=data["key"],
            name=t("actual", lang),
            hovertemplate="%{y}" + _colon(lang) + "%{text}<extra></extra>",
        )
    )
    if has_target:
        fig.add_trace(
            go.Scatter(
                x=data["target"],
                y=data["_label"],
                mode="markers",
                marker={"symbol": "line-ns", "size": 22, "line": {"width": 2, "color": theme.TARGET}},
                name=t("year_target", lang),
                customdata=data["key"],
                hovertemplate=t("year_target", lang) + _colon(lang) + "%{x}<extra></extra>",
            )
        )
    height = max(260, 90 + (36 if any("<br>" in n for n in labels) else 28) * len(data))
    fig.update_layout(showlegend=has_target, bargap=0.3)
    _band_clicks(fig, "y")
    values = pd.concat([data["value"], data["target"]]) if has_target else data["value"]
    if unit == "%":
        span, cut = rate_range(values)
        start = span[0]
        step = 10 if 100 - start <= 60 else 20
        first = math.ceil(start / step) * step
        ticks = list(range(int(first), 101, step))  # round ticks up to 100 %: the room beyond holds the labels
        fig.update_xaxes(
            range=[span[0], span[1] + 12], tickvals=ticks, ticksuffix="%", title=axis_note(span, cut, lang)
        )
    else:
        top = float(values.max(skipna=True) or 0)
        start = 0.0
        fig.update_xaxes(range=[0, top * 1.3 or 1])
        _whole_ticks(fig, "x", pd.Series([top]), unit)
        _value_axis(fig, "x", values, unit, lang)
    ends = data["value"].astype(float)
    if has_target:
        ends = pd.concat([ends, data["target"].astype(float)], axis=1).max(axis=1)
    fig.add_trace(
        go.Scatter(
            x=ends.fillna(start).clip(lower=start),
            y=data["_label"],
            mode="text",
            text=[f" {t}" for t in texts],
            textposition="middle right",
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    return _finish(fig, title, subtitle, mode, height)


def axis_note(span: list[float], cut: bool, lang: str) -> str | None:
    """The axis title that says where a cut rate axis starts."""
    if not cut:
        return None
    start = f"{span[0]:.0f}%"
    return f"坐标轴自{start}起" if lang == "zh" else f"axis starts at {start}"


def heatmap(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    decimals: int = 1,
    lang: str = "zh",
    mode: str = "light",
    highlight: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
) -> go.Figure:
    """Chain (rows) × county (columns) cells; the cells of the selected counties and chains (`highlight`)
    outlined. Columns: county, chain, value; county_zh/chain_zh used when present."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    counties, chains = _names(lang, "county"), _names(lang, "chain")
    chains = {c: wrap_label(n, 7 if lang == "zh" else 18) for c, n in chains.items()}
    # a chain or county with nothing anywhere is left out (blank cells inside the grid stay, with their note)
    present = frame.loc[frame["value"].notna() | (frame["suppressed"].astype(bool) if "suppressed" in frame else False)]
    county_order = [c for c in counties if c in set(present["county"])]
    chain_order = [c for c in chains if c in set(present["chain"])]
    if not county_order or not chain_order:
        return empty(title, subtitle, lang, mode)
    grid = frame.pivot_table(index="chain", columns="county", values="value", aggfunc="first")
    grid = grid.reindex(index=chain_order, columns=county_order)
    z = grid.to_numpy(dtype=float)
    hidden = set()
    if "suppressed" in frame.columns:
        hidden = {(a, b) for a, b, h in zip(frame["county"], frame["chain"], frame["suppressed"], strict=True) if h}
    # cells show whole numbers (unit in the colour bar and subtitle) so 10 columns still fit a phone
    text = [
        [
            fmt.SMALL_TEXT if (county, chain) in hidden else (f"{v:.0f}" if not math.isnan(v) else "")
            for county, v in zip(county_order, row, strict=True)
        ]
        for chain, row in zip(chain_order, z, strict=True)
    ]
    blank = t("heatmap_blank", lang)
    xs, ys, custom, hover = [], [], [], []
    for chain, row in zip(chain_order, z, strict=True):
        for county, v in zip(county_order, row, strict=True):
            if (county, chain) in hidden:
                shown = fmt.SMALL_TEXT
            else:
                shown = blank if math.isnan(v) else fmt.value(v, unit, decimals, lang)
            xs.append(counties[county])
            ys.append(chains[chain])
            custom.append([county, chain])
            place = f"{chains[chain]} · {counties[county]}".replace("<br>", " " if lang == "en" else "")
            hover.append(f"{place}{_colon(lang)}{shown}")
    fig = go.Figure(
        [
            go.Heatmap(
                z=z,
                x=[counties[c] for c in county_order],
                y=[chains[c] for c in chain_order],
                text=text,
                texttemplate="%{text}",
                # no textfont size: plotly.js fits the text to the cell (readable on a slide, fits a phone)
                colorscale=[list(stop) for stop in theme.SEQUENTIAL],
                showscale=False,  # every cell says its value; the unit is in the subtitle
                hoverinfo="skip",
                xgap=2,
                ygap=2,
            ),
            click_layer(xs, ys, custom, hover),
        ]
    )
    _grid_clicks(fig)
    _outline(fig, county_order, chain_order, *highlight, mode=mode)
    fig.update_yaxes(autorange="reversed", showgrid=False, type="category", dtick=1)
    # column labels turn only as far as they must not to overlap (0°, 45°, 90°), at any width
    fig.update_xaxes(showgrid=False, side="top", type="category", dtick=1, **TURN)
    row = 40 if any("<br>" in chains[c] for c in chain_order) else 30  # room for a name on two lines
    return _finish(fig, title, subtitle, mode, max(380, 200 + row * len(chain_order)))


def _outline(
    fig: go.Figure, columns: list[str], rows: list[str], counties: tuple[str, ...], chains: tuple[str, ...], mode: str
) -> None:
    """Frame the selected cells: the chosen counties' columns, the chosen chains' rows, or where they meet."""
    cols = [i for i, c in enumerate(columns) if c in counties] or ([] if counties else list(range(len(columns))))
    lines = [i for i, c in enumerate(rows) if c in chains] or ([] if chains else list(range(len(rows))))
    if not (counties or chains) or not cols or not lines:
        return
    ink = theme.template(mode).layout.font.color
    for i in cols:
        for j in lines:
            fig.add_shape(
                type="rect",
                x0=i - 0.5,
                x1=i + 0.5,
                y0=j - 0.5,
                y1=j + 0.5,
                line={"color": ink, "width": 2.5},
                layer="above",
            )


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
    target_year: int | None = None,
) -> go.Figure:
    """One line per indicator over quarters; a year target drawn over that year's quarters only.

    Columns: indicator, period ('2026Q3'), value; optional suppressed (a gap, "<5" on hover)."""
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
                text=_texts(rows["value"], unit, decimals, lang, _hidden(rows)),
                customdata=[fmt.period(p, lang) for p in rows["period"]],
                hovertemplate="%{customdata}" + _colon(lang) + "%{text}<extra>%{fullData.name}</extra>",
            )
        )
    values = data["value"]
    if target is not None and not pd.isna(target) and target_year is not None:
        own = [fmt.period_short(p) for p in data["period"].unique() if str(p).startswith(str(target_year))]
        if own:
            label = t("year_target_of", lang, year=target_year)
            fig.add_trace(
                go.Scatter(
                    x=own,
                    y=[float(target)] * len(own),
                    mode="lines",
                    line={"dash": "dash", "color": theme.TARGET, "width": 2},
                    name=label,
                    hovertemplate=label + _colon(lang) + fmt.value(target, unit, decimals, lang) + "<extra></extra>",
                )
            )
            values = pd.concat([values, pd.Series([float(target)])])
    if unit == "%":
        span, cut = rate_range(values)
        fig.update_yaxes(range=span, ticksuffix="%", title=axis_note(span, cut, lang))
    else:
        fig.update_yaxes(rangemode="tozero")
        _value_axis(fig, "y", values, unit, lang)
    fig.update_xaxes(type="category", **TURN)
    fig.update_layout(showlegend=len(fig.data) > 1, hovermode="closest")
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
    """Bars per category in the given order (levels, stars, kinds). Columns: category, value; optional suppressed."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    labels = [code_label("category", c, lang) for c in frame["category"]]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=frame["value"],
            marker_color=theme.STATUS_COLOURS["no_target"],
            text=_texts(frame["value"], unit, decimals, lang, _hidden(frame)),
            textposition="outside",
            cliponaxis=False,
            customdata=labels,
            hovertemplate="%{x}" + _colon(lang) + "%{text}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", dtick=1, **TURN)
    fig.update_yaxes(rangemode="tozero", ticksuffix="%" if unit == "%" else None)
    _whole_ticks(fig, "y", frame["value"], unit)
    _value_axis(fig, "y", frame["value"], unit, lang)
    return _finish(fig, title, subtitle, mode, 340)


def target_progress(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Each indicator's value as a percent of what was due by now (100 = exactly on schedule), coloured by status.

    Columns: indicator, name_zh (name_en), progress (percent of what was due; NaN = no target or not yet due),
    status; optional value_text, expected_text."""
    data = frame.dropna(subset=["progress"]) if not frame.empty else frame
    if data.empty:
        return empty(title, subtitle, lang, mode)
    data = data.assign(_label=_label_column(data, lang)).iloc[::-1]
    hover = [
        f"{v} / {e}" if isinstance(v, str) and isinstance(e, str) else fmt.percent(p)
        for v, e, p in zip(
            data.get("value_text", data["progress"]),
            data.get("expected_text", data["progress"]),
            data["progress"],
            strict=True,
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=data["progress"].clip(upper=150),
            y=data["_label"],
            orientation="h",
            marker_color=status_colours(data),
            text=[fmt.percent(v) for v in data["progress"]],
            # at the start of the bar, clear of the 100 % line that ends most of them
            textposition="inside",
            insidetextanchor="start",
            textfont={"size": 12, "color": "#ffffff"},
            customdata=hover,
            hovertemplate="%{y}" + _colon(lang) + "%{text}" + _paren("%{customdata}", lang) + "<extra></extra>",
        )
    )
    fig.add_vline(x=100, line={"dash": "dash", "color": theme.TARGET, "width": 2})
    fig.update_xaxes(range=[0, 155], ticksuffix="%", title=t("progress_due", lang))
    return _finish(fig, title, subtitle, mode, max(280, 80 + 34 * len(data)))


def target_vs_actual(
    frame: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    unit: str,
    lang: str = "zh",
    mode: str = "light",
) -> go.Figure:
    """Actual bars against a target marker per place, coloured by status (grey while not yet due; then a hollow
    marker shows last year's figure). Columns: scope (code or 'city'), name_zh (name_en), actual, target; optional
    status, reference."""
    if frame.empty:
        return empty(title, subtitle, lang, mode)
    data = frame.assign(_label=_label_column(frame, lang))
    if "status" not in data.columns:
        behind = data["actual"].fillna(0) < data["target"].fillna(0)
        data["status"] = ["behind" if b else "on_track" for b in behind]
    fig = go.Figure(
        [
            go.Bar(
                x=data["_label"],
                y=data["actual"],
                name=t("actual", lang),
                marker_color=status_colours(data),
                text=_texts(data["actual"], unit, 0, lang),
                textposition="outside",
                cliponaxis=False,
                customdata=data["scope"],
                hovertemplate="%{x}" + _colon(lang) + "%{text}<extra></extra>",
            ),
            go.Scatter(
                x=data["_label"],
                y=data["target"],
                mode="markers",
                name=t("target", lang),
                marker={"symbol": "line-ew", "size": 26, "line": {"width": 3, "color": theme.TARGET}},
                customdata=data["scope"],
                hovertemplate=t("target", lang) + _colon(lang) + "%{y}<extra></extra>",
            ),
        ]
    )
    _band_clicks(fig, "x")
    if "reference" in data.columns and data["reference"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=data["_label"],
                y=data["reference"],
                mode="markers",
                name=t("last_year_actual", lang),
                marker={"symbol": "circle-open", "size": 11, "line": {"width": 2, "color": theme.muted(mode)}},
                customdata=data["scope"],
                hovertemplate=t("last_year_actual", lang) + _colon(lang) + "%{y}<extra></extra>",
            )
        )
    fig.update_xaxes(type="category", dtick=1, **TURN)
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
    places: dict[tuple[int, int], tuple[str, str]] = {}
    hidden = _hidden(data)
    for n, (_, r) in enumerate(data.iterrows()):
        i, j = int(r["grid_row"]) - 1, int(r["grid_col"]) - 1
        z[i][j] = None if pd.isna(r["value"]) else float(r["value"])
        shown = fmt.SMALL_TEXT if hidden is not None and hidden.iloc[n] else fmt.value(r["value"], unit, decimals, lang)
        text[i][j] = f"<b>{wrap_label(r['_label'], 5 if lang == 'zh' else 9, lines=4)}</b><br>{shown}"
        places[(i, j)] = (str(r["key"]), f"{r['_label']}{_colon(lang)}{shown}")
    # every grid position answers a click; an empty one carries no code, so it filters nothing
    cells = [(i, j) for i in range(rows) for j in range(cols)]
    layer = click_layer(
        [j for _, j in cells],
        [i for i, _ in cells],
        [places.get(c, ("", ""))[0] for c in cells],
        [places.get(c, ("", ""))[1] for c in cells],
    )
    fig = go.Figure(
        [
            go.Heatmap(
                z=z,
                text=text,
                texttemplate="%{text}",
                textfont={"size": 11},
                colorscale=[list(stop) for stop in theme.SEQUENTIAL],
                showscale=False,  # every tile says its value; the unit is in the subtitle
                hoverinfo="skip",
                xgap=4,
                ygap=4,
            ),
            layer,
        ]
    )
    _grid_clicks(fig)
    fig.update_xaxes(visible=False, range=[-0.5, cols - 0.5])
    fig.update_yaxes(visible=False, autorange="reversed")  # tiles fill the width: a phone gets readable ones
    return _finish(fig, title, subtitle, mode, 380)


def wrap_label(label: str, width: int, lines: int = 2) -> str:
    """A long place name on up to `lines` lines (at spaces in English; two lines in Chinese, split at 及/和/与 or in
    the middle), for tiles and ticks."""
    if len(label) <= width:
        return label
    if " " in label and lines == 2:
        words, first = label.split(" "), ""
        while words and len(first) + len(words[0]) <= max(width, len(label) // 2):
            first = f"{first} {words.pop(0)}".strip()
        return f"{first}<br>{' '.join(words)}" if first and words else label
    if " " in label:
        words, rows = label.split(" "), [""]
        for word in words:
            if rows[-1] and len(rows[-1]) + 1 + len(word) > width and len(rows) < lines:
                rows.append(word)
            else:
                rows[-1] = f"{rows[-1]} {word}".strip()
        return "<br>".join(rows)
    # Chinese: at 及/和/与 when that balances the lines (输变电装备<br>及电线电缆), else in the middle
    cuts = [i for i, ch in enumerate(label) if ch in "及和与" and 0 < i < len(label) - 1]
    cuts = [c for i in cuts for c in (i, i + 1)] or [(len(label) + 1) // 2]
    cut = min(cuts, key=lambda c: (max(c, len(label) - c), c))
    return f"{label[:cut]}<br>{label[cut:]}"


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
            hovertemplate="%{x}" + _colon(lang) + "%{y}<extra></extra>",
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
    if unit == "%":
        span, cut = rate_range(pd.concat([data["value"], data["city"]]))
        fig.update_yaxes(range=[span[0], span[1] + 6], ticksuffix="%", title=axis_note(span, cut, lang))
    else:
        fig.update_yaxes(rangemode="tozero")
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
                hovertemplate="%{x}" + _colon(lang) + "%{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    _band_clicks(fig, "x")
    fig.update_xaxes(type="category", dtick=1, **TURN)
    if unit == "%":
        span, cut = rate_range(data["value"])
        fig.update_yaxes(range=span, ticksuffix="%", title=axis_note(span, cut, lang))
    else:
        fig.update_yaxes(rangemode="tozero")
    return _finish(fig, title, subtitle, mode, 400)
