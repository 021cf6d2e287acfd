"""The command line: each verb's help, build's exit codes, check's verdict, prepare's reuse of a warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from data_pipeline import cli
from tests.conftest import TINY_RAW

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("verb", ["demo", "build", "check", "prepare"])
def test_every_verb_has_help(verb, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main([verb, "--help"])
    assert exc.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_build_publishes_and_prints_a_summary(tmp_path, hash_key_env, capsys):
    db = tmp_path / "wh.duckdb"
    assert cli.main(["build", "--raw", str(TINY_RAW), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "已发布数据仓库" in out
    con = duckdb.connect(str(db), read_only=True)
    files = con.execute("select count(*) from load_manifest").fetchone()[0]
    con.close()
    assert files == len([p for p in TINY_RAW.iterdir() if p.is_file()])


def test_build_of_a_missing_folder_fails_with_one_line(tmp_path, capsys):
    code = cli.main(["build", "--raw", str(tmp_path / "nope"), "--db", str(tmp_path / "wh.duckdb")])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert err.startswith("构建失败") and "\n" not in err
    assert not (tmp_path / "wh.duckdb").exists()


def test_check_passes_a_clean_file_and_fails_a_bad_one(tmp_path, capsys):
    clean = next(TINY_RAW.glob("2024Q1_新泰市_企业建会入会情况.xlsx"))
    assert cli.main(["check", str(clean)]) == 0
    assert "通过" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    text = (TINY_RAW / "2024Q1_泰山区_企业建会入会情况.csv").read_bytes()
    bad.write_bytes(text.replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n" + _bad_enterprise_row(text))
    assert cli.main(["check", str(bad)]) == 1
    assert "第" in capsys.readouterr().out


def _bad_enterprise_row(text: bytes) -> bytes:
    """The file's last data row with its credit code's check character broken."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            lines = text.decode(enc).replace("\r\n", "\n").strip().split("\n")
            break
        except UnicodeDecodeError:
            continue
    cells = lines[-1].split(",")
    code = next(i for i, c in enumerate(cells) if len(c) == 18 and c[:2].isdigit())
    cells[code] = cells[code][:-1] + ("0" if cells[code][-1] != "0" else "1")
    return (",".join(cells) + "\n").encode(enc)


def test_prepare_uses_an_existing_warehouse_and_generates_nothing(tmp_path, monkeypatch, capsys, tiny_warehouse):
    db = tmp_path / "given.duckdb"
    shutil.copyfile(tiny_warehouse, db)
    raw = tmp_path / "raw"
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    monkeypatch.setenv("UNION_DASH_RAW", str(raw))
    assert cli.main(["prepare"]) == 0
    assert "使用已有数据仓库" in capsys.readouterr().out
    assert not raw.exists()


def test_prepare_rebuilds_a_warehouse_it_cannot_read_when_submissions_are_there(tmp_path, monkeypatch, hash_key_env):
    db = tmp_path / "old.duckdb"
    duckdb.connect(str(db)).close()  # not a built warehouse (as an older schema or an empty file would be)
    raw = tmp_path / "raw"
    shutil.copytree(TINY_RAW, raw)
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    monkeypatch.setenv("UNION_DASH_RAW", str(raw))
    assert cli.main(["prepare"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from indicator_values").fetchone()[0] > 0


def test_prepare_builds_from_given_submissions_without_demo_data(tmp_path, monkeypatch, hash_key_env):
    raw = tmp_path / "raw"
    shutil.copytree(TINY_RAW, raw)
    db = tmp_path / "wh.duckdb"
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    monkeypatch.setenv("UNION_DASH_RAW", str(raw))
    assert cli.main(["prepare"]) == 0
    con = duckdb.connect(str(db), read_only=True)
    is_demo = con.execute("select value from warehouse_info where key = 'is_demo'").fetchone()[0]
    con.close()
    assert is_demo == "false"
    assert not (raw / "_demo.json").exists()
