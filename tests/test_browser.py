"""End to end in headless Debian Chromium: every page, URL-bound filters, links, chart clicks, screenshots.

One Streamlit server on the tiny warehouse and one browser for the module. Screenshots of every page at
desktop (1400 px) and phone (390 px) widths land in test-output/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import dashboard_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
DESKTOP, PHONE = (1400, 900), (390, 844)
PAGES = {
    "": "五大工程数据看板",
    "ideology": "职工思想政治引领工程",
    "skills": "职工素质提升工程",
    "merit": "职工立足岗位建功立业工程",
    "innovation": "搭建平台推动企业创新创效工程",
    "service": "强化工会效能提升服务能力工程",
    "chains": "产业链画像",
    "counties": "县市区对比",
    "data": "数据说明",
    "briefing": "简报导出",
}
NAV = {
    "": "总览",
    "ideology": "思想政治引领",
    "skills": "素质提升",
    "merit": "建功立业",
    "innovation": "创新创效",
    "service": "服务能力",
    "chains": "产业链画像",
    "counties": "县市区对比",
    "data": "数据说明",
    "briefing": "简报导出",
}
WITH_CHARTS = {"", "ideology", "skills", "merit", "innovation", "service", "chains", "counties"}

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tiny_warehouse: Path) -> Iterator[str]:
    with dashboard_server(tiny_warehouse, start_seconds=30) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def settle(pg, charts: bool = True) -> None:
    """Wait for the title, the charts and the end of the script run."""
    pg.wait_for_selector("h1", timeout=30_000)
    if charts:
        pg.wait_for_selector(".js-plotly-plot", timeout=30_000)
    pg.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    pg.wait_for_timeout(300)


def shoot(pg, name: str) -> None:
    """Screenshot the whole page at desktop and phone widths (the main area scrolls, so grow the viewport)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        if pg.viewport_size["width"] != width:
            pg.set_viewport_size({"width": width, "height": height})
            pg.wait_for_timeout(300)
        full = pg.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
        pg.set_viewport_size({"width": width, "height": max(height, min(int(full), 9000))})
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(SHOTS / f"{name}_{label}.png"))
    pg.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})


def title(pg) -> str:
    return pg.locator("h1").first.inner_text().strip()


def test_deep_link_on_a_fresh_server_opens_that_view(server, page):
    page.goto(f"{server}/service?county=xintai")  # the very first request of this server
    settle(page)
    assert title(page) == PAGES["service"]
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "新泰市" in sidebar.inner_text()
    assert "county=xintai" in page.url


@pytest.fixture(scope="module")
def walker(browser, server):
    """One tab that moves between pages through the sidebar, as a user does (no reload per page)."""
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, locale="zh-CN")
    pg = context.new_page()
    pg.goto(f"{server}/")
    settle(pg)
    yield pg
    context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_shows_its_chinese_title_and_charts(walker, path):
    walker.locator('[data-testid="stSidebarNav"] a', has_text=NAV[path]).first.click()
    walker.wait_for_function(f"location.pathname === '/{path}'", timeout=15_000)
    walker.wait_for_function(f"document.querySelector('h1')?.innerText.trim() === {PAGES[path]!r}", timeout=30_000)
    settle(walker, charts=path in WITH_CHARTS)
    assert title(walker) == PAGES[path]
    if path in WITH_CHARTS:
        assert walker.locator(".js-plotly-plot").count() >= 1
    body = walker.locator('[data-testid="stMain"]').inner_text()
    assert "Traceback" not in body and "Error" not in body
    shoot(walker, path or "overview")


def test_filter_goes_into_the_url_and_the_link_reopens_the_view(server, browser, page):
    page.goto(f"{server}/")
    settle(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first
    box.click()
    page.keyboard.type("泰山区")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"county=taishan"), timeout=15_000)
    settle(page)
    cards = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    link = page.url

    # switching pages keeps the filters (and they stay in the URL)
    page.locator('[data-testid="stSidebarNav"] a', has_text="服务能力").click()
    page.wait_for_url(re.compile(r"/service\?.*county=taishan"), timeout=15_000)
    settle(page)
    assert "泰山区" in page.locator('[data-testid="stSidebar"]').inner_text()

    # the copied link opens the same view in a new session
    other = browser.new_page(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    try:
        other.goto(link)
        settle(other)
        assert other.locator('[data-testid="stMetricValue"]').all_inner_texts() == cards
        assert "泰山区" in other.locator('[data-testid="stSidebar"]').inner_text()
    finally:
        other.close()


def test_clicking_a_bar_filters_to_that_county_and_can_be_cleared(server, page):
    page.goto(f"{server}/counties")
    settle(page)
    bars = page.locator(".js-plotly-plot").first.locator("g.point path")
    widest = max(range(bars.count()), key=lambda i: (bars.nth(i).bounding_box() or {"width": 0})["width"])
    bars.nth(widest).scroll_into_view_if_needed()
    bars.nth(widest).click(force=True)
    page.wait_for_url(re.compile(r"county="), timeout=15_000)
    settle(page)
    clear = page.get_by_role("button", name=re.compile("清除图上选择"))
    assert clear.count() == 1
    clear.click()
    page.wait_for_function("!location.search.includes('county=')", timeout=15_000)
