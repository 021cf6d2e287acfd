"""What a briefing is, whatever file it is written to: the spec of sections and charts (plain data the page,
the command line and the tests share), the files it yields, and the texts the deck (reporting.deck) and the Word
report (reporting.report_docx) both print: footer, date, readable tables, sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from reporting import pptx_charts
from reporting.i18n import t
from reporting.spec import ChartSpec

# The layout size pictures of the screen's figures are rendered at (the deck's chart band; the Word report
# scales them to the page width).
PICTURE_PX = (944, 380)


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows, how to draw it, the frame it draws, and the sentence it supports.

    `kind` names the reporting.charts function (ranking, trend, heatmap, breakdown, target_progress,
    target_vs_actual, grouped, compare, histogram, tile_grid), whose docstring lists the frame's columns;
    `options` carries that function's other arguments the files need (names, highlight, left/right, target…).
    A frame may carry `status` (colours, as on screen) and `suppressed` (a small count shown as "<5").
    """

    title: str
    figure: Callable[[pd.DataFrame], go.Figure]
    frame: pd.DataFrame
    takeaway: str
    header_lines: tuple[str, ...] = ()
    scope: str = ""  # the filters this chart was drawn with, for its slide's footer
    empty: bool = False  # nothing to draw in this scope: no slide, listed on the sources slide instead
    unit: str = ""
    decimals: int = 0
    kind: str = ""
    options: dict = field(default_factory=dict)
    spec: ChartSpec | None = None  # the shared chart spec it was made from (status, table, notes)
    silent: str = ""  # why it gets no slide: no_data, not_yet_due (annual honours before Q4), all_zero

    def draw(self) -> go.Figure:
        return self.figure(self.frame)

    def table(self) -> pd.DataFrame:
        """The data a staffer pastes: the chart spec's table (the drawn frame, hidden cells blank, without one)."""
        if self.spec is None:
            return pptx_charts.disclosed(self.frame)
        return replace(self.spec, frame=self.frame).table()  # the chart's own frame, in the spec's table shape

    @classmethod
    def of(cls, spec: ChartSpec) -> Chart:
        """The slide of a chart spec: the same figure, frame, takeaway and header lines as the screen."""
        return cls(
            title=spec.title,
            figure=lambda _frame, spec=spec: spec.figure("light"),
            frame=spec.frame.reset_index(drop=True),
            takeaway=spec.takeaway,
            header_lines=spec.header_lines,
            scope=spec.scope,
            empty=spec.silent is not None,
            silent=spec.silent or "",
            unit=spec.unit,
            decimals=spec.decimals,
            kind=spec.kind,
            options=dict(spec.options),
            spec=spec,
        )


@dataclass(frozen=True)
class Section:
    title: str
    charts: tuple[Chart, ...]
    kpi_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # this section's headline numbers, formatted
    behind: tuple[str, ...] = ()  # what is behind schedule and where, one sentence each


@dataclass(frozen=True)
class DeckSpec:
    """Everything a deck shows; `kpi_rows` are already formatted (indicator, value, change, target, progress)."""

    title: str
    scope: str
    data_date: str
    footer: str
    sections: tuple[Section, ...]
    kpi_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpi_takeaway: str = ""
    sources: tuple[str, ...] = ()
    is_demo: bool = False
    made_on: date = field(default_factory=date.today)
    lang: str = "zh"
    summary: str = ""  # the Word report's opening paragraph; kpi_takeaway when empty

    @property
    def charts(self) -> list[tuple[Section, Chart]]:
        return [(section, chart) for section in self.sections for chart in section.charts]

    @property
    def shown(self) -> list[tuple[Section, Chart]]:
        """The charts that get a slide: those with data in their range."""
        return [(section, chart) for section, chart in self.charts if not chart.empty]

    @property
    def skipped(self) -> list[Chart]:
        """Charts without data in their range: named on the sources slide, never shown empty."""
        return [chart for _, chart in self.charts if chart.empty]

    @property
    def slide_count(self) -> int:
        return 3 + len(self.shown)


@dataclass(frozen=True)
class Briefing:
    """The files a briefing offers: the deck, the Word report, a ZIP of chart PNGs, one workbook (a sheet per chart)."""

    pptx: bytes | None
    zip: bytes | None
    xlsx: bytes | None
    warning: str | None = None
    docx: bytes | None = None


def footer_text(spec: DeckSpec, scope: str | None = None) -> str:
    """What the footer of every slide and page says: the filters, the data date, and whether the data are demo."""
    text = t("brief_footer", spec.lang, scope=scope or spec.scope, date=spec.data_date)
    return text + (t("brief_demo_tag", spec.lang) if spec.is_demo else "")


def made_on(spec: DeckSpec) -> str:
    d = spec.made_on
    return t("brief_made_on", spec.lang, when=t("brief_date", spec.lang, y=d.year, m=d.month, d=d.day))


TABLE_ROWS = 12
LABELS = {
    "name_zh": "col_name",
    "county_zh": "brief_col_county",
    "chain_zh": "brief_col_chain",
    "category": "brief_col_category",
    "period": "brief_col_period",
}
VALUES = {"value": "col_value", "actual": "brief_col_actual", "target": "col_target", "progress": "brief_col_progress"}


def readable_table(chart: Chart, lang: str = "zh", limit: int | None = TABLE_ROWS) -> tuple[pd.DataFrame, int]:
    """The chart's frame as a small table (labels and formatted values as on screen, "<5" for a suppressed one,
    at most `limit` rows), and the full row count when rows were left out (else 0)."""
    from data_pipeline import reference
    from reporting import format as fmt

    frame = pptx_charts.disclosed(chart.frame)
    hidden = frame["suppressed"].fillna(False).astype(bool) if "suppressed" in frame.columns else None
    values = [c for c in VALUES if c in frame.columns]
    if "progress" in values:  # progress rows mix units; the share of the target is the comparable figure
        values = ["progress"]
    if values:
        keep = frame[values[0]].notna()  # places without data are left out; hidden ones say "<5"
        if hidden is not None:
            keep |= hidden
        frame = frame[keep]
    if "period" in frame.columns:  # a trend: the latest quarters first
        frame = frame.sort_values("period", ascending=False, kind="stable")
    elif values and ({"name_zh", "county_zh"} & set(frame.columns)):  # places: as ranked on the chart
        frame = frame.sort_values(values[0], ascending=False, kind="stable")
    out = pd.DataFrame(index=frame.index)
    if "indicator" in frame.columns and "name_zh" not in frame.columns:
        names = {i.code: (i.name_en if lang == "en" else i.name_zh) for i in reference.indicators()}
        out[t("col_indicator", lang)] = frame["indicator"].map(lambda c: names.get(c, c))
    for column, key in LABELS.items():
        if column in frame.columns:
            source = column
            if lang == "en" and column.endswith("_zh") and column.replace("_zh", "_en") in frame.columns:
                source = column.replace("_zh", "_en")
            out[t(key, lang)] = (
                frame[column].map(lambda p: fmt.period(p, lang))
                if column == "period"
                else frame[source].fillna("").astype(str)
            )
    for column in values:
        if column == "progress":
            shown = frame[column].map(fmt.percent)
        else:
            shown = frame[column].map(lambda v: fmt.value(v, chart.unit, chart.decimals, lang))
        if hidden is not None:
            shown = shown.where(~hidden.loc[frame.index], fmt.SMALL_TEXT)
        out[t(VALUES[column], lang)] = shown
    out = out.reset_index(drop=True)
    if limit is None or len(out) <= limit:
        return out, 0
    return out.head(limit), len(out)


def source_lines(spec: DeckSpec) -> list[str]:
    """The sources slide and section: the spec's lines, then the charts left out for want of data."""
    lines = list(spec.sources) or [t("brief_default_source", spec.lang)]
    for reason in ("no_data", "not_yet_due", "all_zero", ""):
        charts = [chart for chart in spec.skipped if chart.silent == reason]
        if charts:
            items = t("brief_list_sep", spec.lang).join(chart.title for chart in charts)
            lines.append(t(f"brief_skipped_{reason or 'no_data'}", spec.lang, items=items))
    return lines
