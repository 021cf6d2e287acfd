"""The per-chart download menu (ui/downloads.py) in a tiny Streamlit app: data buttons always, image buttons with a browser."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
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


# ---- what the files hold: the chart's table as a staffer pastes it, in the user's language ----------------

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
INTERNAL = {
    "key",
    "name_zh",
    "name_en",
    "value",
    "numerator",
    "denominator",
    "target",
    "expected",
    "status",
    "suppressed",
}


def _specs(con, lang: str) -> dict:
    from data_pipeline.metrics import Filters
    from reporting import spec as recipes

    ctx = recipes.Context.of(recipes.direct(con), Filters(year=2024, quarter_from=1, quarter_to=3), lang)
    return {
        "ranking": recipes.ranking(ctx, "P5_MEMBER_RATE", "county"),
        "breakdown": recipes.breakdown(ctx, "P5_AID_FUNDS", "kind"),
        "trend": recipes.trend(ctx, ["P5_AID_FUNDS"]),
    }


def _csv(spec) -> tuple[list[str], pd.DataFrame]:
    from ui.downloads import _table

    text = _table(spec, "csv").decode("utf-8-sig")
    lines = text.splitlines()
    top = len(spec.header_lines)
    return lines[:top], pd.read_csv(io.StringIO("\n".join(lines[top:])), dtype=str, keep_default_na=False)


EXPECTED_HEADERS = {
    "zh": {
        "ranking": ["县市区", "入会率（%）", "应完成（%）", "年度目标（%）", "进度"],
        "breakdown": ["救助类别", "帮扶救助资金（万元）"],
        "trend": ["季度", "帮扶救助资金（万元）"],
    },
    "en": {
        "ranking": ["County", "Membership rate (%)", "Due by now (%)", "Year target (%)", "Status"],
        "breakdown": ["Category", "Aid funds (10,000 yuan)"],
        "trend": ["Quarter", "Aid funds (10,000 yuan)"],
    },
}
TOP = {
    "zh": ("筛选：2024年第一至三季度", "数据截至2024年第三季度"),
    "en": ("Filters: 2024 Q1–Q3", "Data through 2024 Q3"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_has_words_for_headers_units_per_column_rounded_values_and_the_filters_on_top(tiny_con, lang):
    for kind, spec in _specs(tiny_con, lang).items():
        top, table = _csv(spec)
        assert top[0] == spec.title
        assert top[1].startswith(TOP[lang][0]) and top[2] == TOP[lang][1]
        assert list(table.columns) == EXPECTED_HEADERS[lang][kind], kind  # words with units, no internal codes
        assert not INTERNAL & set(table.columns)
        numeric = [c for c in table.columns if c.endswith(("）", ")"))]
        for column in numeric:
            cells = [v for v in table[column] if v not in ("", "<5")]
            assert cells, (kind, column)
            # rounded as on screen: a rate to one decimal, 万元 to one decimal (never 81.15945516677094)
            assert all(re.fullmatch(r"-?\d+(\.\d)?", v) for v in cells), (kind, column, cells)
        if lang == "en":
            assert not CJK.search("\n".join(top) + table.to_csv()), kind  # categories and statuses in English
        else:
            assert CJK.search(table.iloc[:, 0].str.cat())  # 县市区, 救助类别, 季度 in Chinese words


def test_status_and_categories_are_words_not_codes(tiny_con):
    _, zh = _csv(_specs(tiny_con, "zh")["ranking"])
    assert set(zh["进度"]) <= {"超前", "进度正常", "落后", "未设目标", "未到考核期", "无数据"}
    _, en = _csv(_specs(tiny_con, "en")["breakdown"])
    assert "Critical-illness aid" in set(en["Category"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_holds_the_same_table_as_numbers_under_the_header_lines(tiny_con, lang):
    from openpyxl import load_workbook

    from ui.downloads import _table

    spec = _specs(tiny_con, lang)["ranking"]
    sheet = load_workbook(io.BytesIO(_table(spec, "xlsx"))).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    top = len(spec.header_lines)
    assert [r[0] for r in rows[:top]] == list(spec.header_lines)
    assert [c for c in rows[top] if c] == EXPECTED_HEADERS[lang]["ranking"]
    values = [r[1] for r in rows[top + 1 :] if r[1] is not None]
    assert values and all(isinstance(v, float | int) and round(v, 1) == v for v in values)  # numbers, rounded
