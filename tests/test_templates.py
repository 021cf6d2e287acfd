"""Templates follow the contracts: headers ingest recognises, a drop-down for every enumeration, every rule in an
input message; a correctly filled template loads with nothing quarantined; pre-fill is the last published quarter."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from data_pipeline import cli, contracts, feedback, ingest, readers, templates
from data_pipeline.normalize import credit_check_char, id_check_char
from data_pipeline.reference import Column, Dataset, chains, counties, datasets, indicators
from data_pipeline.roster import Quarter, Unit, chain_unit, county_unit

Q = Quarter(2026, 4)
XINTAI = county_unit("xintai")
UNITS = [None, XINTAI, chain_unit("C01")]


def _open(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def _validation(ws, col_index: int):
    """The data validation covering the first data cell of a column."""
    cell = f"{get_column_letter(col_index + 1)}{templates.FIRST_DATA_ROW + 1}"
    hits = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(hits) == 1, cell
    return hits[0]


def _list_values(wb: openpyxl.Workbook, formula: str) -> list[str]:
    """The values of a list validation's source: a defined name pointing at a range of the hidden sheet."""
    name = wb.defined_names[formula.lstrip("=")]
    (sheet, ref), *_ = list(name.destinations)
    return [c.value for row in wb[sheet][ref.replace("$", "")] for c in row if c.value is not None]


def _rows(ws) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.mark.parametrize("ds", datasets(), ids=lambda d: d.dataset)
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.code if u else "none")
def test_template_follows_the_contract(ds: Dataset, unit: Unit | None):
    tpl = templates.build_template(ds.dataset, unit=unit, quarter=Q)
    wb = _open(tpl.content)
    ws = wb.worksheets[0]
    assert wb.sheetnames == [ds.title_zh, templates.LISTS_SHEET, templates.GUIDE_SHEET]
    assert wb[templates.LISTS_SHEET].sheet_state == "hidden"
    assert ws.freeze_panes == "A3"
    title = ws["A1"].value
    assert title == tpl.title and title.endswith(f"{ds.title_zh}统计表")
    assert ("2026年第四季度" if "Q" in tpl.period else "2026年度") in title
    if unit is not None:
        assert unit.label_zh in title

    # the headers, exactly as ingest recognises them, and nothing else ingest would read as a table
    rows = _rows(ws)
    assert rows[1] == [c.header_zh for c in ds.columns]
    match = readers.find_header(rows)
    assert match.dataset.dataset == ds.dataset and match.row_index == 1
    assert [match.columns[i].column for i in range(len(ds.columns))] == [c.column for c in ds.columns]
    assert match.unknown == [] and match.missing_required == []
    for other in (templates.LISTS_SHEET, templates.GUIDE_SHEET):
        assert readers.find_header(_rows(wb[other])) is None, other

    for j, col in enumerate(ds.columns):
        dv = _validation(ws, j)
        assert dv.promptTitle == col.header_zh and dv.showInputMessage
        prompt = dv.prompt
        assert len(prompt) <= templates.INPUT_MESSAGE_MAX
        assert prompt.startswith("必填" if col.required else "选填"), (col.column, prompt)
        for rule in contracts.CROSS_RULES:  # every cross-field rule is stated on its left column
            if rule.dataset == ds.dataset and rule.left == col.column:
                right = next(c.header_zh for c in ds.columns if c.column == rule.right)
                assert right in prompt, (rule.name, prompt)
        assert ws.column_dimensions[get_column_letter(j + 1)].width >= 8
        expected = _expected_list(col, unit, tpl.period)
        if expected is not None:  # every enumeration is a drop-down with exactly its choices
            assert dv.type == "list", col.column
            assert _list_values(wb, dv.formula1) == list(expected), col.column
            if col.type == "choice" and len("、".join(col.choices)) <= 120:
                assert all(c in prompt for c in col.choices)
            continue
        kind = {
            "count": ("whole", "greaterThanOrEqual", "0"),
            "count_positive": ("whole", "greaterThanOrEqual", "1"),
            "stars": ("whole", "between", "1"),
            "year": ("whole", "between", "1949"),
            "money": ("decimal", "greaterThanOrEqual", "0"),
            "money_positive": ("decimal", "greaterThan", "0"),
            "credit_code": ("textLength", "equal", "18"),
            "id_number": ("textLength", "equal", "18"),
        }.get(col.type)
        limits = contracts.bounds(col)
        bounded = limits is not None and limits.high is not None
        if kind is not None and bounded and col.type in ("count", "count_positive", "money", "money_positive"):
            kind = (kind[0], "between", kind[2] if col.type != "money_positive" else "0")  # columns.csv's bound
            assert float(dv.formula2) == float(limits.high), col.column
            assert f"{limits.high_text}" in prompt, col.column
        if kind is not None:
            assert (dv.type, dv.operator or "between", dv.formula1) == kind, col.column  # between is the default
        elif col.type == "date":
            assert dv.type == "date" and dv.operator in (None, "between") and dv.formula2
            assert "日期" in prompt
        words = {"count": "整数", "count_positive": "整数", "stars": "1至5", "credit_code": "18位", "id_number": "18位"}
        if col.type in words:
            assert words[col.type] in prompt

    # the 填表说明 sheet: one line per column with its full rule, every choice spelled out
    guide = _rows(wb[templates.GUIDE_SHEET])
    lines = {r[1].strip("“”"): r[3] for r in guide if isinstance(r[1], str) and r[1].strip("“”") in rows[1]}
    assert set(lines) == {c.header_zh for c in ds.columns}
    for col in ds.columns:
        for choice in _expected_list(col, unit, tpl.period) or ():
            assert choice in lines[col.header_zh], (col.column, choice)


def _expected_list(col: Column, unit: Unit | None, period: str) -> tuple[str, ...] | None:
    if col.type == "choice":
        return col.choices
    if col.type == "bool":
        return ("是", "否")
    if col.type == "county":
        return (unit.name_zh,) if unit and unit.kind == "county" else tuple(c.name_zh for c in counties())
    if col.type == "chain":
        return (unit.name_zh,) if unit and unit.kind == "chain" else tuple(c.name_zh for c in chains())
    if col.type == "indicator":
        return tuple(i.code for i in indicators())
    if col.type == "quarter":
        return (period,)
    return None


def test_dataset_by_code_or_chinese_title():
    assert templates.resolve_dataset("enterprises").dataset == "enterprises"
    assert templates.resolve_dataset("企业建会入会情况").dataset == "enterprises"
    assert templates.resolve_dataset(" 服务阵地 ").dataset == "service_sites"
    with pytest.raises(KeyError, match="可选"):
        templates.resolve_dataset("企业")


# ---------------------------------------------------------------- filled in correctly, it loads


def _credit(n: int) -> str:
    body = f"91370982MA{n:07d}"
    return body + credit_check_char(body)


def _id(n: int) -> str:
    body = f"37098219800101{n:03d}"
    return body + id_check_char(body)


def valid_rows(ds: Dataset, period: str, unit: Unit | None, n: int = 6) -> list[list[object]]:
    """n rows that meet every rule of the contract, written as a person picks them from the drop-downs."""
    out = []
    for i in range(n):
        counts = {c.column: min(50, _high(c)) for c in ds.columns if c.type in ("count", "count_positive")}
        for _ in range(3):  # settle the `≤` rules
            for rule in contracts.CROSS_RULES:
                if rule.dataset == ds.dataset and rule.op == "<=" and rule.left in counts:
                    counts[rule.left] = min(counts[rule.left], counts[rule.right] - 5)
        row = []
        for col in ds.columns:
            opts = _expected_list(col, unit, period)
            if col.type in counts or col.column in counts:
                v: object = counts[col.column]
            elif opts is not None:
                v = "是" if col.type == "bool" else opts[i % len(opts)]
            else:
                v = {
                    "text": f"{col.header_zh}{i + 1}",
                    "credit_code": _credit(i + 1),
                    "id_number": _id(i + 1),
                    "person_name": "张三",
                    "stars": 3,
                    "year": int(period[:4]),
                    "money": 12.5,
                    "money_positive": 800,
                    "number": 95.5,
                    "date": dt.datetime(2026, 10, 15),
                }[col.type]
            row.append(v)
        out.append(row)
    return out


@pytest.mark.parametrize("ds", datasets(), ids=lambda d: d.dataset)
def test_a_correctly_filled_template_loads_with_nothing_quarantined(ds: Dataset, tmp_path):
    unit = XINTAI
    tpl = templates.build_template(ds.dataset, unit=unit, quarter=Q)
    wb = _open(tpl.content)
    ws = wb.worksheets[0]
    rows = valid_rows(ds, tpl.period, unit)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(templates.FIRST_DATA_ROW + 1 + i, j + 1, v)
    path = tmp_path / tpl.file_name
    wb.save(path)
    (report,) = ingest.check_files([path])
    assert report.status == "loaded", report.reason
    assert report.dataset == ds.dataset
    assert (report.rows_total, report.rows_loaded, report.rows_quarantined) == (len(rows), len(rows), 0), [
        p.message for p in report.problems
    ]
    assert report.unknown_columns == []
    if ds.dataset != "targets":
        assert report.county == "xintai"
    assert report.period == tpl.period  # registries read it from the title
    fb = feedback.feedback(path.read_bytes(), tpl.file_name, unit=unit, with_markup=False)
    assert fb.ok and fb.errors == []


def test_an_empty_template_is_a_file_with_no_rows(tmp_path):
    tpl = templates.write_template(tmp_path / "t.xlsx", "training", unit=XINTAI, quarter=Q)
    (report,) = ingest.check_files([tmp_path / "t.xlsx"])
    assert report.status == "loaded" and report.rows_total == 0
    assert tpl.prefilled_rows == 0 and tpl.prefilled_from is None


# ---------------------------------------------------------------- pre-fill from the last published quarter


def _data_rows(content: bytes) -> list[list[object]]:
    ws = _open(content).worksheets[0]
    return [list(r) for r in ws.iter_rows(min_row=templates.FIRST_DATA_ROW + 1, values_only=True)]


E1, E2 = "91370982MA3C00001K", "91370982MA3C00002N"  # the tiny fixture's 新泰 firms
E4 = "91370902MA3C000041"


def test_prefill_is_the_units_last_published_quarter(tiny_con):
    tpl = templates.build_template("enterprises", unit=XINTAI, quarter=Quarter(2024, 4), con=tiny_con)
    assert (tpl.prefilled_rows, tpl.prefilled_from) == (2, "2024Q3")
    rows = {r[1]: r for r in _data_rows(tpl.content)}
    # period, code, name, county, chain, above_scale, chain_leader, employees, has_union, members, migrants, m.members, female
    assert rows[E1] == [
        "2024Q4",
        E1,
        "新泰示例药业有限公司",
        "新泰市",
        "医药及医疗器械",
        "是",
        "否",
        100,
        "是",
        92,
        20,
        12,
        None,
    ]
    assert rows[E2] == [
        "2024Q4",
        E2,
        "新泰示例器械有限公司",
        "新泰市",
        "医药及医疗器械",
        "是",
        "否",
        60,
        "是",
        45,
        10,
        6,
        None,
    ]
    # for 2024Q3 the last published quarter is 2024Q2, whatever was published after it
    tpl = templates.build_template("enterprises", unit=XINTAI, quarter=Quarter(2024, 3), con=tiny_con)
    assert tpl.prefilled_from == "2024Q2"
    assert {r[1]: (r[7], r[9]) for r in _data_rows(tpl.content)} == {E1: (100, 95), E2: (60, 30)}
    # a chain union gets its chain's firms across counties
    tpl = templates.build_template("enterprises", unit=chain_unit("C10"), quarter=Quarter(2024, 3), con=tiny_con)
    assert sorted(r[1] for r in _data_rows(tpl.content)) == sorted([E1, E2, E4])
    # before any data: nothing to pre-fill
    tpl = templates.build_template("enterprises", unit=XINTAI, quarter=Quarter(2024, 1), con=tiny_con)
    assert tpl.prefilled_rows == 0 and _data_rows(tpl.content) == []


def test_prefill_equals_the_published_rows_for_every_prefilled_dataset(tiny_con):
    from data_pipeline import published

    for name in published.QUERIES:
        ds = templates.resolve_dataset(name)
        prev = published.last_published(tiny_con, name, XINTAI, Quarter(2024, 4))
        assert len(prev) > 0, name
        tpl = templates.build_template(name, unit=XINTAI, quarter=Quarter(2024, 4), con=tiny_con)
        got = _data_rows(tpl.content)
        assert len(got) == len(prev) == tpl.prefilled_rows
        for row, rec in zip(got, prev.rows.to_dict("records"), strict=True):
            for col, v in zip(ds.columns, row, strict=True):
                want = rec[col.column]
                if col.type == "quarter":
                    want = "2024Q4"
                elif col.type == "county":
                    want = "新泰市"
                elif col.type == "chain":
                    want = next((c.name_zh for c in chains() if c.code == want), None)
                elif col.type == "bool" and want is not None:
                    want = "是" if want else "否"
                elif isinstance(want, dt.date):
                    v = v.date()
                assert v == want, (name, col.column)


def test_a_prefilled_template_sent_back_unchanged_loads_and_warns_of_nothing(tiny_con, tmp_path):
    for name in ("enterprises", "innovation_studios", "service_sites"):
        tpl = templates.build_template(name, unit=XINTAI, quarter=Quarter(2024, 4), con=tiny_con)
        fb = feedback.feedback(tpl.content, tpl.file_name, unit=XINTAI, con=tiny_con)
        assert fb.ok, fb.lines_zh()
        assert fb.report.rows_loaded == tpl.prefilled_rows
        assert fb.warnings == [] and fb.previous_period == tpl.prefilled_from


def test_cli_template_writes_a_prefilled_workbook(tiny_warehouse, tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    code = cli.main(
        [
            "template",
            "企业建会入会情况",
            "--county",
            "新泰",
            "--period",
            "2024Q4",
            "--db",
            str(tiny_warehouse),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "2024年第四季度新泰市企业建会入会情况统计表" in capsys.readouterr().out
    assert len(_data_rows(out.read_bytes())) == 2
    assert cli.main(["template", "nope", "--out", str(out)]) == 2
    assert "未知数据类型" in capsys.readouterr().err
    assert cli.main(["template", "enterprises", "--county", "nowhere", "--out", str(out)]) == 2
    assert "未知县市区" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli.main(["template", "--help"])
    assert exc.value.code == 0


def test_an_older_warehouse_gives_a_template_without_prefill_and_says_why(tmp_path):
    import duckdb

    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table firm_quarters (period_index integer, county varchar, chain varchar)")
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        tpl = templates.build_template("enterprises", unit=XINTAI, quarter=Q, con=con)
        assert tpl.prefilled_rows == 0 and "重新构建" in tpl.note
        fb = feedback.feedback(tpl.content, tpl.file_name, unit=XINTAI, con=con, with_markup=False)
        assert fb.ok and fb.warnings == [] and "重新构建" in fb.note
    finally:
        con.close()


def _high(col) -> int:
    """A column's plausible upper bound (contracts.bounds), or a large number when it has none."""
    from data_pipeline import contracts

    limits = contracts.bounds(col)
    return int(limits.high) if limits is not None and limits.high is not None else 10**6
