"""Feedback on one upload: the rows frame, rows of another unit as errors, warnings against the warehouse,
and the marked-up copy with a coloured cell and a comment exactly at each problem (read back with openpyxl)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from data_pipeline import feedback, markup
from data_pipeline.normalize import credit_check_char
from data_pipeline.roster import CITY, Quarter, chain_unit, county_unit
from data_pipeline.warning_rules import SubmissionWarning

XINTAI = county_unit("新泰")


def cc(n: int) -> str:
    body = f"91370982MA{n:07d}"
    return body + credit_check_char(body)


def xlsx(rows: list[list[object]], *, merge: str | None = None, extra_sheet: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报表"
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    if extra_sheet:
        other = wb.create_sheet("备查")
        other["A1"] = "自用备注"
        other["B2"] = "=1+2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# a shuffled header with an alias written with a unit, an extra column, and a title row above
HEADER = [
    "企业名称",
    "统一社会信用代码",
    "统计期",
    "县市区",
    "产业链",
    "职工人数",
    "是否建会",
    "会员人数（人）",
    "备注",
]
COL = {h: get_column_letter(i + 1) for i, h in enumerate(HEADER)}


def ent(name, code, county="新泰市", chain="医药及医疗器械", employees=100, members=50, union="是"):
    return [name, code, "2026Q4", county, chain, employees, union, members, ""]


def bad_upload() -> bytes:
    return xlsx(
        [
            ["2026年第四季度新泰市企业建会入会情况统计表"],
            HEADER,
            ent("甲公司", cc(1)),  # row 3: fine
            ent("乙公司", cc(2)[:-1] + "0"),  # row 4: check character
            ent("丙公司", cc(3), members=150),  # row 5: members > employees
            ent("丁公司", cc(4), county="火星市"),  # row 6: unknown county
            ent("甲公司", cc(1)),  # row 7: duplicate key of row 3
            ent("戊公司", cc(5), county="泰山区"),  # row 8: another unit
        ]
    )


def test_the_rows_frame_has_canonical_columns_and_sheet_row_numbers():
    checked = feedback.check_upload(bad_upload(), "新泰.xlsx")
    rows = checked.rows
    assert list(rows["_row_number"]) == [3, 4, 5, 6, 7, 8]
    assert list(rows["_error"]) == [False, True, True, True, True, False]
    assert set(rows["_sheet"]) == {"报表"}
    assert rows.loc[0, "period"] == "2026Q4" and rows.loc[0, "county"] == "xintai" and rows.loc[0, "chain"] == "C10"
    assert rows.loc[0, "members"] == 50 and rows.loc[0, "has_union"] is True
    assert rows.loc[3, "county"] is None  # an invalid value is None, its row flagged
    assert checked.headers["members"] == "会员人数（人）"
    assert checked.report.unknown_columns == ["备注"]


def test_rows_of_another_county_are_errors():
    fb = feedback.feedback(bad_upload(), "新泰.xlsx", unit=XINTAI)
    other = [p for p in fb.errors if p.rule == feedback.OTHER_UNIT]
    assert [(p.row_number, p.column, p.value) for p in other] == [(8, "县市区", "泰山区")]
    assert "本单位是新泰市，不能报送泰山区的数据" in other[0].message
    assert not fb.ok and fb.rows_with_errors == 5
    # the city union, or a check without a unit, may send any county's rows
    for unit in (CITY, None):
        fb = feedback.feedback(bad_upload(), "新泰.xlsx", unit=unit, with_markup=False)
        assert not [p for p in fb.errors if p.rule == feedback.OTHER_UNIT]


def test_rows_of_another_chain_and_rows_without_a_chain_are_errors_for_a_chain_union():
    rows = [
        ["竞赛名称", "竞赛类别", "竞赛级别", "县市区", "产业链", "开始日期", "参赛人次"],
        ["汽车装调工技能大赛", "技能竞赛", "市级", "新泰市", "汽车及零部件", "2026-10-15", 80],
        ["医药技能大赛", "技能竞赛", "市级", "新泰市", "医药", "2026-10-16", 60],
        ["安康杯", "安康杯", "市级", "泰山区", "", "2026-10-17", 60],
        ["安全技能比武", "劳动竞赛", "市级", "泰山区", "火星链", "2026-10-18", 60],
        ["安全技能比武二", "劳动竞赛", "市级", "泰山区", "", "2026-10-18", -1],
    ]
    fb = feedback.feedback(xlsx(rows), "c.xlsx", unit=chain_unit("C01"), with_markup=False)
    assert [(p.row_number, p.rule, p.value) for p in fb.errors] == [
        (3, feedback.OTHER_UNIT, "医药及医疗器械"),
        (4, feedback.OWN_CHAIN_MISSING, ""),
        (5, "unknown_chain", "火星链"),  # an unknown chain is its own error, not a second one
        (6, "negative", "-1"),
        (6, feedback.OWN_CHAIN_MISSING, ""),  # a blank chain in a row with another error is still reported
    ]
    assert "本单位是汽车及零部件产业链，不能报送医药及医疗器械的数据" in fb.errors[0].message


# ---------------------------------------------------------------- the marked-up copy


def _filled(ws) -> dict[str, str]:
    """Cell → fill colour of every cell with a solid fill."""
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.fill is not None and c.fill.fill_type == "solid":
                out[c.coordinate] = c.fill.fgColor.rgb[-6:]
    return out


def test_markup_colours_and_comments_exactly_the_problem_cells():
    data = bad_upload()
    fb = feedback.feedback(data, "新泰.xlsx", unit=XINTAI)
    extra = SubmissionWarning("employees_change", 3, "职工人数", "第3行「职工人数」变化过大", "100", "10")
    whole = SubmissionWarning("firm_missing", None, "", "上期的企业“己公司”本期未报送", "", "己公司")
    wb = openpyxl.load_workbook(io.BytesIO(markup.mark_up(data, "新泰.xlsx", fb.errors, [extra, whole])))
    assert wb.sheetnames == [markup.LIST_SHEET, "报表"]
    ws = wb["报表"]
    expected = {
        f"{COL['统一社会信用代码']}4": markup.ERROR_FILL,
        f"{COL['会员人数（人）']}5": markup.ERROR_FILL,
        f"{COL['县市区']}6": markup.ERROR_FILL,
        f"{COL['统计期']}7": markup.ERROR_FILL,  # a duplicate key (统计期、统一社会信用代码): its first key column
        f"{COL['县市区']}8": markup.ERROR_FILL,
        f"{COL['职工人数']}3": markup.WARNING_FILL,
    }
    assert _filled(ws) == expected
    for p in fb.errors:
        cell = ws[next(k for k in expected if k.endswith(str(p.row_number)) and expected[k] == markup.ERROR_FILL)]
        assert p.message in cell.comment.text and "【错误】" in cell.comment.text
    assert "【提示】第3行「职工人数」变化过大" in ws[f"{COL['职工人数']}3"].comment.text
    # every other cell is as it was, comments only where problems are
    assert {c.coordinate for row in ws.iter_rows() for c in row if c.comment} == set(expected)
    assert ws["A1"].value == "2026年第四季度新泰市企业建会入会情况统计表"
    listing = [list(r) for r in wb[markup.LIST_SHEET].iter_rows(min_row=4, values_only=True)]
    assert len(listing) == len(fb.errors) + 2
    assert [r[0] for r in listing] == ["错误"] * len(fb.errors) + ["提示", "提示"]
    assert listing[-1][2] is None and listing[-1][7] == whole.message  # no cell for a firm that is not in the file
    first = wb[markup.LIST_SHEET].cell(4, 3)
    assert first.value == f"{COL['统一社会信用代码']}4" and first.hyperlink.location == f"'报表'!{first.value}"


def test_markup_keeps_the_rest_of_the_workbook():
    rows = [HEADER, ent("甲公司", cc(1), members=500)]
    data = xlsx(rows, extra_sheet=True)
    fb = feedback.feedback(data, "a.xlsx", unit=XINTAI)
    wb = openpyxl.load_workbook(io.BytesIO(fb.markup))
    assert wb.sheetnames == [markup.LIST_SHEET, "报表", "备查"]
    assert wb["备查"]["B2"].value == "=1+2" and wb["备查"]["A1"].value == "自用备注"
    assert _filled(wb["报表"]) == {f"{COL['会员人数（人）']}2": markup.ERROR_FILL}


def test_a_merged_cell_is_marked_at_its_top_left_cell():
    rows = [HEADER, ent("甲公司", cc(1), county="泰山区"), ent("乙公司", cc(2), county="泰山区")]
    data = xlsx(rows, merge=f"{COL['县市区']}2:{COL['县市区']}3")
    fb = feedback.feedback(data, "m.xlsx", unit=XINTAI)
    assert [(p.row_number, p.rule) for p in fb.errors] == [(2, "other_unit"), (3, "other_unit")]
    ws = openpyxl.load_workbook(io.BytesIO(fb.markup))["报表"]
    assert _filled(ws) == {f"{COL['县市区']}2": markup.ERROR_FILL}
    assert ws[f"{COL['县市区']}2"].comment.text.count("【错误】") == 2


def test_a_csv_upload_gets_an_xlsx_copy_with_the_same_rows(tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["泰山区企业建会入会情况"])
    w.writerow(["统计期", "统一社会信用代码", "企业名称", "县市区", "产业链", "职工人数", "是否建会", "会员人数"])
    w.writerow(["2026Q4", cc(1), '=HYPERLINK("http://x","click")', "泰山区", "汽车零部件", "100", "是", "50"])
    w.writerow(["2026Q4", cc(2), "乙公司", "泰山区", "汽车零部件", "1,000", "是", "-5"])
    data = buf.getvalue().encode("gb18030")
    fb = feedback.feedback(data, "泰山区企业.csv", unit=county_unit("taishan"))
    assert [(p.row_number, p.column) for p in fb.errors] == [(4, "会员人数")]
    later = feedback.feedback(data, "泰山区企业.csv", unit=county_unit("taishan"), with_markup=False)
    assert later.markup is None and later.make_markup(data)[:2] == b"PK" and later.markup is not None
    wb = openpyxl.load_workbook(io.BytesIO(fb.markup))
    assert wb.sheetnames == [markup.LIST_SHEET, "泰山区企业"]
    ws = wb["泰山区企业"]
    assert ws["A1"].value == "泰山区企业建会入会情况" and ws["F4"].value == "1,000"
    assert _filled(ws) == {"H4": markup.ERROR_FILL}
    assert fb.errors[0].message in ws["H4"].comment.text
    link = ws["C3"]  # a formula-like text stays text, never a live formula
    assert link.data_type == "s" and link.value.startswith("=HYPERLINK")
    (tmp_path / "m.xlsx").write_bytes(fb.markup)
    assert fb.markup[:2] == b"PK"


def test_a_file_that_cannot_be_read_gets_a_problem_list_only():
    fb = feedback.feedback(b"not a spreadsheet at all", "x.xlsx", unit=XINTAI)
    assert not fb.ok and fb.report.status == "rejected"
    assert [(p.row_number, p.rule) for p in fb.errors] == [(0, feedback.REJECTED)]
    wb = openpyxl.load_workbook(io.BytesIO(fb.markup))
    assert wb.sheetnames == [markup.LIST_SHEET]
    assert wb[markup.LIST_SHEET].cell(4, 8).value == fb.report.reason


def test_problems_with_a_sheet_field_are_placed_on_that_sheet():
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本文件含两张表"
    ws = wb.create_sheet("企业")
    ws.append(HEADER)
    ws.append(ent("甲公司", cc(1)))
    buf = io.BytesIO()
    wb.save(buf)

    class SheetProblem:
        row_number, column, value, message, sheet = 2, "职工人数", "100", "核对", "企业"

    out = openpyxl.load_workbook(io.BytesIO(markup.mark_up(buf.getvalue(), "s.xlsx", [SheetProblem()])))
    assert _filled(out["企业"]) == {f"{COL['职工人数']}2": markup.ERROR_FILL}
    assert _filled(out["说明"]) == {}


# ---------------------------------------------------------------- against the warehouse


def test_warnings_against_the_units_last_published_quarter(tiny_con):
    # the tiny warehouse: 新泰 2024Q3 firms E1 (100 employees, 92 members) and E2 (60, 45)
    rows = [
        ["统计期", "统一社会信用代码", "企业名称", "县市区", "产业链", "职工人数", "是否建会", "会员人数"],
        ["2024Q4", "91370982MA3C00001K", "新泰示例药业有限公司", "新泰市", "医药", 100, "是", 60],
    ]
    fb = feedback.feedback(xlsx(rows), "2024Q4_新泰.xlsx", unit=XINTAI, con=tiny_con)
    assert fb.ok and fb.previous_period == "2024Q3"
    assert {w.rule: w.row_number for w in fb.warnings} == {
        "members_drop": 2,
        "firm_missing": None,
        "member_rate_drop": None,
    }
    ws = openpyxl.load_workbook(io.BytesIO(fb.markup))["报表"]
    assert _filled(ws) == {"H2": markup.WARNING_FILL}
    # the same file checked for 2024Q3 compares with 2024Q2, and a unit's warnings use its own rows only
    fb = feedback.feedback(xlsx(rows), "x.xlsx", unit=county_unit("taishan"), con=tiny_con, with_markup=False)
    assert [p.rule for p in fb.errors] == [feedback.OTHER_UNIT]
    assert {w.rule for w in fb.warnings} == {"firm_missing"}  # 泰山's firms are all missing from this file


def test_summary_and_lines_are_chinese_sentences():
    fb = feedback.feedback(bad_upload(), "新泰.xlsx", unit=XINTAI, with_markup=False)
    assert fb.summary_zh().startswith("新泰.xlsx：企业建会入会情况，数据 6 行：5 行有错误")
    lines = fb.lines_zh()
    assert lines[0].startswith("错误：第4行 「统一社会信用代码」列：")
    assert all(line.startswith(("错误：", "提示：")) for line in lines)


@pytest.mark.parametrize("name", ["a/b\\c.xlsx", "\udcb0\udca1.xlsx", "x" * 400 + ".xlsx", ""])
def test_any_file_name_is_handled(name):
    fb = feedback.feedback(xlsx([HEADER, ent("甲公司", cc(1))]), name, unit=XINTAI, with_markup=False)
    assert fb.ok, fb.lines_zh()


def test_the_page_can_pass_any_quarter_for_registries(tiny_con):
    rows = [
        ["工作室名称", "工作室类型", "命名级别", "县市区", "命名日期"],
        ["示例劳模创新工作室", "劳模创新工作室", "市级", "新泰市", "2020-05-01"],
    ]
    fb = feedback.feedback(xlsx(rows), "studios.xlsx", unit=XINTAI, con=tiny_con, quarter=Quarter(2024, 4))
    assert fb.ok and fb.previous_period == "已发布名录"
    assert [w.rule for w in fb.warnings] == ["studio_missing"]
    assert isinstance(fb.rows, pd.DataFrame) and len(fb.rows) == 1


def test_an_empty_upload_warns_of_every_firm_missing(tiny_con):
    rows = [["统计期", "统一社会信用代码", "企业名称", "县市区", "产业链", "职工人数", "是否建会", "会员人数"]]
    fb = feedback.feedback(xlsx(rows), "2024Q4_新泰.xlsx", unit=XINTAI, con=tiny_con, quarter=Quarter(2024, 4))
    assert fb.ok and fb.report.rows_total == 0
    assert sorted(w.key for w in fb.warnings) == ["91370982MA3C00001K", "91370982MA3C00002N"]


def test_markup_copies_every_part_it_does_not_touch_byte_for_byte():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bad_upload())) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("customXml/item1.xml", b"<keep>a part openpyxl would drop</keep>")
    data = buf.getvalue()
    fb = feedback.feedback(data, "新泰.xlsx", unit=XINTAI)
    before = zipfile.ZipFile(io.BytesIO(data))
    after = zipfile.ZipFile(io.BytesIO(fb.markup))
    edited = {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    edited.add("[Content_Types].xml")
    for name in before.namelist():
        if name not in edited:
            assert after.read(name) == before.read(name), name
    assert after.read("customXml/item1.xml") == b"<keep>a part openpyxl would drop</keep>"


def test_a_sheet_with_comments_of_its_own_keeps_them():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "报表"
    ws.append(HEADER)
    ws.append(ent("甲公司", cc(1), members=500))
    ws["A1"].comment = openpyxl.comments.Comment("填表人的批注", "张三")
    buf = io.BytesIO()
    wb.save(buf)
    fb = feedback.feedback(buf.getvalue(), "c.xlsx", unit=XINTAI)
    out = openpyxl.load_workbook(io.BytesIO(fb.markup))["报表"]
    assert out["A1"].comment.text == "填表人的批注"
    assert _filled(out) == {f"{COL['会员人数（人）']}2": markup.ERROR_FILL}
    assert "【错误】" in out[f"{COL['会员人数（人）']}2"].comment.text


def test_a_workbook_that_unpacks_too_large_gets_the_problem_list_only(monkeypatch):
    from data_pipeline import xlsx_patch

    data = bad_upload()
    fb = feedback.feedback(data, "新泰.xlsx", unit=XINTAI, with_markup=False)
    monkeypatch.setattr(xlsx_patch, "MAX_UNPACKED", 1000)  # the real limit is 256 MiB: a zip bomb, not a submission
    wb = openpyxl.load_workbook(io.BytesIO(fb.make_markup(data)))
    assert wb.sheetnames == [markup.LIST_SHEET]
    assert wb[markup.LIST_SHEET].max_row == 3 + len(fb.errors)
