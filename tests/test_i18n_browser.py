"""The submission and review pages in English in headless Chromium (server.py on a deployment in tmp_path): signed in
through the English form, at 1440 and 390 px, no CJK outside data (the checks' Chinese sentences in their `zh_…`
containers, cells of the problem tables, the 中文 switch) and no label cut off; screenshots in
test-output/screenshots/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from data_pipeline import accounts, appstate, submissions
from data_pipeline.roster import county_unit, reporting_quarter
from data_pipeline.submissions import Actor
from tests import serving
from tests.conftest import TINY_RAW
from tests.cycle_files import filled
from tests.serving import CHROMIUM, chromium, dashboard_server, page_texts_js

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "screenshots"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
Q = reporting_quarter()
XINTAI, TAISHAN = county_unit("新泰"), county_unit("泰山")
ADMIN = Actor("boss", None, admin=True)
PASSWORDS = {"xintai": "xintai-password-1", "boss": "boss-password-1"}
SIZES = {"1440": (1440, 900), "390": (390, 844)}
TEXT = page_texts_js('[class*="st-key-zh_"], [data-testid="stTable"] td, .st-key-lang')
CUT = """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
  .filter(e => !e.closest('[data-testid="stDataFrame"], [data-testid="stTextInput"]')
    && e.clientWidth && e.scrollWidth > e.clientWidth + 1
    && getComputedStyle(e).textOverflow === 'ellipsis' && !!e.innerText.trim())
  .map(e => e.innerText.trim())"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tiny_warehouse: Path, hash_key_env: str) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("english")
    raw = root / "raw"
    shutil.copytree(TINY_RAW, raw)
    db = root / "warehouse.duckdb"
    shutil.copy(tiny_warehouse, db)
    state = root / "appstate.sqlite"
    with appstate.connect(state) as con, duckdb.connect(str(db), read_only=True) as wh:
        accounts.add_account(con, "xintai", "county", county="新泰", name="Wang Li", password=PASSWORDS["xintai"])
        accounts.add_account(con, "boss", "admin", name="Admin", password=PASSWORDS["boss"])
        odd = filled("enterprises", XINTAI, Q, wh, edits={(4, "职工人数"): 160, (4, "会员人数"): 150})
        s = submissions.upload(con, odd, "xintai.xlsx", unit=XINTAI, actor=ADMIN, quarter=Q).submission
        submissions.submit(con, s.id, actor=ADMIN, explanations={w.seq: "Hired 60 people" for w in s.warnings})
        bad = filled(
            "enterprises",
            XINTAI,
            Q,
            wh,
            edits={(3, "统一社会信用代码"): "91370982MA3C00002X", **{(4, "职工人数"): 160}},
        )
    env = {"UNION_DASH_APPSTATE": str(state), "UNION_DASH_RAW": str(raw), "UNION_DASH_SESSION_SECRET": "english"}
    with dashboard_server(db, env=env) as base:
        yield {"base": base, "bad": bad}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def settle(pg) -> None:
    serving.settle(pg, pause_ms=800)


def look(pg, name: str) -> dict[str, list[str]]:
    """Screenshots at both widths (the viewport grown to the page); the texts cut off at each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    cut = {}
    for label, (width, height) in SIZES.items():
        pg.set_viewport_size({"width": width, "height": height})
        pg.wait_for_timeout(600)
        cut[label] = pg.evaluate(CUT)
        full = pg.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
        pg.set_viewport_size({"width": width, "height": max(height, min(int(full), 12_000))})
        pg.wait_for_timeout(400)
        pg.screenshot(path=str(SHOTS / f"{name}_en_{label}.png"))
    return cut


@pytest.mark.parametrize("login, path", [("xintai", "/submit"), ("boss", "/review")])
def test_the_cycle_pages_in_english_at_both_widths(server, browser, login, path):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    context.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())
    pg = context.new_page()
    pg.goto(f"{server['base']}{path}?lang=en")
    pg.wait_for_selector("input[name=password]", timeout=30_000)
    assert pg.locator("form[action='/api/auth/login'] button[type=submit]").inner_text() == "Sign in"
    pg.fill("input[name=login]", login)
    pg.fill("input[name=password]", PASSWORDS[login])
    pg.click("form[action='/api/auth/login'] button[type=submit]")
    settle(pg)
    assert pg.url.endswith(f"{path}?lang=en")
    if login == "xintai":
        pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "xintai-v2.xlsx", "mimeType": "application/octet-stream", "buffer": server["bad"]}]
        )
        pg.wait_for_selector('[data-testid="stTable"]', timeout=30_000)
        settle(pg)
        assert pg.locator("h1").inner_text() == "Submit data"
    else:
        pg.get_by_text("Reminders", exact=False).first.click()
        settle(pg)
        assert pg.locator("h1").inner_text() == "Review and publish"
    chinese = sorted({t for t in pg.evaluate(TEXT) if CJK.search(t)})
    assert chinese == [], chinese
    cut = look(pg, path.strip("/"))
    # A selectbox shows its picked option on one line: a submission's full name is cut on a phone (it is written
    # out in full in the card below it).
    assert cut["1440"] == [] and [c for c in cut["390"] if not c.startswith("[")] == [], cut
    context.close()
