"""The ingest run over folders: accounting, duplicates, superseding, privacy, the hash key and check reports."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
from pathlib import Path

import duckdb
import openpyxl
import pytest

from data_pipeline import config, contracts, ingest
from data_pipeline.normalize import credit_check_char, id_check_char
from data_pipeline.reference import datasets

CASES = Path(__file__).parent / "fixtures" / "ingest" / "cases"
ENT = ["统计期", "统一社会信用代码", "企业名称", "县市区", "产业链", "职工人数", "是否建会", "会员人数"]
KEY = b"test-key"


def cc(n: int) -> str:
    body = f"91370900MA{n:07d}"
    return body + credit_check_char(body)


def idn(n: int) -> str:
    body = f"37090219800101{n:03d}"
    return body + id_check_char(body)


def write_xlsx(path: Path, rows: list[list[object]], mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig", mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def enterprises(period: str, county: str, firms: range, employees: int = 100) -> list[list[object]]:
    return [ENT] + [[period, cc(i), f"企业{i}", county, "C01", employees, "是", 50] for i in firms]


def run(raw: Path, db: Path, **kw) -> tuple[ingest.IngestReport, duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(db))
    report = ingest.ingest_dir(raw, con, hash_key=KEY, **kw)
    return report, con


def test_all_fixtures_together_keep_the_books(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CASES, raw)
    messages: list[str] = []
    report, con = run(raw, tmp_path / "w.duckdb", progress=messages.append)
    assert len(report.files) == len(list(CASES.iterdir()))
    assert messages and messages[-1] == "写入数据仓库"
    for name, total, loaded, quarantined, skipped, status in con.execute(
        "select file_name, rows_total, rows_loaded, rows_quarantined, rows_skipped, status from load_manifest"
    ).fetchall():
        assert loaded + quarantined + skipped == total, name
        if status in ("rejected", "duplicate"):
            assert total == 0, name
    for ds in datasets():
        (raw_rows,) = con.execute(f"select count(*) from raw_{ds.dataset}").fetchone()
        (expected,) = con.execute(
            "select coalesce(sum(rows_loaded), 0) from load_manifest where status = 'loaded' and dataset = $ds",
            {"ds": ds.dataset},
        ).fetchone()
        assert raw_rows == expected, ds.dataset
        (bad_rows,) = con.execute(
            "select count(distinct (file_sha256, sheet, row_number)) from quarantine where dataset = $ds",
            {"ds": ds.dataset},
        ).fetchone()
        (expected_bad,) = con.execute(
            "select coalesce(sum(rows_quarantined), 0) from load_manifest "
            "where status in ('loaded', 'rejected_resubmission') and dataset = $ds",
            {"ds": ds.dataset},
        ).fetchone()
        assert bad_rows == expected_bad, ds.dataset
    # raw rows point at a loaded file and the row the person sees
    (orphans,) = con.execute(
        "select count(*) from raw_enterprises r left join load_manifest m "
        "on m.sha256 = r._file_sha256 and m.status = 'loaded' and m.file_seq = r._file_seq where m.sha256 is null"
    ).fetchone()
    assert orphans == 0
    assert set(report.files[0].__dict__) >= {"rows_total", "status", "problems"}
    assert "载入" in report.summary_zh()


def test_tables_have_the_contract_columns(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _, con = run(raw, tmp_path / "w.duckdb")
    for ds in datasets():
        got = con.execute(
            "select column_name, data_type from information_schema.columns where table_name = $t order by ordinal_position",
            {"t": f"raw_{ds.dataset}"},
        ).fetchall()
        assert got == contracts.raw_columns(ds)
    manifest = [r[0] for r in con.execute("describe load_manifest").fetchall()]
    assert manifest == [
        "file_name",
        "path",
        "sha256",
        "dataset",
        "county",
        "period",
        "rows_total",
        "rows_loaded",
        "rows_quarantined",
        "rows_skipped",
        "status",
        "reason",
        "unknown_columns",
        "file_seq",
        "loaded_at",
        "notes",
    ]
    quarantine = [r[0] for r in con.execute("describe quarantine").fetchall()]
    assert quarantine == [
        "file_sha256",
        "file_name",
        "row_number",
        "dataset",
        "column",
        "value",
        "rule",
        "message",
        "original",
        "sheet",
    ]


def test_same_bytes_twice_change_nothing(tmp_path):
    raw = tmp_path / "raw"
    first = write_xlsx(
        raw / "a" / "泰山区_2024Q1.xlsx", enterprises("2024Q1", "泰山区", range(1, 6)), mtime=1_700_000_000
    )
    (raw / "b").mkdir()
    shutil.copy(first, raw / "b" / "copy.xlsx")
    os.utime(raw / "b" / "copy.xlsx", (1_700_000_100, 1_700_000_100))
    report, con = run(raw, tmp_path / "w.duckdb")
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    rows = con.execute(
        "select path, status, rows_total, rows_loaded, reason from load_manifest order by file_seq"
    ).fetchall()
    assert rows[0][:4] == ("a/泰山区_2024Q1.xlsx", "loaded", 5, 5)
    assert rows[1][:4] == ("b/copy.xlsx", "duplicate", 0, 0)
    assert "a/泰山区_2024Q1.xlsx" in rows[1][4]
    assert con.execute("select count(*) from raw_enterprises").fetchone() == (5,)
    assert report.count("duplicate") == 1


def test_ingesting_again_gives_the_same_tables(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CASES, raw)
    db = tmp_path / "w.duckdb"
    _, con = run(raw, db)

    def snapshot():
        out = {}
        for (t,) in con.execute("select table_name from information_schema.tables order by 1").fetchall():
            cols = "*" if t != "load_manifest" else "* exclude (loaded_at)"
            out[t] = sorted(map(repr, con.execute(f"select {cols} from {t}").fetchall()))
        return out

    before = snapshot()
    ingest.ingest_dir(raw, con, hash_key=KEY)
    assert snapshot() == before


def test_a_file_supersedes_only_files_of_its_own_sender(tmp_path):
    """A chain union's file whose rows all lie in one county never replaces that county union's file; a county
    union's file staged by publish (ledger/<unit>/…) replaces the same county's plain file and its own older one."""
    raw = tmp_path / "raw"
    write_xlsx(raw / "base_taishan.xlsx", enterprises("2024Q1", "泰山区", range(1, 4)), mtime=1_700_000_000)
    write_xlsx(
        raw / "ledger/C04/enterprises/chain.xlsx", enterprises("2024Q1", "泰山区", range(10, 13)), mtime=1_700_300_000
    )
    write_xlsx(
        raw / "ledger/taishan/enterprises/first.xlsx", enterprises("2024Q1", "泰山区", range(1, 3)), mtime=1_700_100_000
    )
    write_xlsx(
        raw / "ledger/taishan/enterprises/second.xlsx",
        enterprises("2024Q1", "泰山区", range(1, 4), employees=300),
        mtime=1_700_200_000,
    )
    _, con = run(raw, tmp_path / "w.duckdb")
    got = dict(con.execute("select path, status from load_manifest").fetchall())
    assert got == {
        "base_taishan.xlsx": "superseded",
        "ledger/taishan/enterprises/first.xlsx": "superseded",
        "ledger/taishan/enterprises/second.xlsx": "loaded",
        "ledger/C04/enterprises/chain.xlsx": "loaded",
    }
    (n,) = con.execute("select count(*) from raw_enterprises where county = 'taishan' and quarter = 1").fetchone()
    assert n == 6


def test_newer_file_supersedes_older_for_same_county_dataset_period(tmp_path):
    raw = tmp_path / "raw"
    write_xlsx(raw / "old.xlsx", enterprises("2024Q1", "泰山区", range(1, 4), employees=100), mtime=1_700_000_000)
    write_csv(raw / "new.csv", enterprises("2024年第一季度", "泰山", range(1, 3), employees=200), mtime=1_700_100_000)
    write_xlsx(raw / "other_quarter.xlsx", enterprises("2024Q2", "泰山区", range(1, 4)), mtime=1_600_000_000)
    write_xlsx(raw / "other_county.xlsx", enterprises("2024Q1", "新泰市", range(1, 4)), mtime=1_600_000_000)
    _, con = run(raw, tmp_path / "w.duckdb")
    con.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    m = {
        r[0]: r[1:]
        for r in con.execute(
            "select path, status, county, period, file_seq, reason, rows_loaded from load_manifest"
        ).fetchall()
    }
    assert m["old.xlsx"][:3] == ("superseded", "taishan", "2024Q1")
    assert "new.csv" in m["old.xlsx"][4] and m["old.xlsx"][5] == 3
    assert m["new.csv"][:3] == ("loaded", "taishan", "2024Q1")
    assert m["other_quarter.xlsx"][0] == m["other_county.xlsx"][0] == "loaded"
    # submission order: period first, then mtime
    assert m["other_county.xlsx"][3] < m["old.xlsx"][3] < m["new.csv"][3] < m["other_quarter.xlsx"][3]
    rows = con.execute(
        "select count(*), min(employees), max(employees) from raw_enterprises where county = 'taishan' and quarter = 1"
    ).fetchone()
    assert rows == (2, 200, 200)
    (seqs,) = con.execute(
        "select list(distinct _file_seq) from raw_enterprises where quarter = 1 and county = 'taishan'"
    ).fetchone()
    assert seqs == [m["new.csv"][3]]


def test_files_without_one_county_never_supersede(tmp_path):
    raw = tmp_path / "raw"
    mixed = [
        ENT,
        ["2024Q1", cc(1), "甲", "泰山区", "C01", 10, "是", 5],
        ["2024Q1", cc(2), "乙", "新泰市", "C01", 10, "是", 5],
    ]
    write_xlsx(raw / "a.xlsx", mixed, mtime=1_700_000_000)
    write_xlsx(raw / "b.xlsx", enterprises("2024Q1", "泰山区", range(5, 7)), mtime=1_700_000_100)
    _, con = run(raw, tmp_path / "w.duckdb")
    assert con.execute("select path, county, status from load_manifest order by path").fetchall() == [
        ("a.xlsx", None, "loaded"),
        ("b.xlsx", "taishan", "loaded"),
    ]


def test_ignored_and_rejected_files_do_not_stop_the_rest(tmp_path):
    raw = tmp_path / "raw"
    write_xlsx(raw / "good.xlsx", enterprises("2024Q1", "泰山区", range(1, 3)))
    (raw / "_demo.json").write_text("{}")
    (raw / ".DS_Store").write_bytes(b"\x00\x01")
    (raw / "~$good.xlsx").write_bytes(b"lock")
    (raw / "readme.txt").write_text("这是说明文件", encoding="utf-8")
    shutil.copy(CASES / "04_password_protected.xlsx", raw / "locked.xlsx")
    report, con = run(raw, tmp_path / "w.duckdb")
    got = dict(con.execute("select path, status from load_manifest").fetchall())
    assert got == {"good.xlsx": "loaded", "readme.txt": "rejected", "locked.xlsx": "rejected"}
    assert con.execute("select count(*) from raw_enterprises").fetchone() == (2,)
    assert report.count("rejected") == 2


def test_registry_period_from_file_name_and_latest_order(tmp_path):
    raw = tmp_path / "raw"
    head = ["阵地名称", "阵地类型", "级别", "县市区", "建成日期", "状态"]
    write_xlsx(
        raw / "泰山区_服务阵地_2024年第二季度.xlsx",
        [head, ["书屋", "职工书屋", "市级", "泰山区", "2020-01-01", "停用"]],
        mtime=1_600_000_000,
    )
    write_xlsx(
        raw / "泰山区_服务阵地_2024年第一季度.xlsx",
        [head, ["书屋", "职工书屋", "市级", "泰山区", "2020-01-01", "运行"]],
        mtime=1_700_000_000,
    )
    write_xlsx(raw / "台账.xlsx", [head, ["驿站", "托管驿站", "县级", "泰山区", "2021-01-01", "运行"]])
    _, con = run(raw, tmp_path / "w.duckdb")
    rows = con.execute("select path, period, status from load_manifest order by file_seq").fetchall()
    assert rows == [
        ("台账.xlsx", None, "loaded"),
        ("泰山区_服务阵地_2024年第一季度.xlsx", "2024Q1", "loaded"),
        ("泰山区_服务阵地_2024年第二季度.xlsx", "2024Q2", "loaded"),
    ]
    # the latest row of a registry is the one with the highest _file_seq
    latest = con.execute(
        "select status from raw_service_sites where site_name = '书屋' order by _file_seq desc limit 1"
    ).fetchone()
    assert latest == ("停用",)


def test_privacy_no_clear_id_or_name_anywhere(tmp_path):
    raw = tmp_path / "raw"
    head = ["档案编号", "姓名", "身份证号", "救助类别", "县市区", "救助日期", "救助金额（元）", "家庭人口"]
    people = [(f"A{i}", name, idn(i)) for i, name in enumerate(["欧阳明", "司马青", "诸葛亮亮", "上官云"], 1)]
    rows = [head]
    rows.append([people[0][0], people[0][1], people[0][2], "深度困难", "泰山区", "2024-01-05", 1000, 3])
    rows.append(
        [people[1][0], people[1][1], people[1][2].lower(), "金秋助学", "泰山区", "2024-01-06", 0, 3]
    )  # bad amount
    rows.append(
        [people[2][0], people[2][1], people[2][2][:17] + "0", "冬送温暖", "泰山区", "2024-01-07", 100, 2]
    )  # maybe bad
    rows.append([people[3][2], people[3][1], people[3][2], "冬送温暖", "新太", "2024-01-08", 100, 2])  # ID in 档案编号
    rows.append(["填表人：欧阳明"])
    write_xlsx(raw / "aid.xlsx", rows)
    write_csv(raw / "aid.csv", rows, encoding="gbk")
    report, con = run(raw, tmp_path / "w.duckdb")
    con.close()
    secrets_ = {p[2] for p in people} | {p[2].lower() for p in people} | {p[2][:17] + "0" for p in people}
    names = {p[1] for p in people}
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    columns = con.execute(
        "select table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall()
    assert len(columns) > 20
    for table, column in columns:
        for (value,) in con.execute(
            f'select distinct "{column}" from "{table}" where "{column}" is not null'
        ).fetchall():
            for s in secrets_ | names:
                assert s not in value, (table, column)
    assert con.execute("select count(*) from raw_aid_cases").fetchone()[0] >= 1
    printed = "\n".join(f.render_zh() for f in report.files) + "".join(
        p.message + p.value for f in report.files for p in f.problems
    )
    for s in secrets_ | names:
        assert s not in printed
    # the same person hashes to the same value in both files: the key is stable
    (n_hash,) = con.execute("select count(distinct id_hash) from raw_aid_cases").fetchone()
    assert n_hash == 1


def test_hash_key_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv(config.HASH_KEY_ENV, "from-env-" + "k" * 32)
    assert ingest.hash_key(tmp_path) == b"from-env-" + b"k" * 32
    assert not (tmp_path / "hash.key").exists()


def test_hash_key_file_created_once_private(monkeypatch, tmp_path):
    monkeypatch.delenv(config.HASH_KEY_ENV, raising=False)
    key = ingest.hash_key(tmp_path / "data")
    path = tmp_path / "data" / "hash.key"
    assert len(key) >= 32 and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ingest.hash_key(tmp_path / "data") == key
    paths = config.Paths(db=tmp_path / "w.duckdb", raw=tmp_path / "raw", data_dir=tmp_path / "data")
    assert ingest.hash_key(paths) == key


def test_check_files_report_in_chinese():
    reports = ingest.check_files(
        [CASES / "21_cross_rules.xlsx", CASES / "01_enterprises_clean.xlsx", CASES / "06_empty.csv"]
    )
    assert [r.file_name for r in reports] == ["21_cross_rules.xlsx", "01_enterprises_clean.xlsx", "06_empty.csv"]
    bad, good, empty = reports
    assert not bad.ok and good.ok and not empty.ok
    text = bad.render_zh()
    assert "企业建会入会情况" in text and "第2行" in text and "会员人数（120）不能大于职工人数（100）" in text
    assert "第6行 「统一社会信用代码」列" in text
    assert "已拒收" in empty.render_zh() and "文件为空" in empty.render_zh()
    assert "通过" in good.render_zh()
    # checking never supersedes: both enterprise files for 泰山区 2024Q1 stay loaded
    assert bad.status == good.status == "loaded"


def test_check_files_lists_many_problems_with_a_cap(tmp_path):
    rows = [ENT] + [["2024Q1", "bad", f"企业{i}", "泰山区", "C01", 10, "是", 5] for i in range(80)]
    path = write_xlsx(tmp_path / "many.xlsx", rows)
    (report,) = ingest.check_files([path])
    assert report.rows_quarantined == 80
    text = report.render_zh(max_problems=10)
    assert "另有 70 个问题未列出" in text


def test_parallel_reading_gives_the_same_result(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(CASES, raw)
    _, con = run(raw, tmp_path / "a.duckdb")
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 2)
    _, con2 = run(raw, tmp_path / "b.duckdb")
    for table in ("load_manifest", "quarantine", "raw_enterprises", "raw_aid_cases", "raw_training"):
        cols = "* exclude (loaded_at)" if table == "load_manifest" else "*"
        a = sorted(map(repr, con.execute(f"select {cols} from {table}").fetchall()))
        b = sorted(map(repr, con2.execute(f"select {cols} from {table}").fetchall()))
        assert a == b, table


def test_check_files_expands_folders_and_survives_missing_files(tmp_path):
    write_xlsx(tmp_path / "in" / "a.xlsx", enterprises("2024Q1", "泰山区", range(1, 3)))
    reports = ingest.check_files([tmp_path / "in", tmp_path / "missing.xlsx"])
    assert [(r.file_name, r.status) for r in reports] == [("a.xlsx", "loaded"), ("missing.xlsx", "rejected")]
    assert reports[0].ok and reports[0].rows_loaded == 2


# ---------------------------------------------------------------- one file judged alone; sheets; names

from tests.fixtures.hostile import make_hostile as h  # noqa: E402


def test_check_file_gives_the_rows_that_would_load_with_sheet_and_row(tmp_path):
    path = h.write_sheets(
        tmp_path / "两张表.xlsx",
        {
            "一": [h.TRAINING, ["2024Q1", "宁阳县", "", "工匠学院", 10, 8], ["2024Q1", "宁阳县", "", "技能培训", 5, 9]],
            "二": [["标题行"], h.TRAINING, ["2024年第一季度", "宁阳", "化工", "安全培训", 30, 28]],
        },
    )
    checked = ingest.check_file(path, hash_key=b"k" * 32)
    r = checked.report
    assert (r.status, r.dataset, r.rows_total, r.rows_loaded, r.rows_quarantined) == ("loaded", "training", 3, 2, 1)
    (p,) = r.problems
    assert (p.sheet, p.row_number, p.rule) == ("一", 3, "completed_le_participants")
    assert "工作表“一”第3行" in r.render_zh()
    rows = checked.rows
    assert list(rows.columns) == [
        "period", "year", "quarter", "county", "chain", "programme", "participants", "completed", "pairs", "hours",
        "_row_number", "_sheet",
    ]  # fmt: skip
    shown = rows[["period", "county", "chain", "programme", "_row_number", "_sheet"]].astype(object)
    assert shown.where(shown.notna(), None).values.tolist() == [
        ["2024Q1", "ningyang", None, "工匠学院", 2, "一"],
        ["2024Q1", "ningyang", "C08", "安全培训", 3, "二"],  # 化工 is chain C08
    ]
    # the same bytes from an upload: nothing is read from the path
    again = ingest.check_file(tmp_path / "upload.xlsx", data=path.read_bytes(), hash_key=b"k" * 32)
    assert again.rows.equals(rows) and again.report.file_name == "upload.xlsx"


def test_check_file_hashes_ids_with_the_key_given_and_drops_names(tmp_path):
    path = h.write_xlsx(
        tmp_path / "aid.xlsx",
        [h.AID, ["A1", "欧阳明", h.idn("19800101", 1), "深度困难", "泰山区", "2024-01-05", 1000, 3]],
    )
    a = ingest.check_file(path, hash_key=b"a" * 32).rows
    b = ingest.check_file(path, hash_key=b"a" * 32).rows
    c = ingest.check_file(path, hash_key=b"c" * 32).rows
    assert "id_hash" in a.columns and "id_number" not in a.columns and "name" not in a.columns
    assert a["id_hash"][0] == b["id_hash"][0] != c["id_hash"][0]
    assert "欧阳明" not in a.to_csv()


def test_check_file_of_a_rejected_file_has_no_rows(tmp_path):
    checked = ingest.check_file(CASES / "06_empty.csv")
    assert checked.report.status == "rejected" and checked.rows.empty


def test_duplicate_keys_across_sheets_name_the_sheet(tmp_path):
    row = ["2024Q1", cc(1), "甲", "泰山区", "C01", 10, "是", 5]
    path = h.write_sheets(tmp_path / "dup.xlsx", {"上": [ENT, row], "下": [ENT, row]})
    (report,) = ingest.check_files([path])
    (p,) = report.problems
    assert (p.sheet, p.row_number, p.rule) == ("下", 2, "duplicate_key")
    assert p.message.startswith("与工作表“上”第2行重复")


def test_file_names_of_any_bytes_are_shown_readably(tmp_path):
    assert ingest.display_name(os.fsdecode("泰山区.xlsx".encode("gbk"))) == "泰山区.xlsx"
    assert ingest.display_name(os.fsdecode(b"\xff\xfe\xfa.xlsx")) == "\ufffd\ufffd\ufffd.xlsx"
    assert ingest.display_name("a\nb\x1b[31m\u202e.xlsx") == "a?b?[31m?.xlsx"
    assert ingest.display_name(f"{idn(1)}.xlsx") == f"370**************{idn(1)[-1]}.xlsx"
    raw = tmp_path / "raw"
    raw.mkdir()
    odd = raw / os.fsdecode("新泰\n企业.csv".encode("gbk"))
    write_csv(odd, enterprises("2024Q1", "新泰市", range(1, 3)))
    report, con = run(raw, tmp_path / "w.duckdb")
    assert con.execute("select file_name, status, rows_loaded from load_manifest").fetchall() == [
        ("新泰?企业.csv", "loaded", 2)
    ]
    assert "新泰?企业.csv" in report.files[0].line_zh()


@pytest.mark.parametrize(
    ("bad", "status"), [(0, "loaded"), (2, "loaded"), (3, "rejected_resubmission"), (5, "rejected_resubmission")]
)
def test_a_newer_file_supersedes_only_when_at_most_half_its_rows_are_quarantined(tmp_path, bad, status):
    raw = tmp_path / "raw"
    write_xlsx(raw / "old.xlsx", enterprises("2024Q2", "宁阳县", range(1, 6)), mtime=1_700_000_000)
    rows = enterprises("2024Q2", "宁阳县", range(1, 6), employees=200)
    for row in rows[1 : 1 + bad]:
        row[7] = 500  # 会员人数 > 职工人数
    write_xlsx(raw / "new.xlsx", rows, mtime=1_700_100_000)
    _, con = run(raw, tmp_path / "w.duckdb")
    got = dict(con.execute("select path, status from load_manifest").fetchall())
    assert got == {"old.xlsx": "superseded" if status == "loaded" else "loaded", "new.xlsx": status}
    employees = {e for (e,) in con.execute("select distinct employees from raw_enterprises").fetchall()}
    assert employees == ({200} if status == "loaded" else {100})
    assert con.execute("select count(distinct row_number) from quarantine").fetchone() == (bad,)


def test_a_registry_period_outside_the_window_is_ignored(tmp_path):
    raw = tmp_path / "raw"
    head = ["阵地名称", "阵地类型", "级别", "县市区", "建成日期", "状态"]
    write_xlsx(
        raw / "泰山区_服务阵地_2099年第一季度.xlsx",
        [head, ["书屋", "职工书屋", "市级", "泰山区", "2020-01-01", "运行"]],
    )
    _, con = run(raw, tmp_path / "w.duckdb")
    assert con.execute("select period, status from load_manifest").fetchall() == [(None, "loaded")]
