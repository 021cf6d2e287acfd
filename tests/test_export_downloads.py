"""The per-chart download menu (ui/downloads.py) in a tiny Streamlit app: data buttons always, image buttons with a browser."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def menu_app() -> None:
    import pandas as pd
    import plotly.graph_objects as go

    from ui.downloads import download_menu

    frame = pd.DataFrame({"name_zh": ["新泰市", "肥城市"], "value": [87.5, 80.0]})
    fig = go.Figure(go.Bar(x=frame["name_zh"], y=frame["value"]), layout_title_text="入会率")
    download_menu(
        fig, frame, name="入会率：按县市区排名", header_lines=["入会率：按县市区排名", "数据截至2024年第三季度"]
    )


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
    assert set(buttons) == {"图片 PNG（高清，16:9）", "矢量图 SVG", "数据 CSV（Excel 可直接打开）", "数据 XLSX"}
    assert not any(b.disabled for b in buttons.values())


def test_without_a_browser_image_buttons_say_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing"))
    at = AppTest.from_function(menu_app).run()
    assert not at.exception
    buttons = _buttons(at)
    assert buttons["图片 PNG（高清，16:9）"].disabled and buttons["矢量图 SVG"].disabled
    assert not buttons["数据 CSV（Excel 可直接打开）"].disabled and not buttons["数据 XLSX"].disabled
    assert any("apt-get install chromium" in c.value for c in at.caption)
