"""Who may sign in and what they may see: passwords, lockout, sessions, signed cookies and each account's Scope.

The rules live here (no Streamlit): the CLI, the sign-in routes of `server.py` and `ui.auth` all call these
functions; the rows live in `data_pipeline.appstate`. Passwords are hashed with argon2id and never stored,
logged or returned in clear, except a generated one, returned once to the person who asked for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from data_pipeline import appstate, config, normalize, reference
from data_pipeline.appstate import Account, Role
from data_pipeline.scope import NOTHING, Scope

MIN_PASSWORD_LENGTH = 10
LOCK_AFTER_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 10  # a working day: a session started in the morning lasts until the evening
SESSION_SECONDS = SESSION_HOURS * 3600
COOKIE_NAME = "union_dash_session"
REQUIRE_LOGIN_ENV = "UNION_DASH_REQUIRE_LOGIN"
SECRET_ENV = "UNION_DASH_SESSION_SECRET"
RANK_OTHERS_SETTING = "county_rank_others"
LOGIN_PATTERN = re.compile(r"^[\w.@-]{2,64}$")
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I

_hasher = PasswordHasher()  # argon2id, the library's recommended parameters
_dummy_hash: str | None = None


class AccountError(ValueError):
    """A mistake a person can fix; the message is one Chinese sentence."""


# ---- passwords ----------------------------------------------------------------------------------------------


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    if password.strip() != password:
        raise AccountError("密码首尾不能是空格。")


def generate_password(length: int = 16) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    """argon2 verification; with no hash, the same work against a dummy hash (unknown logins take as long)."""
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(generate_password())
        password_hash, password = _dummy_hash, password + "\x00"
        with_hash = False
    else:
        with_hash = True
    try:
        return _hasher.verify(password_hash, password) and with_hash
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ---- accounts -----------------------------------------------------------------------------------------------


def resolve_county(value: str) -> str:
    """A county code from its code, name or alias (the ingest's own lookup); a sentence when unknown."""
    code, rule, detail = normalize.parse_county(value)
    if rule or not code:
        raise AccountError(f"{detail or '未知县市区'}。")
    return str(code)


def resolve_chain(value: str) -> str:
    code, rule, detail = normalize.parse_chain(value)
    if rule or not code:
        raise AccountError(f"{detail or '未知产业链'}。")
    return str(code)


def county_name(code: str | None) -> str:
    return next((c.name_zh for c in reference.counties() if c.code == code), code or "")


def chain_name(code: str | None) -> str:
    return next((c.name_zh for c in reference.chains() if c.code == code), code or "")


def _role_or_error(con: sqlite3.Connection, role: str) -> Role:
    found = appstate.get_role(con, role)
    if found is None:
        names = "、".join(f"{r.role}（{r.name_zh}）" for r in appstate.list_roles(con))
        raise AccountError(f"未知角色：{role}，可选：{names}。")
    return found


def _check_unit(role: Role, county: str | None, chain: str | None) -> tuple[str | None, str | None]:
    county = resolve_county(county) if county else None
    chain = resolve_chain(chain) if chain else None
    if role.sees == "county" and not county:
        raise AccountError(f"角色 {role.role}（{role.name_zh}）需要用 --county 指定所属县市区。")
    if role.sees == "chain" and not chain:
        raise AccountError(f"角色 {role.role}（{role.name_zh}）需要用 --chain 指定所属产业链。")
    if county and role.sees != "county":
        raise AccountError(f"只有县市区工会账号需要 --county，角色 {role.role}（{role.name_zh}）不需要。")
    if chain and role.sees != "chain":
        raise AccountError(f"只有产业链工会账号需要 --chain，角色 {role.role}（{role.name_zh}）不需要。")
    return county, chain


def _account_details(a: Account) -> dict[str, Any]:
    return {"login": a.login, "name": a.display_name, "role": a.role, "county": a.county, "chain": a.chain}


def add_account(
    con: sqlite3.Connection,
    login: str,
    role: str,
    *,
    county: str | None = None,
    chain: str | None = None,
    name: str = "",
    password: str | None = None,
    email: str | None = None,
    oidc_subject: str | None = None,
    actor: str = "cli",
) -> tuple[Account, str | None]:
    """Create an account; returns it and the generated password (None when one was given)."""
    login = login.strip()
    if not LOGIN_PATTERN.match(login):
        raise AccountError(f"账号名“{login}”不合规：2–64 个字符，只能用字母、数字、汉字和 . _ - @。")
    if appstate.get_account(con, login) is not None:
        raise AccountError(f"账号 {login} 已存在；要改密码请用 users reset {login}。")
    found = _role_or_error(con, role)
    county, chain = _check_unit(found, county, chain)
    generated = None
    if password is None:
        password = generated = generate_password()
    email = email.strip() or None if email else None
    if email and appstate.find_account_by_identity(con, None, email):
        raise AccountError(f"邮箱 {email} 已属于另一个账号。")
    if oidc_subject and appstate.find_account_by_identity(con, oidc_subject, None):
        raise AccountError("该统一身份标识（subject）已属于另一个账号。")
    account = appstate.insert_account(
        con,
        login,
        found.role,
        display_name=name.strip(),
        county=county,
        chain=chain,
        password_hash=hash_password(password),
        email=email,
        oidc_subject=oidc_subject or None,
    )
    appstate.audit(con, actor, "account_add", {**_account_details(account), "email": email})
    return account, generated


def _existing(con: sqlite3.Connection, login: str) -> Account:
    account = appstate.get_account(con, login.strip())
    if account is None:
        raise AccountError(f"账号 {login} 不存在；用 users list 查看全部账号。")
    return account


def set_disabled(con: sqlite3.Connection, login: str, disabled: bool, *, actor: str = "cli") -> Account:
    """Disable (and end every session of) or re-enable an account."""
    account = _existing(con, login)
    appstate.update_account(con, account.id, disabled=disabled, failed_count=0, locked_until=None)
    if disabled:
        appstate.revoke_account_sessions(con, account.id)
    appstate.audit(con, actor, "account_disable" if disabled else "account_enable", {"login": account.login})
    return _existing(con, login)


def reset_password(
    con: sqlite3.Connection, login: str, password: str | None = None, *, actor: str = "cli"
) -> tuple[Account, str | None]:
    """A new password (generated when none is given); unlocks the account and ends its sessions."""
    account = _existing(con, login)
    generated = None
    if password is None:
        password = generated = generate_password()
    appstate.update_account(con, account.id, password_hash=hash_password(password), failed_count=0, locked_until=None)
    appstate.revoke_account_sessions(con, account.id)
    appstate.audit(con, actor, "account_reset", {"login": account.login})
    return _existing(con, login), generated


def change_account(
    con: sqlite3.Connection,
    login: str,
    *,
    role: str,
    county: str | None,
    chain: str | None,
    name: str,
    email: str | None,
    actor: str,
) -> Account:
    """Change role, unit, name or e-mail; sessions end, so the new scope applies at the next sign-in."""
    account = _existing(con, login)
    found = _role_or_error(con, role)
    county, chain = _check_unit(found, county, chain)
    email = (email or "").strip() or None
    other = appstate.find_account_by_identity(con, None, email) if email else None
    if other and other.id != account.id:
        raise AccountError(f"邮箱 {email} 已属于账号 {other.login}。")
    appstate.update_account(
        con, account.id, role=found.role, county=county, chain=chain, display_name=name.strip(), email=email
    )
    appstate.revoke_account_sessions(con, account.id)
    changed = _existing(con, login)
    appstate.audit(con, actor, "account_change", {**_account_details(changed), "email": email})
    return changed


def change_role(con: sqlite3.Connection, role: Role, *, actor: str) -> None:
    """Save a role's permissions (what it sees, aid detail, export, deck, submit, admin); logged."""
    before = _role_or_error(con, role.role)
    if role.sees not in {"all", "county", "chain", "none"} or role.aid not in {"detail", "aggregate", "none"}:
        raise AccountError(f"角色 {role.role} 的“可见范围”或“困难帮扶数据”取值无效。")
    if role == before:
        return
    appstate.update_role(con, role)
    changed = {
        k: [getattr(before, k), getattr(role, k)]
        for k in role.__dataclass_fields__
        if getattr(before, k) != getattr(role, k)
    }
    appstate.audit(con, actor, "role_change", {"role": role.role, "changed": changed})


def change_setting(con: sqlite3.Connection, key: str, value: Any, *, actor: str) -> None:
    before = appstate.get_setting(con, key)
    if before == value:
        return
    appstate.set_setting(con, key, value)
    appstate.audit(con, actor, "setting_change", {"key": key, "from": before, "to": value})


# ---- what an account may see and do -------------------------------------------------------------------------

NO_ROLE = Role("none", "无角色", "none", "none", False, False, False, False)


def role_of(con: sqlite3.Connection, account: Account) -> Role:
    return appstate.get_role(con, account.role) or NO_ROLE


def scope_for(con: sqlite3.Connection, account: Account) -> Scope:
    """The account's Scope from its role, its county or chain and the admin setting; NOTHING by default."""
    role = role_of(con, account)
    if account.disabled:
        return NOTHING
    if role.sees == "all":
        return Scope()
    if role.sees == "county" and account.county:
        rank_others = bool(appstate.get_setting(con, RANK_OTHERS_SETTING))
        return Scope(counties=(account.county,), chains=None, city_total=True, rank_others=rank_others)
    if role.sees == "chain" and account.chain:
        return Scope(counties=None, chains=(account.chain,), city_total=True, rank_others=False)
    return NOTHING


def scope_to_dict(scope: Scope) -> dict[str, Any]:
    return {
        "counties": None if scope.counties is None else list(scope.counties),
        "chains": None if scope.chains is None else list(scope.chains),
        "city_total": scope.city_total,
        "rank_others": scope.rank_others,
    }


def scope_from_dict(d: dict[str, Any]) -> Scope:
    def codes(v: Any) -> tuple[str, ...] | None:
        return None if v is None else tuple(str(c) for c in v)

    return Scope(
        counties=codes(d.get("counties", ())),
        chains=codes(d.get("chains", ())),
        city_total=bool(d.get("city_total", False)),
        rank_others=bool(d.get("rank_others", False)),
    )


def scope_words(scope: Scope) -> str:
    """'新泰市（含全市合计）' — a Scope in words, for the sidebar and messages."""
    if scope.nothing:
        return "无"
    if scope.everything:
        return "全市全部数据"
    parts = []
    if scope.counties is not None:
        parts.append("、".join(county_name(c) for c in scope.counties))
    if scope.chains is not None:
        parts.append("、".join(chain_name(c) for c in scope.chains) + "产业链")
    text = " · ".join(parts)
    return text + ("（含全市合计）" if scope.city_total else "")


def login_required(db: Path | None = None) -> bool:
    """Sign-in is on as soon as one account exists, or when UNION_DASH_REQUIRE_LOGIN=1."""
    if os.environ.get(REQUIRE_LOGIN_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if not appstate.exists(db):
        return False  # a fresh `make run`: no file, so no accounts, and nothing is created by asking
    with appstate.connect(db) as con:
        return appstate.count_accounts(con) > 0


# ---- signing in ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in. Refused: `message` is the Chinese sentence, `reason` its code (wrong, locked,
    unknown_identity, disabled, no_scope) and `values` the numbers or names in it, so that the UI can say the same
    in another language."""

    ok: bool
    message: str = ""
    account: Account | None = None
    scope: Scope = NOTHING
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)


WRONG = "账号或密码不正确。"


def _attempted(login: str) -> str:
    """An unknown login as typed, shortened so that a password typed into the wrong box is not kept."""
    s = login.strip()
    return f"{s[:2]}…（{len(s)} 个字符）" if len(s) > 2 else "…"


def sign_in(con: sqlite3.Connection, login: str, password: str, *, now: dt.datetime | None = None) -> SignIn:
    """Check a password; counts failures and locks the account for LOCK_MINUTES after LOCK_AFTER_FAILURES."""
    now = now or appstate.now()
    account = appstate.get_account(con, login.strip()) if login.strip() else None
    if account is None or account.password_hash is None:
        _verify(None, password)
        who = account.login if account else "-"
        appstate.audit(con, who, "sign_in_failed", {"reason": "unknown_login", "login": _attempted(login)})
        return SignIn(False, WRONG, reason="wrong")
    if account.locked_until and account.locked_until > now:
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
        appstate.audit(con, account.login, "sign_in_failed", {"reason": "locked"})
        return _locked(minutes)
    if not _verify(account.password_hash, password):
        count = appstate.increment_failures(
            con, account.id, LOCK_AFTER_FAILURES, now + dt.timedelta(minutes=LOCK_MINUTES)
        )
        locked = count >= LOCK_AFTER_FAILURES
        appstate.audit(
            con, account.login, "sign_in_failed", {"reason": "wrong_password", "failures": count, "locked": locked}
        )
        if locked:
            return _locked(LOCK_MINUTES)
        return SignIn(False, WRONG, reason="wrong")
    if _hasher.check_needs_rehash(account.password_hash):
        appstate.update_account(con, account.id, password_hash=_hasher.hash(password))
    return _admit(con, account, "password", now)


def _locked(minutes: int) -> SignIn:
    message = f"密码连续输错 {LOCK_AFTER_FAILURES} 次，账号已锁定，请 {minutes} 分钟后再试。"
    return SignIn(False, message, reason="locked", values={"n": LOCK_AFTER_FAILURES, "minutes": minutes})


def sso_sign_in(con: sqlite3.Connection, subject: str | None, email: str | None) -> SignIn:
    """Map a single-sign-on identity (OIDC subject, then e-mail) to an account; an unknown one is refused."""
    account = appstate.find_account_by_identity(con, subject or None, email or None)
    if account is None:
        appstate.audit(con, email or "-", "sign_in_refused", {"reason": "unknown_identity", "method": "oidc"})
        who = f"（{email}）" if email else ""
        message = f"您的统一身份认证账号{who}尚未开通看板权限，请联系市总工会管理员。"
        return SignIn(False, message, reason="unknown_identity", values={"email": email or ""})
    return _admit(con, account, "oidc", appstate.now())


def _admit(con: sqlite3.Connection, account: Account, method: str, now: dt.datetime) -> SignIn:
    if account.disabled:
        appstate.audit(con, account.login, "sign_in_refused", {"reason": "disabled", "method": method})
        return SignIn(False, "该账号已停用，请联系市总工会管理员。", reason="disabled")
    scope = scope_for(con, account)
    if scope.nothing:
        appstate.audit(con, account.login, "sign_in_refused", {"reason": "no_scope", "method": method})
        return SignIn(False, "您的账号尚未分配可查看的数据范围，请联系市总工会管理员。", reason="no_scope")
    appstate.update_account(con, account.id, failed_count=0, locked_until=None, last_sign_in_at=now)
    return SignIn(True, account=account, scope=scope)


# ---- sessions and cookies -----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    con: sqlite3.Connection, granted: SignIn, method: str, *, token: str | None = None, details: dict | None = None
) -> str:
    """A server-side session for an admitted sign-in (its Scope fixed now); returns the token for the cookie.

    The database keeps only the token's SHA-256, so a copy of the file cannot be replayed as a cookie."""
    if not granted.ok or granted.account is None:
        raise ValueError("start_session needs an admitted sign-in")
    token = token or secrets.token_urlsafe(32)
    expires = appstate.now() + dt.timedelta(seconds=SESSION_SECONDS)
    appstate.purge_sessions(con, appstate.now() - dt.timedelta(days=30))  # the audit log keeps the sign-ins
    appstate.insert_session(con, _digest(token), granted.account.id, method, scope_to_dict(granted.scope), expires)
    appstate.audit(
        con,
        granted.account.login,
        "sign_in",
        {"method": method, "role": granted.account.role, "scope": scope_words(granted.scope), **(details or {})},
    )
    return token


@dataclass(frozen=True)
class Live:
    """A live session: who, what they may do, and the Scope fixed when it started."""

    account: Account
    role: Role
    scope: Scope
    method: str
    expires_at: dt.datetime


def oidc_session_token(user_cookie: str | None) -> str | None:
    """The session token of a single sign-on: derived from Streamlit's signed identity cookie, which changes at
    every sign-in, so one SSO sign-in is one session (the script cannot set a cookie of its own)."""
    return "oidc:" + _digest(user_cookie) if user_cookie else None


def session_exists(con: sqlite3.Connection, token: str) -> bool:
    """Whether a session was ever started with this token (live, expired or revoked)."""
    return appstate.get_session(con, _digest(token)) is not None


def live_session(con: sqlite3.Connection, token: str, *, now: dt.datetime | None = None) -> Live | None:
    """The session behind a token, if it is neither expired nor revoked and its account is enabled."""
    now = now or appstate.now()
    found = appstate.get_session(con, _digest(token))
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        return None
    account = appstate.get_account_by_id(con, found.account_id)
    if account is None or account.disabled:
        return None
    return Live(account, role_of(con, account), scope_from_dict(found.scope), found.method, found.expires_at)


def end_session(con: sqlite3.Connection, token: str) -> bool:
    """Revoke a session (sign-out); True when it was live. The sign-out is logged."""
    found = appstate.get_session(con, _digest(token))
    if found is None or not appstate.revoke_session(con, _digest(token)):
        return False
    account = appstate.get_account_by_id(con, found.account_id)
    appstate.audit(con, account.login if account else "-", "sign_out", {"method": found.method})
    return True


def secret_key(paths: config.Paths | None = None) -> str:
    """The key that signs cookies: UNION_DASH_SESSION_SECRET, else a key file beside the app state (0600)."""
    env = os.environ.get(SECRET_ENV, "").strip()
    if env:
        return env
    key_file = (paths or config.paths()).session_key_file
    try:
        return key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return key_file.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="union-dash-session")


def sign_cookie(token: str, secret: str) -> str:
    return _serializer(secret).dumps(token)


def unsign_cookie(value: str | None, secret: str) -> str | None:
    """The session token inside a cookie, or None when it is missing, forged or older than a working day."""
    if not value:
        return None
    try:
        token = _serializer(secret).loads(value, max_age=SESSION_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    return token if isinstance(token, str) else None


def csrf_token(token: str, secret: str) -> str:
    """The sign-out form's token: bound to the session, so a page elsewhere cannot forge the form."""
    return hmac.new(secret.encode(), b"sign-out\x00" + token.encode(), hashlib.sha256).hexdigest()


def csrf_ok(token: str, secret: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(token, secret), str(sent))
