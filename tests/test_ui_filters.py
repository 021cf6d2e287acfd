"""Pure pieces of the filter layer: chart click → filter codes, URL values → codes, the shared link."""

import pytest

from data_pipeline.metrics import Filters
from ui.filters import (
    codes_from_selection,
    link_params,
    parse_link,
    problem_sentence,
    scope_text,
    share_query,
    share_url,
    to_codes,
)


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


def test_share_query_uses_codes_and_states_year_and_quarters():
    f = Filters(year=2024, quarter_from=1, quarter_to=4, counties=("xintai",), chains=("C10", "C01"))
    assert share_query(f) == "year=2024&quarter=1-4&county=xintai&chain=C10&chain=C01"
    g = Filters(year=2025, quarter_from=2, quarter_to=2)
    assert share_query(g, "en") == "year=2025&quarter=2&lang=en"


def test_address_bar_leaves_the_defaults_out():
    f = Filters(year=2026, quarter_from=1, quarter_to=3, counties=("xintai",))
    assert link_params(f, default_year=2026, default_quarters=(1, 3)) == [("county", "xintai")]
    assert link_params(f, "en", default_year=2025, default_quarters=(1, 4)) == [
        ("year", "2026"),
        ("quarter", "1-3"),
        ("county", "xintai"),
        ("lang", "en"),
    ]


@pytest.mark.parametrize(
    ("params", "year", "quarters"),
    [
        ({"year": "2025", "quarter": "1-3"}, 2025, (1, 3)),
        ({"year": ["2025年"], "quarter": ["Q1", "Q3"]}, 2025, (1, 3)),  # the labels bound widgets used to write
        ({"year": "2025", "quarter": "Q2-Q4"}, 2025, (2, 4)),
        ({"year": " 2024 ", "quarter": "3"}, 2024, (3, 3)),
        ({"quarter": "3-1"}, None, (1, 3)),
        ({"quarter": "Q2"}, None, (2, 2)),
        ({"quarter": "1至3"}, None, (1, 3)),
        ({}, None, None),
    ],
)
def test_links_with_plain_numbers_and_the_older_forms(params, year, quarters):
    link = parse_link(params, years=(2026, 2025, 2024))
    assert (link.year, link.quarters, link.problems) == (year, quarters, ())


def test_counties_and_chains_by_code_or_name_repeated_or_comma_separated():
    link = parse_link({"county": ["xintai", "泰山区,feicheng"], "chain": "C10，医药", "lang": "English"})
    assert link.counties == ("xintai", "taishan", "feicheng")
    assert link.chains == ("C10",)
    assert link.lang == "en" and link.problems == ()
    assert parse_link({"lang": "zh"}).lang == "zh" and parse_link({"lang": "中文"}).lang == "zh"


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"year": "abc"}, "year=abc"),
        ({"year": "1999"}, "year=1999"),  # no data for that year
        ({"year": "20255"}, "year=20255"),
        ({"quarter": "5-7"}, "quarter=5-7"),
        ({"quarter": "Q0"}, "quarter=Q0"),
        ({"quarter": ["1", "2", "3"]}, "quarter=1-2-3"),
        ({"county": "nowhere"}, "county=nowhere"),
        ({"chain": "C99"}, "chain=C99"),
        ({"lang": "fr"}, "lang=fr"),
    ],
)
def test_junk_falls_back_to_the_default_and_is_named(params, problem):
    link = parse_link(params, years=(2026, 2025))
    assert link.problems == (problem,)
    assert (link.year, link.quarters, link.counties, link.chains, link.lang) == (None, None, (), (), None)


def test_known_values_survive_beside_junk_and_the_sentence_is_escaped():
    link = parse_link({"county": ["xintai", "[x](http://evil)"], "year": "2026"}, years=(2026,))
    assert link.counties == ("xintai",) and link.year == 2026
    sentence = problem_sentence(link.problems)
    assert sentence.startswith("链接中有无法识别的参数") and sentence.count("。") == 1
    assert "](" not in sentence and "\\[" in sentence
    assert problem_sentence(["year=x"], "en").startswith("Some link parameters were not understood")


def test_share_url_is_the_page_address_plus_the_view():
    f = Filters(year=2025, quarter_from=1, quarter_to=4, counties=("xintai",))
    assert share_url("http://h:8501/innovation", f) == "http://h:8501/innovation?year=2025&quarter=1-4&county=xintai"
    assert share_url("http://h:8501", f) == "http://h:8501/?year=2025&quarter=1-4&county=xintai"
    assert share_url("https://h/dash/data/", f, "en").endswith("/dash/data?year=2025&quarter=1-4&county=xintai&lang=en")


def test_scope_text_in_words():
    f = Filters(year=2026, quarter_from=1, quarter_to=3, counties=("xintai", "feicheng"))
    assert scope_text(f) == "2026年第一至三季度 · 新泰市、肥城市 · 全部产业链"
    assert scope_text(f, drop=("county",)) == "2026年第一至三季度 · 全部产业链"
    assert scope_text(Filters(year=2026), "en") == "2026 full year · All counties · All chains"
