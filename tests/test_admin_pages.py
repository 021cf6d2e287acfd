"""The admin pages (账号与权限, 审计日志) in AppTest, with an identity put into the session as dashboard.py would."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import accounts, appstate
from data_pipeline.scope import EVERYTHING
from ui import auth

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "appstate.sqlite"
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(db))
    with appstate.connect(db) as con:
        accounts.add_account(con, "boss", "admin", name="市总管理员", password="boss-password-1")
        accounts.add_account(con, "leader", "leader", password="lead-password-1")
        accounts.sign_in(con, "leader", "wrong-password")
    return db


def page(path: str, login: str, state: Path) -> AppTest:
    with appstate.connect(state) as con:
        account = appstate.get_account(con, login)
        role = accounts.role_of(con, account)
    at = AppTest.from_file(str(ROOT / "app_pages" / path), default_timeout=30)
    at.session_state[auth.SESSION_KEY] = auth.Gate(auth.Identity(role, EVERYTHING, "password", account, "t"))
    return at.run()


def test_the_audit_page_lists_and_filters_entries_for_admins_only(state):
    at = page("audit.py", "boss", state)
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["操作"]) >= {"新增账号", "登录失败"} and set(table["账号"]) >= {"cli", "leader"}
    at.multiselect(key="audit_actions").select("sign_in_failed").run()
    assert list(at.dataframe[0].value["操作"]) == ["登录失败"]
    denied = page("audit.py", "leader", state)
    assert not denied.dataframe and "只有管理员" in denied.info[0].value


def test_the_accounts_page_adds_an_account_and_changes_the_setting_with_audit(state):
    at = page("accounts.py", "boss", state)
    assert not at.exception and set(at.dataframe[0].value["账号"]) == {"boss", "leader"}
    at.text_input(key="new_login").input("taishan")
    at.selectbox(key="new_role").select("county").run()
    at.selectbox(key="new_county").select("taishan")
    at.button(key="new_submit").click().run()
    assert not at.exception
    shown = [s.value for s in at.success]
    assert any("taishan" in s and "只显示这一次" in s for s in shown)
    at.toggle(key="setting_rank_others").set_value(True).run()
    with appstate.connect(state) as con:
        assert appstate.get_account(con, "taishan").county == "taishan"
        assert appstate.get_setting(con, accounts.RANK_OTHERS_SETTING) is True
        entries = {(e.actor, e.action) for e in appstate.read_audit(con)}
    assert {("boss", "account_add"), ("boss", "setting_change")} <= entries
    denied = page("accounts.py", "leader", state)
    assert not denied.dataframe and "只有管理员" in denied.info[0].value
