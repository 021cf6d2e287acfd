"""The gate in dashboard.py (AppTest on the tiny warehouse): open with a 未启用登录 badge while no account exists;
the sign-in form and nothing else once one does, or when UNION_DASH_REQUIRE_LOGIN=1."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import accounts, appstate

ROOT = Path(__file__).resolve().parent.parent


def dashboard(db: Path, state: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("UNION_DASH_DB", str(db))
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(state))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["county"] = "xintai"
    if page:
        at.switch_page(page)
    return at.run()


def html(at: AppTest) -> str:
    return " ".join(str(e.proto.body) for e in at.get("html"))


def test_without_accounts_the_dashboard_is_open_and_says_so(tiny_warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.REQUIRE_LOGIN_ENV, raising=False)
    at = dashboard(tiny_warehouse, tmp_path / "appstate.sqlite", monkeypatch)
    assert not at.exception
    assert any("未启用登录" in m.value for m in at.markdown)
    assert at.metric and "请登录" not in html(at)
    assert not (tmp_path / "appstate.sqlite").exists()  # looking creates no app state


@pytest.mark.parametrize("how", ["account", "env"])
def test_with_sign_in_on_nobody_sees_anything_but_the_form(tiny_warehouse, tmp_path, monkeypatch, how):
    state = tmp_path / "appstate.sqlite"
    monkeypatch.delenv(accounts.REQUIRE_LOGIN_ENV, raising=False)
    if how == "account":
        with appstate.connect(state) as con:
            accounts.add_account(con, "boss", "admin", password="boss-password-1")
    else:
        monkeypatch.setenv(accounts.REQUIRE_LOGIN_ENV, "1")
    for page in (None, "app_pages/data.py"):
        at = dashboard(tiny_warehouse, state, monkeypatch, page)
        assert not at.exception
        assert "请登录" in html(at) and 'action="/api/auth/login"' in html(at)
        assert not at.metric and not at.dataframe and not at.get("plotly_chart")
        assert not any("未启用登录" in m.value for m in at.markdown)
        assert not at.sidebar.multiselect  # no filters either
