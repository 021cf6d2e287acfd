"""The sign-in routes of server.py over real HTTP requests (Starlette's test client, a real app-state file):
the cookie's flags, same-site redirects only, cross-site posts refused, CSRF-protected sign-out."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

import server
from data_pipeline import accounts, appstate
from ui import signin

PASSWORD = "xintai-password-1"
BASE = "http://dash.test"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "appstate.sqlite"
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(db))
    monkeypatch.setenv(accounts.SECRET_ENV, "route-test-secret")
    monkeypatch.setattr(server, "FAILED_SIGN_IN_DELAY_S", 0)
    with appstate.connect(db) as con:
        accounts.add_account(con, "xintai", "county", county="xintai", password=PASSWORD)
    return db


@pytest.fixture
def client(state: Path) -> TestClient:
    return TestClient(Starlette(routes=server.routes), base_url=BASE, follow_redirects=False)


def post_login(client: TestClient, password: str = PASSWORD, next_path: str = "/counties?county=xintai", **headers):
    return client.post(
        signin.LOGIN_PATH,
        data={"login": "xintai", "password": password, "next": next_path},
        headers={"origin": BASE, **headers},
    )


def test_signing_in_sets_an_httponly_lax_cookie_and_goes_back_to_the_page(client, state):
    answer = post_login(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/counties?county=xintai"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{accounts.COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and f"Max-Age={accounts.SESSION_SECONDS}" in cookie
    token = accounts.unsign_cookie(client.cookies[accounts.COOKIE_NAME], "route-test-secret")
    with appstate.connect(state) as con:
        assert accounts.live_session(con, token).account.login == "xintai"
    assert PASSWORD not in answer.headers["location"] and token not in answer.headers["location"]


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil", "/api/auth/logout", "javascript:x"],
)
def test_only_same_site_paths_are_followed_after_sign_in(client, target):
    answer = post_login(client, next_path=target)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_wrong_password_gets_the_form_again_with_a_sentence_and_no_cookie(client):
    answer = post_login(client, password="not-the-password")
    assert answer.status_code == 401 and accounts.COOKIE_NAME not in answer.headers.get("set-cookie", "")
    assert accounts.WRONG in answer.text and 'value="xintai"' in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_a_post_from_another_site_is_refused(client):
    answer = post_login(client, origin="https://evil.example")
    assert answer.status_code == 403 and accounts.COOKIE_NAME not in answer.headers.get("set-cookie", "")


def test_sign_out_needs_the_session_bound_token_and_then_ends_the_session(client, state):
    post_login(client)
    token = accounts.unsign_cookie(client.cookies[accounts.COOKIE_NAME], "route-test-secret")
    refused = client.post(signin.LOGOUT_PATH, data={"csrf": "forged"}, headers={"origin": BASE})
    assert refused.status_code == 403
    with appstate.connect(state) as con:
        assert accounts.live_session(con, token) is not None
    csrf = accounts.csrf_token(token, "route-test-secret")
    answer = client.post(signin.LOGOUT_PATH, data={"csrf": csrf}, headers={"origin": BASE})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert f'{accounts.COOKIE_NAME}=""' in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]
    with appstate.connect(state) as con:
        assert accounts.live_session(con, token) is None
        assert appstate.read_audit(con, actions=["sign_out"])[0].actor == "xintai"


def test_the_sign_in_page_keeps_where_the_user_wanted_to_go(client):
    page = client.get(signin.LOGIN_PATH, params={"next": "/service?county=xintai&year=2024"})
    assert page.status_code == 200 and "请登录" in page.text
    assert 'name="next" value="/service?county=xintai&amp;year=2024"' in page.text
    assert "使用统一身份认证登录" not in page.text  # no [auth] configured here
    post_login(client)
    again = client.get(signin.LOGIN_PATH, params={"next": "/service"})
    assert again.status_code == 303 and again.headers["location"] == "/service"  # already signed in
