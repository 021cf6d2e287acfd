"""The app-state database: accounts, roles, settings, sessions, the audit log and the submissions ledger (one SQLite
file, WAL mode).

It lives beside the warehouse, never inside it (`build` replaces the warehouse; app state must outlast that).
This module is its only owner: the schema is versioned (`schema_version`, one row per applied migration) and
changed only by appending a function to MIGRATIONS. Every write runs in its own `BEGIN IMMEDIATE` transaction on
its own connection, so several Streamlit threads and processes can share the file; readers never block writers.
No Streamlit here, and no policy: passwords, lockout and scope rules live in `data_pipeline.accounts`; the rules of
the submission cycle (who may submit, accept, return, publish) in `data_pipeline.submissions` and `.publish`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data_pipeline import config

BUSY_TIMEOUT_MS = 10_000
AUDIT_ACTIONS_ZH = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_in_refused": "拒绝登录",
    "sign_out": "退出登录",
    "export": "导出",
    "deck": "生成简报",
    "account_add": "新增账号",
    "account_change": "修改账号",
    "account_disable": "停用账号",
    "account_enable": "启用账号",
    "account_reset": "重置密码",
    "role_change": "修改角色权限",
    "setting_change": "修改设置",
    "upload": "上传报送文件",
    "submit": "提交报送",
    "nil_return": "报送无数据/无变化",
    "accept": "接收报送",
    "return": "退回报送",
    "download_submission": "下载报送文件",
    "deadline_change": "修改报送截止日期",
    "publish": "发布数据",
    "publish_done": "发布完成",
    "publish_failed": "发布失败",
}
# Keys that never reach the audit log, whatever a caller passes (compared in lower case, as substrings).
_SECRET_KEYS = ("password", "passwd", "secret", "token", "hash", "cookie", "id_number", "身份证", "密码")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(when: dt.datetime) -> str:
    """UTC ISO text, one fixed format, so stored times order as text."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


# ---- schema -------------------------------------------------------------------------------------------------


def _run_script(con: sqlite3.Connection, script: str) -> None:
    """Statements one by one inside the caller's transaction (executescript would commit it first)."""
    for statement in script.split(";"):
        if statement.strip():
            con.execute(statement)


def _v1_tables(con: sqlite3.Connection) -> None:
    """Accounts, roles as data, settings, server-side sessions and the audit log."""
    _run_script(
        con,
        """
        create table roles (
            role        text primary key,
            name_zh     text not null,
            sees        text not null check (sees in ('all', 'county', 'chain', 'none')),
            aid         text not null check (aid in ('detail', 'aggregate', 'none')),
            can_export  integer not null default 0,
            can_deck    integer not null default 0,
            can_submit  integer not null default 0,
            can_admin   integer not null default 0
        );
        create table accounts (
            id              integer primary key,
            login           text not null unique collate nocase,
            display_name    text not null default '',
            role            text not null references roles (role) on update cascade,
            county          text,
            chain           text,
            password_hash   text,
            disabled        integer not null default 0,
            failed_count    integer not null default 0,
            locked_until    text,
            oidc_subject    text unique,
            email           text unique collate nocase,
            created_at      text not null,
            updated_at      text not null,
            last_sign_in_at text
        );
        create table settings (
            key         text primary key,
            value       text not null,
            updated_at  text not null
        );
        create table sessions (
            id_hash     text primary key,
            account_id  integer not null references accounts (id) on delete cascade,
            method      text not null,
            scope       text not null,
            created_at  text not null,
            expires_at  text not null,
            revoked_at  text
        );
        create index sessions_by_account on sessions (account_id);
        create table audit_log (
            id      integer primary key autoincrement,
            at      text not null,
            actor   text not null,
            action  text not null,
            details text not null default '{}'
        );
        create index audit_by_time on audit_log (at);
        create index audit_by_actor on audit_log (actor, at);
        """,
    )


DEFAULT_ROLES = (
    # role, name_zh, sees, aid, export, deck, submit, admin
    ("admin", "管理员", "all", "detail", 1, 1, 0, 1),
    ("leader", "领导", "all", "aggregate", 1, 1, 0, 0),
    ("analyst", "分析员", "all", "aggregate", 1, 1, 0, 0),
    ("county", "县市区工会", "county", "detail", 1, 0, 1, 0),
    ("chain", "产业链工会", "chain", "aggregate", 1, 0, 1, 0),
)
DEFAULT_SETTINGS = {
    # County users may see other counties in rankings of indicators that are not aid-derived.
    "county_rank_others": False,
}


def _v2_defaults(con: sqlite3.Connection) -> None:
    """The default roles (the issue's table) and settings; an admin changes them as data afterwards."""
    con.executemany(
        "insert or ignore into roles (role, name_zh, sees, aid, can_export, can_deck, can_submit, can_admin)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        DEFAULT_ROLES,
    )
    at = stamp(now())
    con.executemany(
        "insert or ignore into settings (key, value, updated_at) values (?, ?, ?)",
        [(k, json.dumps(v), at) for k, v in DEFAULT_SETTINGS.items()],
    )


def _v3_submissions(con: sqlite3.Connection) -> None:
    """The submissions ledger (one row per upload or nil return, never deleted), the warnings of each upload with
    the submitter's explanation, and the publications (background builds over the accepted files)."""
    _run_script(
        con,
        """
        create table submissions (
            id              integer primary key,
            unit_kind       text not null check (unit_kind in ('county', 'chain', 'city')),
            unit_code       text not null,
            dataset         text not null,
            period          text not null,
            kind            text not null check (kind in ('file', 'nil')),
            nil_return      text,
            file_name       text,
            sha256          text,
            size            integer,
            markup_sha256   text,
            rows            integer,
            error_count     integer not null default 0,
            warning_count   integer not null default 0,
            report          text not null default '{}',
            status          text not null
                            check (status in ('errors', 'draft', 'pending', 'returned', 'accepted', 'superseded')),
            uploaded_by     text not null,
            uploaded_at     text not null,
            submitted_by    text,
            submitted_at    text,
            late            integer not null default 0,
            reviewed_by     text,
            reviewed_at     text,
            review_reason   text,
            superseded_by   integer references submissions (id),
            check (kind = 'nil' or sha256 is not null),
            check (status <> 'errors' or error_count > 0)
        );
        create index submissions_by_cell on submissions (period, unit_code, dataset);
        create index submissions_by_status on submissions (status);
        create table submission_warnings (
            submission_id   integer not null references submissions (id),
            seq             integer not null,
            rule            text not null,
            key             text not null default '',
            row_number      integer,
            column_name     text not null default '',
            message         text not null,
            explanation     text,
            primary key (submission_id, seq)
        );
        create table publications (
            id              integer primary key,
            requested_by    text not null,
            requested_at    text not null,
            started_at      text,
            finished_at     text,
            status          text not null check (status in ('queued', 'running', 'published', 'failed')),
            pid             integer,
            progress        text not null default '',
            message         text,
            submissions     text not null default '[]',
            base_dir        text,
            db_path         text,
            result          text not null default '{}'
        );
        """,
    )


# Ordered; the version of a database is the number of migrations applied. Append, never edit or reorder.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1_tables, _v2_defaults, _v3_submissions)
LATEST = len(MIGRATIONS)


def _raw_connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("pragma foreign_keys = on")
    return con


def version(con: sqlite3.Connection) -> int:
    """How many migrations this database has had (0 for an empty file)."""
    has = con.execute("select 1 from sqlite_master where type = 'table' and name = 'schema_version'").fetchone()
    if not has:
        return 0
    return int(con.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0])


def migrate(con: sqlite3.Connection, upto: int = LATEST) -> int:
    """Apply the missing migrations (up to `upto`), each in one immediate transaction; returns the version.

    Safe when several processes open a new file at once: each re-reads the version inside its transaction."""
    con.execute("create table if not exists schema_version (version integer primary key, applied_at text not null)")
    while True:
        with transaction(con):
            current = version(con)
            if current >= upto:
                return current
            MIGRATIONS[current](con)
            con.execute("insert into schema_version (version, applied_at) values (?, ?)", (current + 1, stamp(now())))


_migrated: set[str] = set()
_migrate_lock = threading.Lock()


def path() -> Path:
    return config.paths().appstate


def exists(db: Path | None = None) -> bool:
    """Whether the app-state file exists (reading its absence needs no file to be created)."""
    return (db or path()).exists()


def _initialise(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        # Created with owner-only permissions: it holds password hashes. The WAL and SHM files inherit them.
        os.close(os.open(db, os.O_CREAT | os.O_WRONLY, 0o600))
    # Switching a new file to WAL needs a moment alone with it, and SQLite may answer "locked" at once instead of
    # waiting when several processes open it together: try again for as long as the busy timeout allows.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        con = _raw_connect(db)
        try:
            con.execute("pragma journal_mode = wal")
            migrate(con)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        finally:
            con.close()
        time.sleep(0.05)


@contextlib.contextmanager
def connect(db: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A connection to the app-state database (created, WAL, mode 0600 and migrated on first use); closed after."""
    db = Path(db or path())
    key = str(db.absolute())
    if key not in _migrated or not db.exists():
        with _migrate_lock:
            _initialise(db)
            _migrated.add(key)
    con = _raw_connect(db)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): a writer takes the lock up front, so two never deadlock."""
    con.execute("begin immediate")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


# ---- rows ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    role: str
    name_zh: str
    sees: str  # all | county | chain | none
    aid: str  # detail | aggregate | none
    can_export: bool
    can_deck: bool
    can_submit: bool
    can_admin: bool

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Role:
        return cls(
            r["role"],
            r["name_zh"],
            r["sees"],
            r["aid"],
            bool(r["can_export"]),
            bool(r["can_deck"]),
            bool(r["can_submit"]),
            bool(r["can_admin"]),
        )


@dataclass(frozen=True)
class Account:
    id: int
    login: str
    display_name: str
    role: str
    county: str | None
    chain: str | None
    password_hash: str | None
    disabled: bool
    failed_count: int
    locked_until: dt.datetime | None
    oidc_subject: str | None
    email: str | None
    created_at: str
    last_sign_in_at: str | None

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> Account:
        return cls(
            id=r["id"],
            login=r["login"],
            display_name=r["display_name"],
            role=r["role"],
            county=r["county"],
            chain=r["chain"],
            password_hash=r["password_hash"],
            disabled=bool(r["disabled"]),
            failed_count=int(r["failed_count"]),
            locked_until=parse_stamp(r["locked_until"]),
            oidc_subject=r["oidc_subject"],
            email=r["email"],
            created_at=r["created_at"],
            last_sign_in_at=r["last_sign_in_at"],
        )

    @property
    def name(self) -> str:
        return self.display_name or self.login


@dataclass(frozen=True)
class Session:
    account_id: int
    method: str
    scope: dict
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


# ---- accounts -----------------------------------------------------------------------------------------------

_ACCOUNT_FIELDS = (
    "display_name",
    "role",
    "county",
    "chain",
    "password_hash",
    "disabled",
    "failed_count",
    "locked_until",
    "oidc_subject",
    "email",
    "last_sign_in_at",
)


def count_accounts(con: sqlite3.Connection) -> int:
    return int(con.execute("select count(*) from accounts").fetchone()[0])


def insert_account(con: sqlite3.Connection, login: str, role: str, **fields: Any) -> Account:
    unknown = set(fields) - set(_ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    at = stamp(now())
    cols = ["login", "role", "created_at", "updated_at", *fields]
    values = [login, role, at, at, *(_db_value(v) for v in fields.values())]
    with transaction(con):
        cur = con.execute(
            f"insert into accounts ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",  # names from the whitelist
            values,
        )
        row = con.execute("select * from accounts where id = ?", (cur.lastrowid,)).fetchone()
    return Account.from_row(row)


def update_account(con: sqlite3.Connection, account_id: int, **fields: Any) -> None:
    unknown = set(fields) - set(_ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"unknown account fields: {sorted(unknown)}")
    if not fields:
        return
    sets = ", ".join(f"{k} = ?" for k in fields)  # names from the whitelist above
    with transaction(con):
        con.execute(
            f"update accounts set {sets}, updated_at = ? where id = ?",
            [*(_db_value(v) for v in fields.values()), stamp(now()), account_id],
        )


def _db_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return stamp(v)
    if isinstance(v, bool):
        return int(v)
    return v


def get_account(con: sqlite3.Connection, login: str) -> Account | None:
    row = con.execute("select * from accounts where login = ?", (login,)).fetchone()
    return Account.from_row(row) if row else None


def get_account_by_id(con: sqlite3.Connection, account_id: int) -> Account | None:
    row = con.execute("select * from accounts where id = ?", (account_id,)).fetchone()
    return Account.from_row(row) if row else None


def find_account_by_identity(con: sqlite3.Connection, subject: str | None, email: str | None) -> Account | None:
    """The account an SSO identity maps to: by OIDC subject first, then by e-mail."""
    if subject:
        row = con.execute("select * from accounts where oidc_subject = ?", (subject,)).fetchone()
        if row:
            return Account.from_row(row)
    if email:
        row = con.execute("select * from accounts where email = ?", (email,)).fetchone()
        if row:
            return Account.from_row(row)
    return None


def list_accounts(con: sqlite3.Connection) -> list[Account]:
    return [Account.from_row(r) for r in con.execute("select * from accounts order by login")]


def increment_failures(con: sqlite3.Connection, account_id: int, lock_after: int, lock_until: dt.datetime) -> int:
    """Count one failed sign-in atomically; lock the account when the count reaches `lock_after`. Returns the count."""
    with transaction(con):
        con.execute("update accounts set failed_count = failed_count + 1 where id = ?", (account_id,))
        count = int(con.execute("select failed_count from accounts where id = ?", (account_id,)).fetchone()[0])
        if count >= lock_after:
            con.execute(
                "update accounts set locked_until = ?, failed_count = 0 where id = ?", (stamp(lock_until), account_id)
            )
    return count


# ---- roles and settings -------------------------------------------------------------------------------------


def list_roles(con: sqlite3.Connection) -> list[Role]:
    return [Role.from_row(r) for r in con.execute("select * from roles order by rowid")]


def get_role(con: sqlite3.Connection, role: str) -> Role | None:
    row = con.execute("select * from roles where role = ?", (role,)).fetchone()
    return Role.from_row(row) if row else None


def update_role(con: sqlite3.Connection, role: Role) -> None:
    with transaction(con):
        con.execute(
            "update roles set name_zh = ?, sees = ?, aid = ?, can_export = ?, can_deck = ?, can_submit = ?,"
            " can_admin = ? where role = ?",
            (
                role.name_zh,
                role.sees,
                role.aid,
                int(role.can_export),
                int(role.can_deck),
                int(role.can_submit),
                int(role.can_admin),
                role.role,
            ),
        )


def get_setting(con: sqlite3.Connection, key: str) -> Any:
    row = con.execute("select value from settings where key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else DEFAULT_SETTINGS.get(key)


def set_setting(con: sqlite3.Connection, key: str, value: Any) -> None:
    with transaction(con):
        con.execute(
            "insert into settings (key, value, updated_at) values (?, ?, ?)"
            " on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value), stamp(now())),
        )


# ---- sessions -----------------------------------------------------------------------------------------------


def insert_session(
    con: sqlite3.Connection, id_hash: str, account_id: int, method: str, scope: dict, expires_at: dt.datetime
) -> None:
    with transaction(con):
        con.execute(
            "insert into sessions (id_hash, account_id, method, scope, created_at, expires_at)"
            " values (?, ?, ?, ?, ?, ?)",
            (id_hash, account_id, method, json.dumps(scope), stamp(now()), stamp(expires_at)),
        )


def get_session(con: sqlite3.Connection, id_hash: str) -> Session | None:
    row = con.execute("select * from sessions where id_hash = ?", (id_hash,)).fetchone()
    if not row:
        return None
    return Session(
        account_id=row["account_id"],
        method=row["method"],
        scope=json.loads(row["scope"]),
        created_at=parse_stamp(row["created_at"]),  # type: ignore[arg-type]
        expires_at=parse_stamp(row["expires_at"]),  # type: ignore[arg-type]
        revoked_at=parse_stamp(row["revoked_at"]),
    )


def revoke_session(con: sqlite3.Connection, id_hash: str) -> bool:
    """Mark one session revoked; True when it was live."""
    with transaction(con):
        cur = con.execute(
            "update sessions set revoked_at = ? where id_hash = ? and revoked_at is null", (stamp(now()), id_hash)
        )
    return cur.rowcount > 0


def revoke_account_sessions(con: sqlite3.Connection, account_id: int) -> int:
    with transaction(con):
        cur = con.execute(
            "update sessions set revoked_at = ? where account_id = ? and revoked_at is null",
            (stamp(now()), account_id),
        )
    return cur.rowcount


def purge_sessions(con: sqlite3.Connection, before: dt.datetime) -> int:
    """Delete sessions that expired before `before` (the audit log keeps the sign-ins)."""
    with transaction(con):
        cur = con.execute("delete from sessions where expires_at < ?", (stamp(before),))
    return cur.rowcount


# ---- audit log ----------------------------------------------------------------------------------------------


def scrub(value: Any) -> Any:
    """Audit details without secrets: keys that name a password, token or ID number are dropped, and anything
    that looks like an ID number inside text is masked (the rule of `normalize.mask_ids_in`)."""
    if isinstance(value, Mapping):
        return {str(k): scrub(v) for k, v in value.items() if not any(s in str(k).lower() for s in _SECRET_KEYS)}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        from data_pipeline.normalize import mask_ids_in

        return mask_ids_in(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def audit(con: sqlite3.Connection, actor: str, action: str, details: Mapping[str, Any] | None = None) -> None:
    """Append one entry: who, when (UTC), what, and details as JSON (scrubbed: never a password or ID number)."""
    with transaction(con):
        audit_in_transaction(con, actor, action, details)


def audit_in_transaction(
    con: sqlite3.Connection, actor: str, action: str, details: Mapping[str, Any] | None = None
) -> None:
    """audit() inside the caller's transaction: the entry is written with the change it records, or not at all."""
    text = json.dumps(scrub(dict(details or {})), ensure_ascii=False, sort_keys=True)
    con.execute(
        "insert into audit_log (at, actor, action, details) values (?, ?, ?, ?)",
        (stamp(now()), scrub(actor or "-"), action, text),
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    details: dict


def read_audit(
    con: sqlite3.Connection,
    *,
    actors: Sequence[str] = (),
    actions: Sequence[str] = (),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """Newest first, narrowed by actor(s), action(s) and a time window [since, until)."""
    where, args = ["1 = 1"], []
    if actors:
        where.append(f"actor in ({', '.join('?' * len(actors))})")
        args += list(actors)
    if actions:
        where.append(f"action in ({', '.join('?' * len(actions))})")
        args += list(actions)
    if since:
        where.append("at >= ?")
        args.append(stamp(since))
    if until:
        where.append("at < ?")
        args.append(stamp(until))
    rows = con.execute(
        f"select * from audit_log where {' and '.join(where)} order by id desc limit ?",  # placeholders only
        [*args, int(limit)],
    )
    return [
        AuditEntry(r["id"], parse_stamp(r["at"]), r["actor"], r["action"], json.loads(r["details"]))  # type: ignore[arg-type]
        for r in rows
    ]


def audit_actors(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("select distinct actor from audit_log order by actor")]
