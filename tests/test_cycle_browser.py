"""The quarterly cycle end to end in headless Chromium, on one real server (server.py) over a deployment in tmp_path:
a county user downloads its template, fills it (one error, one warning), uploads, sees the error at its row and
column, takes the marked-up copy, fixes the file, explains the warning, submits; the admin sees the matrix,
returns another unit's file with a reason (which that unit then sees), accepts this one and publishes; the
dashboard then shows the new quarter."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import openpyxl
import pytest

from data_pipeline import accounts, appstate, markup, submissions
from data_pipeline.normalize import credit_check_char
from data_pipeline.roster import county_unit, reporting_quarter
from tests.conftest import TINY_RAW
from tests.cycle_files import filled
from tests.serving import CHROMIUM, chromium, dashboard_server, settle

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

Q = reporting_quarter()
PASSWORDS = {"xintai": "xintai-password-1", "taishan": "taishan-password-1", "boss": "boss-password-1"}
CODE = "91370982MA3C00002N"  # 新泰示例器械, pre-filled in row 3 of 新泰's template
WRONG = CODE[:-1] + ("0" if credit_check_char(CODE[:-1]) != "0" else "1")
REASON = "职工人数与上期相差过大，请核实后重新报送"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, tiny_warehouse: Path) -> dict:
    root = tmp_path_factory.mktemp("cycle")
    raw = root / "raw"
    shutil.copytree(TINY_RAW, raw)
    db = root / "warehouse.duckdb"
    shutil.copy(tiny_warehouse, db)
    state = root / "appstate.sqlite"
    with appstate.connect(state) as con:
        accounts.add_account(con, "xintai", "county", county="新泰", name="新泰市总工会", password=PASSWORDS["xintai"])
        accounts.add_account(
            con, "taishan", "county", county="泰山", name="泰山区总工会", password=PASSWORDS["taishan"]
        )
        accounts.add_account(con, "boss", "admin", name="市总管理员", password=PASSWORDS["boss"])
    return {"raw": raw, "db": db, "state": state}


@pytest.fixture(scope="module")
def server(site: dict, hash_key_env: str) -> Iterator[str]:
    env = {
        "UNION_DASH_APPSTATE": str(site["state"]),
        "UNION_DASH_RAW": str(site["raw"]),
        "UNION_DASH_SESSION_SECRET": "test-session-secret",
    }
    with dashboard_server(site["db"], env=env) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def signed_in(browser, server: str, login: str, path: str):
    """A fresh browser context signed in as `login`, on `path` (a deep link: the form, then the page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN", accept_downloads=True)
    context.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())
    pg = context.new_page()
    pg.goto(f"{server}{path}")
    pg.wait_for_selector("input[name=password]", timeout=30_000)
    settle(pg)
    pg.fill("input[name=login]", login)
    pg.fill("input[name=password]", PASSWORDS[login])
    pg.click("form[action='/api/auth/login'] button[type=submit]")
    settle(pg)
    return context, pg


def download(pg, button) -> bytes:
    with pg.expect_download(timeout=30_000) as got:
        button.click()
    return Path(got.value.path()).read_bytes()


def upload(pg, name: str, data: bytes) -> None:
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    pg.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def edited(template: bytes, cells: dict[str, object]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def grid_row(pg, first_cell: str, timeout_ms: int = 15_000) -> str:
    """The text of the status matrix row that starts with `first_cell` (the grid's accessible rows, drawn a
    moment after the script run ends)."""
    rows = pg.locator('[data-testid="stDataFrame"] [role="row"]')
    for _ in range(timeout_ms // 250):
        found = [t for t in rows.all_inner_texts() if t.startswith(first_cell)]
        if found:
            return found[0]
        pg.wait_for_timeout(250)
    raise AssertionError(f"no row {first_cell} in the matrix")


def test_the_whole_quarterly_cycle_in_a_browser(server, browser, site):
    # 泰山 has a file waiting for review, sent earlier (its template as pre-filled, sent unchanged)
    taishan, admin = county_unit("泰山"), submissions.Actor("boss", None, admin=True)
    with duckdb.connect(str(site["db"]), read_only=True) as wh, appstate.connect(site["state"]) as con:
        data = filled("enterprises", taishan, Q, wh)
        sent = submissions.upload(
            con, data, "泰山区企业.xlsx", unit=taishan, actor=admin, quarter=Q, dataset_hint="enterprises"
        ).submission
        submissions.submit(con, sent.id, actor=admin, explanations={w.seq: "核对无误，数据属实" for w in sent.warnings})

    # the county user: template, a file with one error and one warning, the marked-up copy
    context, pg = signed_in(browser, server, "xintai", "/submit")
    template = download(pg, pg.get_by_role("button", name=re.compile("^下载模板")))
    ws = openpyxl.load_workbook(io.BytesIO(template)).worksheets[0]
    assert ws["B2"].value == "统一社会信用代码" and ws["B3"].value == CODE and ws["H2"].value == "职工人数"
    first = edited(template, {"B3": WRONG, "H4": 160, "J4": 150})  # a wrong check character; 职工人数 100 → 160
    upload(pg, "新泰企业.xlsx", first)
    pg.wait_for_selector("text=须修改后重新上传", timeout=30_000)
    settle(pg)
    problem = pg.locator('[data-testid="stTable"]').first.inner_text()
    assert re.search(r"3\s+统一社会信用代码\s+「统一社会信用代码」列", problem), problem
    marked = download(pg, pg.get_by_role("button", name="下载标注了问题的文件"))
    cell = openpyxl.load_workbook(io.BytesIO(marked))["企业建会入会情况"]["B3"]
    assert cell.fill.fgColor.rgb.endswith(markup.ERROR_FILL) and "校验" in cell.comment.text
    assert pg.get_by_role("button", name="提交").count() == 0  # a file with errors cannot be submitted

    # fixed, the warning explained, submitted
    upload(pg, "新泰企业（改）.xlsx", edited(template, {"H4": 160, "J4": 150}))
    pg.wait_for_selector("text=第1条提示的上报说明", timeout=30_000)
    settle(pg)
    submit = pg.get_by_role("button", name="提交")
    assert submit.is_disabled()
    pg.get_by_label("第1条提示的上报说明").fill("该企业本季度扩产新招工 60 人，数据属实")
    pg.get_by_role("heading", name="报送记录").click()  # leaving the box applies the text
    settle(pg)
    pg.wait_for_function("!document.evaluate(\"//button[normalize-space()='提交']\", document).iterateNext()?.disabled")
    submit.click()
    pg.wait_for_selector("text=已提交，等待市总工会审核", timeout=30_000)
    context.close()

    # the admin: the matrix, a return with a reason, an acceptance, publish
    context, pg = signed_in(browser, server, "boss", "/review")
    assert "待审" in grid_row(pg, "新泰市") and "待审" in grid_row(pg, "泰山区")
    assert "逾期" in grid_row(pg, "宁阳县")
    pg.get_by_text("催报提醒").click()
    assert pg.get_by_text(re.compile("【数据报送提醒】宁阳县总工会")).count() == 1
    picker = pg.get_by_role("combobox", name="打开一份报送")
    picker.click()
    picker.fill("泰山区")
    pg.get_by_role("option", name=re.compile("泰山区")).click()
    settle(pg)
    opened = pg.locator(f".st-key-review_{sent.id}")  # the keyed container of 泰山's submission
    opened.get_by_label("退回原因（退回时必填，报送单位会看到）").fill(REASON)
    opened.get_by_role("button", name="退回").click()
    pg.wait_for_selector("text=已退回：泰山区", timeout=30_000)
    settle(pg)
    pg.locator('[class*="st-key-review_"]').get_by_role("button", name="接收").click()
    pg.wait_for_selector("text=已接收：新泰市", timeout=30_000)
    settle(pg)
    assert "已接收" in grid_row(pg, "新泰市") and "已退回" in grid_row(pg, "泰山区")
    pg.get_by_role("button", name="发布").click()
    pg.wait_for_selector(f"text=数据截至 {Q}", timeout=90_000)  # the result; the progress line may say 已发布 first
    assert "已发布：" in pg.get_by_text(f"数据截至 {Q}").inner_text()

    # the dashboard switched to the new warehouse
    pg.goto(f"{server}/data?year={Q.year}")
    settle(pg)
    assert pg.get_by_text(f"数据截至{Q.label_zh}").count() >= 1
    context.close()

    # 泰山 sees why its file came back
    context, pg = signed_in(browser, server, "taishan", "/submit")
    assert pg.get_by_text(f"被市总工会退回：{REASON}").count() == 1
    context.close()
