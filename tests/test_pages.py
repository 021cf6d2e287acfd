"""AppTest per page on the tiny warehouse: the numbers on screen equal the query layer's, nothing raises."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import metrics, reference
from reporting import format as fmt

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PAGES = [p.slug for p in reference.projects()]
ALL_PAGES = ["overview", *PROJECT_PAGES, "chains", "counties", "data", "briefing"]
TITLES = {
    "overview": "五大工程数据看板",
    "chains": "产业链画像",
    "counties": "县市区对比",
    "data": "数据说明",
    "briefing": "简报导出",
    **{p.slug: p.name_zh for p in reference.projects()},
}


def open_app(db: Path, monkeypatch: pytest.MonkeyPatch, page: str = "overview", **params: str | list[str]) -> AppTest:
    """Open a page the way a link does: URL parameters first, then the page itself."""
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]  # a section that failed shows a warning


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(db: Path, f: metrics.Filters, codes: list[str]) -> dict[str, str]:
    """Card texts from the query layer; what the query layer hid (small aid cells below county level) as "<5"."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        cat = metrics.catalogue(con).set_index("code")
        kpis = metrics.kpis(con, f, codes).set_index("indicator")
    finally:
        con.close()
    out = {}
    for code in codes:
        row = cat.loc[code]
        value, decimals = kpis.loc[code, "value"], int(row["decimals"])
        # a card shows a percent sign and nothing else after its number (counts say what they count in their
        # names, 万元 stands beside the name)
        text = fmt.value(value, "%", decimals) if row["unit_zh"] == "%" else fmt.number(value, decimals)
        out[row["name_zh"]] = "<5" if kpis.loc[code, "suppressed"] else text
    return out


def headline_codes(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cat = metrics.catalogue(con)
    finally:
        con.close()
    return cat.dropna(subset=["headline"]).sort_values(["project", "headline"])["code"].tolist()


def project_codes(db: Path, slug: str) -> list[str]:
    project = next(p.project for p in reference.projects() if p.slug == slug)
    con = duckdb.connect(str(db), read_only=True)
    try:
        cat = metrics.catalogue(con)
    finally:
        con.close()
    return cat.loc[cat["project"] == project, "code"].tolist()


def default_filters(db: Path, **narrow: tuple[str, ...]) -> metrics.Filters:
    """What the sidebar starts with: the latest year, its quarters that have data (tiny data: all of 2024)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        periods = metrics.periods(con)
    finally:
        con.close()
    year = int(periods["year"].max())
    last = int(periods.loc[periods["year"] == year, "quarter"].max())
    return metrics.Filters(year=year, quarter_from=1, quarter_to=last, **narrow)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_renders_in_chinese_without_errors(tiny_warehouse, monkeypatch, page):
    at = open_app(tiny_warehouse, monkeypatch, page)
    assert_clean(at)
    assert at.title[0].value == TITLES[page]
    assert at.sidebar.selectbox(key="year_zh").value == 2024


def test_overview_cards_equal_the_query_layer(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch)
    codes = headline_codes(tiny_warehouse)
    assert shown_metrics(at) == expected_cards(tiny_warehouse, default_filters(tiny_warehouse), codes)


def test_overview_link_with_county_and_chain(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, year="2024", county="xintai", chain="C10")
    assert_clean(at)
    assert at.sidebar.multiselect(key="county_zh").value == ["xintai"]
    assert at.sidebar.multiselect(key="chain_zh").value == ["C10"]
    codes = headline_codes(tiny_warehouse)
    assert shown_metrics(at) == expected_cards(
        tiny_warehouse, default_filters(tiny_warehouse, counties=("xintai",), chains=("C10",)), codes
    )
    assert at.query_params["county"] in ("xintai", ["xintai"]) and at.query_params["chain"] in ("C10", ["C10"])


@pytest.mark.parametrize("slug", PROJECT_PAGES)
def test_project_pages_show_every_indicator_with_the_query_layers_value(tiny_warehouse, monkeypatch, slug):
    at = open_app(tiny_warehouse, monkeypatch, slug)
    codes = project_codes(tiny_warehouse, slug)
    assert shown_metrics(at) == expected_cards(tiny_warehouse, default_filters(tiny_warehouse), codes)
    assert len(at.get("popover")) >= len(codes)  # each definition one click away


@pytest.mark.parametrize("slug", ["service", "innovation"])
def test_project_page_filtered_by_url(tiny_warehouse, monkeypatch, slug):
    at = open_app(tiny_warehouse, monkeypatch, slug, county="xintai", quarter=["Q2", "Q3"])
    assert_clean(at)
    f = metrics.Filters(year=2024, quarter_from=2, quarter_to=3, counties=("xintai",))
    assert shown_metrics(at) == expected_cards(tiny_warehouse, f, project_codes(tiny_warehouse, slug))


def test_aided_families_below_county_level_are_masked(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "service", county="xintai", chain="C10")
    assert_clean(at)
    f = default_filters(tiny_warehouse, counties=("xintai",), chains=("C10",))
    assert shown_metrics(at) == expected_cards(tiny_warehouse, f, project_codes(tiny_warehouse, "service"))


def test_chain_and_county_profiles(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "chains", chain="C10")
    assert_clean(at)
    assert at.selectbox(key="profile_chain").value == "C10"
    chain_f = default_filters(tiny_warehouse, chains=("C10",))
    assert shown_metrics(at) == expected_cards(tiny_warehouse, chain_f, headline_codes(tiny_warehouse))
    at = open_app(tiny_warehouse, monkeypatch, "counties", county="taishan")
    assert_clean(at)
    county_f = default_filters(tiny_warehouse, counties=("taishan",))
    assert shown_metrics(at) == expected_cards(tiny_warehouse, county_f, headline_codes(tiny_warehouse))


def test_data_page_lists_files_and_quarantine(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "data")
    assert_clean(at)
    con = duckdb.connect(str(tiny_warehouse), read_only=True)
    try:
        manifest, catalogue = metrics.manifest(con), metrics.catalogue(con)
    finally:
        con.close()
    tables = [df.value for df in at.dataframe]
    assert len(tables[0]) == len(manifest)
    assert len(tables[-1]) == len(catalogue)
    assert "已加载" in set(tables[0]["状态"])  # codes shown as Chinese words


def test_english_switch(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "service", lang="English")
    assert_clean(at)
    assert at.title[0].value == "Service capacity"
    assert "Membership rate" in shown_metrics(at)


def test_missing_warehouse_says_how_to_build_one(tmp_path, monkeypatch):
    at = open_app(tmp_path / "none.duckdb", monkeypatch)
    assert not at.exception
    assert "还没有数据仓库文件" in at.error[0].value
    assert "python -m data_pipeline build" in at.code[0].value


def test_empty_selection_says_so_in_words(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "skills", county="dongping")  # no submissions from 东平县
    assert_clean(at)
    assert any("所选条件下没有数据" in i.value for i in at.info)


def test_a_republished_warehouse_is_noticed(tiny_warehouse, tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(tiny_warehouse.read_bytes())
    before = shown_metrics(open_app(db, monkeypatch, "service"))["入会率"]
    staged = tmp_path / "staged.duckdb"  # a new build: written beside, then swapped in atomically
    staged.write_bytes(tiny_warehouse.read_bytes())
    with duckdb.connect(str(staged)) as con:
        con.execute("update indicator_values set numerator = 0, value = 0 where indicator = 'P5_MEMBER_RATE'")
    os.replace(staged, db)
    after = shown_metrics(open_app(db, monkeypatch, "service"))["入会率"]
    assert before != "0.0%" and after == "0.0%"


def test_a_plain_link_opens_its_view_and_junk_is_named_in_one_sentence(tiny_warehouse, monkeypatch):
    at = open_app(tiny_warehouse, monkeypatch, "service", year="2024", quarter="2-3", county="新泰市", lang="en")
    assert_clean(at)
    assert at.sidebar.selectbox(key="year_en").value == 2024
    assert at.sidebar.select_slider(key="quarter_en").value == (2, 3)
    assert at.sidebar.multiselect(key="county_en").value == ["xintai"]
    assert at.title[0].value == "Service capacity"
    assert at.query_params["county"] in ("xintai", ["xintai"])  # the address bar holds codes, not names

    at = open_app(tiny_warehouse, monkeypatch, "service", year="1999", quarter="Q9", chain="C10")
    assert not at.exception
    assert [w.value for w in at.warning] == ["链接中有无法识别的参数（year=1999、quarter=Q9），已按默认值显示。"]
    assert at.sidebar.selectbox(key="year_zh").value == 2024 and at.sidebar.multiselect(key="chain_zh").value == ["C10"]
