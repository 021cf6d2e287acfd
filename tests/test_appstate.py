"""The app-state database and the account rules on a real SQLite file: migrations, roles and scopes, lockout,
sessions and cookies, and an audit log that never holds a password or an ID number."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from itsdangerous.timed import TimestampSigner

from data_pipeline import accounts, appstate
from data_pipeline.scope import NOTHING, Scope

PASSWORD = "correct-horse-9"
ID_NUMBER = "11010519491231002X"  # the standard's own example: a valid check character


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "appstate.sqlite"


@pytest.fixture
def con(db: Path):
    with appstate.connect(db) as c:
        yield c


def tables(c: sqlite3.Connection) -> set[str]:
    return {r[0] for r in c.execute("select name from sqlite_master where type = 'table'")}


# ---- schema and migrations ----------------------------------------------------------------------------------


def test_a_new_file_is_created_migrated_in_wal_mode_and_private(con, db):
    assert appstate.version(con) == appstate.LATEST
    assert {"schema_version", "accounts", "roles", "settings", "sessions", "audit_log"} <= tables(con)
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in con.execute("select version from schema_version order by 1")] == list(
        range(1, appstate.LATEST + 1)
    )
    assert oct(db.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("start", range(appstate.LATEST))
def test_each_older_version_migrates_to_the_latest_and_keeps_its_rows(db, start):
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db, isolation_level=None)
    raw.row_factory = sqlite3.Row
    assert appstate.migrate(raw, upto=start) == start
    if start >= 1:  # tables exist: an old database in use, with its own role and an account
        raw.execute("insert into roles (role, name_zh, sees, aid) values ('guest', '访客', 'none', 'none')")
        appstate.insert_account(raw, "old-user", "guest", display_name="老账号")
    raw.close()
    with appstate.connect(db) as c:
        assert appstate.version(c) == appstate.LATEST
        assert {r.role for r in appstate.list_roles(c)} >= {"admin", "leader", "analyst", "county", "chain"}
        assert appstate.get_setting(c, accounts.RANK_OTHERS_SETTING) is False
        if start >= 1:
            assert appstate.get_account(c, "old-user").display_name == "老账号"
            assert appstate.get_role(c, "guest").sees == "none"


def test_migrating_again_changes_nothing_and_keeps_an_admins_role_edits(con, db):
    role = appstate.get_role(con, "county")
    accounts.change_role(con, appstate.Role(**{**role.__dict__, "can_deck": True}), actor="boss")
    assert appstate.migrate(con) == appstate.LATEST
    with appstate.connect(db) as again:
        assert appstate.get_role(again, "county").can_deck is True
        assert con.execute("select count(*) from schema_version").fetchone()[0] == appstate.LATEST


def _open_and_write(path: str) -> int:
    for i in range(25):
        with appstate.connect(Path(path)) as c:
            appstate.audit(c, f"p{os.getpid()}", "export", {"i": i})
    return os.getpid()


def test_several_processes_create_migrate_and_write_one_file_at_once(db):
    with ProcessPoolExecutor(4, mp_context=get_context("fork")) as pool:
        pids = list(pool.map(_open_and_write, [str(db)] * 4))
    with appstate.connect(db) as c:
        assert c.execute("select count(*) from audit_log").fetchone()[0] == 100
        assert c.execute("select count(*) from schema_version").fetchone()[0] == appstate.LATEST
        assert len(set(appstate.audit_actors(c))) == len(set(pids))


# ---- roles and scopes ---------------------------------------------------------------------------------------


def test_default_roles_are_the_issues_table(con):
    roles = {r.role: r for r in appstate.list_roles(con)}
    assert roles["admin"].sees == "all" and roles["admin"].can_admin and roles["admin"].aid == "detail"
    for r in ("leader", "analyst"):
        assert roles[r].sees == "all" and roles[r].aid == "aggregate"
        assert roles[r].can_export and roles[r].can_deck and not roles[r].can_admin
    assert roles["county"].sees == "county" and roles["county"].can_submit and roles["county"].can_export
    assert roles["chain"].sees == "chain" and roles["chain"].can_submit and not roles["chain"].can_admin


def test_each_role_gets_its_scope_and_the_setting_widens_county_rankings(con):
    admin, _ = accounts.add_account(con, "boss", "admin", password=PASSWORD)
    leader, _ = accounts.add_account(con, "leader", "leader", password=PASSWORD)
    county, _ = accounts.add_account(con, "xintai", "county", county="新泰市总工会", password=PASSWORD)
    chain, _ = accounts.add_account(con, "c10", "chain", chain="医药及医疗器械", password=PASSWORD)
    assert accounts.scope_for(con, admin) == Scope()
    assert accounts.scope_for(con, leader) == Scope()
    assert accounts.scope_for(con, county) == Scope(counties=("xintai",), city_total=True, rank_others=False)
    assert accounts.scope_for(con, chain) == Scope(chains=("C10",), city_total=True)
    accounts.change_setting(con, accounts.RANK_OTHERS_SETTING, True, actor="boss")
    assert accounts.scope_for(con, county).rank_others is True
    assert accounts.scope_words(accounts.scope_for(con, county)) == "新泰市（含全市合计）"


def test_deny_by_default_a_role_that_sees_nothing_cannot_sign_in(con):
    con.execute("insert into roles (role, name_zh, sees, aid) values ('guest', '访客', 'none', 'none')")
    guest, _ = accounts.add_account(con, "guest", "guest", password=PASSWORD)
    assert accounts.scope_for(con, guest) == NOTHING
    result = accounts.sign_in(con, "guest", PASSWORD)
    assert not result.ok and "尚未分配" in result.message
    assert appstate.read_audit(con, actions=["sign_in_refused"])[0].details["reason"] == "no_scope"
    # a county role whose county was taken away by an admin's role edit sees nothing either
    role = appstate.get_role(con, "leader")
    accounts.change_role(con, appstate.Role(**{**role.__dict__, "sees": "county"}), actor="boss")
    leader, _ = accounts.add_account(con, "l2", "analyst", password=PASSWORD)
    con.execute("update accounts set role = 'leader' where id = ?", (leader.id,))
    assert accounts.scope_for(con, appstate.get_account(con, "l2")) == NOTHING


def test_accounts_need_their_unit_and_known_codes(con):
    with pytest.raises(accounts.AccountError, match="--county"):
        accounts.add_account(con, "nocounty", "county", password=PASSWORD)
    with pytest.raises(accounts.AccountError, match="未知县市区：北京"):
        accounts.add_account(con, "beijing", "county", county="北京", password=PASSWORD)
    with pytest.raises(accounts.AccountError, match="只有县市区工会账号"):
        accounts.add_account(con, "boss", "admin", county="xintai", password=PASSWORD)
    with pytest.raises(accounts.AccountError, match="太短"):
        accounts.add_account(con, "boss", "admin", password="short")
    assert appstate.count_accounts(con) == 0


# ---- passwords and lockout ----------------------------------------------------------------------------------


def test_passwords_are_argon2_hashes_and_never_stored_in_clear(con, db):
    account, generated = accounts.add_account(con, "boss", "admin", password=PASSWORD)
    assert generated is None and account.password_hash.startswith("$argon2id$")
    _, generated = accounts.add_account(con, "leader", "leader")
    assert generated and len(generated) >= accounts.MIN_PASSWORD_LENGTH
    assert accounts.sign_in(con, "leader", generated).ok
    blob = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith("appstate"))
    assert PASSWORD.encode() not in blob and generated.encode() not in blob


def test_five_failures_lock_the_account_for_fifteen_minutes(con):
    accounts.add_account(con, "xintai", "county", county="xintai", password=PASSWORD)
    t0 = appstate.now()
    for i in range(accounts.LOCK_AFTER_FAILURES - 1):
        result = accounts.sign_in(con, "xintai", f"wrong-password-{i}", now=t0)
        assert not result.ok and result.message == accounts.WRONG
    result = accounts.sign_in(con, "xintai", "wrong-password-last", now=t0)
    assert not result.ok and "已锁定" in result.message
    assert not accounts.sign_in(con, "xintai", PASSWORD, now=t0 + dt.timedelta(minutes=14)).ok  # right, but locked
    assert accounts.sign_in(con, "xintai", PASSWORD, now=t0 + dt.timedelta(minutes=16)).ok
    account = appstate.get_account(con, "xintai")
    assert account.failed_count == 0 and account.locked_until is None
    reasons = [e.details["reason"] for e in appstate.read_audit(con, actions=["sign_in_failed"])]
    assert reasons.count("wrong_password") == 5 and reasons.count("locked") == 1


def test_an_unknown_login_costs_a_hash_too(con):
    accounts.add_account(con, "boss", "admin", password=PASSWORD)

    def timed(login: str) -> float:
        start = time.perf_counter()
        assert not accounts.sign_in(con, login, "wrong-password").ok
        return time.perf_counter() - start

    known = statistics.median(timed("boss") for _ in range(3))
    unknown = statistics.median(timed("nobody-here") for _ in range(3))
    assert unknown > 0.5 * known  # argon2 runs for both (within noise); a plain lookup would be ~1000× faster


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(con):
    accounts.add_account(con, "xintai", "county", county="xintai", password=PASSWORD)
    granted = accounts.sign_in(con, "xintai", PASSWORD)
    token = accounts.start_session(con, granted, "password")
    accounts.set_disabled(con, "xintai", True, actor="boss")
    assert accounts.live_session(con, token) is None
    result = accounts.sign_in(con, "xintai", PASSWORD)
    assert not result.ok and "停用" in result.message
    accounts.set_disabled(con, "xintai", False, actor="boss")
    assert accounts.sign_in(con, "xintai", PASSWORD).ok


# ---- sessions and cookies -----------------------------------------------------------------------------------


def test_a_session_fixes_its_scope_expires_after_a_working_day_and_is_revoked_on_sign_out(con):
    accounts.add_account(con, "xintai", "county", county="xintai", password=PASSWORD)
    token = accounts.start_session(con, accounts.sign_in(con, "xintai", PASSWORD), "password")
    live = accounts.live_session(con, token)
    assert live.account.login == "xintai" and live.scope == Scope(counties=("xintai",))
    # an admin's later change does not widen a running session: its scope was fixed when it began
    accounts.change_setting(con, accounts.RANK_OTHERS_SETTING, True, actor="boss")
    assert accounts.live_session(con, token).scope.rank_others is False
    later = appstate.now() + dt.timedelta(hours=accounts.SESSION_HOURS, minutes=1)
    assert accounts.live_session(con, token, now=later) is None
    assert accounts.end_session(con, token)
    assert accounts.live_session(con, token) is None
    assert not accounts.end_session(con, token)  # twice is a no-op
    assert [e.action for e in appstate.read_audit(con, actors=["xintai"])][:2] == ["sign_out", "sign_in"]
    assert con.execute("select count(*) from sessions where id_hash = ?", (token,)).fetchone()[0] == 0  # hashed


def test_resetting_a_password_ends_sessions_and_unlocks(con):
    accounts.add_account(con, "xintai", "county", county="xintai", password=PASSWORD)
    token = accounts.start_session(con, accounts.sign_in(con, "xintai", PASSWORD), "password")
    _, new = accounts.reset_password(con, "xintai", actor="boss")
    assert accounts.live_session(con, token) is None
    assert not accounts.sign_in(con, "xintai", PASSWORD).ok and accounts.sign_in(con, "xintai", new).ok


def test_cookies_are_signed_and_last_a_working_day(monkeypatch):
    secret = "s" * 40
    value = accounts.sign_cookie("token-1", secret)
    assert accounts.unsign_cookie(value, secret) == "token-1"
    assert accounts.unsign_cookie(value, "another-secret") is None
    # another character in the signature (the second-to-last: every bit of it counts, unlike the last one's)
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert tampered != value and accounts.unsign_cookie(tampered, secret) is None
    assert accounts.unsign_cookie(None, secret) is None and accounts.unsign_cookie("garbage", secret) is None
    old = int(time.time()) - accounts.SESSION_SECONDS - 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: old)
    stale = accounts.sign_cookie("token-1", secret)
    monkeypatch.undo()
    assert accounts.unsign_cookie(stale, secret) is None
    assert accounts.csrf_ok("token-1", secret, accounts.csrf_token("token-1", secret))
    assert not accounts.csrf_ok("token-2", secret, accounts.csrf_token("token-1", secret))
    assert not accounts.csrf_ok("token-1", secret, "")


def test_the_signing_key_is_made_once_private_and_env_wins(tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.SECRET_ENV, raising=False)
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(tmp_path / "appstate.sqlite"))
    first = accounts.secret_key()
    assert first == accounts.secret_key() and len(first) >= 40
    assert oct((tmp_path / "session.key").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv(accounts.SECRET_ENV, "from-the-environment")
    assert accounts.secret_key() == "from-the-environment"


def test_sign_in_turns_on_with_the_first_account_or_the_environment(db, monkeypatch):
    monkeypatch.delenv(accounts.REQUIRE_LOGIN_ENV, raising=False)
    assert not accounts.login_required(db)
    assert not db.exists()  # asking creates nothing
    with appstate.connect(db) as c:
        assert not accounts.login_required(db)
        accounts.add_account(c, "boss", "admin", password=PASSWORD)
    assert accounts.login_required(db)
    monkeypatch.setenv(accounts.REQUIRE_LOGIN_ENV, "1")
    assert accounts.login_required(db.with_name("none.sqlite"))


def test_single_sign_on_maps_subject_then_email_and_refuses_strangers(con):
    accounts.add_account(con, "c10", "chain", chain="C10", email="Chain@Example.com", password=PASSWORD)
    accounts.add_account(con, "boss", "admin", oidc_subject="sub-42", password=PASSWORD)
    assert accounts.sso_sign_in(con, "sub-x", "chain@example.com").account.login == "c10"
    assert accounts.sso_sign_in(con, "sub-42", "chain@example.com").account.login == "boss"  # subject first
    refused = accounts.sso_sign_in(con, "sub-y", "who@example.com")
    assert not refused.ok and "尚未开通" in refused.message
    entry = appstate.read_audit(con, actions=["sign_in_refused"])[0]
    assert entry.actor == "who@example.com" and entry.details["reason"] == "unknown_identity"


# ---- the audit log ------------------------------------------------------------------------------------------


def test_the_audit_log_never_holds_a_password_or_an_id_number(con, db):
    accounts.add_account(con, "boss", "admin", password=PASSWORD, name="管理员")
    accounts.sign_in(con, "boss", "typed-wrong-password")
    accounts.sign_in(con, PASSWORD, "x")  # the password typed into the login box
    accounts.reset_password(con, "boss", "new-password-123", actor="boss")
    appstate.audit(
        con,
        "boss",
        "export",
        {"password": PASSWORD, "Token": "abc", "note": f"身份证 {ID_NUMBER}", "nested": {"pwd_hash": "h", "ok": 1}},
    )
    everything = json.dumps([e.__dict__ for e in appstate.read_audit(con)], default=str, ensure_ascii=False)
    for secret in (PASSWORD, "typed-wrong-password", "new-password-123", ID_NUMBER, "abc"):
        assert secret not in everything
    export = appstate.read_audit(con, actions=["export"])[0].details
    assert export == {"note": "身份证 110**************X", "nested": {"ok": 1}}
    kinds = {e.action for e in appstate.read_audit(con)}
    assert {"account_add", "sign_in_failed", "account_reset", "export"} <= kinds


def test_the_audit_log_reads_back_filtered_by_actor_action_and_time(con):
    appstate.audit(con, "a", "export", {"file": "x.csv"})
    appstate.audit(con, "b", "deck", {})
    appstate.audit(con, "a", "sign_out", {})
    assert [e.action for e in appstate.read_audit(con, actors=["a"])] == ["sign_out", "export"]
    assert [e.actor for e in appstate.read_audit(con, actions=["deck"])] == ["b"]
    future = appstate.now() + dt.timedelta(minutes=1)
    assert appstate.read_audit(con, since=future) == []
    assert len(appstate.read_audit(con, until=future)) == 3
    assert appstate.audit_actors(con) == ["a", "b"]
