"""End to end in headless Debian Chromium: deep links on a fresh server, the shared link, chart clicks, and every
page in both languages at phone and desktop widths.

One Streamlit server on the tiny warehouse and one browser for the module (a second fresh server for the first
request to /briefing, and one on a demo warehouse with several years for the shared link). Screenshots of every
page in Chinese and English at 1440 px and 390 px land in test-output/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import dashboard_server, page_texts_js, wait_drawn_in_full

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
DESKTOP, PHONE = (1440, 900), (390, 844)
PAGES = {
    "": ("五大工程数据看板", "Five Projects dashboard"),
    "ideology": ("职工思想政治引领工程", "Ideological guidance"),
    "skills": ("职工素质提升工程", "Skills upgrading"),
    "merit": ("职工立足岗位建功立业工程", "On-the-job merit"),
    "innovation": ("搭建平台推动企业创新创效工程", "Enterprise innovation"),
    "service": ("强化工会效能提升服务能力工程", "Service capacity"),
    "chains": ("产业链画像", "Chain profile"),
    "counties": ("县市区对比", "Counties compared"),
    "data": ("数据说明", "About the data"),
    "briefing": ("简报导出", "Briefing export"),
}
NAV = {
    "": ("总览", "Overview"),
    "ideology": ("思想政治引领", "Ideology"),
    "skills": ("素质提升", "Skills"),
    "merit": ("建功立业", "Merit"),
    "innovation": ("创新创效", "Innovation"),
    "service": ("服务能力", "Service"),
    "chains": ("产业链画像", "Chain profile"),
    "counties": ("县市区对比", "Counties compared"),
    "data": ("数据说明", "About the data"),
    "briefing": ("简报导出", "Briefing export"),
}
WITH_CHARTS = {"", "ideology", "skills", "merit", "innovation", "service", "chains", "counties"}
ICONS = ["dashboard", "flag", "school", "emoji_events", "lightbulb", "volunteer_activism"]
ICONS += ["account_tree", "map", "dataset", "slideshow"]  # the material icon names in each link's text
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# Labels the page cut off with an ellipsis (scrollWidth beyond clientWidth), and select boxes whose value does
# not fit; the shared-link box scrolls on purpose, charts and tables are drawn on their own.
TRUNCATED = """() => [...document.querySelectorAll('[data-testid="stMain"] *, [data-testid="stSidebar"] *')]
  .filter(e => {
    if (e.closest('[data-testid="stTextInput"], .js-plotly-plot, [data-testid="stDataFrame"]')) return false;
    if (!e.clientWidth || e.scrollWidth <= e.clientWidth + 1) return false;
    const box = e.getBoundingClientRect();
    if (box.right <= 0 || box.left >= innerWidth) return false;  // the phone's sidebar, folded away
    if (e.tagName === 'INPUT') return !!e.value;
    return getComputedStyle(e).textOverflow === 'ellipsis' && !!e.innerText.trim();
  })
  .map(e => e.tagName === 'INPUT' ? e.value : e.innerText.trim())"""
# Every text on the page (SVG chart text included) outside user data: the data page's tables of loaded files and
# quarantined rows hold file names, the files' own column headers and their values. The language switch names
# the other language in its own script on purpose.
PAGE_TEXT = page_texts_js(".st-key-user_files, .st-key-user_rows, .st-key-lang")
# The centre of a category cell of a Plotly chart, in page pixels (to click a heatmap cell or a bar's band).
CELL = """([index, x, y]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const px = x === null ? box.width * 0.92 : xa.l2p(xa.d2l(x));
  return [box.left + px, box.top + ya.l2p(ya.d2l(y))];
}"""
# The sidebar's navigation texts as they change while the page loads (any legacy file-name navigation shows up).
NAV_RECORDER = """() => {
  window.__nav = [];
  new MutationObserver(() => {
    const links = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')].map(a => a.textContent.trim());
    if (links.length) window.__nav.push(links.join('|'));
  }).observe(document, {childList: true, subtree: true, characterData: true});
}"""
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def server(tiny_warehouse: Path) -> Iterator[str]:
    with dashboard_server(tiny_warehouse, start_seconds=30) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[*LAUNCH_ARGS, "--disable-sync"])
        yield b
        b.close()


def new_page(browser, width: int = DESKTOP[0], height: int = DESKTOP[1]):
    """A page in a context of its own (a fresh browser profile: no session, no cookies)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    return context.new_page()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


IDLE = """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'
  && !document.querySelector('[data-testid="stStatusWidget"]')"""


def settle(pg, charts: bool = True) -> None:
    """Wait for the title, the charts and the end of the script run (as Streamlit's own browser tests do)."""
    pg.wait_for_timeout(150)  # a rerun that a click just asked for has started by now
    pg.wait_for_selector("h1", timeout=30_000)
    if charts:
        pg.wait_for_selector(".js-plotly-plot", timeout=30_000)
    pg.wait_for_function(IDLE, timeout=60_000)
    wait_drawn_in_full(pg)
    pg.wait_for_timeout(300)


def title(pg) -> str:
    return pg.locator("h1").first.inner_text().strip()


def sidebar(pg) -> str:
    return pg.locator('[data-testid="stSidebarUserContent"]').inner_text()


def nav_links(pg) -> list[str]:
    """The page names in the sidebar navigation (without their icons)."""
    return pg.locator('[data-testid="stSidebarNav"] a [data-testid="stMarkdownContainer"]').all_inner_texts()


def shared_link(pg) -> str:
    """The address in the sidebar's 复制链接 box (not the address bar)."""
    pg.locator('[data-testid="stSidebar"] [data-testid="stExpander"] summary').first.click()
    box = pg.locator('[data-testid="stSidebar"] [data-testid="stTextInput"] input')
    box.wait_for(state="visible", timeout=10_000)
    return box.input_value()


def pick(pg, label: str, option: str) -> None:
    """Choose an option in a sidebar select box or multiselect by typing it, as a user does."""
    widget = pg.locator('[data-testid="stSidebar"] [data-testid="stWidgetLabel"]', has_text=label).locator("..")
    widget.locator("input").first.click()
    pg.keyboard.type(option)
    pg.get_by_role("option", name=option, exact=True).click()
    pg.keyboard.press("Escape")
    settle(pg, charts=False)


# ---- deep links on a fresh server (these run first: the module's server has answered nothing yet) ------------


def _first_visit(pg, url: str, heading: str) -> None:
    pg.add_init_script(f"({NAV_RECORDER})()")
    pg.goto(url)
    pg.wait_for_function(f"document.querySelector('h1')?.innerText.trim() === {heading!r}", timeout=30_000)
    settle(pg, charts=False)
    chinese = [zh for zh, _ in NAV.values()]
    assert nav_links(pg) == chinese
    seen = pg.evaluate("window.__nav")
    # from the first navigation drawn to the last, always the Chinese one (never file names such as "briefing")
    assert seen and all(links.split("|") == [ICONS[i] + name for i, name in enumerate(chinese)] for links in seen)


def test_first_request_of_a_fresh_server_to_a_county_link(server, page):
    _first_visit(page, f"{server}/counties?county=xintai", PAGES["counties"][0])
    assert "新泰市" in sidebar(page)
    assert "county=xintai" in page.url


def test_first_request_of_a_fresh_server_to_the_briefing_page(tiny_warehouse, page):
    with dashboard_server(tiny_warehouse, start_seconds=30) as fresh:
        _first_visit(page, f"{fresh}/briefing", PAGES["briefing"][0])
        page.locator("button", has_text="生成简报").wait_for(timeout=30_000)  # the page body, not only its title


# ---- links -----------------------------------------------------------------------------------------------


def test_a_malformed_parameter_falls_back_and_says_so(server, page):
    page.goto(f"{server}/service?year=abc&quarter=2-3&county=nowhere")
    settle(page)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("链接中有无法识别的参数（year=abc、county=nowhere），已按默认值显示。" in a for a in alerts), alerts
    assert "2024年第二至三季度" in sidebar(page)  # the default year; the readable quarters kept


@pytest.fixture(scope="module")
def demo_server(demo_warehouse: Path) -> Iterator[str]:
    """A server on a demo warehouse with data for 2022 to 2026 Q3 (the tiny one has 2024 only)."""
    with dashboard_server(demo_warehouse, start_seconds=30) as base:
        yield base


def test_the_shared_link_reopens_the_same_view_in_a_fresh_browser(demo_server, browser, page):
    page.goto(f"{demo_server}/?year=2025&quarter=2-3")  # a plain link, as people type it
    settle(page)
    assert "2025年第二至三季度" in sidebar(page)
    pick(page, "年度", "2024年")  # a year that is not the default, chosen in the sidebar
    pick(page, "县市区", "新泰市")
    pick(page, "产业链", "新能源")
    page.locator('[data-testid="stSidebar"] button', has_text="English").click()
    page.wait_for_function("document.querySelector('h1')?.innerText.trim() === 'Five Projects dashboard'")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Service").click()
    page.wait_for_url(re.compile(r"/service\?"), timeout=15_000)
    settle(page)
    assert title(page) == PAGES["service"][1]
    cards = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    link = shared_link(page)
    assert re.search(r"/service\?year=2024&quarter=2-3&county=xintai&chain=C09&lang=en$", link), link
    assert "/service/service" not in link

    other = new_page(browser)
    try:
        other.goto(link)
        settle(other)
        assert other.url == link
        assert title(other) == PAGES["service"][1]
        shown = sidebar(other)
        assert "2024 Q2–Q3" in shown and "Xintai City" in shown and "New energy" in shown
        assert other.locator('[data-testid="stMetricValue"]').all_inner_texts() == cards
        assert shared_link(other) == link
    finally:
        other.context.close()


# ---- chart clicks ----------------------------------------------------------------------------------------


def _click_cell(pg, chart: int, x: str | None, y: str) -> None:
    pg.locator(".js-plotly-plot").nth(chart).scroll_into_view_if_needed()
    px, py = pg.evaluate(CELL, [chart, x, y])
    pg.mouse.move(px - 6, py - 3)
    pg.mouse.move(px, py)
    pg.mouse.click(px, py)


def test_a_heatmap_cell_click_filters_to_its_county_and_chain_and_clear_restores(server, page):
    page.goto(f"{server}/")
    settle(page)
    heatmap = page.locator(".js-plotly-plot").count() - 1  # the overview's last chart
    _click_cell(page, heatmap, "新泰市", "医药及医疗器械")
    page.wait_for_url(re.compile(r"county=xintai&chain=C10"), timeout=15_000)
    settle(page)
    assert "新泰市" in sidebar(page) and "医药及医疗器械" in sidebar(page)
    clear = page.locator(".st-key-clear_overview_heatmap_P5_MEMBER_RATE button")
    assert clear.is_visible()
    clear.click()
    page.wait_for_function("!/county=|chain=/.test(location.search)", timeout=15_000)
    settle(page)
    assert "新泰市" not in sidebar(page)


def test_a_click_anywhere_in_a_bars_band_filters_to_it(server, page):
    page.goto(f"{server}/counties")
    settle(page)
    # far to the right of 泰山区's short bar: the band answers, not only the bar
    _click_cell(page, 0, None, "泰山区")
    page.wait_for_url(re.compile(r"county=taishan"), timeout=15_000)
    settle(page)
    assert page.locator(".st-key-clear_counties_county_P5_MEMBER_RATE button").count() == 1


# ---- every page, both languages, both widths ---------------------------------------------------------------


@pytest.fixture(scope="module")
def walker(browser, server):
    """One tab that moves between pages through the sidebar, as a user does (no reload per page)."""
    pg = new_page(browser)
    pg.goto(f"{server}/")
    settle(pg)
    yield pg
    pg.context.close()


def shoot_and_measure(pg, name: str) -> dict[str, list[str]]:
    """Screenshots at both widths (the main area scrolls, so the viewport grows to the page), and the labels
    cut off at each width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    cut = {}
    for label, (width, height) in (("1440", DESKTOP), ("390", PHONE)):
        pg.set_viewport_size({"width": width, "height": height})
        pg.wait_for_timeout(500)
        cut[label] = pg.evaluate(TRUNCATED)
        full = pg.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
        pg.set_viewport_size({"width": width, "height": max(height, min(int(full), 12_000))})
        pg.wait_for_timeout(400)
        pg.screenshot(path=str(SHOTS / f"{name}_{label}.png"))
    pg.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    return cut


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("lang", ["zh", "en"])  # every page in Chinese, then the switch, then every page in English
def test_every_page_in_both_languages_and_widths(walker, path, lang):
    i = 0 if lang == "zh" else 1
    if nav_links(walker)[0] != NAV[""][i]:
        walker.locator(".st-key-lang button", has_text="English" if lang == "en" else "中文").click()
        walker.wait_for_function(
            'document.querySelector(\'[data-testid="stSidebarNav"] a [data-testid="stMarkdownContainer"]\')'
            f"?.innerText.trim() === {NAV[''][i]!r}",
            timeout=30_000,
        )
        settle(walker, charts=False)
    walker.locator('[data-testid="stSidebarNav"] a', has_text=NAV[path][i]).first.click()
    walker.wait_for_function(f"location.pathname === '/{path}'", timeout=15_000)
    walker.wait_for_function(f"document.querySelector('h1')?.innerText.trim() === {PAGES[path][i]!r}", timeout=30_000)
    settle(walker, charts=path in WITH_CHARTS)
    assert nav_links(walker) == [names[i] for names in NAV.values()]
    if path in WITH_CHARTS:
        assert walker.locator(".js-plotly-plot").count() >= 1
    body = walker.locator('[data-testid="stMain"]').inner_text()
    assert "Traceback" not in body and "Error" not in body
    if lang == "en":
        chinese = sorted({t for t in walker.evaluate(PAGE_TEXT) if CJK.search(t)})
        assert chinese == [], chinese
    cut = shoot_and_measure(walker, f"{path or 'overview'}_{lang}")
    assert cut == {"1440": [], "390": []}


# ---- first paint ---------------------------------------------------------------------------------------


def test_a_freshly_opened_page_draws_its_lower_half_after_the_first_chart_and_then_stops_asking(server, page):
    """ui.layout.later: a new tab draws the top first; the lower half comes with one more run, then the
    browser sends nothing more (the timer that asked for that run is gone). In-app the page is drawn at once."""
    sent: list[float] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda _frame: sent.append(1)))
    page.goto(f"{server}/service")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    # the lower half (rates by chain and county, breakdowns) arrives without any click
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5", timeout=30_000)
    settle(page)
    fresh = page.locator(".js-plotly-plot").count()
    asked = len(sent)
    page.wait_for_timeout(3000)
    assert len(sent) == asked, "the page kept asking for runs after it was drawn"
    page.locator('[data-testid="stSidebarNav"] a', has_text=NAV["skills"][0]).click()
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text=NAV["service"][0]).click()
    settle(page)
    assert page.locator(".js-plotly-plot").count() == fresh  # the same page, drawn at once in-app
