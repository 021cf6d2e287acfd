"""Reading cells, finding the header, recognising non-data rows and periods in titles."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert readers.row_kinds([row], {"统计期", "县市区"}) == [kind]


# Cells that touch every rule of row_kind: totals (spaced, full-width, inside names), notes, the header
# repeated, blanks of every kind, numbers (1 and True are equal in Python), error cells and NUL.
_CELLS = st.one_of(
    st.sampled_from(
        [
            "合计",
            " 合计",
            "合 计：",
            "小计",
            "总计:",
            "全市合计",
            "合计公司",
            "全国劳模",
            "累",
            "\u3000合计",
            "合\x00计",
        ]
        + ["填表人：张三", "注：", "注1.口径", "说明：x", "数据来源：", "单位：人", "电话", "审核人"]
        + ["统计期", "县市区", " 统计期", "统计期 ", "", " ", "\u3000", "\t", "2024Q1", "泰山区", "x"]
    ),
    st.sampled_from([None, 0, 1, 1.0, True, False, 2.5, float("nan"), readers.ExcelError("#DIV/0!")]),
    st.text(alphabet="合小总累全填注说计 \u3000\x00ab1", max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELLS, max_size=6), max_size=12))
def test_row_kinds_answers_as_row_kind_row_by_row(rows):
    header = {"统计期", "县市区"}
    width = max(map(len, rows), default=0)
    padded = [row + [None] * (width - len(row)) for row in rows]
    expected = [readers.row_kind(row, header) for row in rows]
    assert readers.row_kinds(rows, header) == expected
    columns = list(zip(*padded, strict=True)) if padded and width else []
    assert readers.row_kinds(padded, header, columns) == expected


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


# ---------------------------------------------------------------- reading limits

from dataclasses import replace  # noqa: E402

from tests.fixtures.hostile import make_hostile as h  # noqa: E402


def _sheet_xml(body: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + body
        + b"</sheetData></worksheet>"
    )


@pytest.mark.parametrize(
    ("body", "extent"),
    [
        (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1</v></c></row>', None),  # nothing suspect
        (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="9"><c r="XFD9"><v>1</v></c></row>', (9, 16384)),
        (b'<row r="1"><c t="n" r="XFD1"><v>1</v></c></row>', (1, 16384)),  # r not the first attribute
        (b'<x:row r="5"><x:c r="IW5"><x:v>1</x:v></x:c></x:row>', (5, 257)),  # a namespace prefix
        (b'<row r="200000"><c><v>1</v></c><c><v>2</v></c></row>', (200000, 2)),  # cells without r
        (b'<row r="1"><c r="XFD1048576" s="3"/></row>', (0, 0)),  # formatting only: no value
        (b'<row r="2"><c\nr="Z100001"><v>1</v></c></row>', (100001, 26)),  # a line break inside the tag
    ],
)
def test_sheet_extent_scans_a_sheet_whose_signs_go_beyond_the_limits(body, extent):
    assert readers.sheet_extent(_sheet_xml(body), readers.limits()) == extent


@pytest.mark.parametrize(
    ("body", "extent"),
    [
        (b"<row r='1'><c r='AB1'><v>1</v></c></row>", (1, 28)),  # single quotes
        (b'<row r="3"><c><v>1</v></c><c/><c><v>1</v></c></row>', (3, 3)),  # positions without r
        (b'<row><c r="B2"><v>1</v></c></row><row><c><v>1</v></c></row>', (2, 2)),
    ],
)
def test_the_scan_follows_positions_however_they_are_written(body, extent):
    assert readers._scan_extent(_sheet_xml(body)) == extent


def test_a_declared_dimension_beyond_the_limits_is_checked_against_the_values():
    formatted = b'<dimension ref="A1:M150000"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    assert readers.sheet_extent(formatted, readers.limits()) == (1, 1)  # formatting alone does not refuse a file


def test_extent_within_lowered_limits_is_scanned_exactly(monkeypatch):
    lim = replace(readers.limits(), rows=10)
    xml = _sheet_xml(b'<row r="11"><c r="A11"><v>1</v></c></row>')
    assert readers.sheet_extent(xml, lim) == (11, 1)


def test_a_far_cell_is_refused_before_the_spreadsheet_library_sees_it(tmp_path):
    for declared in (None, "A1:H3"):
        path = h.far_cell_xlsx(tmp_path / f"far_{declared}.xlsx", declared=declared)
        with pytest.raises(readers.ReadError, match=r"A1:XFD1048576（1048576 行 × 16384 列），超过读取上限"):
            readers.read_sheets(path)


def test_zip_bombs_are_refused_by_their_real_size(tmp_path):
    lim = readers.limits()
    honest = h.zip_bomb_xlsx(tmp_path / "honest.xlsx", lim.unpacked_bytes + (1 << 20))
    lying = h.zip_bomb_xlsx(tmp_path / "lying.xlsx", lim.unpacked_bytes + (1 << 20), lie=True)
    for path in (honest, lying):
        with pytest.raises(readers.ReadError, match="超过上限 200.0 MB（读取限制）"):
            readers.read_sheets(path)
    small = h.zip_bomb_xlsx(tmp_path / "small.xlsx", 1 << 20)  # a 1 MB cell is within the limits
    assert len(readers.read_sheets(small)[0].rows[1][2]) == 1 << 20


def test_a_part_whose_header_lies_about_a_small_size_is_damaged(tmp_path):
    path = h.zip_bomb_xlsx(tmp_path / "lie.xlsx", 4 << 20, lie=True)  # says 1 KB, holds 4 MB
    with pytest.raises(readers.ReadError, match="记录的大小与实际内容不符"):
        readers.read_sheets(path)


def test_file_size_rows_and_cells_limits(tmp_path, monkeypatch):
    lim = readers.limits()
    monkeypatch.setattr(readers, "limits", lambda: replace(lim, file_bytes=1000, rows=5, cells=40))
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 300)
    with pytest.raises(readers.ReadError, match=r"文件大小 1.2 KB 超过上限 1000 B（读取限制）"):
        readers.read_sheets(big)
    monkeypatch.setattr(readers, "limits", lambda: replace(lim, rows=5, cells=40))
    many = tmp_path / "many.csv"
    many.write_bytes(b"a,b\n" + b"1,2\n" * 10)
    with pytest.raises(readers.ReadError, match="超过读取上限（最多 5 行、40 个单元格）"):
        readers.read_sheets(many)
    wide = tmp_path / "wide.parquet"
    pd.DataFrame({f"c{i}": [1] for i in range(300)}).to_parquet(wide)
    monkeypatch.setattr(readers, "limits", lambda: lim)
    with pytest.raises(readers.ReadError, match="（2 行 × 300 列），超过读取上限"):
        readers.read_sheets(wide)


def test_a_huge_csv_cell_is_a_reason_not_a_crash(tmp_path):
    path = tmp_path / "cell.csv"
    path.write_bytes(b"a,b\n" + b"x" * 200_000 + b",1\n")
    with pytest.raises(readers.ReadError, match="超长的单元格"):
        readers.read_sheets(path)


def test_xls_error_cells_are_error_cells_like_xlsx_ones():
    sheets = readers.read_sheets(h.ERRORS_XLS)
    assert [s.name for s in sheets] == ["企业"]
    cells = sheets[0].rows
    assert cells[1][7] == "#DIV/0!" and isinstance(cells[1][7], readers.ExcelError)
    assert cells[2][5] == "#N/A" and isinstance(cells[2][5], readers.ExcelError)
    assert not isinstance(cells[3][5], readers.ExcelError)


def test_every_sheet_is_returned_with_its_name_and_csv_has_none(tmp_path):
    path = h.write_sheets(tmp_path / "two.xlsx", {"一": [["a", "b"], [1, 2]], "二": [["c"], [3]]})
    assert [(s.name, s.rows) for s in readers.read_sheets(path)] == [("一", [["a", "b"], [1, 2]]), ("二", [["c"], [3]])]
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert readers.read_sheets(csv_path)[0].name is None
