"""Sign-in end to end in headless Chromium: one real server (server.py) with accounts in a temporary app state and
single sign-on configured against oidc-provider-mock, which the module starts on a free localhost port."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from data_pipeline import accounts, appstate
from tests.serving import CHROMIUM, chromium, dashboard_server, free_port, settle

pytestmark = pytest.mark.browser

XINTAI_PASSWORD = "xintai-password-1"
CHAIN_EMAIL = "chain10@example.com"
NUMBER = re.compile(r"\d+(\.\d+)?\s*(%|人|家|个|万)")

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
oidc_mock = pytest.importorskip("oidc_provider_mock")


@pytest.fixture(scope="module")
def appstate_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("appstate") / "appstate.sqlite"
    with appstate.connect(db) as con:
        accounts.add_account(con, "xintai", "county", county="新泰", name="新泰市总工会", password=XINTAI_PASSWORD)
        accounts.add_account(con, "chain10", "chain", chain="C10", name="产业链工会", email=CHAIN_EMAIL)
    return db


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    with oidc_mock.run_server_in_thread(
        user_claims=[
            oidc_mock.User(sub="chain-user", claims={"email": CHAIN_EMAIL, "email_verified": True, "name": "链长"}),
            oidc_mock.User(sub="stranger", claims={"email": "stranger@example.com", "email_verified": True}),
        ]
    ) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def server(tiny_warehouse: Path, appstate_db: Path, oidc_provider: str, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    base = f"http://localhost:{port}"  # the origin of redirect_uri: Streamlit checks its identity cookie against it
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-not-secret"\n'
        'client_id = "union-dash"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {"UNION_DASH_APPSTATE": str(appstate_db), "UNION_DASH_SESSION_SECRET": "test-session-secret"}
    with dashboard_server(tiny_warehouse, env=env, args=["--secrets.files", str(secrets)], port=port):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.route(re.compile(r"^https?://(?!localhost|127\.0\.0\.1)"), lambda route: route.abort())  # no internet
    pg = context.new_page()
    yield pg
    context.close()


def sign_in_form_shown(pg) -> None:
    pg.wait_for_selector("input[name=password]", timeout=30_000)
    settle(pg)


def sign_in(pg, login: str, password: str) -> None:
    pg.fill("input[name=login]", login)
    pg.fill("input[name=password]", password)
    pg.click("form[action='/api/auth/login'] button[type=submit]")


def audit(db: Path, action: str, actor: str | None = None) -> list[appstate.AuditEntry]:
    with appstate.connect(db) as con:
        return appstate.read_audit(con, actions=[action], actors=[actor] if actor else ())


@pytest.mark.parametrize("link", ["/counties?year=2024&county=xintai", "/data", "/audit"])
def test_an_unauthenticated_deep_link_shows_the_sign_in_form_and_no_number(server, page, link):
    page.goto(f"{server}{link}")
    sign_in_form_shown(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "请登录" in main and "使用统一身份认证登录" in main
    assert not NUMBER.search(main)
    assert page.locator(".js-plotly-plot, [data-testid=stMetric], [data-testid=stDataFrame]").count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no page list either
    if link != "/audit":  # an admin page nobody may list falls back to the default page
        assert page.locator("input[name=next]").get_attribute("value") == link


def test_a_county_user_signs_in_stays_in_scope_keeps_the_session_and_signs_out(server, page, appstate_db):
    page.goto(f"{server}/counties?county=feicheng")  # a shared link to another county's view
    sign_in_form_shown(page)
    sign_in(page, "xintai", XINTAI_PASSWORD)
    page.wait_for_url(re.compile(r"/counties\?.*county=feicheng"), timeout=30_000)
    page.get_by_text("数据范围：新泰市").wait_for(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    settle(page)
    drawn = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
    assert "新泰市" in drawn and "肥城市" not in drawn
    assert "超出您的数据范围" in page.locator('[data-testid="stMain"]').inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == accounts.COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(accounts.COOKIE_NAME) == -1  # not readable by scripts
    assert "token" not in page.url and accounts.COOKIE_NAME not in page.url

    page.reload()
    page.get_by_text("数据范围：新泰市").wait_for(timeout=30_000)
    assert page.locator("input[name=password]").count() == 0

    page.get_by_role("button", name="下载").first.click()  # an export: honours the scope, and is logged
    with page.expect_download() as got:
        page.get_by_role("button", name=re.compile("数据 CSV")).first.click()
    csv = Path(got.value.path()).read_text(encoding="utf-8-sig")
    assert "新泰市" in csv and "肥城市" not in csv
    export = audit(appstate_db, "export", "xintai")[0].details
    assert export["file"].endswith(".csv") and "county=feicheng" in export["filters"]
    assert export["scope"] == "新泰市（含全市合计）"
    page.keyboard.press("Escape")

    page.get_by_role("button", name="退出登录").click()
    sign_in_form_shown(page)
    assert accounts.COOKIE_NAME not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{server}/counties")
    sign_in_form_shown(page)
    assert [e.details["method"] for e in audit(appstate_db, "sign_in", "xintai")][:1] == ["password"]
    assert audit(appstate_db, "sign_out", "xintai")


def test_a_wrong_password_is_refused_and_logged(server, page, appstate_db):
    before = len(audit(appstate_db, "sign_in_failed", "xintai"))
    page.goto(f"{server}/")
    sign_in_form_shown(page)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login")) as answer:
        sign_in(page, "xintai", "not-the-password")
    assert answer.value.status == 401
    page.wait_for_selector("#signin-error")
    assert page.locator("#signin-error").inner_text() == "账号或密码不正确。"
    assert accounts.COOKIE_NAME not in {c["name"] for c in page.context.cookies()}
    failed = audit(appstate_db, "sign_in_failed", "xintai")
    assert len(failed) == before + 1 and failed[0].details["reason"] == "wrong_password"
    assert "not-the-password" not in str(failed[0].details)


def _sso(page, server: str, sub: str) -> None:
    page.goto(f"{server}/")
    sign_in_form_shown(page)
    page.get_by_role("link", name="使用统一身份认证登录").click()
    page.wait_for_selector("input[name=sub]", timeout=30_000)  # the provider's own form
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()


def test_single_sign_on_maps_the_identity_to_its_account_and_scope(server, page, appstate_db):
    _sso(page, server, "chain-user")
    page.wait_for_url(re.compile(rf"^{re.escape(server)}/"), timeout=30_000)
    page.get_by_text("数据范围：").wait_for(timeout=30_000)
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "产业链工会" in sidebar and f"数据范围：{accounts.chain_name('C10')}产业链" in sidebar
    signed = audit(appstate_db, "sign_in", "chain10")
    assert signed and signed[0].details["method"] == "oidc"

    page.goto(f"{server}/chains")  # a new page load: the same single sign-on is the same session
    page.get_by_text("数据范围：").wait_for(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    settle(page)
    drawn = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
    assert accounts.chain_name("C10") in drawn and accounts.chain_name("C01") not in drawn  # C01 has data too
    assert len(audit(appstate_db, "sign_in", "chain10")) == len(signed)

    page.get_by_role("button", name="退出登录").click()  # ends our session, then Streamlit's and the provider's
    page.get_by_role("button", name="End session").click()  # the provider's own page (RP-initiated logout)
    sign_in_form_shown(page)
    assert not any(c["name"].startswith("_streamlit_user") for c in page.context.cookies())
    assert audit(appstate_db, "sign_out", "chain10")[0].details["method"] == "oidc"


def test_single_sign_on_of_an_unknown_identity_is_refused_and_logged(server, page, appstate_db):
    _sso(page, server, "stranger")
    page.get_by_text("尚未开通看板权限").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    refused = audit(appstate_db, "sign_in_refused", "stranger@example.com")
    assert refused and refused[0].details["reason"] == "unknown_identity"
