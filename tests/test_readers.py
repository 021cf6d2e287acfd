"""Reading cells, finding the header, recognising non-data rows and periods in titles."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from data_pipeline import readers
from data_pipeline.reference import dataset

CASES = Path(__file__).parent / "fixtures" / "ingest" / "cases"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("会员人数（人）", "会员人数(人)"),
        (" 职工\n人数 ", "职工人数"),
        ("*统一社会信用代码", "统一社会信用代码"),
        ("县 市 区：", "县市区"),
        ("创效金额(万元)", "创效金额(万元)"),
    ],
)
def test_norm_header(text, expected):
    assert readers.norm_header(text) == expected


@pytest.mark.parametrize(
    ("ds", "header", "column"),
    [
        ("enterprises", "会员人数（人）", "members"),
        ("enterprises", "会员人数", "members"),
        ("enterprises", "工会会员数", "members"),
        ("enterprises", "职工\n人数（人）", "employees"),
        ("innovation_results", "创效金额（万元）", "benefit"),
        ("innovation_results", "创效金额(万元)", "benefit"),
        ("innovation_results", "创效金额", "benefit"),
        ("aid_cases", "救助金额（元）", "amount"),
        ("aid_cases", "救助金额", "amount"),
        ("aid_cases", "金额（元）", "amount"),
        ("service_activities", "投入资金（万元）", "spend"),
        ("service_activities", "投入资金", "spend"),
        ("enterprises", "县（市、区）", "county"),
        ("training", "结业（毕业）人数", "completed"),
        ("enterprises", "企业名称【必填】", "enterprise_name"),
    ],
)
def test_header_matches_with_and_without_units(ds, header, column):
    idx = next(i for i in readers.header_indexes() if i.dataset.dataset == ds)
    col = idx.match(header)
    assert col is not None and col.column == column


@pytest.mark.parametrize(
    ("ds", "header"),
    [("aid_cases", "救助金额（万元）"), ("innovation_results", "创效金额（元）"), ("enterprises", "备注")],
)
def test_header_with_another_money_unit_or_unknown_does_not_match(ds, header):
    idx = next(i for i in readers.header_indexes() if i.dataset.dataset == ds)
    assert idx.match(header) is None


def test_every_contract_header_and_alias_is_recognised():
    for idx in readers.header_indexes():
        for col in idx.dataset.columns:
            for name in (col.header_zh, *col.aliases):
                got = idx.match(name)
                assert got is not None, (idx.dataset.dataset, name)
                # an alias may be shadowed by another column's own header, never the reverse
                if name == col.header_zh:
                    assert got.column == col.column


def test_find_header_below_title_units_and_filler_lines():
    ds = dataset("training")
    header = [c.header_zh for c in ds.columns]
    rows = [
        ["2024年第一季度东平县职工素质提升情况统计表", "", ""],
        ["填报单位：东平县总工会", "", "填报日期：2024年4月8日"],
        ["单位：人、个"],
        [],
        header,
        ["2024Q1", "东平县", "", "工匠学院", 10, 8, "", ""],
    ]
    m = readers.find_header(rows)
    assert m is not None and m.dataset.dataset == "training" and m.row_index == 4
    assert m.missing_required == [] and m.unknown == []
    assert readers.period_in_text(m.title_text) == "2024Q1"


def test_find_header_rejects_tables_without_two_known_columns():
    assert readers.find_header([["姓名", "年龄"], ["张三", 3]]) is None
    assert readers.find_header([]) is None


def test_find_header_reports_missing_required():
    m = readers.find_header([["统计期", "县市区", "产业链", "项目类别"]])
    assert m is not None and m.dataset.dataset == "training"
    assert [c.column for c in m.missing_required] == ["participants"]


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        ([], "blank"),
        (["", "  ", None], "blank"),
        (["合计", "", 100], "total"),
        (["", "小 计", 100], "total"),
        (["总计："], "total"),
        (["填表人：张三", "", "审核人：李四"], "note"),
        (["注：数据截至季度末"], "note"),
        (["说明：本表按季度报送"], "note"),
        (["注1.口径说明"], "note"),
        (["统计期", "县市区"], "header"),
        (["2024Q1", "合计公司"], "data"),
        (["注塑厂", 12], "data"),
        ([0.0, 0.0], "data"),
    ],
)
def test_row_kind(row, kind):
    assert readers.row_kind(row, {"统计期", "县市区"}) == kind


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2024年第一季度泰山区服务阵地台账", "2024Q1"),
        ("2024年3季度", "2024Q3"),
        ("泰山区_服务阵地_2025Q4", "2025Q4"),
        ("sites-2024-Q2", "2024Q2"),
        ("2024年5月", "2024Q2"),
        ("2024.11", "2024Q4"),
        ("2024年度选树表彰", "2024"),
        ("泰山区服务阵地", None),
        ("sites_v2", None),
    ],
)
def test_period_in_text(text, period):
    assert readers.period_in_text(text) == period


def test_csv_encodings(tmp_path):
    text = "统计期,县市区\n2024Q1,泰山区\n"
    for enc in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        p = tmp_path / f"x_{enc}.csv"
        p.write_bytes(text.encode(enc))
        rows = readers.read_sheets(p)[0].rows
        assert rows == [["统计期", "县市区"], ["2024Q1", "泰山区"]], enc


def test_error_cells_are_not_read_as_blank(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    ws.append(["#DIV/0!", "#N/A"])  # openpyxl stores these as error cells (t="e")
    p = tmp_path / "e.xlsx"
    wb.save(p)
    cells = readers.read_sheets(p)[0].rows[1]
    assert cells == ["#DIV/0!", "#N/A"]
    assert all(isinstance(c, readers.ExcelError) for c in cells)


def test_rows_keep_spreadsheet_numbering(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"] = "x"  # empty rows and columns before the data are kept
    p = tmp_path / "o.xlsx"
    wb.save(p)
    rows = readers.read_sheets(p)[0].rows
    assert rows[2][2] == "x"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("04_password_protected.xlsx", "已加密"),
        ("06_empty.csv", "文件为空"),
        ("07_truncated.xlsx", "损坏"),
        ("30_word_document.xlsx", "不是Excel工作簿"),
        ("37_ole2_garbage.xlsx", "损坏"),
    ],
)
def test_unreadable_files_raise_read_error(name, reason):
    with pytest.raises(readers.ReadError) as err:
        readers.read_sheets(CASES / name)
    assert reason in err.value.reason_zh


def test_unknown_extension(tmp_path):
    p = tmp_path / "notes.docx"
    p.write_bytes(b"\x01\x02binary\x00")
    with pytest.raises(readers.ReadError, match="不是可识别的表格文件"):
        readers.read_sheets(p)


def test_canonical_english_names_are_recognised():
    m = readers.find_header([["period", "county", "programme", "participants", "备注"]])
    assert m is not None and m.dataset.dataset == "training" and m.missing_required == []
    assert m.unknown == ["备注"]
