"""Warnings: values that pass every rule of the contract but are unusual next to the unit's last published rows.

The rules, thresholds and Chinese message templates are data (reference/warning_rules.csv); this module
only knows the four kinds of comparison (`check`):
- relative_change: a row's value changed by more than threshold × the old value (职工人数, ±50 %);
- relative_drop: a row's value fell by more than threshold × the old value (会员人数, −20 %);
- missing_row: a row of the last published rows (matched on the dataset's key without its period) is absent;
- rate_drop: the unit's sum(numerator) ÷ sum(denominator) fell by more than threshold percentage points.
Rows are matched on the dataset's key without period columns (enterprises: credit_code; registries: name +
county). The functions take plain DataFrames and do not care how they were produced.
A warning never blocks a submission: the unit keeps the value and writes an explanation (上报说明).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from data_pipeline.reference import Dataset, WarningRule, chains, counties, dataset, warning_rules

PERIOD_COLUMNS = frozenset({"period", "year", "quarter"})


@dataclass(frozen=True)
class SubmissionWarning:
    """One warning. row_number is the spreadsheet row (None for a whole-file warning or a missing row);
    column is the header as written in the file ('' when no single cell is concerned); value and previous
    are shown as text; key identifies the compared row across resubmissions (a credit code, a studio name)."""

    rule: str
    row_number: int | None
    column: str
    message: str
    value: str
    previous: str
    key: str = ""
    sheet: str | None = None


def match_key(ds: Dataset) -> tuple[str, ...]:
    """The columns that identify the same row in two quarters: the dataset key without its period."""
    return tuple(k for k in ds.key if k not in PERIOD_COLUMNS and k != ds.period_from)


def _name_column(ds: Dataset) -> str:
    return next((c.column for c in ds.columns if c.type == "text"), match_key(ds)[0])


def _num(v: object) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _show(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _pct(x: float) -> str:
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.1%}"


def _key_text(ds: Dataset, values: tuple) -> str:
    shown = []
    for col, v in zip(match_key(ds), values, strict=True):
        if col == "county":
            v = next((c.name_zh for c in counties() if c.code == v), v)
        elif col == "chain":
            v = next((c.name_zh for c in chains() if c.code == v), v)
        shown.append("" if v is None else str(v))
    return "、".join(shown)


def _index(frame: pd.DataFrame, key: Sequence[str]) -> dict[tuple, dict]:
    """Rows by key (the first row of a key wins; rows with a blank key part are left out)."""
    out: dict[tuple, dict] = {}
    if frame is None or frame.empty or any(k not in frame.columns for k in key):
        return out
    for rec in frame.to_dict("records"):
        k = tuple(rec[c] for c in key)
        if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in k):
            continue
        out.setdefault(k, rec)
    return out


def check_warnings(
    rows: pd.DataFrame,
    previous: pd.DataFrame | None,
    *,
    dataset_name: str,
    previous_period: str | None,
    headers: Mapping[str, str] | None = None,
    rules: Sequence[WarningRule] | None = None,
) -> list[SubmissionWarning]:
    """The warnings of an upload against the unit's last published rows.

    rows: the upload's typed rows, canonical columns plus `_row_number` (and optionally `_sheet`, and `_error`:
    True for a row that breaks a rule, left out of the unit's rate; its values that parsed are still compared);
    previous: the last published rows of the same unit (canonical columns); headers: contract
    column → header as written in the file (default the contract's header).
    """
    if previous is None or previous.empty:
        return []
    ds = dataset(dataset_name)
    active = [r for r in (rules if rules is not None else warning_rules()) if r.dataset == ds.dataset]
    if not active:
        return []
    head = {c.column: c.header_zh for c in ds.columns}
    head.update(headers or {})
    key = match_key(ds)
    now = _index(rows, key)
    before = _index(previous, key)
    error = rows["_error"].astype(bool) if "_error" in rows.columns else pd.Series(False, index=rows.index)
    good = rows[~error.to_numpy()] if len(rows) else rows
    label = previous_period or "上期"
    out: list[SubmissionWarning] = []
    for rule in active:
        fill = {"previous_period": label, "threshold": _threshold_zh(rule)}
        if rule.check in ("relative_change", "relative_drop"):
            col = rule.column
            for k, rec in now.items():
                old = before.get(k)
                if old is None:
                    continue
                new_v, old_v = _num(rec.get(col)), _num(old.get(col))
                if new_v is None or old_v is None:
                    continue
                change = _relative(rule.check, new_v, old_v)
                if change is None or change <= rule.threshold:
                    continue
                row = int(rec["_row_number"])
                text = rule.message_zh.format(
                    **fill,
                    row=row,
                    column=head.get(col, col),
                    value=_show(new_v),
                    previous=_show(old_v),
                    change=_pct(change),
                    name=rec.get(_name_column(ds)) or "",
                    key=_key_text(ds, k),
                )
                out.append(
                    SubmissionWarning(
                        rule.rule,
                        row,
                        head.get(col, col),
                        text,
                        _show(new_v),
                        _show(old_v),
                        _key_text(ds, k),
                        rec.get("_sheet"),
                    )
                )
        elif rule.check == "missing_row":
            for k, old in before.items():
                if k in now:
                    continue
                name = old.get(_name_column(ds)) or ""
                text = rule.message_zh.format(**fill, name=name, key=_key_text(ds, k), row="", column="")
                out.append(SubmissionWarning(rule.rule, None, "", text, "", str(name), _key_text(ds, k)))
        elif rule.check == "rate_drop":
            num, den = rule.column.split("/")
            new_rate = _rate(good, num, den)
            old_rate = _rate(previous, num, den)
            if new_rate is None or old_rate is None or old_rate - new_rate <= rule.threshold:
                continue
            text = rule.message_zh.format(
                **fill,
                value=f"{new_rate:.1f}%",
                previous=f"{old_rate:.1f}%",
                change=f"{old_rate - new_rate:.1f}个百分点",
                row="",
                column="",
            )
            out.append(SubmissionWarning(rule.rule, None, "", text, f"{new_rate:.1f}%", f"{old_rate:.1f}%"))
        else:
            raise ValueError(f"warning_rules.csv: unknown check {rule.check!r} in rule {rule.rule}")
    out.sort(key=lambda w: (w.row_number is None, w.row_number or 0, w.rule))
    return out


def _relative(check: str, new: float, old: float) -> float | None:
    if check == "relative_change":
        return abs(new - old) / old if old > 0 else None  # from 0 there is no proportion to judge
    if old <= 0:
        return None
    return (old - new) / old


def _rate(frame: pd.DataFrame, num: str, den: str) -> float | None:
    """sum(num) ÷ sum(den) in percent over the rows with a denominator (a blank numerator counts as 0)."""
    if frame is None or frame.empty or num not in frame.columns or den not in frame.columns:
        return None
    total_num = total_den = 0.0
    for a, b in zip(frame[num].tolist(), frame[den].tolist(), strict=True):
        d = _num(b)
        if d is None:
            continue
        total_num += _num(a) or 0.0
        total_den += d
    return 100.0 * total_num / total_den if total_den > 0 else None


def _threshold_zh(rule: WarningRule) -> str:
    if rule.threshold is None:
        return ""
    if rule.check == "rate_drop":
        return f"{rule.threshold:g}个百分点"
    return _pct(rule.threshold)
