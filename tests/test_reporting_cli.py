"""`python -m reporting brief`: a deck and a Word report from a warehouse file without Streamlit, Chinese errors."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from reporting import deck, export
from reporting.__main__ import main

REPO = Path(__file__).resolve().parent.parent


def test_brief_builds_a_deck_report_and_workbook_without_a_browser(tiny_warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chrome"))  # native charts need no browser
    out, report, xlsx = tmp_path / "out" / "deck.pptx", tmp_path / "out" / "简报.docx", tmp_path / "data.xlsx"
    code = main(
        ["brief", "--db", str(tiny_warehouse), "--out", str(out), "--out", str(report), "--quarter", "1-3"]
        + ["--county", "新泰市", "--sections", "overview,p5", "--xlsx", str(xlsx)]
    )
    captured = capsys.readouterr()
    assert code == 0
    slides = deck.slide_texts(out.read_bytes())
    assert len(slides) == 3 + 2 + 3
    assert [s["charts"] + s["tables"] for s in slides[2:-1]] == [1, 1, 1, 1, 1]
    assert sum(s["charts"] for s in slides) == 4  # the heatmap is a coloured table
    assert slides[2]["named"]["Footer"].startswith("筛选：2024年第一至三季度 · 新泰市 · 全部产业链")
    assert "已生成简报" in captured.out and "8 页" in captured.out and "已生成 Word 简报" in captured.out
    assert "正在查询数据" in captured.err and "未找到" not in captured.err
    headings = [p.text for p in Document(report).paragraphs if p.style.name == "Heading 1"]
    assert headings == ["总体情况", "总览", "五、服务能力", "数据来源与说明"]
    assert len(pd.read_excel(xlsx, sheet_name=None, engine="calamine")) == 5


def test_brief_in_english(tiny_warehouse, tmp_path, capsys):
    out = tmp_path / "brief.docx"
    assert main(["brief", "--db", str(tiny_warehouse), "--out", str(out), "--sections", "p4", "--lang", "en"]) == 0
    headings = [p.text for p in Document(out).paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Summary" and headings[-1] == "Sources and notes"
    assert "已生成 Word 简报" in capsys.readouterr().out


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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "简报.pdf"], "输出文件应以 .pptx（演示文稿）或 .docx（Word 简报）结尾，收到“简报.pdf”"),
        (["--out", "d.pptx", "--lang", "fr"], "语言应为 zh 或 en，收到“fr”"),
        (["--out", "d.pptx", "--charts", "svg"], "图表方式应为 native 或 image，收到“svg”"),
    ],
)
def test_bad_arguments_are_named_in_chinese(capsys, args, message):
    with pytest.raises(SystemExit):
        main(["brief", *args])
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


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
    args = ["--out", str(out), "--sections", "p4", "--zip", str(archive), "--charts", "image"]
    assert main(["brief", "--db", str(tiny_warehouse), *args]) == 0
    slides = deck.slide_texts(out.read_bytes())
    assert [s["pictures"] for s in slides[2:-1]] == [1, 1, 1]
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        assert len(z.namelist()) == 3
    err = capsys.readouterr().err
    assert "正在生成 6 张图片（一个浏览器会话）" in err and "图片 6/6" in err
