"""One-line takeaways computed from the frame a chart draws (Chinese, for briefing slides)."""

from __future__ import annotations

import math

import pandas as pd

from reporting import format as fmt

NO_DATA = "所选范围内暂无数据。"


def _ok(value: object) -> bool:
    try:
        return not math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def change_phrase(delta: object, unit: str, decimals: int = 0, against: str = "上季度") -> str | None:
    """'较上季度提高1.2个百分点' / '较上季度减少35人' / '与上季度持平'; None when there is no comparison."""
    if not _ok(delta):
        return None
    d = float(delta)  # type: ignore[arg-type]
    if unit == "%":
        amount = f"{abs(d):.1f}个百分点"
        if amount == "0.0个百分点":
            return f"与{against}持平"
        return f"较{against}{'提高' if d > 0 else '下降'}{amount}"
    amount = fmt.value(abs(d), unit, decimals)
    if round(abs(d), decimals) == 0:
        return f"与{against}持平"
    return f"较{against}{'增加' if d > 0 else '减少'}{amount}"


def _join(parts: list[str | None]) -> str:
    return "，".join(p for p in parts if p) + "。"


def _places(rows: pd.DataFrame, limit: int = 3) -> str:
    names = [str(n) for n in rows["name_zh"]]
    return "、".join(names) if len(names) <= limit else f"{'、'.join(names[:2])}等{len(names)}个"


def ranking(
    frame: pd.DataFrame,
    *,
    name: str,
    unit: str,
    decimals: int = 0,
    change: object = None,
    against: str = "上季度",
    whole: str = "全市",
) -> str:
    """Highest and lowest place (columns name_zh, value; optional target), plus the overall change.

    Places tied on the shown (rounded) value are named together, so no tie is broken arbitrarily.
    """
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if "key" in data.columns:  # the 不分产业链 row of a chain ranking is not a place to rank
        data = data[data["key"].notna()]
    if data.empty:
        return NO_DATA
    shown = data.assign(_shown=data["value"].round(decimals if unit != "%" else max(decimals, 1)))
    ordered = shown.sort_values("_shown", ascending=False, kind="stable")
    top_value, bottom_value = ordered["_shown"].iloc[0], ordered["_shown"].iloc[-1]
    top = ordered[ordered["_shown"] == top_value]
    bottom = ordered[ordered["_shown"] == bottom_value]
    parts: list[str | None] = []
    if len(ordered) == 1:
        parts.append(f"{name}：{_places(ordered)}为{fmt.value(top['value'].iloc[0], unit, decimals)}")
    elif top_value == bottom_value:
        parts.append(f"{name}：{_places(ordered)}均为{fmt.value(top['value'].iloc[0], unit, decimals)}")
    else:
        parts.append(f"{name}最高的是{_places(top)}（{fmt.value(top['value'].iloc[0], unit, decimals)}）")
        parts.append(f"最低的是{_places(bottom)}（{fmt.value(bottom['value'].iloc[0], unit, decimals)}）")
    if "target" in ordered.columns:
        with_target = ordered[ordered["target"].map(_ok)]
        if not with_target.empty:
            behind = with_target[with_target["value"] < with_target["target"]]
            if behind.empty:
                parts.append(f"设有目标的{len(with_target)}个均已达到目标")
            else:
                parts.append(f"{_places(behind)}低于目标")
    delta = change_phrase(change, unit, decimals, against)
    if delta:
        parts.append(f"{whole}{delta}")
    return _join(parts)


def trend(frame: pd.DataFrame, *, names: dict[str, str], unit: str, decimals: int = 0) -> str:
    """Latest quarter of each indicator drawn (columns indicator, period, value; at most two named, in `names`
    order) against the quarter before it and the same quarter a year earlier."""
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return NO_DATA
    present = set(data["indicator"].astype(str))
    codes = [c for c in names if c in present] or sorted(present)
    clauses = []
    for code in codes[:2]:
        series = data[data["indicator"].astype(str) == code].sort_values("period").set_index("period")["value"]
        latest = str(series.index[-1])
        parts: list[str | None] = [
            f"{names.get(code, code)}{fmt.period(latest)}为{fmt.value(series.iloc[-1], unit, decimals)}"
        ]
        if len(series) > 1:
            parts.append(change_phrase(series.iloc[-1] - series.iloc[-2], unit, decimals, "上季度"))
        year, _, quarter = latest.partition("Q")
        last_year = f"{int(year) - 1}Q{quarter}" if quarter else None
        if last_year in series.index:
            parts.append(change_phrase(series.iloc[-1] - series[last_year], unit, decimals, "上年同期"))
        clauses.append("，".join(p for p in parts if p))
    return "；".join(clauses) + "。"


def breakdown(frame: pd.DataFrame, *, name: str, unit: str, decimals: int = 0) -> str:
    """Largest category and its share of the total (columns category, value)."""
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    total = float(data["value"].sum()) if not data.empty else 0.0
    if data.empty or total <= 0:
        return NO_DATA
    top = data.sort_values("value", ascending=False, kind="stable").iloc[0]
    share = float(top["value"]) / total * 100
    return _join(
        [
            f"{name}合计{fmt.value(total, unit, decimals)}",
            f"最多的是{top['category']}（{fmt.value(top['value'], unit, decimals)}，占{share:.1f}%）",
        ]
    )


def heatmap(frame: pd.DataFrame, *, name: str, unit: str, decimals: int = 1) -> str:
    """Highest and lowest county × chain cell (columns county_zh, chain_zh, value); ties named together."""
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return NO_DATA
    cells = data.assign(
        name_zh=data["county_zh"].astype(str) + "·" + data["chain_zh"].astype(str),
        _shown=data["value"].round(max(decimals, 1) if unit == "%" else decimals),
    ).sort_values("_shown", ascending=False, kind="stable")
    top = cells[cells["_shown"] == cells["_shown"].iloc[0]]
    bottom = cells[cells["_shown"] == cells["_shown"].iloc[-1]]
    parts = [f"{name}最高的是{_places(top)}（{fmt.value(top['value'].iloc[0], unit, decimals)}）"]
    if len(top) < len(cells):
        parts.append(f"最低的是{_places(bottom)}（{fmt.value(bottom['value'].iloc[0], unit, decimals)}）")
    return _join(parts)


def target_vs_actual(frame: pd.DataFrame, *, name: str, unit: str) -> str:
    """City figure against its target and how many counties met theirs (columns scope, name_zh, actual, target)."""
    if frame.empty:
        return NO_DATA
    parts: list[str | None] = []
    city = frame[frame["scope"] == "city"]
    if not city.empty:
        row = city.iloc[0]
        parts.append(
            f"{name}{row['name_zh']}{fmt.value(row['actual'] if _ok(row['actual']) else 0, unit)}"
            f"（目标{fmt.value(row['target'], unit)}）"
        )
    counties = frame[(frame["scope"] != "city") & frame["target"].map(_ok)]
    if not counties.empty:
        met = counties["actual"].fillna(0) >= counties["target"]
        parts.append(f"{len(counties)}个县市区中{int(met.sum())}个完成年度目标")
        behind = counties.loc[~met, "name_zh"].tolist()
        if behind:
            listed = "、".join(behind[:4]) + ("等" if len(behind) > 4 else "")
            parts.append(f"未完成：{listed}")
    return _join(parts) if parts else NO_DATA


def kpi_summary(kpis: pd.DataFrame) -> str:
    """How many headline indicators are on track against their year's target (column progress, percent)."""
    with_target = kpis[kpis["progress"].map(_ok)] if "progress" in kpis.columns else kpis.iloc[0:0]
    if with_target.empty:
        return f"共{len(kpis)}项重点指标，暂无年度目标可供对比。"
    done = int((with_target["progress"] >= 100).sum())
    return f"{len(with_target)}项设有年度目标的重点指标中，{done}项已完成目标，{len(with_target) - done}项尚未完成。"


def progress(frame: pd.DataFrame) -> str:
    """Headline indicators against the year's target (columns name_zh, progress in percent)."""
    data = frame[frame["progress"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return "所选范围内的重点指标暂无年度目标可供对比。"
    done = data[data["progress"] >= 100]
    slowest = data.sort_values("progress", kind="stable").iloc[0]
    parts = [f"{len(data)}项设有年度目标的重点指标中{len(done)}项已完成"]
    if len(done) < len(data):
        parts.append(f"进度最慢的是{slowest['name_zh']}（{fmt.percent(slowest['progress'])}）")
    return _join(parts)
