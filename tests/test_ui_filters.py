"""Pure pieces of the filter layer: chart click → filter codes, URL values → codes, the shared link."""

from data_pipeline.metrics import Filters
from ui.filters import codes_from_selection, scope_text, share_query, to_codes


def test_bar_click_maps_customdata_to_a_county():
    points = [{"point_index": 3, "customdata": "xintai", "y": "新泰市"}]
    assert codes_from_selection(points, ("county",)) == {"county": ["xintai"]}


def test_heatmap_cell_maps_to_county_and_chain():
    points = [{"customdata": ["taishan", "C10"], "x": "泰山区", "y": "医药及医疗器械"}]
    assert codes_from_selection(points, ("county", "chain")) == {"county": ["taishan"], "chain": ["C10"]}


def test_several_points_keep_order_and_drop_duplicates():
    points = [{"customdata": "xintai"}, {"customdata": "feicheng"}, {"customdata": "xintai"}]
    assert codes_from_selection(points, ("county",)) == {"county": ["xintai", "feicheng"]}


def test_non_codes_are_ignored():
    points = [{"customdata": "city"}, {"customdata": None}, {"customdata": ""}, {"x": 1}]
    assert codes_from_selection(points, ("county",)) == {}
    assert codes_from_selection([], ("county",)) == {}
    assert codes_from_selection([{"customdata": [None, "C01"]}], ("county", "chain")) == {"chain": ["C01"]}


def test_url_values_accept_codes_names_and_aliases():
    assert to_codes(["xintai", "泰山区", "高新区", "nowhere"], "county") == ["xintai", "taishan", "gaoxin"]
    assert to_codes(["C10", "c01", "医药", "汽车零部件"], "chain") == ["C10", "C01"]


def test_share_query_uses_codes_and_leaves_defaults_out():
    f = Filters(year=2024, quarter_from=1, quarter_to=4, counties=("xintai",), chains=("C10", "C01"))
    assert share_query(f) == "year=2024&county=xintai&chain=C10&chain=C01"
    g = Filters(year=2025, quarter_from=2, quarter_to=3)
    assert share_query(g, "en") == "year=2025&quarter=Q2&quarter=Q3&lang=English"


def test_scope_text_in_words():
    f = Filters(year=2026, quarter_from=1, quarter_to=3, counties=("xintai", "feicheng"))
    assert scope_text(f) == "2026年第一至三季度 · 新泰市、肥城市 · 全部产业链"
    assert scope_text(f, drop=("county",)) == "2026年第一至三季度 · 全部产业链"
    assert scope_text(Filters(year=2026), "en") == "2026 full year · All counties · All chains"
