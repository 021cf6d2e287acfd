"""Hostile submissions in one folder, built and checked under a memory limit as a user would run them.

One module-wide build (a real `python -m data_pipeline build` in a subprocess with RLIMIT_AS) of a folder
that mixes good files with: a value at XFD1048576 (with a true and a lying <dimension>), zip bombs (a
2 GiB text cell; a part whose header lies about its size), a GBK file name, money of 1.7e308, periods
and dates outside the window, impossible targets, a table split over two sheets, a workbook with a
second dataset on another sheet, a real .xls with error cells, formula-like firm names, a broken
resubmission, and aid files with ID numbers and names in every wrong column and spelling.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from data_pipeline import metrics, normalize, reference
from reporting import export
from tests.conftest import TEST_HASH_KEY
from tests.fixtures.hostile import make_hostile as h

ROOT = Path(__file__).resolve().parent.parent
MEMORY_CAP = int(2.5 * (1 << 30))  # the whole build, reader processes included; the bomb alone is 2 GiB

PEOPLE = ["欧阳明", "司马青", "诸葛亮亮", "上官云", "慕容复", "东方白", "令狐冲", "独孤求败", "任盈盈", "岳不群"]
PEOPLE += ["林平之", "风清扬", "田伯光", "曲洋"]
IDS = [h.idn(f"19{60 + i:02d}0{1 + i % 9}1{i % 9}", i) for i in range(len(PEOPLE))]
ID_X = next(h.idn("19851212", s) for s in range(1000) if h.idn("19851212", s).endswith("X"))
GBK_NAME = "新泰市企业2024Q1.xlsx".encode("gbk")


def capped(limit: int = MEMORY_CAP):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_cli(*args: str, env: dict | None = None, limit: int = MEMORY_CAP) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "UNION_DASH_HASH_KEY": TEST_HASH_KEY, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        preexec_fn=capped(limit),
        timeout=600,
    )


def aid_rows(county: str) -> list[list[object]]:
    """Aid payments: one clean row, then IDs and names typed into every wrong column, in every spelling."""
    p, i = PEOPLE, IDS
    sp = [h.id_spellings(x) for x in IDS]
    return [
        ["2024年第一季度帮扶救助台账"],
        h.AID,
        ["A001", p[0], i[0], "深度困难", county, "2024-01-05", 1000, 3],
        [sp[1]["spaces"], p[1], i[1], "相对困难", county, "2024-01-06", 500, 2],
        [sp[2]["hyphens"], p[2], i[2], "相对困难", county, "2024-01-07", 500, 2],
        [sp[3]["fifteen"], p[3], i[3], "相对困难", county, "2024-01-08", 500, 2],
        [sp[4]["wrong_check"], p[4], i[4], "相对困难", county, "2024-01-09", 500, 2],
        [h.id_spellings(ID_X)["lower_x"], p[5], ID_X, "相对困难", county, "2024-01-10", 500, 2],
        ["A007", p[6], i[6], p[6], county, "2024-01-11", 500, 2],  # a name as 救助类别
        ["A008", p[7], i[7], "冬送温暖", sp[7]["spaces"], "2024-01-12", 500, 2],  # an ID as 县市区
        ["A009", p[8], i[8], "冬送温暖", county, p[8], 500, 2],  # a name as 救助日期
        ["A010", p[9], i[9], "冬送温暖", county, "2024-01-14", float(i[9][:17] + "0"), 2],  # an ID as a number
        [f"{p[10]}-2024-001", p[10], i[10], "冬送温暖", county, "2024-01-15", 300, 2],  # a name in 档案编号
        ["A012", p[11], sp[11]["wrong_check"], "冬送温暖", county, "2024-01-16", 300, 2],  # a bad ID
        [sp[12]["full_width"], p[12], i[12], "冬送温暖", county, "2024-01-17", 300, 2],
        ["A014", "", i[13], "冬送温暖", p[13], "2024-01-18", 300, 2],  # a name as 县市区, none in 姓名
        ["A015", p[0], sp[0]["hyphens"], "金秋助学", county, "2024-01-19", 800, 3],  # a spelled ID: hashed
        ["A016", p[0], i[0], "冬送温暖", county, "2024-01-20", sp[0]["spaces"], 3],  # an ID as 救助金额
        [f"填表人：{p[0]}"],
    ]


def write_csv(path: Path, rows: list[list[object]], encoding: str) -> Path:
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows([["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    raw.mkdir()
    h.write_xlsx(raw / "good_泰山区.xlsx", h.enterprises("2024Q1", "泰山区", range(1, 4)))
    h.far_cell_xlsx(raw / "far_cell.xlsx")
    h.far_cell_xlsx(raw / "far_cell_lying.xlsx", declared="A1:H3")
    h.zip_bomb_xlsx(raw / "bomb.xlsx", 2 << 30)
    h.zip_bomb_xlsx(raw / "bomb_lying.xlsx", 300 << 20, lie=True)
    h.write_xlsx(raw / os.fsdecode(GBK_NAME), h.enterprises("2024Q1", "新泰市", range(11, 13)))
    results = ["成果名称", "成果类别", "县市区", "认定日期", "创效金额（万元）"]
    h.write_xlsx(
        raw / "results_huge.xlsx",
        [
            results,
            ["成果甲", "小发明", "泰山区", "2024-02-01", 1.7e308],
            ["成果乙", "小发明", "泰山区", "2024-02-02", 1.7e308],
            ["成果丙", "小发明", "泰山区", "2024-02-03", 5.0],
            ["成果丁", "小发明", "泰山区", "2024-02-04", 1e30],
        ],
    )
    rows = h.enterprises("2024Q1", "肥城市", range(21, 23))
    rows.append(["2099Q1", h.cc(23), "未来企业", "肥城市", "C01", 100, "是", 50])
    h.write_xlsx(raw / "enterprises_2099.xlsx", rows)
    contest = ["竞赛名称", "竞赛类别", "竞赛级别", "县市区", "开始日期", "参赛人次"]
    h.write_xlsx(
        raw / "contests_dates.xlsx",
        [
            contest,
            ["焊工比武", "技能竞赛", "县级", "东平县", "2024-03-01", 50],
            ["建国竞赛", "技能竞赛", "县级", "东平县", "1949-10-01", 50],
            ["未来竞赛", "技能竞赛", "县级", "东平县", "2100-01-01", 50],
        ],
    )
    h.write_xlsx(
        raw / "targets.xlsx",
        [
            ["年度", "指标代码", "县市区", "产业链", "目标值"],
            [2024, "P1_CRAFTSMEN", None, None, 1e30],
            [2024, "P5_MEMBER_RATE", None, None, -50],
            [2024, "P5_UNION_RATE", None, None, 150],
            [2024, "P1_MODEL_WORKERS", None, None, 20],
        ],
    )
    h.write_sheets(
        raw / "training_two_sheets.xlsx",
        {
            "上半张": [
                h.TRAINING,
                ["2024Q1", "宁阳县", "", "工匠学院", 10, 8],
                ["2024Q1", "宁阳县", "", "技能培训", 20, 18],
            ],
            "续表": [
                h.TRAINING,
                ["2024Q1", "宁阳县", "", "安全培训", 30, 28],
                ["2024Q1", "宁阳县", "", "求学圆梦", 5, 1],
            ],
        },
    )
    h.write_sheets(
        raw / "ent_and_training.xlsx",
        {
            "企业": h.enterprises("2024Q1", "东平县", range(31, 33)),
            "培训": [h.TRAINING, ["2024Q1", "东平县", "", "工匠学院", 10, 8]],
        },
    )
    shutil.copy(h.ERRORS_XLS, raw / "errors.xls")
    evil = ['=HYPERLINK("http://example.invalid","click")', "@SUM(1+1)", "+1+1", "=1+1"]
    h.write_xlsx(
        raw / "formula_names.xlsx",
        [h.ENT] + [["2024Q1", h.cc(40 + k), name, "高新区", "C01", 100, "是", 50] for k, name in enumerate(evil)],
    )
    first = h.write_xlsx(raw / "宁阳县_2024Q2_首次.xlsx", h.enterprises("2024Q2", "宁阳县", range(51, 56)))
    fix = [h.ENT] + [["2024Q2", h.cc(i), f"企业{i}", "宁阳县", "C01", 10, "是", 50] for i in range(51, 56)]
    second = h.write_xlsx(raw / "宁阳县_2024Q2_更正.xlsx", fix)  # every row: 会员人数 > 职工人数
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(second, (1_700_100_000, 1_700_100_000))
    h.write_xlsx(raw / "aid_泰山区.xlsx", aid_rows("泰山区"))
    write_csv(raw / "aid_新泰市.csv", aid_rows("新泰市"), "gbk")
    write_csv(raw / f"{IDS[0]}_{PEOPLE[0]}救助.csv", aid_rows("岱岳区"), "utf-8-sig")  # ID and name in the file name
    db = root / "warehouse.duckdb"
    built = run_cli("data_pipeline", "build", "--raw", str(raw), "--db", str(db))
    checked = run_cli("data_pipeline", "check", str(raw))
    return {"raw": raw, "db": db, "build": built, "check": checked}


@pytest.fixture(scope="module")
def hcon(hostile: dict):
    con = duckdb.connect(str(hostile["db"]), read_only=True)
    yield con
    con.close()


def manifest(con) -> dict[str, tuple]:
    rows = con.execute(
        "select file_name, status, reason, rows_total, rows_loaded, rows_quarantined, rows_skipped, notes "
        "from load_manifest"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def rules(con, file_name: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row_number, rule in con.execute(
        "select row_number, rule from quarantine where file_name = $f order by row_number, rule", {"f": file_name}
    ).fetchall():
        out.setdefault(row_number, []).append(rule)
    return out


def test_one_build_publishes_beside_every_hostile_file(hostile, hcon):
    out = hostile["build"].stdout + hostile["build"].stderr
    assert hostile["build"].returncode == 0, out[-3000:]
    assert "Traceback" not in out and "panicked" not in out and "backtrace" not in out
    m = manifest(hcon)
    for name, (_status, _reason, total, loaded, quarantined, skipped, _notes) in m.items():
        assert loaded + quarantined + skipped == total, name
    assert m["good_泰山区.xlsx"][:5] == ("loaded", None, 3, 3, 0)
    (firms,) = hcon.execute("select count(*) from raw_enterprises where county = 'taishan'").fetchone()
    assert firms == 3
    # the books: raw rows are exactly the loaded rows; quarantine rows are exactly the quarantined rows
    for ds in reference.datasets():
        (raw_rows,) = hcon.execute(f"select count(*) from raw_{ds.dataset}").fetchone()
        (loaded,) = hcon.execute(
            "select coalesce(sum(rows_loaded), 0) from load_manifest where status = 'loaded' and dataset = $d",
            {"d": ds.dataset},
        ).fetchone()
        assert raw_rows == loaded, ds.dataset
        (bad,) = hcon.execute(
            "select count(distinct (file_sha256, sheet, row_number)) from quarantine where dataset = $d",
            {"d": ds.dataset},
        ).fetchone()
        (quarantined,) = hcon.execute(
            "select coalesce(sum(rows_quarantined), 0) from load_manifest "
            "where status in ('loaded', 'rejected_resubmission') and dataset = $d",
            {"d": ds.dataset},
        ).fetchone()
        assert bad == quarantined, ds.dataset


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("far_cell.xlsx", "A1:XFD1048576（1048576 行 × 16384 列），超过读取上限（每个工作表最多 100000 行、256 列"),
        ("far_cell_lying.xlsx", "A1:XFD1048576（1048576 行 × 16384 列），超过读取上限"),
        ("bomb.xlsx", "文件解压后大于 2.0 GB，超过上限 200.0 MB（读取限制）"),
        ("bomb_lying.xlsx", "超过上限 200.0 MB（读取限制）"),
    ],
)
def test_files_beyond_the_reading_limits_are_refused_naming_the_limit(hostile, hcon, name, says):
    status, reason, total, *_ = manifest(hcon)[name]
    assert (status, total) == ("rejected", 0)
    assert says in reason
    assert says in hostile["build"].stdout  # the build's per-file line says it too
    assert says in hostile["check"].stdout


def test_a_gbk_file_name_loads_under_its_readable_name(hostile, hcon):
    m = manifest(hcon)
    assert m["新泰市企业2024Q1.xlsx"][:5] == ("loaded", None, 2, 2, 0)
    assert "新泰市企业2024Q1.xlsx" in hostile["build"].stdout and "新泰市企业2024Q1.xlsx" in hostile["check"].stdout
    assert hcon.execute("select path from load_manifest where file_name = '新泰市企业2024Q1.xlsx'").fetchone() == (
        "新泰市企业2024Q1.xlsx",
    )


def test_huge_money_is_quarantined_and_the_checks_pass(hcon):
    assert manifest(hcon)["results_huge.xlsx"][:6] == ("loaded", None, 4, 1, 3, 0)
    assert rules(hcon, "results_huge.xlsx") == {2: ["above_max"], 3: ["above_max"], 5: ["above_max"]}
    (message,) = hcon.execute(
        "select message from quarantine where file_name = 'results_huge.xlsx' and row_number = 5"
    ).fetchone()
    assert message == "「创效金额（万元）」列：数值“1e+30”超过合理上限 1,000,000，请核对数值和单位"
    (benefit,) = hcon.execute("select sum(benefit) from raw_innovation_results").fetchone()
    assert benefit == 5.0


def test_implausible_periods_dates_and_targets_are_quarantined(hcon):
    assert rules(hcon, "enterprises_2099.xlsx") == {4: ["out_of_window"]}
    (msg,) = hcon.execute("select message from quarantine where file_name = 'enterprises_2099.xlsx'").fetchone()
    assert msg.startswith("「统计期」列：统计期“2099Q1”不在合理范围内（2022Q1 至 ")
    assert rules(hcon, "contests_dates.xlsx") == {3: ["out_of_window"], 4: ["out_of_window"]}
    assert manifest(hcon)["contests_dates.xlsx"][3:5] == (1, 2)
    assert rules(hcon, "targets.xlsx") == {2: ["above_max"], 3: ["below_min"], 4: ["percent_range"]}
    (percent,) = hcon.execute(
        "select message from quarantine where file_name = 'targets.xlsx' and rule = 'percent_range'"
    ).fetchone()
    assert percent == "「目标值」列：“P5_UNION_RATE”是比率类指标，目标值应为0至100之间的百分数，实际为“150”"
    assert hcon.execute("select indicator, target from raw_targets").fetchall() == [("P1_MODEL_WORKERS", 20.0)]


def test_data_through_is_not_pushed_by_an_implausible_row(hcon):
    info = metrics.info(hcon)
    assert info["data_through"] == "2024Q2"
    assert hcon.execute("select max(year) from raw_enterprises").fetchone() == (2024,)


def test_a_table_over_two_sheets_loads_both(hcon):
    assert manifest(hcon)["training_two_sheets.xlsx"][:6] == ("loaded", None, 4, 4, 0, 0)
    rows = hcon.execute(
        "select _sheet, _row_number, programme from raw_training where county = 'ningyang' order by _sheet, _row_number"
    ).fetchall()
    assert rows == [
        ("上半张", 2, "工匠学院"),
        ("上半张", 3, "技能培训"),
        ("续表", 2, "安全培训"),
        ("续表", 3, "求学圆梦"),
    ]


def test_a_second_dataset_on_another_sheet_is_reported_never_dropped_silently(hostile, hcon):
    status, reason, total, loaded, _q, _s, notes = manifest(hcon)["ent_and_training.xlsx"]
    assert (status, reason, total, loaded) == ("loaded", None, 2, 2)
    assert notes == (
        "工作表“培训”是“职工素质提升”的数据，本文件按“企业建会入会情况”载入，一个文件只载入一类数据，"
        "该表未载入：请把它另存为单独的文件报送"
    )
    assert notes in hostile["build"].stdout and notes in hostile["check"].stdout
    assert hostile["check"].returncode == 1


def test_xls_error_cells_are_quarantined_like_xlsx_ones(hcon):
    assert manifest(hcon)["errors.xls"][:6] == ("loaded", None, 4, 2, 2, 0)
    got = hcon.execute(
        "select row_number, rule, value, sheet from quarantine where file_name = 'errors.xls' order by 1"
    ).fetchall()
    assert got == [(2, "excel_error", "#DIV/0!", "企业"), (3, "excel_error", "#N/A", "企业")]


def test_a_broken_resubmission_never_replaces_the_good_file(hostile, hcon):
    m = manifest(hcon)
    assert m["宁阳县_2024Q2_首次.xlsx"][:5] == ("loaded", None, 5, 5, 0)
    status, reason, total, loaded, quarantined, _s, _n = m["宁阳县_2024Q2_更正.xlsx"]
    assert (status, total, loaded, quarantined) == ("rejected_resubmission", 5, 0, 5)
    assert reason == (
        "没有可载入的数据行，未替代较早的文件“宁阳县_2024Q2_首次.xlsx”（同一县市区、数据类型和统计期），"
        "较早文件的数据继续有效：请修改本文件后重新报送"
    )
    assert hcon.execute("select count(*) from raw_enterprises where county = 'ningyang'").fetchone() == (5,)
    assert len(rules(hcon, "宁阳县_2024Q2_更正.xlsx")) == 5  # its problems are shown, so it can be fixed
    assert "未采用的重新报送" in hostile["build"].stdout


# ---------------------------------------------------------------- privacy

SECRET_COLUMNS = {"sha256", "file_sha256", "_file_sha256", "id_hash"}  # hashes: hex, never a person's data


def secrets_in(text: str) -> list[str]:
    """Every input name or ID spelling found in `text`, and any ID-shaped run."""
    found = [p for p in PEOPLE if p in text]
    for number in [*IDS, ID_X]:
        for spelling in h.id_spellings(number).values():
            if spelling in text:
                found.append(spelling)
        if number[:17] in text.replace(" ", "").replace("-", ""):
            found.append(number[:17])
    return found


def test_privacy_nothing_personal_in_any_table_output_page_or_export(hostile, hcon):
    assert hcon.execute("select count(*) from raw_aid_cases").fetchone()[0] >= 2
    columns = hcon.execute(
        "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall()
    assert len(columns) > 40
    for table, column in columns:
        for (value,) in hcon.execute(
            f'select distinct "{column}" from "{table}" where "{column}" is not null'
        ).fetchall():
            assert not secrets_in(value), (table, column, value)
            if column not in SECRET_COLUMNS:
                assert not normalize.looks_like_id(value), (table, column, value)
    printed = "".join(hostile[k].stdout + hostile[k].stderr for k in ("build", "check"))
    assert "第7行" in printed and "隔离" in printed  # the output does talk about the aid rows
    assert not secrets_in(printed)
    assert not normalize.looks_like_id(printed)
    page = metrics.quarantine(hcon)  # the frame the 数据说明 page shows, and the manifest beside it
    listed = metrics.manifest(hcon)
    assert len(page) > 30
    for frame in (page, listed):
        text = frame.astype(str).to_csv()
        assert not secrets_in(text) and not normalize.looks_like_id(text)
        for blob in (export.frame_csv(frame).decode("utf-8-sig"), xlsx_text(export.frame_xlsx(frame))):
            assert not secrets_in(blob) and not normalize.looks_like_id(blob)


def test_aid_values_that_broke_a_rule_are_masked_by_column(hcon):
    got = {
        (f, r): (v, m)
        for f, r, v, m in hcon.execute(
            "select file_name, row_number, value, message from quarantine where file_name = 'aid_泰山区.xlsx'"
        ).fetchall()
    }
    assert got[("aid_泰山区.xlsx", 9)] == (
        "令**",
        "「救助类别」列：“令**”不在可选范围内（可选：深度困难、相对困难、意外致困、大病医疗救助、金秋助学、冬送温暖）",
    )
    assert (
        got[("aid_泰山区.xlsx", 4)][1]
        == "「档案编号」列：疑似身份证号“370*** ******** ***" + IDS[1][-1] + "”，此列不能填写身份证号"
    )
    name_in_case_no = (
        f"{PEOPLE[10]}-2024-001"  # row 13: the whole value broke a rule, so all but its first character go
    )
    assert got[("aid_泰山区.xlsx", 13)] == (
        "林" + "*" * (len(name_in_case_no) - 1),
        "「档案编号」列：含有本文件“姓名”列中的姓名，此列不能填写姓名",
    )
    original = json.loads(
        hcon.execute(
            "select original from quarantine where file_name = 'aid_泰山区.xlsx' and row_number = 11"
        ).fetchone()[0]
    )
    assert original["救助日期"] == "任**" and original["身份证号"].startswith("370") and "*" in original["身份证号"]
    assert "姓名" not in original
    # an ID written with hyphens in the ID column is the same person: hashed, not refused
    (n,) = hcon.execute(
        "select count(distinct id_hash) from raw_aid_cases where county = 'taishan' and category in ('深度困难', '金秋助学')"
    ).fetchone()
    assert n == 1


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


# ---------------------------------------------------------------- formula-like text


def test_formula_like_names_load_as_text_and_download_inert(hcon):
    names = [
        n
        for (n,) in hcon.execute(
            "select enterprise_name from raw_enterprises where county = 'gaoxin' order by 1"
        ).fetchall()
    ]
    assert names == sorted(['=HYPERLINK("http://example.invalid","click")', "@SUM(1+1)", "+1+1", "=1+1"])
    frame = pd.DataFrame({"企业名称": names, "职工人数": [1, 2, 3, 4]})
    lines = export.frame_csv(frame).decode("utf-8-sig").splitlines()[1:]
    assert all(line.lstrip('"').startswith("'") for line in lines), lines
    wb = openpyxl.load_workbook(io.BytesIO(export.frame_xlsx(frame)))
    cells = [row[0] for row in wb.active.iter_rows(min_row=2)]
    assert [c.value for c in cells] == names
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)  # text, never a formula
    with zipfile.ZipFile(io.BytesIO(export.frame_xlsx(frame))) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_build_output_has_one_line_per_file_and_no_clear_file_name(hostile):
    out = hostile["build"].stdout
    assert re.search(r"370\*+\d_欧\*\*救助\.csv|370\*+\d_欧阳明救助\.csv", out)
    assert IDS[0] not in out
