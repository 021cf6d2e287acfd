"""Publish (发布): build the warehouse from the accepted submissions in a background process, one at a time.

What is built is a staging folder `<submissions>/staging/<publication id>/` with
  base/…                                    the deployment's plain raw folder (config.paths().raw: what
                                            `build --raw` reads, e.g. the history from before the ledger),
                                            hard-linked (copied across file systems); left out with base=None
  ledger/<unit>/<dataset>/<period>_<id>_<file>   every accepted file in force, copied from the store
and `build.build(staging, warehouse)` runs on it. Ledger files are staged newer than every base file, so a
ledger file replaces a base file of the same county × dataset × period (ingest's superseding). Returned,
pending, unsubmitted and superseded files are never staged, so they never reach the warehouse. The build
publishes atomically: the dashboard switches when the new file is in place, and a failed build leaves the old
warehouse serving; the publication row keeps the reason.

State lives in the app state's `publications` table (queued → running → published | failed, with a progress
line), so any page or process can show it. One at a time: `request` refuses while another publication is
queued or running (with a sentence), and the worker holds `<submissions>/publish.lock` while it runs.
A worker that dies is noticed by `refresh` (its process is gone) and its row marked failed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from data_pipeline import appstate, config, roster, submissions
from data_pipeline.submissions import Actor, LedgerError

STATUS_ZH = {"queued": "排队中", "running": "正在发布", "published": "已发布", "failed": "发布失败"}
ACTIVE = ("queued", "running")
QUEUED_GRACE_S = 120  # a queued publication whose worker never started is given up after this long
DEFAULT_BASE = "default"  # request(base=DEFAULT_BASE): the deployment's raw folder, when it exists


@dataclass(frozen=True)
class Publication:
    id: int
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    status: str
    pid: int | None
    progress: str
    message: str | None
    submissions: tuple[int, ...]
    base_dir: str | None
    db_path: str | None
    result: dict

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or appstate.now()
        return round((end - self.started_at).total_seconds(), 1)


def _row(r: sqlite3.Row) -> Publication:
    return Publication(
        id=r["id"],
        requested_by=r["requested_by"],
        requested_at=appstate.parse_stamp(r["requested_at"]),  # type: ignore[arg-type]
        started_at=appstate.parse_stamp(r["started_at"]),
        finished_at=appstate.parse_stamp(r["finished_at"]),
        status=r["status"],
        pid=r["pid"],
        progress=r["progress"],
        message=r["message"],
        submissions=tuple(json.loads(r["submissions"] or "[]")),
        base_dir=r["base_dir"],
        db_path=r["db_path"],
        result=json.loads(r["result"] or "{}"),
    )


def get(con: sqlite3.Connection, publication_id: int) -> Publication:
    r = con.execute("select * from publications where id = ?", (int(publication_id),)).fetchone()
    if r is None:
        raise LedgerError(f"找不到编号为 {publication_id} 的发布记录")
    return _row(r)


def latest(con: sqlite3.Connection) -> Publication | None:
    """The newest publication (any state), after noticing dead workers."""
    refresh(con)
    r = con.execute("select * from publications order by id desc limit 1").fetchone()
    return _row(r) if r else None


def last_published(con: sqlite3.Connection) -> Publication | None:
    """The newest publication that published a warehouse."""
    r = con.execute("select * from publications where status = 'published' order by id desc limit 1").fetchone()
    return _row(r) if r else None


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) is not running
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def refresh(con: sqlite3.Connection) -> None:
    """Mark failed the publications whose worker is gone (killed, crashed) or never started."""
    now = appstate.now()
    for r in con.execute("select * from publications where status in ('queued', 'running')").fetchall():
        p = _row(r)
        if p.status == "running" and not _alive(p.pid):
            why = "发布进程意外结束（可能被系统终止），数据仓库未更换，仍是上一次发布的版本；请重新发布"
        elif p.status == "queued" and p.pid is None and (now - p.requested_at).total_seconds() > QUEUED_GRACE_S:
            why = "发布进程未能启动，数据仓库未更换；请重新发布，仍不成功请联系技术人员"
        elif p.status == "queued" and p.pid is not None and not _alive(p.pid):
            why = "发布进程启动后立即退出，数据仓库未更换；请查看发布日志或联系技术人员"
        else:
            continue
        _finish(con, p.id, "failed", why, {})


def _busy_sentence(p: Publication) -> str:
    when = p.requested_at.astimezone().strftime("%H:%M")
    return f"已有一次发布正在进行（{p.requested_by} 于 {when} 发起，{p.status_zh}），请等它结束后再发布"


def request(
    con: sqlite3.Connection,
    *,
    actor: Actor,
    db_path: Path | None = None,
    base: Path | str | None = DEFAULT_BASE,
    spawn: bool = True,
) -> Publication:
    """Queue a publication (admins only) and, with spawn, start its worker process; refuses while one is active.

    base: the plain raw folder to build beside the accepted files (DEFAULT_BASE: config.paths().raw when it
    exists; None: the accepted files alone)."""
    if not actor.admin:
        raise LedgerError("只有管理员可以发布数据")
    paths = config.paths()
    db_path = Path(db_path or paths.db)
    if base == DEFAULT_BASE:
        base = paths.raw if paths.raw.is_dir() else None
    refresh(con)
    with appstate.transaction(con):
        active = con.execute("select * from publications where status in ('queued', 'running') limit 1").fetchone()
        if active is not None:
            raise LedgerError(_busy_sentence(_row(active)))
        cur = con.execute(
            "insert into publications (requested_by, requested_at, status, base_dir, db_path) values (?, ?, 'queued', ?, ?)",
            (actor.login, appstate.stamp(appstate.now()), str(base) if base else None, str(db_path)),
        )
        pid_row = int(cur.lastrowid)  # type: ignore[arg-type]
        appstate.audit_in_transaction(
            con, actor.login, "publish", {"publication": pid_row, "warehouse": db_path.name, "base": bool(base)}
        )
    if spawn:
        _spawn(con, pid_row)
    return get(con, pid_row)


def log_path(publication_id: int) -> Path:
    return submissions.store_root() / "publish-logs" / f"{publication_id}.log"


def _spawn(con: sqlite3.Connection, publication_id: int) -> None:
    """Start `python -m data_pipeline publish --run ID` detached from the page (its own session), reaped by a
    thread of this process so it never lingers as a zombie."""
    log = log_path(publication_id)
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "data_pipeline", "publish", "--run", str(publication_id)],
                cwd=config.REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    except OSError as exc:
        _finish(con, publication_id, "failed", f"发布进程无法启动（{type(exc).__name__}），数据仓库未更换", {})
        return
    threading.Thread(target=proc.wait, name=f"publish-{publication_id}-reaper", daemon=True).start()
    with appstate.transaction(con):
        con.execute("update publications set pid = ? where id = ? and pid is null", (proc.pid, publication_id))


def _set(con: sqlite3.Connection, publication_id: int, **fields: object) -> None:
    sets = ", ".join(f"{k} = ?" for k in fields)  # names from this module only
    with appstate.transaction(con):
        con.execute(f"update publications set {sets} where id = ?", [*fields.values(), publication_id])


def _finish(con: sqlite3.Connection, publication_id: int, status: str, message: str | None, result: dict) -> None:
    with appstate.transaction(con):
        r = con.execute("select requested_by, status from publications where id = ?", (publication_id,)).fetchone()
        if r is None or r["status"] not in ACTIVE:
            return
        con.execute(
            "update publications set status = ?, message = ?, finished_at = ?, result = ? where id = ?",
            (status, message, appstate.stamp(appstate.now()), json.dumps(result, ensure_ascii=False), publication_id),
        )
        action = "publish_done" if status == "published" else "publish_failed"
        appstate.audit_in_transaction(
            con, r["requested_by"], action, {"publication": publication_id, "message": message or "", **result}
        )


@contextlib.contextmanager
def _worker_lock() -> Iterator[bool]:
    """Hold `<submissions>/publish.lock` (released by the system however the process ends); False when taken."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: the app state's check is the only guard
        yield True
        return
    path = submissions.store_root() / "publish.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


# ---------------------------------------------------------------- staging


def _mirror(src: Path, dest: Path) -> float:
    """Hard-link (or copy, keeping times) every file under src into dest; returns the newest mtime seen."""
    newest = 0.0
    for root, dirs, files in os.walk(src, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(root).relative_to(src)
        for name in files:
            s = Path(root) / name
            if s.is_symlink() or not s.is_file():
                continue
            d = dest / rel / name
            d.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)
            newest = max(newest, s.stat().st_mtime)
    return newest


def stage(
    con: sqlite3.Connection, dest: Path, *, base: Path | None, root: Path | None = None
) -> tuple[list[int], dict[str, int]]:
    """Fill `dest` with the base folder and the accepted files in force; returns (the submission ids in force,
    files and nil returns included, and counts)."""
    dest.mkdir(parents=True, exist_ok=True)
    newest = 0.0
    base_files = 0
    if base is not None and Path(base).is_dir():
        newest = _mirror(Path(base), dest / "base")
        base_files = sum(1 for _ in (dest / "base").rglob("*") if _.is_file())
        marker = Path(base) / "_demo.json"  # build reads the demo marker at the top of its folder
        if marker.is_file():
            shutil.copy2(marker, dest / "_demo.json")
    newest = max(newest, dt.datetime.now().timestamp() - 1)
    ids: list[int] = []
    files = nils = 0
    for k, s in enumerate(submissions.in_force(con), 1):
        ids.append(s.id)
        if s.kind != "file" or not s.sha256:
            nils += 1
            continue
        target = dest / roster.LEDGER_DIR / s.unit.code / s.dataset / f"{s.period}_{s.id}_{s.file_name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(submissions.read(s.sha256, root))
        stamp = newest + 1 + k / 1000  # newer than every base file, in the order they were accepted
        os.utime(target, (stamp, stamp))
        files += 1
    return ids, {"base_files": base_files, "ledger_files": files, "nil_returns": nils}


# ---------------------------------------------------------------- the worker


def run(publication_id: int, *, progress: Callable[[str], None] | None = None) -> Publication:
    """The worker: stage, build and publish (or record why not). Never raises for a failed build."""
    from data_pipeline import build

    with appstate.connect() as con:
        p = get(con, publication_id)
        if p.status != "queued":
            return p
        with _worker_lock() as mine:
            if not mine:
                _finish(con, p.id, "failed", "另一个发布正在进行，本次未执行；请等它结束后再发布", {})
                return get(con, p.id)
            _set(con, p.id, status="running", pid=os.getpid(), started_at=appstate.stamp(appstate.now()))
            staging = submissions.store_root() / "staging" / str(p.id)

            def say(message: str) -> None:
                if progress:
                    progress(message)
                with contextlib.suppress(sqlite3.Error):
                    _set(con, p.id, progress=message[:300])

            try:
                _sweep_staging(keep=p.id)
                say("准备发布文件")
                ids, counts = stage(con, staging, base=Path(p.base_dir) if p.base_dir else None)
                _set(con, p.id, submissions=json.dumps(ids))
                say(
                    f"已准备：原有文件 {counts['base_files']} 个，已接收的报送文件 {counts['ledger_files']} 个，"
                    f"无数据报告 {counts['nil_returns']} 份"
                )
                result = build.build(staging, Path(p.db_path or config.paths().db), progress=say)
            except build.BuildError as exc:
                _finish(con, p.id, "failed", f"{exc}；数据仓库未更换，仍是上一次发布的版本", {})
            except Exception as exc:  # anything else: one sentence, the old warehouse keeps serving
                detail = " ".join(str(exc).split())[:200]
                _finish(con, p.id, "failed", f"发布中断（{type(exc).__name__}：{detail}）；数据仓库未更换", {})
            else:
                summary = {
                    **counts,
                    "files_loaded": result.files_loaded,
                    "rows_loaded": result.rows_loaded,
                    "rows_quarantined": result.rows_quarantined,
                    "data_through": result.data_through or "",
                    "seconds": result.seconds,
                }
                through = f"，数据截至 {result.data_through}" if result.data_through else ""
                message = f"已发布：载入文件 {result.files_loaded} 个、数据 {result.rows_loaded} 行{through}"
                _finish(con, p.id, "published", message, summary)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return get(con, p.id)


def _sweep_staging(keep: int) -> None:
    """Staging folders of earlier publications (a killed worker leaves its folder behind) are copies: remove."""
    folder = submissions.store_root() / "staging"
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.name != str(keep):
            shutil.rmtree(child, ignore_errors=True)


def included(con: sqlite3.Connection) -> set[int]:
    """The submissions (files and nil returns) that the last published warehouse was built with."""
    p = last_published(con)
    return set(p.submissions) if p else set()
