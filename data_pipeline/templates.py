"""Submission templates (.xlsx) generated from the contracts: reference/columns.csv, datasets.csv and the cross rules.

A template has a title row, the contract's Chinese headers (exactly as ingest recognises them), one input
message per column stating its rule, drop-down lists for every enumeration (long lists through ranges on a
hidden sheet), number and date validation, a frozen header, column widths and a 填表说明 sheet. Per-firm data
and registries come pre-filled with the unit's last published rows (data_pipeline.published).
Nothing here is written by hand per dataset: change the contract and every template follows.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from data_pipeline import contracts, normalize, published
from data_pipeline.reference import Column, Dataset, chains, counties, datasets, indicators, warning_rules
from data_pipeline.roster import Quarter, Unit
from data_pipeline.xlsx_patch import display_width

TITLE_ROW = 0  # 0-based: row 1 holds the title
HEADER_ROW = 1  # row 2 holds the headers
FIRST_DATA_ROW = 2  # data from row 3
VALIDATED_ROWS = 5000  # validations and drop-downs cover this many data rows (more than any unit's firms)
LISTS_SHEET = "下拉选项"
GUIDE_SHEET = "填表说明"
INPUT_MESSAGE_MAX = 255  # Excel's limits for a validation's input message and title
INPUT_TITLE_MAX = 32
BOOL_CHOICES = ("是", "否")
DATE_MIN = dt.date(normalize.MIN_YEAR, 1, 1)
DATE_MAX = dt.date(normalize.MAX_YEAR, 12, 31)

TYPE_RULE_ZH = {
    "text": "文字",
    "choice": "从下拉列表选择",
    "county": "从下拉列表选择县市区",
    "chain": "从下拉列表选择产业链",
    "credit_code": "18位统一社会信用代码（末位为校验码），按营业执照填写",
    "indicator": "从下拉列表选择指标目录中的指标代码",
    "bool": "从下拉列表选择“是”或“否”",
    "count": "不小于0的整数",
    "count_positive": "不小于1的整数",
    "stars": "1至5的整数（星级）",
    "year": f"年度，4位数字（{normalize.MIN_YEAR}至{normalize.MAX_YEAR}）",
    "money": "不小于0的数字，可带小数，单位见列名",
    "money_positive": "大于0的数字，可带小数，单位见列名",
    "number": "数字，按该指标的单位填写",
    "date": "日期，如2026-10-15",
    "quarter": "统计期，如2026Q4",
    "id_number": "18位身份证号（末位可为X），入库前即加密，不保存原文",
    "person_name": "仅供核对，不入库",
}
CROSS_OP_ZH = {"<=": "不能大于", ">=": "不能小于"}


def resolve_dataset(name: str) -> Dataset:
    """A dataset from its code (enterprises) or its Chinese title (企业建会入会情况); KeyError with the choices."""
    key = normalize.compact(name)
    for ds in datasets():
        if key.lower() == ds.dataset or key in (ds.title_zh, normalize.compact(ds.title_zh)):
            return ds
    options = "、".join(f"{ds.dataset}（{ds.title_zh}）" for ds in datasets())
    raise KeyError(f"未知数据类型：{name}，可选：{options}")


# ---------------------------------------------------------------- rules in words


def _header(ds: Dataset, column: str) -> str:
    return next(c.header_zh for c in ds.columns if c.column == column)


def cross_rules_zh(ds: Dataset, col: Column) -> list[str]:
    """The cross-field rules of one column in words (会员人数: 不能大于职工人数; 是否建会为“否”时填0)."""
    out = []
    for rule in contracts.CROSS_RULES:
        if rule.dataset != ds.dataset or rule.left != col.column:
            continue
        right = _header(ds, rule.right)
        if rule.op == "zero_unless":
            out.append(f"{right}为“否”时填0")
        elif col.type == "date":
            out.append(f"不能早于{right}" if rule.op == ">=" else f"不能晚于{right}")
        else:
            out.append(f"{CROSS_OP_ZH[rule.op]}{right}")
    return out


def choices(col: Column, unit: Unit | None = None, period: str | None = None) -> tuple[str, ...] | None:
    """The drop-down list of a column, or None for a column without one (the unit's own county or chain only)."""
    if col.type == "choice":
        return col.choices
    if col.type == "bool":
        return BOOL_CHOICES
    if col.type == "county":
        if unit is not None and unit.kind == "county":
            return (unit.name_zh,)
        return tuple(c.name_zh for c in counties())
    if col.type == "chain":
        if unit is not None and unit.kind == "chain":
            return (unit.name_zh,)
        return tuple(c.name_zh for c in chains())
    if col.type == "indicator":
        return tuple(i.code for i in indicators())
    if col.type == "quarter" and period and "Q" in period:
        return (period,)
    return None


def rule_zh(ds: Dataset, col: Column, unit: Unit | None = None, period: str | None = None, *, full: bool) -> str:
    """One column's rule: required or not, type and bounds, cross-field rules; `full` lists every choice (填表说明)."""
    parts = ["必填" if col.required else "选填"]
    own = unit is not None and unit.column == col.type
    if own:
        parts.append(f"只能填本单位：{unit.name_zh}")
    elif col.type == "quarter" and period and "Q" in period:
        parts.append(f"本表统计期为{period}，从下拉列表选择")
    elif col.type == "year" and period:
        parts.append(f"{TYPE_RULE_ZH['year']}，本表为{period[:4]}年度")
    elif col.type == "choice" and (full or len("、".join(col.choices)) <= 120):
        parts.append(f"从下拉列表选择：{'、'.join(col.choices)}")
    elif col.type in ("county", "chain") and full:
        parts.append(f"{TYPE_RULE_ZH[col.type]}：{'、'.join(choices(col))}")
    elif col.type == "indicator" and full:
        listed = "、".join(f"{i.code}（{i.name_zh}，{i.unit_zh}）" for i in indicators())
        parts.append(f"{TYPE_RULE_ZH[col.type]}：{listed}")
    else:
        parts.append(TYPE_RULE_ZH[col.type])
    limits = contracts.bounds(col)
    if limits is not None and col.type not in ("quarter", "year", "date"):
        if limits.low is not None and limits.high is not None:
            parts.append(f"合理范围{limits.low_text}～{limits.high_text}")
        elif limits.high is not None:
            parts.append(f"不超过{limits.high_text}")
    if col.type == "chain" and not col.required and not own:
        parts.append("不属于特定产业链的不填")
    if col.type == "stars" and not col.required:
        parts.append("尚未评星的不填")
    parts.extend(cross_rules_zh(ds, col))
    return "；".join(parts)


def input_message(ds: Dataset, col: Column, unit: Unit | None = None, period: str | None = None) -> str:
    text = rule_zh(ds, col, unit, period, full=False)
    return text if len(text) <= INPUT_MESSAGE_MAX else text[: INPUT_MESSAGE_MAX - 1] + "…"


# ---------------------------------------------------------------- the workbook


_MIN_WIDTH = {
    "credit_code": 22,
    "id_number": 21,
    "text": 16,
    "chain": 20,
    "county": 12,
    "date": 12,
    "quarter": 10,
    "choice": 12,
    "indicator": 18,
}
_WIDE_TEXT = ("enterprise_name", "contest_name", "studio_name", "result_name", "site_name", "honoree")


def column_width(col: Column, values: Sequence[str] = ()) -> float:
    """Wide enough for the header and the usual content, never wider than 40 characters."""
    width = max(display_width(col.header_zh) + 3, _MIN_WIDTH.get(col.type, 9))
    if col.column in _WIDE_TEXT:
        width = max(width, 30)
    if col.type == "choice":
        width = max(width, max(display_width(c) for c in col.choices) + 3)
    if values:
        width = max(width, min(max(display_width(v) for v in values) + 2, 40))
    return float(min(width, 40))


@dataclass(frozen=True)
class Template:
    """A generated template: the .xlsx bytes, a file name to offer, and what was pre-filled."""

    content: bytes
    file_name: str
    title: str
    dataset: str
    period: str
    prefilled_rows: int
    prefilled_from: str | None  # the published period the rows come from ('2026Q3', 已发布名录), None = none
    note: str | None = None  # why a template that could be pre-filled is not (an older warehouse), in Chinese


def period_for(ds: Dataset, quarter: Quarter) -> str:
    """What a template of this dataset is for: a quarter, or a year for yearly datasets (honours, targets)."""
    col = next((c for c in ds.columns if c.column == ds.period_from), None)
    return str(quarter.year) if col is not None and col.type == "year" else str(quarter)


def title_for(ds: Dataset, period: str, unit: Unit | None) -> str:
    when = Quarter.parse(period).label_zh if "Q" in period else f"{period}年度"
    who = unit.label_zh if unit is not None and unit.kind != "city" else ""
    return f"{when}{who}{ds.title_zh}统计表"


def file_name_for(ds: Dataset, period: str, unit: Unit | None) -> str:
    who = f"_{unit.label_zh}" if unit is not None and unit.kind != "city" else ""
    return f"{period}{who}_{ds.title_zh}.xlsx"


def _cell_value(col: Column, v: object) -> object:
    """A published value as the template writes it: names for codes, 是/否 for booleans."""
    if v is None:
        return None
    if col.type == "county":
        return next((c.name_zh for c in counties() if c.code == v), v)
    if col.type == "chain":
        return next((c.name_zh for c in chains() if c.code == v), v)
    if col.type == "bool":
        return "是" if v else "否"
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def build_template(
    dataset_name: str,
    *,
    unit: Unit | None = None,
    quarter: Quarter,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Template:
    """The template of one dataset for a unit and quarter, pre-filled from the warehouse `con` when given."""
    ds = resolve_dataset(dataset_name)
    period = period_for(ds, quarter)
    title = title_for(ds, period, unit)
    prev = None
    if con is not None and published.has_previous(ds.dataset):
        prev = published.last_published(con, ds.dataset, unit, quarter)
    rows: list[list[object]] = []
    if prev is not None and len(prev):
        for rec in prev.rows.to_dict("records"):
            row = []
            for col in ds.columns:
                v = period if col.type == "quarter" else _cell_value(col, rec.get(col.column))
                row.append(v)
            rows.append(row)
    content = _workbook(ds, title, period, unit, rows, prev.period if prev is not None and len(prev) else None)
    return Template(
        content=content,
        file_name=file_name_for(ds, period, unit),
        title=title,
        dataset=ds.dataset,
        period=period,
        prefilled_rows=len(rows),
        prefilled_from=prev.period if prev is not None and len(prev) else None,
        note=prev.unavailable if prev is not None else None,
    )


def _workbook(
    ds: Dataset, title: str, period: str, unit: Unit | None, rows: list[list[object]], prefilled_from: str | None
) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "subject": ds.title_zh, "comments": "由数据看板按报送合同生成"})
    font = {"font_name": "等线", "font_size": 11}
    f_title = wb.add_format({**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_required = wb.add_format(
        {**font, "bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1, "align": "center"}
    )
    f_required.set_text_wrap()
    f_optional = wb.add_format({**font, "bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    f_optional.set_text_wrap()
    formats = {
        "text": wb.add_format({**font, "num_format": "@"}),
        "date": wb.add_format({**font, "num_format": "yyyy-mm-dd"}),
        "count": wb.add_format({**font, "num_format": "0"}),
        "money": wb.add_format({**font, "num_format": "0.00"}),
        "plain": wb.add_format(font),
        "centre": wb.add_format({**font, "num_format": "@", "align": "center"}),
    }

    ws = wb.add_worksheet(ds.title_zh[:31])
    lists = wb.add_worksheet(LISTS_SHEET)
    guide = wb.add_worksheet(GUIDE_SHEET)
    n = len(ds.columns)
    ws.set_row(TITLE_ROW, 30)
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, max(n - 1, 1), title, f_title)
    ws.set_row(HEADER_ROW, 36)
    last_row = FIRST_DATA_ROW + max(VALIDATED_ROWS, 2 * len(rows)) - 1
    list_col = 0
    list_names: dict[tuple[str, ...], str] = {}
    for j, col in enumerate(ds.columns):
        fmt = formats[_format_kind(col)]
        shown = [normalize.show(r[j]) for r in rows[:200]]
        ws.set_column(j, j, column_width(col, shown), fmt)
        ws.write_string(HEADER_ROW, j, col.header_zh, f_required if col.required else f_optional)
        options = _validation(ds, col, unit, period)
        opts = choices(col, unit, period)
        if opts is not None:
            name = list_names.get(opts)
            if name is None:  # each distinct list once on the hidden sheet, under a workbook name
                for i, text in enumerate(opts):
                    lists.write_string(i, list_col, text)
                name = list_names[opts] = f"list_{col.column}"
                letter = xl_col_to_name(list_col)
                wb.define_name(name, f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(opts)}")
                list_col += 1
            options.update({"validate": "list", "source": f"={name}"})
        ws.data_validation(FIRST_DATA_ROW, j, last_row, j, options)
    for i, row in enumerate(rows):
        for j, (col, v) in enumerate(zip(ds.columns, row, strict=True)):
            _write(ws, FIRST_DATA_ROW + i, j, col, v, formats)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    ws.set_selection(FIRST_DATA_ROW, 0, FIRST_DATA_ROW, 0)
    ws.set_landscape()
    ws.repeat_rows(HEADER_ROW)
    ws.fit_to_pages(1, 0)
    ws.activate()
    lists.hide()
    _guide(wb, guide, ds, title, period, unit, len(rows), prefilled_from, font)
    wb.close()
    return buf.getvalue()


def _format_kind(col: Column) -> str:
    if col.type == "date":
        return "date"
    if col.type in ("count", "count_positive", "stars", "year"):
        return "count"
    if col.type in ("money", "money_positive"):
        return "money"
    if col.type in ("bool", "quarter", "county"):
        return "centre"
    if col.type == "number":
        return "plain"
    return "text"  # codes, names and ID numbers stay text: Excel must not turn them into numbers


def _validation(ds: Dataset, col: Column, unit: Unit | None, period: str) -> dict:
    message = input_message(ds, col, unit, period)
    title = col.header_zh[:INPUT_TITLE_MAX]
    base = {
        "input_title": title,
        "input_message": message,
        "error_title": f"{title}填写有误"[:INPUT_TITLE_MAX],
        "error_message": message,
        "error_type": "stop",
        "ignore_blank": True,
    }
    t = col.type
    limits = contracts.bounds(col)
    high = limits.high if limits is not None else None
    if t in ("count", "count_positive"):
        low = 1 if t == "count_positive" else 0
        if high is not None:
            return {**base, "validate": "integer", "criteria": "between", "minimum": low, "maximum": int(high)}
        return {**base, "validate": "integer", "criteria": ">=", "value": low}
    if t == "stars":
        return {**base, "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 5}
    if t == "year":
        lo, hi = normalize.MIN_YEAR, normalize.MAX_YEAR
        return {**base, "validate": "integer", "criteria": "between", "minimum": lo, "maximum": hi}
    if t in ("money", "money_positive") and high is not None:
        return {**base, "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(high)}
    if t == "money":
        return {**base, "validate": "decimal", "criteria": ">=", "value": 0}
    if t == "money_positive":
        return {**base, "validate": "decimal", "criteria": ">", "value": 0}
    if t == "date":
        low_date = limits.low if limits is not None and limits.low is not None else DATE_MIN
        high_date = limits.high if limits is not None and limits.high is not None else DATE_MAX
        return {**base, "validate": "date", "criteria": "between", "minimum": low_date, "maximum": high_date}
    if t in ("credit_code", "id_number"):
        return {**base, "validate": "length", "criteria": "==", "value": 18}
    return {**base, "validate": "any"}


def _write(ws, r: int, c: int, col: Column, v: object, formats: dict) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        ws.write_string(r, c, "是" if v else "否")
    elif isinstance(v, dt.datetime | dt.date):
        ws.write_datetime(r, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day))
    elif isinstance(v, int | float):
        ws.write_number(r, c, v)
    else:
        ws.write_string(r, c, str(v))  # never a formula: a firm named “=1+1” stays text


def _guide(
    wb,
    ws,
    ds: Dataset,
    title: str,
    period: str,
    unit: Unit | None,
    prefilled: int,
    prefilled_from: str | None,
    font: dict,
) -> None:
    """The 填表说明 sheet: how to fill the template, then one line per column with its full rule."""
    f_title = wb.add_format({**font, "bold": True, "font_size": 14})
    f_text = wb.add_format({**font, "text_wrap": True, "valign": "top"})
    f_head = wb.add_format({**font, "bold": True, "bg_color": "#DDEBF7", "border": 1})
    f_cell = wb.add_format({**font, "text_wrap": True, "valign": "top", "border": 1})
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 80)
    ws.write_string(0, 0, f"填表说明：{title}", f_title)
    who = f"由{unit.label_zh}工会填报；" if unit is not None and unit.kind != "city" else ""
    notes = [
        f"{who}统计期为{period}，{ds.grain_zh}。",
        f"请在“{ds.title_zh[:31]}”工作表第3行起逐行填写；不要修改、删除或调换第2行的列名，不要合并单元格；合计行、备注行可以保留，系统会自动跳过。",
        "深蓝色表头为必填列，浅蓝色表头为选填列；选中单元格可看到该列的填写规则，带下拉箭头的列请从列表中选择。",
        "数字列只填数字（不要带单位，没有的填0或留空，不要填“—”）；日期填成2026-10-15的格式。",
    ]
    if prefilled:
        notes.append(
            f"已预填上期（{prefilled_from}）已发布的{prefilled}行：请逐行核对并更新数字，新增的请在下方续填；"
            "已不存在的请删除该行，并在上报说明中写明原因。"
        )
    if unit is not None and unit.column:
        notes.append(f"只能填报本单位（{unit.label_zh}）的数据，其他单位的行会作为错误退回。")
    checks = [r for r in warning_rules() if r.dataset == ds.dataset]
    if checks:
        notes.append(
            "上报后系统会与上期已发布的数据比较，以下情况会提示核对（属实的填写上报说明即可）：" + _checks_zh(ds)
        )
    for i, note in enumerate(notes, 1):
        ws.merge_range(i, 0, i, 3, f"{i}. {note}", f_text)
        ws.set_row(i, 16 * (1 + display_width(note) // 115))
    start = len(notes) + 2
    for j, text in enumerate(("序号", "列名", "必填", "填写规则")):
        ws.write_string(start, j, text, f_head)
    for k, col in enumerate(ds.columns, 1):
        r = start + k
        ws.write_number(r, 0, k, f_cell)
        ws.write_string(r, 1, f"“{col.header_zh}”", f_cell)  # quoted: this sheet must never read as a table
        ws.write_string(r, 2, "是" if col.required else "否", f_cell)
        text = rule_zh(ds, col, unit, period, full=True)
        ws.write_string(r, 3, text, f_cell)
        ws.set_row(r, 18 * (1 + display_width(text) // 78))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _checks_zh(ds: Dataset) -> str:
    parts = []
    for r in warning_rules():
        if r.dataset != ds.dataset:
            continue
        if r.check == "relative_change":
            parts.append(f"{_header(ds, r.column)}比上期变化超过{r.threshold:.0%}")
        elif r.check == "relative_drop":
            parts.append(f"{_header(ds, r.column)}比上期减少超过{r.threshold:.0%}")
        elif r.check == "rate_drop":
            num, den = r.column.split("/")
            parts.append(f"{_header(ds, num)}÷{_header(ds, den)}比上期下降超过{r.threshold:g}个百分点")
        elif r.check == "missing_row":
            parts.append("上期有、本期没有的行")
    return "；".join(parts) + "。"


def write_template(path, dataset_name: str, **kw) -> Template:
    """build_template, written to `path`."""
    tpl = build_template(dataset_name, **kw)
    with open(path, "wb") as fh:
        fh.write(tpl.content)
    return tpl
