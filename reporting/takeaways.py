"""One-sentence takeaways computed from the frame a chart draws, in Chinese or English.

Status words come from the query layer's judgement (data_pipeline.status): a sentence never calls something
behind that a chart colours on track. Hidden (suppressed) cells are never named with a figure.
"""

from __future__ import annotations

import math

import pandas as pd

from reporting import format as fmt
from reporting.i18n import code_label

NO_DATA = {"zh": "所选范围内暂无数据。", "en": "No data in the selected range."}


def _ok(value: object) -> bool:
    try:
        return not math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _zh(lang: str) -> bool:
    return lang != "en"


def change_phrase(
    delta: object, unit: str, decimals: int = 0, against: str = "quarter", lang: str = "zh"
) -> str | None:
    """'较上季度提高1.2个百分点' / 'up 1.2 pp on the previous quarter'; None when there is no comparison.

    `against`: quarter (the quarter before) or year (the same quarters a year earlier)."""
    if not _ok(delta):
        return None
    d = float(delta)  # type: ignore[arg-type]
    zh = _zh(lang)
    whom = {"quarter": ("上季度", "the previous quarter"), "year": ("上年同期", "a year earlier")}[against][
        0 if zh else 1
    ]
    if unit == "%":
        flat = f"{abs(d):.1f}" == "0.0"
        amount = f"{abs(d):.1f}个百分点" if zh else f"{abs(d):.1f} pp"
    else:
        flat = round(abs(d), decimals) == 0
        amount = fmt.value(abs(d), unit, decimals, lang)
    if flat:
        return f"与{whom}持平" if zh else f"unchanged on {whom}"
    if zh:
        verb = ("提高" if d > 0 else "下降") if unit == "%" else ("增加" if d > 0 else "减少")
        return f"较{whom}{verb}{amount}"
    return f"{'up' if d > 0 else 'down'} {amount} on {whom}"


def _sentence(parts: list[str | None], lang: str) -> str:
    joined = ("，" if _zh(lang) else "; ").join(p for p in parts if p)
    if not joined:
        return ""
    return joined + ("。" if _zh(lang) else ".")


def _names(rows: pd.DataFrame, lang: str, limit: int = 3, column: str = "name") -> str:
    col = f"{column}_en" if not _zh(lang) and f"{column}_en" in rows.columns else f"{column}_zh"
    names = [str(n) for n in rows[col]]
    sep = "、" if _zh(lang) else ", "
    if len(names) <= limit:
        return sep.join(names)
    return f"{sep.join(names[:2])}等{len(names)}个" if _zh(lang) else f"{sep.join(names[:2])} and {len(names) - 2} more"


def ranking(
    frame: pd.DataFrame,
    *,
    name: str,
    unit: str,
    decimals: int = 0,
    lang: str = "zh",
    change: object = None,
    against: str = "quarter",
    whole: str = "",
) -> str:
    """Highest and lowest place (columns name_zh/name_en, value; optional status), how many are behind what was
    due, and the whole area's change. Places tied on the shown value are named together."""
    zh = _zh(lang)
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return NO_DATA[lang]
    shown = data.assign(_shown=data["value"].round(decimals if unit != "%" else max(decimals, 1)))
    ordered = shown.sort_values("_shown", ascending=False, kind="stable")
    top_value, bottom_value = ordered["_shown"].iloc[0], ordered["_shown"].iloc[-1]
    top = ordered[ordered["_shown"] == top_value]
    bottom = ordered[ordered["_shown"] == bottom_value]
    v_top = fmt.value(top["value"].iloc[0], unit, decimals, lang)
    v_bottom = fmt.value(bottom["value"].iloc[0], unit, decimals, lang)
    parts: list[str | None] = []
    if len(ordered) == 1:
        parts.append(f"{name}：{_names(ordered, lang)}为{v_top}" if zh else f"{name}: {_names(ordered, lang)} {v_top}")
    elif top_value == bottom_value:
        parts.append(f"{name}：{_names(ordered, lang)}均为{v_top}" if zh else f"{name}: all {v_top}")
    else:
        parts.append(
            f"{name}最高的是{_names(top, lang)}（{v_top}）" if zh else f"{name}: highest {_names(top, lang)} ({v_top})"
        )
        parts.append(
            f"最低的是{_names(bottom, lang)}（{v_bottom}）" if zh else f"lowest {_names(bottom, lang)} ({v_bottom})"
        )
    if "status" in ordered.columns:
        judged = ordered[ordered["status"].isin(["ahead", "on_track", "behind"])]
        behind = judged[judged["status"] == "behind"]
        if not judged.empty:
            if behind.empty:
                parts.append(f"{len(judged)}个均达到进度要求" if zh else f"all {len(judged)} on schedule")
            else:
                parts.append(f"{_names(behind, lang)}落后于进度" if zh else f"behind schedule: {_names(behind, lang)}")
    delta = change_phrase(change, unit, decimals, against, lang)
    if delta:
        parts.append(f"{whole}{delta}" if zh else f"{whole} {delta}".strip())
    return _sentence(parts, lang)


def trend(frame: pd.DataFrame, *, names: dict[str, str], unit: str, decimals: int = 0, lang: str = "zh") -> str:
    """Latest quarter of each indicator drawn (columns indicator, period, value; at most two named, in `names`
    order) against the quarter before it and the same quarter a year earlier."""
    zh = _zh(lang)
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return NO_DATA[lang]
    present = set(data["indicator"].astype(str))
    codes = [c for c in names if c in present] or sorted(present)
    clauses = []
    for code in codes[:2]:
        series = data[data["indicator"].astype(str) == code].sort_values("period").set_index("period")["value"]
        latest = str(series.index[-1])
        label, when = names.get(code, code), fmt.period(latest, lang)
        value = fmt.value(series.iloc[-1], unit, decimals, lang)
        parts: list[str | None] = [f"{label}{when}为{value}" if zh else f"{label} {value} in {when}"]
        if len(series) > 1:
            parts.append(change_phrase(series.iloc[-1] - series.iloc[-2], unit, decimals, "quarter", lang))
        year, _, quarter = latest.partition("Q")
        last_year = f"{int(year) - 1}Q{quarter}" if quarter else None
        if last_year in series.index:
            parts.append(change_phrase(series.iloc[-1] - series[last_year], unit, decimals, "year", lang))
        clauses.append(("，" if zh else ", ").join(p for p in parts if p))
    return ("；" if zh else "; ").join(clauses) + ("。" if zh else ".")


def breakdown(frame: pd.DataFrame, *, name: str, unit: str, decimals: int = 0, lang: str = "zh") -> str:
    """Largest part and its share of the total (columns category, value)."""
    zh = _zh(lang)
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    total = float(data["value"].sum()) if not data.empty else 0.0
    if data.empty or total <= 0:
        return NO_DATA[lang]
    top = data.sort_values("value", ascending=False, kind="stable").iloc[0]
    share = float(top["value"]) / total * 100
    label = code_label("category", top["category"], lang)
    top_value = fmt.value(top["value"], unit, decimals, lang)
    if "suppressed" in frame.columns and frame["suppressed"].any():
        return _sentence([f"最多的是{label}（{top_value}）" if zh else f"largest: {label} ({top_value})"], lang)
    total_text = fmt.value(total, unit, decimals, lang)
    return _sentence(
        [
            f"{name}合计{total_text}" if zh else f"{name}: {total_text} in all",
            f"最多的是{label}（{top_value}，占{share:.1f}%）"
            if zh
            else f"largest: {label} ({top_value}, {share:.1f}%)",
        ],
        lang,
    )


def heatmap(frame: pd.DataFrame, *, name: str, unit: str, decimals: int = 1, lang: str = "zh") -> str:
    """Highest and lowest county × chain cell (columns county_zh, chain_zh, value); ties named together."""
    zh = _zh(lang)
    data = frame[frame["value"].map(_ok)] if not frame.empty else frame
    if data.empty:
        return NO_DATA[lang]
    county = data["county_en"] if not zh and "county_en" in data.columns else data["county_zh"]
    chain = data["chain_en"] if not zh and "chain_en" in data.columns else data["chain_zh"]
    cells = data.assign(
        name_zh=county.astype(str) + ("·" if zh else " · ") + chain.astype(str),
        _shown=data["value"].round(max(decimals, 1) if unit == "%" else decimals),
    ).sort_values("_shown", ascending=False, kind="stable")
    top = cells[cells["_shown"] == cells["_shown"].iloc[0]]
    bottom = cells[cells["_shown"] == cells["_shown"].iloc[-1]]
    v_top = fmt.value(top["value"].iloc[0], unit, decimals, lang)
    parts = [
        f"{name}最高的是{_names(top, 'zh')}（{v_top}）" if zh else f"{name}: highest {_names(top, 'zh')} ({v_top})"
    ]
    if len(top) < len(cells):
        v_bottom = fmt.value(bottom["value"].iloc[0], unit, decimals, lang)
        parts.append(
            f"最低的是{_names(bottom, 'zh')}（{v_bottom}）" if zh else f"lowest {_names(bottom, 'zh')} ({v_bottom})"
        )
    return _sentence(parts, lang)


def target_vs_actual(
    frame: pd.DataFrame, *, name: str, unit: str, lang: str = "zh", last_year: int | None = None
) -> str:
    """City figure against its target and how many counties met theirs (columns scope, name_zh, actual, target,
    status). Honours not yet due say so instead of counting everyone as behind."""
    zh = _zh(lang)
    if frame.empty:
        return NO_DATA[lang]
    if "status" in frame.columns and (frame["status"] == "not_yet_due").all():
        if last_year is not None and "reference" in frame.columns and frame["reference"].map(_ok).any():
            city = frame[frame["scope"] == "city"]
            ref = city["reference"].iloc[0] if not city.empty else frame["reference"].sum()
            shown = fmt.value(ref, unit, 0, lang)
            return (
                f"{name}为年度表彰，于第四季度计入；{last_year}年全年为{shown}。"
                if zh
                else f"{name} are annual honours counted in Q4; {last_year} as a whole: {shown}."
            )
        return f"{name}为年度表彰，于第四季度计入。" if zh else f"{name} are annual honours counted in Q4."
    parts: list[str | None] = []
    city = frame[frame["scope"] == "city"]
    label = "name_zh" if zh else "name_en"
    if not city.empty:
        row = city.iloc[0]
        actual = fmt.value(row["actual"] if _ok(row["actual"]) else 0, unit, 0, lang)
        target = fmt.value(row["target"], unit, 0, lang)
        parts.append(
            f"{name}{row[label]}{actual}（目标{target}）" if zh else f"{name}, {row[label]}: {actual} (target {target})"
        )
    counties = frame[(frame["scope"] != "city") & frame["target"].map(_ok)]
    if not counties.empty:
        met = counties["actual"].fillna(0) >= counties["target"]
        n, k = len(counties), int(met.sum())
        parts.append(f"{n}个县市区中{k}个完成年度目标" if zh else f"{k} of {n} counties met the year's target")
        behind = counties.loc[~met, label].tolist()
        if behind:
            sep = "、" if zh else ", "
            listed = sep.join(behind[:4]) + (("等" if zh else " and others") if len(behind) > 4 else "")
            parts.append(f"未完成：{listed}" if zh else f"not yet: {listed}")
    return _sentence(parts, lang) if parts else NO_DATA[lang]


def status_summary(kpis: pd.DataFrame, lang: str = "zh") -> str:
    """How the headline indicators stand against what was due by now (kpis columns status)."""
    zh = _zh(lang)
    judged = kpis[kpis["status"].isin(["ahead", "on_track", "behind"])] if "status" in kpis.columns else kpis.iloc[0:0]
    pending = int((kpis["status"] == "not_yet_due").sum()) if "status" in kpis.columns else 0
    if judged.empty:
        return (
            f"共{len(kpis)}项重点指标，暂无可对比的年度目标。"
            if zh
            else f"{len(kpis)} headline indicators; no targets to judge against yet."
        )
    behind = int((judged["status"] == "behind").sum())
    ok = len(judged) - behind
    if zh:
        text = f"{len(judged)}项设有年度目标的重点指标中，{ok}项达到或超过应完成进度，{behind}项落后"
        return text + (f"；另有{pending}项年度表彰于第四季度计入。" if pending else "。")
    text = f"Of {len(judged)} headline indicators with a target: {ok} on or ahead of schedule, {behind} behind"
    return text + (f"; {pending} annual honours count in Q4." if pending else ".")


def progress(frame: pd.DataFrame, lang: str = "zh") -> str:
    """Headline indicators against what was due (columns name_zh/name_en, status, relative_gap)."""
    zh = _zh(lang)
    if frame.empty or "status" not in frame.columns:
        return NO_DATA[lang]
    summary = status_summary(frame, lang)
    behind = frame[frame["status"] == "behind"].sort_values("relative_gap", kind="stable")
    if behind.empty:
        return summary
    worst = behind.iloc[0]
    label = worst["name_zh" if zh else "name_en"]
    if worst.get("unit_zh") == "%":
        points = f"{abs(float(worst['gap'])):.1f}"
        short = f"低于目标{points}个百分点" if zh else f"{points} pp below target"
    else:
        pct = f"{abs(float(worst['relative_gap'])) * 100:.0f}%"
        short = f"比应完成进度少{pct}" if zh else f"{pct} short of what was due"
    return summary + (f"落后最多的是{label}（{short}）。" if zh else f" Furthest behind: {label} ({short}).")
