"""The per-chart download menu (ui/downloads.py) in a tiny Streamlit app: data buttons always, image buttons with a browser."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def menu_app() -> None:
    import pandas as pd

    from reporting.spec import ChartSpec
    from ui.downloads import download_menu

    frame = pd.DataFrame({"key": ["xintai", "feicheng"], "name_zh": ["新泰市", "肥城市"], "value": [87.5, 80.0]})
    spec = ChartSpec(
        kind="ranking",
        key="menu",
        title="入会率：按县市区排名",
        subtitle="单位：%",
        unit="%",
        decimals=1,
        lang="zh",
        frame=frame,
        options={"unit": "%", "decimals": 1},
        columns=(("name_zh", "县市区", "text"), ("value", "入会率（%）", "num:1")),
    )
    download_menu(spec)


def _buttons(at: AppTest) -> dict:
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_menu_offers_png_svg_csv_xlsx(monkeypatch, tmp_path):
    chrome = tmp_path / "chrome"
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(chrome))  # found, never started: files are made only on click
    at = AppTest.from_function(menu_app).run()
    assert not at.exception
    buttons = _buttons(at)
    assert set(buttons) == {"图片 PNG（高清，适合幻灯片）", "矢量图 SVG", "数据 CSV（Excel 可直接打开）", "数据 XLSX"}
    assert not any(b.disabled for b in buttons.values())


def test_without_a_browser_image_buttons_say_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    at = AppTest.from_function(menu_app).run()
    assert not at.exception
    buttons = _buttons(at)
    assert buttons["图片 PNG（高清，适合幻灯片）"].disabled and buttons["矢量图 SVG"].disabled
    assert not buttons["数据 CSV（Excel 可直接打开）"].disabled and not buttons["数据 XLSX"].disabled
    assert any("apt-get install chromium" in c.value for c in at.caption)
