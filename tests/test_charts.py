"""Chart functions on small hand-made frames: titles, customdata codes, targets, the shared CJK template."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from reporting import charts, theme
from reporting import format as fmt
from reporting.i18n import STRINGS, t

TITLE, SUB = "入会率：按县市区排名", "单位：% · 2026年全年 · 全部产业链 · 数据截至2026年第三季度"


def _ranking_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["xintai", "taishan", "feicheng"],
            "name_zh": ["新泰市", "泰山区", "肥城市"],
            "name_en": ["Xintai City", "Taishan District", "Feicheng City"],
            "value": [91.5, 84.0, 88.2],
            "target": [90.0, 90.0, None],
            "status": ["ahead", "behind", "no_target"],
        }
    )


def test_ranking_sorts_puts_codes_in_customdata_and_draws_targets():
    fig = charts.ranking(_ranking_frame(), title=TITLE, subtitle=SUB, unit="%", decimals=1)
    bars = fig.data[0]
    assert list(bars.y) == ["泰山区", "肥城市", "新泰市"]  # largest on top in a horizontal bar chart
    assert list(bars.customdata) == ["taishan", "feicheng", "xintai"]
    assert list(bars.text) == ["84.0%", "88.2%", "91.5%"]
    # colours are the query layer's status: behind is red, ahead green, no target the plain blue
    assert list(bars.marker.color) == [theme.BAD, theme.STATUS_COLOURS["no_target"], theme.GOOD]
    assert fig.data[1].name == "年度目标"
    assert fig.layout.title.text == TITLE and fig.layout.title.subtitle.text == SUB
    # a rate ranking starts its axis near the values (87 % and 96 % must not look alike) and says so
    assert fig.layout.xaxis.range[0] == 70 and "70%" in fig.layout.xaxis.title.text


def test_ranking_value_labels_sit_beyond_the_bar_and_its_target_tick():
    fig = charts.ranking(_ranking_frame(), title=TITLE, subtitle=SUB, unit="%", decimals=1)
    labels = fig.data[-1]
    assert labels.mode == "text" and fig.data[0].textposition == "none"
    assert list(labels.x) == [90.0, 88.2, 91.5]  # 泰山区 84.0 is behind its 90 target: its label starts at 90
    assert [t.strip() for t in labels.text] == ["84.0%", "88.2%", "91.5%"]


def test_ranking_hidden_cells_show_small_text_and_no_bar():
    frame = _ranking_frame().assign(value=[91.5, None, 88.2], suppressed=[False, True, False])
    fig = charts.ranking(frame, title=TITLE, subtitle=SUB, unit="%", decimals=1)
    assert "<5" in list(fig.data[0].text)


def test_ranking_english_names():
    fig = charts.ranking(_ranking_frame(), title="t", subtitle="s", unit="%", lang="en")
    assert "Xintai City" in list(fig.data[0].y)


def test_heatmap_cells_carry_county_and_chain_codes():
    frame = pd.DataFrame(
        {
            "county": ["taishan", "xintai", "taishan"],
            "chain": ["C01", "C01", "C10"],
            "county_zh": ["泰山区", "新泰市", "泰山区"],
            "chain_zh": ["汽车及零部件", "汽车及零部件", "医药及医疗器械"],
            "value": [80.0, 90.0, 70.0],
        }
    )
    fig = charts.heatmap(frame, title=TITLE, subtitle=SUB, unit="%")
    cell = fig.data[0]
    assert list(cell.x) == ["泰山区", "新泰市"]  # reference order
    assert list(cell.y) == ["汽车及零部件", "医药及医疗器械"]
    assert cell.text[1][1] == ""  # missing cell stays blank
    assert cell.text[0][0] == "80"
    # Plotly cannot select heatmap cells, so an invisible marker at each cell centre carries its codes, and a
    # click anywhere in the plot picks the nearest centre: the cell under the pointer
    layer = fig.data[1]
    assert layer.type == "scatter" and layer.marker.opacity == 0
    cells = dict(zip(zip(layer.x, layer.y, strict=True), map(tuple, layer.customdata), strict=True))
    assert cells[("泰山区", "医药及医疗器械")] == ("taishan", "C10")
    assert cells[("新泰市", "医药及医疗器械")] == ("xintai", "C10")  # a blank cell is still that cell
    assert fig.layout.hoverdistance == -1 and fig.layout.clickmode == "event+select"
    hover = dict(zip(map(tuple, layer.customdata), layer.hovertext, strict=True))
    assert hover[("taishan", "C01")].endswith("80.0%") and hover[("xintai", "C10")].endswith("无数据")


def test_trend_target_line_and_period_labels():
    frame = pd.DataFrame(
        {"indicator": ["P5_MEMBER_RATE"] * 2, "period": ["2026Q2", "2026Q1"], "value": [85.0, 84.0], "year": 2026}
    )
    frame = pd.concat([frame.assign(period=["2025Q4", "2025Q3"]), frame], ignore_index=True)
    names = {"P5_MEMBER_RATE": "入会率"}
    fig = charts.trend(frame, title="t", subtitle="s", unit="%", target=90, target_year=2026, names=names)
    assert list(fig.data[0].x) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    assert list(fig.data[0].customdata)[2:] == ["2026年第一季度", "2026年第二季度"]
    assert fig.data[0].name == "入会率"
    target = fig.data[1]  # the 2026 target spans 2026's quarters only, never 2025's
    assert list(target.x) == ["2026Q2", "2026Q1"] or sorted(target.x) == ["2026Q1", "2026Q2"]
    assert set(target.y) == {90}
    assert fig.layout.yaxis.range[0] > 0  # a rate axis that shows the movement


def test_target_vs_actual_marks_counties_behind():
    frame = pd.DataFrame(
        {
            "scope": ["city", "xintai"],
            "name_zh": ["全市", "新泰市"],
            "name_en": ["City", "Xintai"],
            "actual": [12, 6],
            "target": [10, 10],
        }
    )
    fig = charts.target_vs_actual(frame, title="t", subtitle="s", unit="家")
    assert list(fig.data[0].marker.color) == [theme.STATUS_COLOURS["on_track"], theme.BAD]
    pending = charts.target_vs_actual(frame.assign(status="not_yet_due"), title="t", subtitle="s", unit="家")
    assert set(pending.data[0].marker.color) == {theme.STATUS_COLOURS["not_yet_due"]}  # grey, never red
    assert list(fig.data[0].customdata) == ["city", "xintai"]


def test_tile_grid_places_counties_on_their_grid():
    frame = pd.DataFrame(
        {
            "key": ["taishan", "feicheng"],
            "name_zh": ["泰山区", "肥城市"],
            "value": [3, 5],
            "grid_row": [2, 2],
            "grid_col": [3, 1],
        }
    )
    fig = charts.tile_grid(frame, title="t", subtitle="s", unit="个")
    assert "泰山区" in fig.data[0].text[1][2]
    layer = fig.data[1]  # the tiles are clicked through invisible markers at their centres (x = column, y = row)
    cells = dict(zip(zip(layer.x, layer.y, strict=True), layer.customdata, strict=True))
    assert cells[(2, 1)] == "taishan" and cells[(0, 1)] == "feicheng"
    assert cells[(1, 1)] == ""  # an empty grid position filters nothing


def test_heatmap_leaves_out_chains_and_counties_with_nothing_anywhere():
    frame = pd.DataFrame(
        {
            "county": ["taishan", "xintai", "taishan", "feicheng"],
            "chain": ["C01", "C10", "C02", "C03"],
            "value": [80.0, 90.0, None, None],
            "suppressed": [False, False, False, True],
        }
    )
    fig = charts.heatmap(frame, title=TITLE, subtitle=SUB, unit="%")
    assert list(fig.data[0].x) == ["泰山区", "新泰市", "肥城市"]  # 肥城市's only cell is hidden, not empty
    assert list(fig.data[0].y) == ["汽车及零部件", "矿山装备<br>及工程机械", "医药及医疗器械"]  # no 输变电 row


def test_heatmap_outlines_the_selected_cells():
    frame = pd.DataFrame(
        {"county": ["taishan", "xintai", "taishan"], "chain": ["C01", "C01", "C10"], "value": [80.0, 90.0, 70.0]}
    )
    fig = charts.heatmap(frame, title=TITLE, subtitle=SUB, unit="%", highlight=(("xintai",), ("C10",)))
    assert [(s.x0, s.y0) for s in fig.layout.shapes] == [(0.5, 0.5)]  # column 1 (新泰市) × row 1 (医药)
    column = charts.heatmap(frame, title=TITLE, subtitle=SUB, unit="%", highlight=(("taishan",), ()))
    assert [(s.x0, s.y0) for s in column.layout.shapes] == [(-0.5, -0.5), (-0.5, 0.5)]
    assert not charts.heatmap(frame, title=TITLE, subtitle=SUB, unit="%").layout.shapes


def test_ranking_bars_answer_a_click_anywhere_in_their_band():
    fig = charts.ranking(_ranking_frame(), title=TITLE, subtitle=SUB, unit="%", decimals=1)
    assert fig.layout.hovermode == "y" and fig.layout.clickmode == "event+select"
    assert list(fig.data[1].customdata) == list(fig.data[0].customdata)  # the target tick selects its place too


def test_long_place_names_wrap_onto_two_lines():
    assert charts.wrap_label("旅游经济开发区", 6) == "旅游经济<br>开发区"
    assert charts.wrap_label("输变电装备及电线电缆", 7) == "输变电装备<br>及电线电缆"
    assert charts.wrap_label("医药及医疗器械", 6) == "医药及<br>医疗器械"
    assert charts.wrap_label("Tourism Economic Development Zone", 12) == "Tourism Economic<br>Development Zone"
    assert charts.wrap_label("泰山区", 6) == "泰山区"


@pytest.mark.parametrize(
    "fn, kwargs",
    [
        (charts.ranking, {"unit": "%"}),
        (charts.heatmap, {"unit": "%"}),
        (charts.trend, {"unit": "%"}),
        (charts.breakdown, {"unit": "个"}),
        (charts.target_progress, {}),
        (charts.target_vs_actual, {"unit": "家"}),
        (charts.tile_grid, {"unit": "%"}),
        (charts.grouped, {"unit": "%", "names": {}}),
        (charts.compare, {"unit": "%", "left": "a", "right": "b"}),
    ],
)
def test_empty_frames_give_a_titled_no_data_figure(fn, kwargs):
    fig = fn(pd.DataFrame(), title=TITLE, subtitle=SUB, **kwargs)
    assert isinstance(fig, go.Figure)
    assert fig.layout.annotations[0].text == "无数据"
    assert fig.layout.title.text == TITLE


def test_template_uses_the_cjk_font_stack_in_both_modes():
    for mode in ("light", "dark"):
        fig = charts.breakdown(
            pd.DataFrame({"category": ["市级", "省级"], "value": [3, 1]}), title="t", subtitle="s", unit="个", mode=mode
        )
        assert "Noto Sans CJK SC" in fig.layout.template.layout.font.family
        assert "Microsoft YaHei" in fig.layout.template.layout.font.family


def test_formats_follow_chinese_conventions():
    assert fmt.value(12345, "人") == "1.23万人"
    assert fmt.value(123456, "人") == "12.3万人"
    assert fmt.value(85.25, "%", 1) == "85.2%" or fmt.value(85.25, "%", 1) == "85.3%"
    assert fmt.value(312.5, "万元", 1) == "312.5万元"
    assert fmt.value(23456.0, "万元", 1) == "2.35亿元"
    assert fmt.value(None, "人") == "—"
    assert fmt.change(1.23, "%", 1) == "+1.2个百分点"
    assert fmt.change(-3, "人") == "-3人"
    assert fmt.period("2026Q3") == "2026年第三季度"
    assert fmt.quarter_range(2026, 1, 3) == "2026年第一至三季度"
    assert fmt.quarter_range(2026, 1, 4) == "2026年全年"
    assert fmt.value(12345, "people", lang="en") == "12,345 people"


def test_every_string_has_both_languages():
    for key, (zh, en) in STRINGS.items():
        assert zh and en, key
    assert t("data_through", "zh", when="2026年第三季度") == "数据截至2026年第三季度"


def test_small_aid_counts_are_masked_in_rankings():
    frame = _ranking_frame().assign(value=[3.0, 12.0, 0.0], suppressed=[True, False, False])
    fig = charts.ranking(frame, title="t", subtitle="s", unit="户")
    texts = dict(zip(fig.data[0].customdata, fig.data[0].text, strict=True))
    assert texts == {"xintai": "<5", "taishan": "12户", "feicheng": "0户"}
    assert fmt.is_small(3) and not fmt.is_small(0) and not fmt.is_small(5) and not fmt.is_small(None)
