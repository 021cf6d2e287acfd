"""Number, change and period formats in Chinese conventions (万, 亿, %, 个百分点), with an English variant."""

from __future__ import annotations

import math

_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}

SMALL_COUNT = 5  # aid families: fewer than this in a cell below county level are shown as "<5"
SMALL_TEXT = "<5"
TEN_THOUSAND_YUAN = (
    "10,000 yuan"  # the English unit of 万元 (the catalogue's unit_en): as statistical yearbooks write it
)


def is_small(value: object) -> bool:
    """A count small enough that a family could be singled out (0 is not: it reveals nobody)."""
    return not _missing(value) and 0 < float(value) < SMALL_COUNT  # type: ignore[arg-type]


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(value: object, decimals: int = 0, lang: str = "zh") -> str:
    """A plain number: 12,345 below ten thousand; 1.23万 / 4.5亿 above in Chinese; 12,345 in English."""
    if _missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    if lang == "zh":
        if abs(v) >= 1e8:
            return f"{v / 1e8:,.2f}亿"
        if abs(v) >= 1e5:
            return f"{v / 1e4:,.1f}万"
        if abs(v) >= 1e4:
            return f"{v / 1e4:,.2f}万"
    return f"{v:,.{decimals}f}"


def short(value: object, decimals: int = 0, lang: str = "zh") -> str:
    """A number for a narrow card: 26.4万 / 1.2亿 in Chinese (as `number`), 263.8k / 1.2m in English."""
    if lang == "zh" or _missing(value) or abs(float(value)) < 1e5:  # type: ignore[arg-type]
        return number(value, decimals, lang)
    v = float(value)  # type: ignore[arg-type]
    return f"{v / 1e6:,.1f}m" if abs(v) >= 1e6 else f"{v / 1e3:,.1f}k"


def value(value: object, unit: str, decimals: int = 0, lang: str = "zh") -> str:
    """A value with its unit: 85.3%, 1.25万人, 312.5万元 (units as in the catalogue)."""
    if _missing(value):
        return "—"
    if unit == "%":
        return f"{float(value):.{max(decimals, 1)}f}%"  # type: ignore[arg-type]
    if unit in ("万元", TEN_THOUSAND_YUAN) and abs(float(value)) >= 1000:  # type: ignore[arg-type]
        decimals = 0  # 2,284万元, not 2,283.5万元
    text = number(value, decimals, lang)
    if lang == "zh":
        if unit == "万元" and text.endswith("亿"):
            return text
        if unit == "万元" and text.endswith("万"):
            return f"{float(value) / 1e4:,.2f}亿元"  # type: ignore[arg-type]
        return f"{text}{unit}"
    if unit[:1].isdigit():
        return f"{text} × {unit}"  # 2,284 × 10,000 yuan: the unit is a multiple, never read as a second number
    return f"{text} {unit}".strip()


def tick(value: float, lang: str = "zh") -> str:
    """An axis tick: 2万, 2.5万, 1亿 in Chinese (never 2k or 20,000), 20,000 in English."""
    v = float(value)
    if lang == "zh" and abs(v) >= 1e8:
        return f"{v / 1e8:g}亿"
    if lang == "zh" and abs(v) >= 1e4:
        return f"{v / 1e4:g}万"
    return f"{v:,.0f}" if v == int(v) else f"{v:,g}"


def change(delta: object, unit: str, decimals: int = 0, lang: str = "zh") -> str | None:
    """A change against the previous period, signed; rates in percentage points."""
    if _missing(delta):
        return None
    d = float(delta)  # type: ignore[arg-type]
    sign = "+" if d > 0 else ("-" if d < 0 else "±")  # ASCII minus: Streamlit reads the sign for the arrow
    if unit == "%":
        body = f"{abs(d):.1f}"
        return f"{sign}{body}个百分点" if lang == "zh" else f"{sign}{body} pp"
    return f"{sign}{value(abs(d), unit, decimals, lang)}"


def percent(share: object, decimals: int = 0) -> str:
    """A share already in percent (0–100) as text: 87%."""
    if _missing(share):
        return "—"
    return f"{float(share):.{decimals}f}%"  # type: ignore[arg-type]


def period(code: str | None, lang: str = "zh") -> str:
    """'2026Q3' → 2026年第三季度 (or 2026 Q3); '2026' → 2026年."""
    if not code:
        return "—"
    code = str(code)
    if "Q" in code:
        year, quarter = code.split("Q", 1)
        q = int(quarter)
        return f"{year}年第{_QUARTER_ZH.get(q, quarter)}季度" if lang == "zh" else f"{year} Q{q}"
    return f"{code}年" if lang == "zh" else code


def period_short(code: str | None) -> str:
    """'2026Q3' → 2026Q3 (axis ticks, where the long form would crowd)."""
    return str(code or "—")


def quarter_range(year: int, quarter_from: int, quarter_to: int, lang: str = "zh") -> str:
    """2026年全年 / 2026年第一至三季度 / 2026年第二季度."""
    if lang != "zh":
        if (quarter_from, quarter_to) == (1, 4):
            return f"{year} full year"
        if quarter_from == quarter_to:
            return f"{year} Q{quarter_from}"
        return f"{year} Q{quarter_from}–Q{quarter_to}"
    if (quarter_from, quarter_to) == (1, 4):
        return f"{year}年全年"
    if quarter_from == quarter_to:
        return f"{year}年第{_QUARTER_ZH[quarter_from]}季度"
    return f"{year}年第{_QUARTER_ZH[quarter_from]}至{_QUARTER_ZH[quarter_to]}季度"
