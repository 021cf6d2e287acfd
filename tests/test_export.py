"""Export files: CSV/XLSX equal the drawn frame; images come from a local Chromium (skipped when none is found)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

from reporting import export

HEADER = ["入会率（%）按县市区", "筛选：2026年第一至三季度 · 全部县市区 · 全部产业链", "数据截至 2026年第三季度"]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["xintai", "feicheng", "dongping"],
            "name_zh": ["新泰市", "肥城市", "东平县"],
            "value": [87.25, 80.5, 61.0],
            "numerator": [8725, 1610, 610],
            "denominator": [10000, 2000, 1000],
        }
    )


def bar(title: str | None) -> go.Figure:
    fig = go.Figure(go.Bar(x=["新泰市", "肥城市"], y=[3, 5]))
    return fig.update_layout(title_text=title, title_font_size=40)


def test_csv_has_bom_header_lines_and_the_frame(frame):
    data = export.frame_csv(frame, HEADER)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[: len(HEADER)] == HEADER
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", skiprows=len(HEADER))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_csv_header_line_with_comma_stays_one_cell(frame):
    data = export.frame_csv(frame, ["筛选：新泰市,肥城市"])
    first = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", header=None, nrows=1)
    assert first.iloc[0, 0] == "筛选：新泰市,肥城市"


def test_xlsx_has_header_lines_then_the_frame(frame):
    data = export.frame_xlsx(frame, HEADER)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [sheet.cell(row=i + 1, column=1).value for i in range(len(HEADER))] == HEADER
    back = pd.read_excel(io.BytesIO(data), engine="calamine", skiprows=len(HEADER))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_workbook_gets_one_safe_unique_sheet_per_frame(frame):
    long = "创新工作室按级别和星级分布情况（个）/按县市区统计的长标题"
    data = export.frames_xlsx({long: (frame, HEADER), long + "二": (frame.head(1), []), "a:b": (frame, [])})
    book = openpyxl.load_workbook(io.BytesIO(data))
    names = book.sheetnames
    assert len(names) == 3 and len(set(names)) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    back = pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=names[1])
    pd.testing.assert_frame_equal(back, frame.head(1), check_dtype=False)


def test_zip_names_follow_chart_order():
    data = export.charts_zip([("入会率/县市区", bar("a")), ("入会率/县市区", bar("b"))], images=[b"1", b"2"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["01_入会率_县市区.png", "02_入会率_县市区.png"]
        assert archive.read("02_入会率_县市区.png") == b"2"


def test_chrome_path_honours_browser_path(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert export.chrome_path() == str(fake)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    assert export.chrome_path() is None


def test_no_browser_gives_a_chinese_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    with pytest.raises(export.ChromeNotFound) as caught:
        export.figure_image(bar("入会率"))
    assert "未找到" in str(caught.value) and "apt-get install chromium" in str(caught.value)


def test_export_copy_gets_font_and_white_page_without_touching_the_original():
    fig = bar("入会率").update_layout(paper_bgcolor="rgba(0,0,0,0)")
    out = export.for_export(fig)
    assert "Noto Sans CJK SC" in out.layout.font.family and out.layout.paper_bgcolor == "white"
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)" and fig.layout.font.family is None


needs_chrome = pytest.mark.skipif(export.chrome_path() is None, reason="no Chrome/Chromium found")


def _pixels(png: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.size, image.convert("RGB").tobytes()


@pytest.mark.image
@needs_chrome
def test_png_is_16_9_and_chinese_glyphs_render():
    with_title, no_title, other_title = export.figure_images([bar("入会率"), bar(None), bar("建会率")])
    assert with_title.startswith(b"\x89PNG") and len(with_title) > 1000
    size, pixels = _pixels(with_title)
    assert size == (3200, 1800)  # 1600×900 layout pixels at scale 2
    assert pixels != _pixels(no_title)[1]
    # Missing glyphs would draw the same boxes for any three characters.
    assert pixels != _pixels(other_title)[1]


@pytest.mark.image
@needs_chrome
def test_one_session_serves_several_renders_svg_included():
    with export.BrowserSession() as session:
        (svg,) = export.render_jobs([(bar("入会率"), {"format": "svg", "width": 800, "height": 450})], session=session)
        (png,) = session.render([(bar("建会率"), {"format": "png", "width": 800, "height": 450, "scale": 1})])
    assert svg.lstrip().startswith(b"<svg") and "入会率".encode() in svg and b"Noto Sans CJK SC" in svg
    assert _pixels(png)[0] == (800, 450)


def test_session_without_a_browser_fails_at_once(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    with pytest.raises(export.ChromeNotFound):
        export.BrowserSession()


@pytest.mark.image
@needs_chrome
def test_batch_keeps_order_and_zips():
    figs = [("甲", bar("甲")), ("乙", go.Figure(go.Scatter(x=[1, 2], y=[2, 1])))]
    progress: list[tuple[int, int]] = []
    data = export.charts_zip(figs, scale=1, progress=lambda d, n: progress.append((d, n)))
    assert progress[-1] == (2, 2)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["01_甲.png", "02_乙.png"]
        first, second = archive.read("01_甲.png"), archive.read("02_乙.png")
    assert first.startswith(b"\x89PNG") and second.startswith(b"\x89PNG") and first != second
