"""The submissions ledger (报送台账): every upload kept byte for byte, and the rules of the quarterly cycle.

The store: each uploaded file (and its marked-up copy) is written once under `<submissions>/objects/ab/<sha256>`
(content-addressed, owner-only permissions, never deleted; `config.paths().submissions`, beside the app state,
or UNION_DASH_SUBMISSIONS). The ledger: one row of the app state's `submissions` table per upload or nil return,
never deleted, with the unit (a county, a chain or the city union), dataset, period, file, who and when, the
error count, the report, and the warnings with their written explanations (上报说明).

States of a row:
  errors      有错误      an upload with errors: kept, never submittable (fix the file and upload it again)
  draft       未提交      an upload without errors, waiting for its warnings' explanations and 提交
  pending     已提交待审  submitted (a file with no errors and every warning explained, or a nil return)
  returned    已退回      an admin sent it back with a reason, which the unit sees
  accepted    已接收      an admin accepted it; the next publish builds it into the warehouse
  superseded  已被替代    a later upload or submission of the same unit × dataset × period took its place

Transitions, one function each, each writing its audit entry in the same transaction:
  upload      → errors | draft; the cell's earlier errors/draft rows become superseded
  submit      draft → pending; the cell's earlier pending/returned rows become superseded
  submit_nil  → pending (only where the duty roster allows a nil return); superseding as submit
  accept      pending → accepted (admins only); the cell's earlier accepted row becomes superseded
  send_back   pending → returned with a reason (admins only)
An accepted row stays in force until a newer one of its cell is accepted: a resubmission never takes data away
before it is itself accepted, and a returned or never-accepted file never reaches the warehouse (publish stages
the accepted rows in force, nothing else).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from data_pipeline import appstate, config, feedback, ingest, normalize, roster
from data_pipeline.reference import dataset, duty_roster
from data_pipeline.roster import CITY, Quarter, Unit

STATUS_ZH = {
    "errors": "有错误",
    "draft": "未提交",
    "pending": "已提交待审",
    "returned": "已退回",
    "accepted": "已接收",
    "superseded": "已被替代",
}
SUBMITTED = ("pending", "returned", "accepted")
UNSUBMITTED = ("errors", "draft")

# The states of one cell (unit × dataset × period) of the status matrix, in the order the page counts them.
NOT_IN, PENDING, ERRORS, RETURNED, ACCEPTED, OVERDUE = "未报", "待审", "有错误", "已退回", "已接收", "逾期"
CELL_STATES = (NOT_IN, PENDING, ERRORS, RETURNED, ACCEPTED, OVERDUE)

MIN_EXPLANATION = 4  # characters of a 上报说明 or a return reason (a word or two is not a reason)
MAX_TEXT = 2000
MAX_STORED_ERRORS = 500  # the report keeps this many errors; the marked-up copy keeps every one
DEADLINE_SETTING = "deadline:"  # + '2026Q3' → an admin's deadline for that quarter (ISO date)
NO_VALUE_DATASETS = ("aid_cases",)  # problems of these files are stored without the cell value (personal data)


class LedgerError(ValueError):
    """A step the rules refuse; the message is one Chinese sentence saying why and what to do."""


# ---------------------------------------------------------------- who acts


@dataclass(frozen=True)
class Actor:
    """Who does something: the login (for the audit log), the unit the account submits for, and its rights."""

    login: str
    unit: Unit | None = None
    can_submit: bool = False
    admin: bool = False

    def may_submit_for(self, unit: Unit) -> bool:
        """An admin submits for any unit (the city union's own files, or a file a unit sent by e-mail)."""
        return self.admin or (self.can_submit and self.unit == unit)


def unit_of_account(county: str | None, chain: str | None, admin: bool = False) -> Unit | None:
    """The unit an account submits for: its county or chain union; the city union for an admin; else none."""
    if county:
        return roster.county_unit(county)
    if chain:
        return roster.chain_unit(chain)
    return CITY if admin else None


def union_name(unit: Unit) -> str:
    """How a reminder addresses a unit: 新泰市总工会, 汽车及零部件产业链工会, 泰安市总工会."""
    if unit.kind == "county":
        return f"{unit.name_zh}总工会"
    if unit.kind == "chain":
        return f"{unit.label_zh}工会"
    return "泰安市总工会"


def duties(unit: Unit) -> list[str]:
    """The datasets a unit owes (the duty roster for its kind), in roster order."""
    out: list[str] = []
    for duty in duty_roster():
        if duty.unit_kind == unit.kind and duty.dataset not in out:
            out.append(duty.dataset)
    return out


def unit_by_code(kind: str, code: str) -> Unit:
    return next(u for u in roster.units(kind) if u.code == code)


# ---------------------------------------------------------------- the store


def store_root() -> Path:
    return config.paths().submissions


def _object_path(sha: str, root: Path | None = None) -> Path:
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise LedgerError(f"不是有效的文件指纹：{sha[:16]}")
    return (root or store_root()) / "objects" / sha[:2] / sha


def store(data: bytes, root: Path | None = None) -> str:
    """Keep `data` under its sha256 (once: the same bytes again change nothing); returns the sha256."""
    sha = hashlib.sha256(data).hexdigest()
    path = _object_path(sha, root)
    if path.exists():
        return sha
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # the store holds files with personal data: owner only
        os.chmod(path.parent.parent.parent, 0o700)
    tmp = path.with_name(f".{sha}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o400)  # written once, read-only from then on
    os.replace(tmp, path)
    return sha


def read(sha: str, root: Path | None = None) -> bytes:
    """The stored bytes of a sha256, checked against it (LedgerError when missing or altered)."""
    path = _object_path(sha, root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(f"报送文件库中找不到该文件（{sha[:12]}…），请联系管理员") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise LedgerError(f"报送文件库中的文件（{sha[:12]}…）已被改动，与登记时不一致，请联系管理员")
    return data


def object_path(sha: str, root: Path | None = None) -> Path:
    return _object_path(sha, root)


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class LedgerWarning:
    seq: int
    rule: str
    key: str
    row_number: int | None
    column: str
    message: str
    explanation: str | None


@dataclass(frozen=True)
class Submission:
    """One ledger row (an upload or a nil return) with its warnings."""

    id: int
    unit: Unit
    dataset: str
    period: str
    kind: str  # file | nil
    nil_return: str | None
    file_name: str | None
    sha256: str | None
    size: int | None
    markup_sha256: str | None
    rows: int | None
    error_count: int
    warning_count: int
    report: dict
    status: str
    uploaded_by: str
    uploaded_at: dt.datetime
    submitted_by: str | None
    submitted_at: dt.datetime | None
    late: bool
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_reason: str | None
    superseded_by: int | None
    warnings: tuple[LedgerWarning, ...] = ()

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    @property
    def dataset_title(self) -> str:
        return dataset(self.dataset).title_zh

    @property
    def period_zh(self) -> str:
        return period_label(self.period)

    @property
    def what_zh(self) -> str:
        """'新泰市 · 企业建会入会情况 · 2026年第三季度 · 文件名' (or the nil return)."""
        thing = self.file_name if self.kind == "file" else f"“{self.nil_return}”"
        return f"{self.unit.label_zh} · {self.dataset_title} · {self.period_zh} · {thing}"

    @property
    def errors(self) -> list[dict]:
        return list(self.report.get("errors", []))

    @property
    def unexplained(self) -> list[LedgerWarning]:
        return [w for w in self.warnings if not (w.explanation or "").strip()]


def period_label(period: str) -> str:
    return Quarter.parse(period).label_zh if "Q" in period else f"{period}年度"


def _row(con: sqlite3.Connection, r: sqlite3.Row, with_warnings: bool = True) -> Submission:
    warnings: tuple[LedgerWarning, ...] = ()
    if with_warnings and r["warning_count"]:
        warnings = tuple(
            LedgerWarning(
                w["seq"], w["rule"], w["key"], w["row_number"], w["column_name"], w["message"], w["explanation"]
            )
            for w in con.execute("select * from submission_warnings where submission_id = ? order by seq", (r["id"],))
        )
    return Submission(
        id=r["id"],
        unit=unit_by_code(r["unit_kind"], r["unit_code"]),
        dataset=r["dataset"],
        period=r["period"],
        kind=r["kind"],
        nil_return=r["nil_return"],
        file_name=r["file_name"],
        sha256=r["sha256"],
        size=r["size"],
        markup_sha256=r["markup_sha256"],
        rows=r["rows"],
        error_count=r["error_count"],
        warning_count=r["warning_count"],
        report=json.loads(r["report"] or "{}"),
        status=r["status"],
        uploaded_by=r["uploaded_by"],
        uploaded_at=appstate.parse_stamp(r["uploaded_at"]),  # type: ignore[arg-type]
        submitted_by=r["submitted_by"],
        submitted_at=appstate.parse_stamp(r["submitted_at"]),
        late=bool(r["late"]),
        reviewed_by=r["reviewed_by"],
        reviewed_at=appstate.parse_stamp(r["reviewed_at"]),
        review_reason=r["review_reason"],
        superseded_by=r["superseded_by"],
        warnings=warnings,
    )


def get(con: sqlite3.Connection, submission_id: int) -> Submission:
    r = con.execute("select * from submissions where id = ?", (int(submission_id),)).fetchone()
    if r is None:
        raise LedgerError(f"找不到编号为 {submission_id} 的报送记录")
    return _row(con, r)


def history(
    con: sqlite3.Connection,
    *,
    unit: Unit | None = None,
    period: str | None = None,
    statuses: Sequence[str] = (),
    limit: int = 500,
) -> list[Submission]:
    """Ledger rows, newest first, narrowed to a unit, a period and/or statuses."""
    where, args = ["1 = 1"], []
    if unit is not None:
        where += ["unit_kind = ?", "unit_code = ?"]
        args += [unit.kind, unit.code]
    if period is not None:
        where.append("period = ?")
        args.append(period)
    if statuses:
        where.append(f"status in ({', '.join('?' * len(statuses))})")
        args += list(statuses)
    rows = con.execute(
        f"select * from submissions where {' and '.join(where)} order by id desc limit ?",  # placeholders only
        [*args, int(limit)],
    ).fetchall()
    return [_row(con, r) for r in rows]


def _cell_rows(con: sqlite3.Connection, unit: Unit, dataset_code: str, period: str) -> list[sqlite3.Row]:
    return con.execute(
        "select * from submissions where unit_kind = ? and unit_code = ? and dataset = ? and period = ?"
        " and status <> 'superseded' order by id",
        (unit.kind, unit.code, dataset_code, period),
    ).fetchall()


def _supersede(con: sqlite3.Connection, rows: Iterable[sqlite3.Row], statuses: Sequence[str], by: int) -> list[int]:
    ids = [r["id"] for r in rows if r["status"] in statuses and r["id"] != by]
    for i in ids:
        con.execute("update submissions set status = 'superseded', superseded_by = ? where id = ?", (by, i))
    return ids


def _details(unit: Unit, dataset_code: str, period: str, **more: Any) -> dict[str, Any]:
    return {"unit": unit.code, "unit_name": unit.label_zh, "dataset": dataset_code, "period": period, **more}


# ---------------------------------------------------------------- deadlines


def deadline_override(con: sqlite3.Connection, quarter: Quarter) -> dt.date | None:
    """An admin's deadline for a quarter's cycle (None: the roster's default, the 10th day after the quarter)."""
    value = appstate.get_setting(con, f"{DEADLINE_SETTING}{quarter}")
    return dt.date.fromisoformat(value) if value else None


def set_deadline(con: sqlite3.Connection, quarter: Quarter, when: dt.date | None, *, actor: Actor) -> None:
    """Set (or, with None, clear) a quarter's deadline: admins only; recorded in the audit log."""
    if not actor.admin:
        raise LedgerError("只有管理员可以修改报送截止日期")
    if when is not None and when <= quarter.last_day:
        raise LedgerError(f"截止日期应在{quarter.label_zh}结束（{quarter.last_day:%Y-%m-%d}）之后")
    before = deadline_override(con, quarter)
    with appstate.transaction(con):
        key = f"{DEADLINE_SETTING}{quarter}"
        if when is None:
            con.execute("delete from settings where key = ?", (key,))
        else:
            con.execute(
                "insert into settings (key, value, updated_at) values (?, ?, ?)"
                " on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at",
                (key, json.dumps(when.isoformat()), appstate.stamp(appstate.now())),
            )
        appstate.audit_in_transaction(
            con,
            actor.login,
            "deadline_change",
            {
                "quarter": str(quarter),
                "from": before.isoformat() if before else "默认",
                "to": when.isoformat() if when else "默认",
            },
        )


def owed_in(con: sqlite3.Connection, quarter: Quarter, unit: Unit | None = None) -> list[roster.Owed]:
    """The roster's cells of a quarter's cycle with the deadline in force."""
    return roster.owed(quarter, unit=unit, deadline_override=deadline_override(con, quarter))


def cell_deadline(con: sqlite3.Connection, unit: Unit, dataset_code: str, period: str) -> dt.date | None:
    """The deadline of one cell, or None when the roster owes nothing there (a late or extra file)."""
    # a yearly period is owed in the fourth quarter's cycle of its year (of the year before, for targets)
    candidates = [Quarter.parse(period)] if "Q" in period else [Quarter(int(period), 4), Quarter(int(period) - 1, 4)]
    for q in candidates:
        for o in owed_in(con, q, unit):
            if o.dataset == dataset_code and o.period == period:
                return o.deadline
    return None


def today() -> dt.date:
    """The local date (deadlines are dates where the units are)."""
    return dt.datetime.now().astimezone().date()


# ---------------------------------------------------------------- upload


@dataclass
class Upload:
    """What one upload produced: its ledger row and the feedback shown to the submitter."""

    submission: Submission
    feedback: feedback.Feedback | None
    notes: list[str] = field(default_factory=list)


def _period_for(ds_code: str, quarter: Quarter) -> str:
    from data_pipeline.templates import period_for

    return period_for(dataset(ds_code), quarter)


def _problem_dict(p: ingest.Problem, ds_code: str | None) -> dict[str, Any]:
    value = "" if ds_code in NO_VALUE_DATASETS else normalize.mask_ids_in(str(p.value or ""))
    return {"row": p.row_number, "column": p.column, "value": value, "rule": p.rule, "message": p.message}


def check(
    data: bytes,
    file_name: str,
    *,
    unit: Unit,
    quarter: Quarter,
    dataset_hint: str | None = None,
    warehouse: duckdb.DuckDBPyConnection | None = None,
) -> tuple[feedback.Feedback, str | None, str, list[str]]:
    """Feedback on one file for a unit, plus the ledger's own rules: (feedback, dataset, period, notes).

    The dataset is the one the file is recognised as (else `dataset_hint`); the period the one its rows agree on
    (else the quarter picked on the page). A dataset the unit does not owe is an error."""
    fb = feedback.feedback(data, file_name, unit=unit, con=warehouse, quarter=quarter, with_markup=False)
    notes: list[str] = []
    ds_code = fb.report.dataset or dataset_hint
    if fb.report.dataset and dataset_hint and fb.report.dataset != dataset_hint:
        notes.append(
            f"文件识别为“{dataset(fb.report.dataset).title_zh}”，不是所选的“{dataset(dataset_hint).title_zh}”，"
            "按文件内容登记"
        )
    if ds_code is None:
        return fb, None, str(quarter), notes
    picked = _period_for(ds_code, quarter)
    period = fb.report.period or picked
    if fb.report.period and fb.report.period != picked:
        notes.append(f"文件中的统计期为{period_label(period)}，与所选的{period_label(picked)}不同，按文件登记")
    if fb.report.status != "rejected" and unit.kind != "city" and ds_code not in duties(unit):
        owed = "、".join(dataset(d).title_zh for d in duties(unit))
        message = (
            f"{union_name(unit)}不报送“{dataset(ds_code).title_zh}”（本单位应报：{owed}）；"
            "请核对是否选错了文件，或请市总工会代为报送"
        )
        fb.errors.insert(0, ingest.Problem(0, "", "", "not_owed", message))
    return fb, ds_code, period, notes


def upload(
    con: sqlite3.Connection,
    data: bytes,
    file_name: str,
    *,
    unit: Unit,
    actor: Actor,
    quarter: Quarter,
    dataset_hint: str | None = None,
    warehouse: duckdb.DuckDBPyConnection | None = None,
    root: Path | None = None,
) -> Upload:
    """Check one uploaded file, keep its bytes and record it: status errors (not submittable) or draft.

    The same bytes uploaded again for the same cell while the earlier row is still unsubmitted reuse that row.
    The cell's earlier unsubmitted rows are superseded; submitted ones are untouched until this one is submitted."""
    if not actor.may_submit_for(unit):
        raise LedgerError(f"您的账号不能为{union_name(unit)}报送数据")
    if not data:
        raise LedgerError(f"文件“{file_name}”是空的，请重新选择文件")
    fb, ds_code, period, notes = check(
        data, file_name, unit=unit, quarter=quarter, dataset_hint=dataset_hint, warehouse=warehouse
    )
    if ds_code is None:
        raise LedgerError(f"无法识别文件“{file_name}”的数据类型，请先选择数据类型后再上传")
    sha = store(data, root)
    for r in _cell_rows(con, unit, ds_code, period):
        if r["sha256"] == sha and r["status"] in UNSUBMITTED:
            return Upload(get(con, r["id"]), fb, notes)
    markup_sha = store(fb.make_markup(data), root) if (fb.errors or fb.warnings) else None
    report = {
        "summary": fb.summary_zh(),
        "status": fb.report.status,
        "reason": fb.report.reason,
        "file_dataset": fb.report.dataset,
        "file_period": fb.report.period,
        "rows_total": fb.report.rows_total,
        "rows_skipped": fb.report.rows_skipped,
        "rows_with_errors": fb.rows_with_errors,
        "unknown_columns": list(fb.report.unknown_columns),
        "previous_period": fb.previous_period,
        "note": fb.note,
        "notes": notes,
        "errors": [_problem_dict(p, ds_code) for p in fb.errors[:MAX_STORED_ERRORS]],
        "errors_total": len(fb.errors),
    }
    status = "errors" if fb.errors else "draft"
    at = appstate.stamp(appstate.now())
    with appstate.transaction(con):
        cur = con.execute(
            "insert into submissions (unit_kind, unit_code, dataset, period, kind, file_name, sha256, size,"
            " markup_sha256, rows, error_count, warning_count, report, status, uploaded_by, uploaded_at)"
            " values (?, ?, ?, ?, 'file', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                unit.kind,
                unit.code,
                ds_code,
                period,
                feedback._safe_name(file_name),
                sha,
                len(data),
                markup_sha,
                len(fb.rows),
                len(fb.errors),
                len(fb.warnings),
                json.dumps(report, ensure_ascii=False),
                status,
                actor.login,
                at,
            ),
        )
        new_id = int(cur.lastrowid)  # type: ignore[arg-type]
        con.executemany(
            "insert into submission_warnings (submission_id, seq, rule, key, row_number, column_name, message)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [(new_id, k, w.rule, w.key, w.row_number, w.column, w.message) for k, w in enumerate(fb.warnings, 1)],
        )
        gone = _supersede(con, _cell_rows(con, unit, ds_code, period), UNSUBMITTED, new_id)
        appstate.audit_in_transaction(
            con,
            actor.login,
            "upload",
            _details(
                unit,
                ds_code,
                period,
                id=new_id,
                file=feedback._safe_name(file_name),
                sha256=sha,
                errors=len(fb.errors),
                warnings=len(fb.warnings),
                superseded=gone,
            ),
        )
    return Upload(get(con, new_id), fb, notes)


def earlier_explanations(con: sqlite3.Connection, submission: Submission) -> dict[tuple[str, str], str]:
    """Explanations given for the same warnings (rule, key) in the cell's earlier uploads, newest first wins:
    a corrected file does not make the unit type its explanations again."""
    rows = con.execute(
        "select w.rule, w.key, w.explanation from submission_warnings w join submissions s on s.id = w.submission_id"
        " where s.unit_kind = ? and s.unit_code = ? and s.dataset = ? and s.period = ? and s.id < ?"
        " and coalesce(w.explanation, '') <> '' order by s.id",
        (submission.unit.kind, submission.unit.code, submission.dataset, submission.period, submission.id),
    ).fetchall()
    return {(r["rule"], r["key"]): r["explanation"] for r in rows}


# ---------------------------------------------------------------- submit, nil return


def _late(con: sqlite3.Connection, unit: Unit, dataset_code: str, period: str) -> bool:
    due = cell_deadline(con, unit, dataset_code, period)
    return due is not None and today() > due


def submit(
    con: sqlite3.Connection, submission_id: int, *, actor: Actor, explanations: Mapping[int, str] | None = None
) -> Submission:
    """Submit an uploaded file for review: no errors, and a written explanation (上报说明) for every warning.

    `explanations`: warning seq → text (kept with the row; the reviewer reads them)."""
    s = get(con, submission_id)
    if not actor.may_submit_for(s.unit):
        raise LedgerError(f"您的账号不能为{union_name(s.unit)}报送数据")
    if s.status == "errors":
        raise LedgerError(f"文件“{s.file_name}”有 {s.error_count} 处错误，不能提交：请按问题清单修改后重新上传")
    if s.status != "draft":
        raise LedgerError(f"文件“{s.file_name}”的状态是“{s.status_zh}”，不能再次提交")
    texts = {int(k): " ".join(str(v).split())[:MAX_TEXT] for k, v in (explanations or {}).items()}
    missing = [w.seq for w in s.warnings if len(texts.get(w.seq) or (w.explanation or "").strip()) < MIN_EXPLANATION]
    if missing:
        which = "、".join(f"第{k}条" for k in missing)
        raise LedgerError(
            f"还有 {len(missing)} 条提示没有填写上报说明（{which}）：请核对数据，属实的写明原因（至少 {MIN_EXPLANATION} 个字）"
        )
    late = _late(con, s.unit, s.dataset, s.period)
    at = appstate.stamp(appstate.now())
    with appstate.transaction(con):
        for seq, text in texts.items():
            if text:
                con.execute(
                    "update submission_warnings set explanation = ? where submission_id = ? and seq = ?",
                    (text, s.id, seq),
                )
        changed = con.execute(
            "update submissions set status = 'pending', submitted_by = ?, submitted_at = ?, late = ?"
            " where id = ? and status = 'draft'",
            (actor.login, at, int(late), s.id),
        ).rowcount
        if not changed:
            raise LedgerError(f"文件“{s.file_name}”刚刚已被提交或替代，请刷新页面")
        gone = _supersede(con, _cell_rows(con, s.unit, s.dataset, s.period), ("pending", "returned"), s.id)
        appstate.audit_in_transaction(
            con,
            actor.login,
            "submit",
            _details(
                s.unit,
                s.dataset,
                s.period,
                id=s.id,
                file=s.file_name,
                sha256=s.sha256,
                warnings=s.warning_count,
                late=late,
                superseded=gone,
            ),
        )
    return get(con, s.id)


def submit_nil(con: sqlite3.Connection, *, unit: Unit, dataset_code: str, period: str, actor: Actor) -> Submission:
    """A nil return (本期无数据 / 无变化) instead of a file, where the duty roster allows one."""
    if not actor.may_submit_for(unit):
        raise LedgerError(f"您的账号不能为{union_name(unit)}报送数据")
    what = roster.nil_return(unit.kind, dataset_code)
    title = dataset(dataset_code).title_zh
    if not what:
        raise LedgerError(f"“{title}”必须报送文件，不能报“本期无数据”")
    rows = _cell_rows(con, unit, dataset_code, period)
    if any(r["kind"] == "nil" and r["status"] in ("pending", "accepted") for r in rows):
        raise LedgerError(f"{period_label(period)}的“{title}”已报“{what}”，无需重复报送")
    late = _late(con, unit, dataset_code, period)
    at = appstate.stamp(appstate.now())
    report = {"summary": f"{union_name(unit)}报告{period_label(period)}“{title}”{what}"}
    with appstate.transaction(con):
        cur = con.execute(
            "insert into submissions (unit_kind, unit_code, dataset, period, kind, nil_return, report, status,"
            " uploaded_by, uploaded_at, submitted_by, submitted_at, late)"
            " values (?, ?, ?, ?, 'nil', ?, ?, 'pending', ?, ?, ?, ?, ?)",
            (
                unit.kind,
                unit.code,
                dataset_code,
                period,
                what,
                json.dumps(report, ensure_ascii=False),
                actor.login,
                at,
                actor.login,
                at,
                int(late),
            ),
        )
        new_id = int(cur.lastrowid)  # type: ignore[arg-type]
        gone = _supersede(
            con, _cell_rows(con, unit, dataset_code, period), ("pending", "returned", *UNSUBMITTED), new_id
        )
        appstate.audit_in_transaction(
            con, actor.login, "nil_return", _details(unit, dataset_code, period, id=new_id, what=what, superseded=gone)
        )
    return get(con, new_id)


# ---------------------------------------------------------------- review


def accept(con: sqlite3.Connection, submission_id: int, *, actor: Actor) -> Submission:
    """Accept a pending submission (admins only); it replaces the cell's earlier accepted one."""
    if not actor.admin:
        raise LedgerError("只有管理员可以接收报送")
    s = get(con, submission_id)
    if s.status != "pending":
        raise LedgerError(f"该报送的状态是“{s.status_zh}”，只有“已提交待审”的报送可以接收")
    with appstate.transaction(con):
        changed = con.execute(
            "update submissions set status = 'accepted', reviewed_by = ?, reviewed_at = ?, review_reason = null"
            " where id = ? and status = 'pending'",
            (actor.login, appstate.stamp(appstate.now()), s.id),
        ).rowcount
        if not changed:
            raise LedgerError("该报送刚刚已被处理，请刷新页面")
        gone = _supersede(con, _cell_rows(con, s.unit, s.dataset, s.period), ("accepted",), s.id)
        appstate.audit_in_transaction(
            con,
            actor.login,
            "accept",
            _details(s.unit, s.dataset, s.period, id=s.id, file=s.file_name or s.nil_return, superseded=gone),
        )
    return get(con, s.id)


def send_back(con: sqlite3.Connection, submission_id: int, *, actor: Actor, reason: str) -> Submission:
    """Return a pending submission to its unit with a reason (admins only); the unit sees the reason."""
    if not actor.admin:
        raise LedgerError("只有管理员可以退回报送")
    reason = " ".join(str(reason or "").split())[:MAX_TEXT]
    if len(reason) < MIN_EXPLANATION:
        raise LedgerError(f"请写明退回原因（至少 {MIN_EXPLANATION} 个字），报送单位会看到它")
    s = get(con, submission_id)
    if s.status != "pending":
        raise LedgerError(f"该报送的状态是“{s.status_zh}”，只有“已提交待审”的报送可以退回")
    with appstate.transaction(con):
        changed = con.execute(
            "update submissions set status = 'returned', reviewed_by = ?, reviewed_at = ?, review_reason = ?"
            " where id = ? and status = 'pending'",
            (actor.login, appstate.stamp(appstate.now()), reason, s.id),
        ).rowcount
        if not changed:
            raise LedgerError("该报送刚刚已被处理，请刷新页面")
        appstate.audit_in_transaction(
            con,
            actor.login,
            "return",
            _details(s.unit, s.dataset, s.period, id=s.id, file=s.file_name or s.nil_return, reason=reason),
        )
    return get(con, s.id)


def accept_all(con: sqlite3.Connection, period: str, *, actor: Actor) -> list[Submission]:
    """Accept every pending submission of a period (the reviewer's 接收其余): each one as accept() does."""
    if not actor.admin:
        raise LedgerError("只有管理员可以接收报送")
    return [accept(con, s.id, actor=actor) for s in reversed(history(con, period=period, statuses=("pending",)))]


# ---------------------------------------------------------------- the status matrix


@dataclass(frozen=True)
class Cell:
    """One cell of the status matrix: what a unit owes for a dataset in a period, and where it stands."""

    owed: roster.Owed
    state: str  # one of CELL_STATES
    latest: Submission | None  # the submission the state is about (None: nothing submitted)
    in_force: Submission | None  # the accepted submission the next publish uses
    overdue: bool  # past the deadline without an accepted or pending submission

    @property
    def unit(self) -> Unit:
        return self.owed.unit

    @property
    def label_zh(self) -> str:
        """The state as the matrix shows it: 已接收（本期无数据）, 待审（逾期报送）, 已退回（上一版已接收）…"""
        extra = []
        s = self.latest
        if s is not None and s.kind == "nil" and self.state in (PENDING, ACCEPTED):
            extra.append(s.nil_return or "")
        if s is not None and s.late and self.state in (PENDING, ACCEPTED):
            extra.append("逾期报送")
        if self.in_force is not None and self.state in (PENDING, RETURNED, ERRORS):
            extra.append("上一版已接收")
        if self.overdue and self.state in (ERRORS, RETURNED):
            extra.append("逾期")
        return self.state + (f"（{'，'.join(extra)}）" if extra else "")


def cell_state(owed: roster.Owed, rows: Sequence[Submission], on: dt.date) -> Cell:
    """Where one cell stands, from its non-superseded ledger rows (oldest first)."""
    live = [r for r in rows if r.status != "superseded"]
    submitted = [r for r in live if r.status in SUBMITTED]
    in_force = next((r for r in reversed(live) if r.status == "accepted"), None)
    latest_sub = submitted[-1] if submitted else None
    failed = next((r for r in reversed(live) if r.status == "errors"), None)
    if failed is not None and latest_sub is not None and failed.id < latest_sub.id:
        failed = None  # an older failed upload was followed by a submission
    overdue = owed.overdue(on)
    if latest_sub is None:
        if failed is not None:
            return Cell(owed, ERRORS, failed, None, overdue)
        return Cell(owed, OVERDUE if overdue else NOT_IN, None, None, overdue)
    if latest_sub.status == "accepted":
        return Cell(owed, ACCEPTED, latest_sub, latest_sub, False)
    if latest_sub.status == "pending":
        return Cell(owed, PENDING, latest_sub, in_force, False)
    if failed is not None:  # returned, then a corrected file that still has errors
        return Cell(owed, ERRORS, failed, in_force, overdue and in_force is None)
    return Cell(owed, RETURNED, latest_sub, in_force, overdue and in_force is None)


@dataclass(frozen=True)
class Matrix:
    quarter: Quarter
    deadline: dt.date  # the quarterly deadline in force
    deadline_is_default: bool
    cells: tuple[Cell, ...]
    on: dt.date

    @property
    def counts(self) -> dict[str, int]:
        got = Counter(c.state for c in self.cells)
        return {s: got.get(s, 0) for s in CELL_STATES}

    def units(self) -> list[Unit]:
        seen: list[Unit] = []
        for c in self.cells:
            if c.unit not in seen:
                seen.append(c.unit)
        return seen

    def datasets(self) -> list[str]:
        seen: list[str] = []
        for c in self.cells:
            if c.owed.dataset not in seen:
                seen.append(c.owed.dataset)
        return seen

    def cell(self, unit: Unit, dataset_code: str) -> Cell | None:
        return next((c for c in self.cells if c.unit == unit and c.owed.dataset == dataset_code), None)

    def outstanding(self, unit: Unit) -> list[Cell]:
        """The unit's cells that still need it to act (nothing in, errors, returned)."""
        return [c for c in self.cells if c.unit == unit and c.state in (NOT_IN, OVERDUE, ERRORS, RETURNED)]

    def overdue_units(self) -> list[Unit]:
        return [u for u in self.units() if any(c.overdue for c in self.outstanding(u))]

    def reminder_facts(self, unit: Unit) -> Reminder | None:
        """What a reminder to a unit says (datasets not sent, returned with the reason, with errors; the earliest
        deadline; whether a nil return is possible), for a text in any language; None when nothing is outstanding."""
        cells = self.outstanding(unit)
        if not cells:
            return None
        due = min(c.owed.deadline for c in cells)
        return Reminder(
            unit=unit,
            quarter=self.quarter,
            missing=[c.owed.dataset for c in cells if c.state in (NOT_IN, OVERDUE)],
            returned=[
                (c.owed.dataset, (c.latest.review_reason or "") if c.latest is not None else "")
                for c in cells
                if c.state == RETURNED
            ],
            errors=[c.owed.dataset for c in cells if c.state == ERRORS],
            due=due,
            days_left=(due - self.on).days,
            nil=any(c.owed.nil_return for c in cells),
        )

    def reminder(self, unit: Unit) -> str | None:
        """A ready-to-paste reminder (企业微信 or SMS) for a unit with outstanding cells; None when it has none."""
        r = self.reminder_facts(unit)
        if r is None:
            return None
        title = {c.owed.dataset: c.owed.dataset_title for c in self.cells}
        items = [f"尚未报送：{'、'.join(title[d] for d in r.missing)}"] if r.missing else []
        for d, reason in r.returned:
            items.append(f"“{title[d]}”已退回{f'（{reason}）' if reason else ''}，请修改后重新提交")
        for d in r.errors:
            items.append(f"“{title[d]}”上传的文件有错误，请按问题清单修改后重新上传并提交")
        due = f"截止日期为{r.due.year}年{r.due.month}月{r.due.day}日"
        when = (
            f"{due}，已逾期{-r.days_left}天"
            if r.days_left < 0
            else (f"{due}（还有{r.days_left}天）" if r.days_left > 0 else "今天截止")
        )
        tail = "；确无数据的可直接点“本期无数据”或“无变化”" if r.nil else ""
        return (
            f"【数据报送提醒】{union_name(unit)}：{self.quarter.label_zh}“五大工程”数据{when}。"
            f"{'；'.join(items)}。请登录“五大工程”数据看板，在“数据报送”页下载模板、上传并提交{tail}。"
            "如有疑问请联系市总工会。"
        )


@dataclass(frozen=True)
class Reminder:
    """The facts of a reminder (Matrix.reminder_facts): dataset codes, the earliest deadline and days left to it
    (negative: overdue)."""

    unit: Unit
    quarter: Quarter
    missing: list[str]
    returned: list[tuple[str, str]]
    errors: list[str]
    due: dt.date
    days_left: int
    nil: bool


def matrix(
    con: sqlite3.Connection,
    quarter: Quarter,
    *,
    on: dt.date | None = None,
    units: Sequence[Unit] | None = None,
) -> Matrix:
    """The status matrix of a quarter's cycle: every owed cell of the roster with its state."""
    on = on or today()
    override = deadline_override(con, quarter)
    owed = [o for o in roster.owed(quarter, deadline_override=override) if units is None or o.unit in units]
    periods = sorted({o.period for o in owed})
    by_cell: dict[tuple[str, str, str, str], list[Submission]] = defaultdict(list)
    if periods:
        rows = con.execute(
            f"select * from submissions where period in ({', '.join('?' * len(periods))}) and status <> 'superseded'"
            " order by id",
            periods,
        ).fetchall()
        for r in rows:
            by_cell[(r["unit_kind"], r["unit_code"], r["dataset"], r["period"])].append(
                _row(con, r, with_warnings=False)
            )
    cells = tuple(cell_state(o, by_cell.get((o.unit.kind, o.unit.code, o.dataset, o.period), []), on) for o in owed)
    default = roster.owed(quarter)
    quarterly = next((o.deadline for o in default if o.frequency == "quarterly"), quarter.last_day)
    return Matrix(quarter, override or quarterly, override is None, cells, on)


# ---------------------------------------------------------------- what publish uses


def in_force(con: sqlite3.Connection) -> list[Submission]:
    """Every accepted submission (files and nil returns), oldest first: one per unit × dataset × period."""
    rows = con.execute("select * from submissions where status = 'accepted' order by reviewed_at, id").fetchall()
    return [_row(con, r, with_warnings=False) for r in rows]
