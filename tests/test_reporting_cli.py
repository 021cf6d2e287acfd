"""`python -m reporting brief`: a deck from a warehouse file without Streamlit, with Chinese errors."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from reporting import deck, export
from reporting.__main__ import main

REPO = Path(__file__).resolve().parent.parent


def test_brief_builds_a_deck_workbook_without_a_browser(tiny_warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))
    out, xlsx = tmp_path / "out" / "deck.pptx", tmp_path / "data.xlsx"
    code = main(
        ["brief", "--db", str(tiny_warehouse), "--out", str(out), "--quarter", "1-3", "--county", "新泰市"]
        + ["--sections", "overview,p5", "--xlsx", str(xlsx)]
    )
    captured = capsys.readouterr()
    assert code == 0
    slides = deck.slide_texts(out.read_bytes())
    assert len(slides) == 3 + 2 + 3
    assert slides[2]["named"]["Footer"].startswith("筛选：2024年第一至三季度 · 新泰市 · 全部产业链")
    assert "已生成简报" in captured.out and "8 页" in captured.out
    assert "正在查询数据" in captured.err and "提示：服务器上未找到" in captured.err
    assert len(pd.read_excel(xlsx, sheet_name=None, engine="calamine")) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sections", "p9"], "无法识别的简报章节“p9”"),
        (["--county", "火星"], "未找到县市区“火星”"),
        (["--year", "1999"], "1999年没有数据；可选年度：2024"),
    ],
)
def test_brief_says_what_is_wrong_in_chinese(tiny_warehouse, tmp_path, capsys, args, message):
    code = main(["brief", "--db", str(tiny_warehouse), "--out", str(tmp_path / "d.pptx"), *args])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "d.pptx").exists()


def test_brief_without_a_warehouse(tmp_path, capsys):
    assert main(["brief", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "d.pptx")]) == 2
    assert "未找到数据仓库文件" in capsys.readouterr().err


def test_bad_quarter_is_an_argument_error(capsys):
    with pytest.raises(SystemExit):
        main(["brief", "--out", "d.pptx", "--quarter", "3-1"])
    assert "季度范围应从小到大" in capsys.readouterr().err


def test_module_entry_point_has_help():
    result = subprocess.run(
        [sys.executable, "-m", "reporting", "brief", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "--sections" in result.stdout and "--county" in result.stdout


@pytest.mark.image
@pytest.mark.skipif(export.chrome_path() is None, reason="no Chrome/Chromium found")
def test_brief_with_images_and_zip(tiny_warehouse, tmp_path, capsys):
    out, archive = tmp_path / "deck.pptx", tmp_path / "charts.zip"
    assert (
        main(["brief", "--db", str(tiny_warehouse), "--out", str(out), "--sections", "p4", "--zip", str(archive)]) == 0
    )
    slides = deck.slide_texts(out.read_bytes())
    assert [s["pictures"] for s in slides[2:-1]] == [1, 1, 1]
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        assert len(z.namelist()) == 3
    err = capsys.readouterr().err
    assert "正在生成 6 张图片（一个浏览器会话）" in err and "图片 6/6" in err
