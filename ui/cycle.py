"""The submission cycle on screen: the pages' registration, who acts, an upload's feedback, the status matrix,
the publish panel and the completeness notes. The rules live in data_pipeline.submissions / .publish /
.completeness; this module only draws them and passes the clicks on."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import streamlit as st

from data_pipeline import appstate, completeness, config, metrics, publish, roster, submissions, templates
from data_pipeline.reference import dataset, datasets
from data_pipeline.roster import Quarter, Unit
from data_pipeline.submissions import Actor, LedgerError, Submission, Upload
from reporting import format as fmt
from reporting.i18n import t
from ui import auth, data
from ui.filters import lang, names

log = logging.getLogger(__name__)

STATE_COLOURS = {  # background, text — red means behind, as everywhere on the dashboard
    submissions.NOT_IN: ("#f1f3f5", "#495057"),
    submissions.PENDING: ("#e7f0ff", "#1c4f9c"),
    submissions.ERRORS: ("#fff0e0", "#a15c00"),
    submissions.RETURNED: ("#fff0e0", "#a15c00"),
    submissions.ACCEPTED: ("#e6f4ea", "#1e6b34"),
    submissions.OVERDUE: ("#fde2e1", "#b3261e"),
}
STATE_ICONS = {
    submissions.NOT_IN: ":material/radio_button_unchecked:",
    submissions.PENDING: ":material/hourglass_top:",
    submissions.ERRORS: ":material/error:",
    submissions.RETURNED: ":material/undo:",
    submissions.ACCEPTED: ":material/check_circle:",
    submissions.OVERDUE: ":material/alarm:",
}
UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "csv", "parquet"]
QUARTERS_BACK = 8  # the quarters a unit may pick on the page: the reporting quarter and those before it


# ---------------------------------------------------------------- registration and identity


def pages() -> dict[str, list[st.Page]]:
    """The 报送 section: 数据报送 for roles that submit and for admins, 报送审核 for admins (not in open mode).

    Signed out, both are registered (the navigation is hidden and no page runs before sign-in): a link to
    /submit in a reminder opens the sign-in form and then the page, not Streamlit's “Page not found”."""
    identity = auth.current_identity()
    if identity is not None and identity.method == "open":
        return {}
    language = lang()
    out = []
    if identity is None or identity.can("submit") or identity.can("admin"):
        out.append(
            st.Page(
                "app_pages/submit.py",
                title=t("page_submit", language),
                url_path="submit",
                icon=":material/upload_file:",
            )
        )
    if identity is None or identity.can("admin"):
        out.append(
            st.Page(
                "app_pages/review.py", title=t("page_review", language), url_path="review", icon=":material/fact_check:"
            )
        )
    return {t("nav_submissions", language): out} if out else {}


def actor() -> Actor | None:
    """The signed-in account as it acts in the cycle (None for the open local user or nobody)."""
    identity = auth.current_identity()
    if identity is None or identity.account is None:
        return None
    account, admin = identity.account, identity.can("admin")
    try:
        unit = submissions.unit_of_account(account.county, account.chain, admin)
    except ValueError:
        unit = None
    return Actor(identity.login, unit, identity.can("submit"), admin)


@contextlib.contextmanager
def ledger() -> Iterator:
    with appstate.connect() as con:
        yield con


def say_refusal(exc: Exception) -> None:
    st.error(str(exc), icon=":material/block:")


def quarter_options() -> list[Quarter]:
    q = roster.reporting_quarter()
    out = [q]
    for _ in range(QUARTERS_BACK - 1):
        q = q.previous()
        out.append(q)
    return out


def quarter_picker(key: str, label: str = "统计期") -> Quarter:
    options = quarter_options()
    return st.selectbox(label, options, format_func=lambda q: q.label_zh, key=key)


def unit_picker(who: Actor, key: str) -> Unit | None:
    """A submitter's own unit (fixed); an admin may submit for any unit (the city union by default)."""
    if not who.admin:
        if who.unit is None:
            st.warning("您的账号没有所属的县市区或产业链，不能报送；请联系管理员设置。", icon=":material/block:")
            return None
        return who.unit
    options = [roster.CITY, *roster.units("county"), *roster.units("chain")]
    return st.selectbox(
        "报送单位（管理员可代任一单位报送）",
        options,
        format_func=submissions.union_name,
        key=key,
    )


# ---------------------------------------------------------------- the submission page


def unit_status(who: Actor, unit: Unit, quarter: Quarter) -> submissions.Matrix:
    """The unit's cells of the quarter: deadline, state, reasons of returned files; returns the unit's matrix."""
    with ledger() as con:
        m = submissions.matrix(con, quarter, units=[unit])
    for c in m.cells:
        if c.state == submissions.RETURNED and c.latest is not None:
            st.warning(
                f"“{c.owed.dataset_title}”（{submissions.period_label(c.owed.period)}，文件“{c.latest.file_name or c.latest.nil_return}”）"
                f"被市总工会退回：{c.latest.review_reason}。请修改后重新上传并提交。",
                icon=":material/undo:",
            )
    if not m.cells:
        st.info(f"{submissions.union_name(unit)}在{quarter.label_zh}没有应报的数据。", icon=":material/info:")
        return m
    rows = [
        {
            "数据类型": c.owed.dataset_title,
            "状态": c.label_zh,
            "截止日期": c.owed.deadline.isoformat(),
            "可报无数据": c.owed.nil_return or "—",
            "说明": c.owed.scope_zh,
        }
        for c in m.cells
    ]
    st.dataframe(
        _styled(pd.DataFrame(rows), ["状态"]),
        hide_index=True,
        width="stretch",
        key="unit_status",
        column_config={"状态": st.column_config.TextColumn(width="medium")},
    )
    return m


def template_and_nil(who: Actor, unit: Unit, quarter: Quarter) -> str:
    """Pick a dataset; download its template; the nil return button where the roster allows one. Returns it."""
    choices = submissions.duties(unit) if unit.kind != "city" or not who.admin else [d.dataset for d in datasets()]
    if unit.kind == "city":
        choices = list(dict.fromkeys([*submissions.duties(unit), *choices]))
    code = st.selectbox(
        "数据类型", choices, format_func=lambda c: dataset(c).title_zh, key=f"submit_dataset_{unit.kind}_{unit.code}"
    )
    ds = dataset(code)
    period = templates.period_for(ds, quarter)

    def make_template() -> bytes:
        with data.cursor() as cur:
            return templates.build_template(
                code, unit=unit if unit.kind != "city" else None, quarter=quarter, con=cur
            ).content

    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.download_button(
            f"下载模板：{templates.file_name_for(ds, period, unit if unit.kind != 'city' else None)}",
            data=make_template,
            file_name=templates.file_name_for(ds, period, unit if unit.kind != "city" else None),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key="template_download",
            on_click="ignore",
        )
        what = roster.nil_return(unit.kind, code)
        if what and st.button(f"报“{what}”", icon=":material/do_not_disturb_on:", key="nil_return"):
            _act(
                lambda con: submissions.submit_nil(con, unit=unit, dataset_code=code, period=period, actor=who),
                "已报送，等待市总工会审核",
            )
    if ds.dataset in ("enterprises", "innovation_studios", "service_sites"):
        st.caption("模板已预填本单位上期已发布的数据，只需更新数字、增删企业或名录。")
    return code


def uploads(who: Actor, unit: Unit, quarter: Quarter, dataset_hint: str) -> None:
    """The uploader (one or several files): each file checked and recorded once, then its feedback."""
    files = st.file_uploader(
        "上传填好的报送文件（可一次选择多个）",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="submit_files",
        help="支持 .xlsx、.xls、.csv（UTF-8 或 GBK）和 .parquet。上传后几秒内显示检查结果。",
    )
    done: dict = st.session_state.setdefault("_cycle_uploads", {})
    for f in files or []:
        key = (f.file_id, unit.kind, unit.code, str(quarter))
        if key not in done:
            try:
                with st.spinner(f"正在检查“{f.name}”……"), ledger() as con, data.cursor() as cur:
                    done[key] = submissions.upload(
                        con,
                        f.getvalue(),
                        f.name,
                        unit=unit,
                        actor=who,
                        quarter=quarter,
                        dataset_hint=dataset_hint,
                        warehouse=cur,
                    )
            except LedgerError as exc:
                say_refusal(exc)
                continue
        show_upload(who, done[key])


TABLE_ROWS = 50  # up to this many problems are listed as a table that wraps its text; more scroll in a grid


def problems(s: Submission, key: str) -> None:
    """The errors of an upload by row and column, with what to fix (the message names the value)."""
    frame = pd.DataFrame(
        [
            {"行": e["row"] if e["row"] else "—", "列": e["column"] or "—", "问题及修改方法": e["message"]}
            for e in s.errors
        ]
    )
    if len(frame) <= TABLE_ROWS:
        st.table(frame, hide_index=True)
        return
    st.caption(f"共 {len(frame)} 处，完整清单也在“下载标注了问题的文件”的“问题清单”工作表中。")
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "行": st.column_config.TextColumn(width="small"),
            "列": st.column_config.TextColumn(width="small"),
        },
    )


def _markup_name(s: Submission) -> str:
    return f"{Path(s.file_name or 'upload').stem}_问题标注.xlsx"


def show_upload(who: Actor, up: Upload) -> None:
    """One uploaded file: what it is, its errors by row and column, its warnings with a box each for the
    explanation, the marked-up copy, and 提交 (enabled without errors and with every warning explained)."""
    with ledger() as con:
        s = submissions.get(con, up.submission.id)
        earlier = submissions.earlier_explanations(con, s) if s.warnings else {}
    with st.container(border=True, key=f"upload_{s.id}"):
        st.markdown(f"**{s.file_name}** · {s.dataset_title} · {s.period_zh} · {s.status_zh}")
        st.caption(s.report.get("summary", ""))
        for note in s.report.get("notes", []) or []:
            st.caption(note)
        if s.report.get("note"):
            st.caption(s.report["note"])
        if s.status == "superseded":
            st.caption("已被之后上传或报送的文件替代。")
            return
        if s.errors:
            st.error(
                f"有 {s.report.get('errors_total', s.error_count)} 处错误，须修改后重新上传（提交按钮在没有错误后才可用）：",
                icon=":material/error:",
            )
            problems(s, key=f"errors_{s.id}")
        explanations: dict[int, str] = {}
        if s.warnings:
            st.warning(
                f"有 {len(s.warnings)} 处提示（与本单位上期已发布的数据相比异常）：请逐条核对，属实的写明上报说明，"
                "审核人会看到它。",
                icon=":material/report:",
            )
            explanations = _explanation_boxes(s, earlier)
        with st.container(horizontal=True, vertical_alignment="center"):
            if s.markup_sha256:
                st.download_button(
                    "下载标注了问题的文件",
                    data=lambda sha=s.markup_sha256: submissions.read(sha),
                    file_name=_markup_name(s),
                    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    icon=":material/download:",
                    key=f"markup_{s.id}",
                    on_click="ignore",
                )
            if s.status == "draft":
                missing = [k for k, v in explanations.items() if len((v or "").strip()) < submissions.MIN_EXPLANATION]
                clicked = st.button(
                    "提交", type="primary", icon=":material/send:", key=f"submit_{s.id}", disabled=bool(missing)
                )
                if missing:
                    st.caption("填写全部上报说明后（点击空白处或按 Ctrl+Enter 确认）即可提交。")
                if clicked:
                    _act(
                        lambda con: submissions.submit(con, s.id, actor=who, explanations=explanations),
                        "已提交，等待市总工会审核",
                    )
            elif s.status == "pending":
                st.success("已提交，等待市总工会审核。", icon=":material/hourglass_top:")


GROUP_AT = 10  # more warnings of one rule than this in a file: one explanation box for all of them
LISTED = 100  # the warnings of a group listed on the page (all of them are in the marked-up copy)


def _explanation_boxes(s: Submission, earlier: dict) -> dict[int, str]:
    """A box per warning; for a rule with many warnings in one file, one box for the rule's group (the same
    explanation is kept with each of them). Submitted: the explanations as they were sent. Returns seq → text."""
    groups: dict[str, list] = {}
    for w in s.warnings:
        groups.setdefault(w.rule, []).append(w)
    out: dict[int, str] = {}
    for rule, items in groups.items():
        if len(items) <= GROUP_AT:
            for w in items:
                st.markdown(f"{w.seq}. {w.message}")
                if s.status != "draft":
                    if w.explanation:
                        st.markdown(f"> 上报说明：{w.explanation}")
                    continue
                out[w.seq] = st.text_area(
                    f"第{w.seq}条提示的上报说明",
                    value=earlier.get((w.rule, w.key), ""),
                    key=f"explain_{s.id}_{w.seq}",
                    height=68,
                    max_chars=submissions.MAX_TEXT,
                    placeholder="例如：该企业本季度扩产新招工 300 人，数据属实",
                )
            continue
        first, last = items[0].seq, items[-1].seq
        with st.expander(f"第{first}–{last}条：同类提示共 {len(items)} 条（点击查看）"):
            for w in items[:LISTED]:
                st.markdown(f"{w.seq}. {w.message}")
            if len(items) > LISTED:
                st.caption(f"另有 {len(items) - LISTED} 条，见“下载标注了问题的文件”的“问题清单”。")
        if s.status != "draft":
            if items[0].explanation:
                st.markdown(f"> 上报说明（这 {len(items)} 条）：{items[0].explanation}")
            continue
        text = st.text_area(
            f"这 {len(items)} 条同类提示的上报说明（一条说明适用于全部 {len(items)} 条）",
            value=next((earlier[(w.rule, w.key)] for w in items if (w.rule, w.key) in earlier), ""),
            key=f"explain_{s.id}_{rule}",
            height=68,
            max_chars=submissions.MAX_TEXT,
        )
        out.update({w.seq: text for w in items})
    return out


def history_table(unit: Unit, *, key: str = "history") -> None:
    """The unit's own ledger: every upload and nil return, newest first, with status and the return reason."""
    with ledger() as con:
        rows = submissions.history(con, unit=unit, limit=200)
    if not rows:
        st.info("还没有报送记录。", icon=":material/info:")
        return
    frame = pd.DataFrame(
        [
            {
                "上传时间": _local(s.uploaded_at),
                "数据类型": s.dataset_title,
                "统计期": s.period_zh,
                "文件": s.file_name or f"（{s.nil_return}）",
                "状态": s.status_zh + ("（逾期报送）" if s.late else ""),
                "错误": s.error_count,
                "提示": s.warning_count,
                "审核意见": s.review_reason or "",
                "经办人": s.uploaded_by,
            }
            for s in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key=key)


def _local(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


# ---------------------------------------------------------------- the review page


def _styled(frame: pd.DataFrame, columns: list[str]):
    def colour(v: object) -> str:
        text = str(v or "")
        for state, (bg, fg) in STATE_COLOURS.items():
            if text.startswith(state):
                bold = (
                    "font-weight: 600;"
                    if state in (submissions.OVERDUE, submissions.ERRORS, submissions.RETURNED)
                    else ""
                )
                return f"background-color: {bg}; color: {fg}; {bold}"
        return ""

    return frame.style.map(colour, subset=columns)


def counts(m: submissions.Matrix) -> None:
    """How many cells (unit × dataset) are in each state, and how many units are late."""
    with st.container(horizontal=True, gap="small"):
        for state, n in m.counts.items():
            st.metric(state, n, border=True, width=118, help=_STATE_HELP[state])
    late = m.overdue_units()
    st.caption(
        f"按“单位 × 数据类型”计数，共 {len(m.cells)} 项；"
        + (f"{len(late)} 个单位有逾期未报的数据（表中红色）。" if late else "没有逾期的单位。")
    )


_STATE_HELP = {
    submissions.NOT_IN: "还没有报送，未到截止日期",
    submissions.PENDING: "已提交，等待审核",
    submissions.ERRORS: "上传的文件有错误，尚未能提交",
    submissions.RETURNED: "已退回单位修改",
    submissions.ACCEPTED: "已接收，下次发布时进入数据仓库",
    submissions.OVERDUE: "超过截止日期仍未报送",
}


def matrix_tables(m: submissions.Matrix) -> None:
    """One table per kind of unit (their duties differ): units × datasets with each cell's state, coloured."""
    for kind in roster.UNIT_KINDS:
        cells = [c for c in m.cells if c.unit.kind == kind]
        if not cells:
            continue
        titles = list(dict.fromkeys(c.owed.dataset_title for c in cells))
        rows = []
        for unit in dict.fromkeys(c.unit for c in cells):
            row = {"单位": unit.label_zh}
            for c in cells:
                if c.unit == unit:
                    row[c.owed.dataset_title] = c.label_zh
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["单位", *titles])
        st.markdown(f"**{roster.UNIT_KIND_ZH[kind]}**")
        st.dataframe(
            _styled(frame, titles),
            hide_index=True,
            width="stretch",
            key=f"matrix_{kind}",
            height=min(38 + 35 * len(frame), 420),
        )


def reminders(m: submissions.Matrix) -> None:
    overdue = m.overdue_units()
    waiting = [u for u in m.units() if m.outstanding(u)]
    if not waiting:
        st.success("所有单位都已报送。", icon=":material/check_circle:")
        return
    label = f"催报提醒：{len(overdue)} 个单位已逾期" if overdue else f"催报提醒：{len(waiting)} 个单位尚未报齐"
    with st.expander(f"{label}（展开后逐个复制）", icon=":material/campaign:"):
        st.caption("每个单位一段，可直接复制到企业微信或短信（右上角复制按钮）。")
        for unit in sorted(waiting, key=lambda u: u not in overdue):
            mark = " :red-badge[逾期]" if unit in overdue else ""
            st.markdown(f"**{submissions.union_name(unit)}**{mark}")
            st.code(m.reminder(unit) or "", language=None, wrap_lines=True)


def deadline_editor(who: Actor, quarter: Quarter, m: submissions.Matrix) -> None:
    """The quarter's deadline (data: the roster's default, or an admin's date for this quarter)."""
    how = "默认：季度结束后第10天" if m.deadline_is_default else "已调整"
    late = (m.on - m.deadline).days
    state = f"，已过 {late} 天" if late > 0 else ""
    with st.popover(f"截止日期 {m.deadline:%Y-%m-%d}（{how}{state}）", icon=":material/event:"):
        picked = st.date_input(
            f"{quarter.label_zh}的报送截止日期",
            value=m.deadline,
            min_value=quarter.last_day + dt.timedelta(days=1),
            key=f"deadline_{quarter}",
        )
        with st.container(horizontal=True):
            if st.button("保存", key=f"deadline_save_{quarter}", type="primary"):
                _deadline(who, quarter, picked)
            if not m.deadline_is_default and st.button("恢复默认", key=f"deadline_reset_{quarter}"):
                _deadline(who, quarter, None)


def _deadline(who: Actor, quarter: Quarter, when: dt.date | None) -> None:
    try:
        with ledger() as con:
            submissions.set_deadline(con, quarter, when, actor=who)
    except LedgerError as exc:
        say_refusal(exc)
        return
    st.session_state[FLASH] = f"已更新{quarter.label_zh}的截止日期"
    st.rerun()


def review_queue(who: Actor, m: submissions.Matrix) -> None:
    """The quarter's submitted files and nil returns, waiting ones first: open one to accept or return it."""
    periods = sorted({c.owed.period for c in m.cells})
    with ledger() as con:
        rows = [s for p in periods for s in submissions.history(con, period=p, statuses=submissions.SUBMITTED)]
    if not rows:
        st.info("本季度还没有提交的报送。", icon=":material/info:")
        return
    order = {"pending": 0, "returned": 1, "accepted": 2}
    rows.sort(key=lambda s: (order[s.status], -s.id))
    pending = [s for s in rows if s.status == "pending"]
    st.caption(
        f"待审 {len(pending)} 份，已退回 {sum(s.status == 'returned' for s in rows)} 份，已接收 {sum(s.status == 'accepted' for s in rows)} 份。"
    )
    picked = st.selectbox(
        "打开一份报送",
        rows,
        format_func=lambda s: f"[{s.status_zh}] {s.what_zh}",
        key=f"review_pick_{m.quarter}",
    )
    if picked is not None:
        submission_detail(who, picked)
    if len(pending) > 1 and st.button(
        f"接收全部待审（{len(pending)} 份）", icon=":material/done_all:", key=f"accept_all_{m.quarter}"
    ):
        try:
            with ledger() as con:
                done = [x for p in periods for x in submissions.accept_all(con, p, actor=who)]
        except LedgerError as exc:
            say_refusal(exc)
            return
        st.session_state[FLASH] = f"已接收 {len(done)} 份报送"
        st.rerun()


def submission_detail(who: Actor, s: Submission) -> None:
    """A submission as the reviewer sees it: report, warnings with the unit's explanations, files, and the
    accept / return buttons."""
    with st.container(border=True, key=f"review_{s.id}"):
        st.markdown(f"**{s.what_zh}** · {s.status_zh}" + (" · :red[逾期报送]" if s.late else ""))
        st.caption(
            f"上传：{s.uploaded_by} {_local(s.uploaded_at)}；提交：{s.submitted_by or '—'} {_local(s.submitted_at)}"
            + (f"；审核：{s.reviewed_by} {_local(s.reviewed_at)}" if s.reviewed_by else "")
        )
        st.markdown(s.report.get("summary", ""))
        if s.review_reason:
            st.warning(f"退回原因：{s.review_reason}", icon=":material/undo:")
        if s.errors:
            problems(s, key=f"review_errors_{s.id}")
        if s.warnings:
            notes = pd.DataFrame(
                [{"序号": w.seq, "提示": w.message, "上报说明": w.explanation or "（未填写）"} for w in s.warnings]
            )
            if len(notes) <= TABLE_ROWS:
                st.table(notes, hide_index=True)
            else:
                st.dataframe(notes, hide_index=True, width="stretch", key=f"review_warnings_{s.id}")
        elif s.kind == "file":
            st.caption("与上期相比没有异常提示。")
        with st.container(horizontal=True, vertical_alignment="center"):
            if s.sha256:
                st.download_button(
                    "下载原文件",
                    data=lambda sha=s.sha256: _audited_read(who, s, sha, "original"),
                    file_name=s.file_name or "upload",
                    icon=":material/download:",
                    key=f"original_{s.id}",
                    on_click="ignore",
                )
            if s.markup_sha256:
                st.download_button(
                    "下载问题标注文件",
                    data=lambda sha=s.markup_sha256: _audited_read(who, s, sha, "markup"),
                    file_name=_markup_name(s),
                    icon=":material/download:",
                    key=f"markup_review_{s.id}",
                    on_click="ignore",
                )
        if s.status != "pending":
            return
        reason = st.text_input("退回原因（退回时必填，报送单位会看到）", key=f"reason_{s.id}")
        with st.container(horizontal=True):
            if st.button("接收", type="primary", icon=":material/check:", key=f"accept_{s.id}"):
                _act(lambda con: submissions.accept(con, s.id, actor=who), "已接收")
            if st.button("退回", icon=":material/undo:", key=f"return_{s.id}"):
                _act(lambda con: submissions.send_back(con, s.id, actor=who, reason=reason), "已退回")


def _audited_read(who: Actor, s: Submission, sha: str, which: str) -> bytes:
    with ledger() as con:
        appstate.audit(con, who.login, "download_submission", {"id": s.id, "file": s.file_name, "which": which})
    return submissions.read(sha)


def _act(step, done: str) -> None:
    """Run one ledger step; on success say so at the top of the page after a rerun (so every table on the page
    shows the new state), else the rule's sentence here."""
    try:
        with ledger() as con:
            s = step(con)
    except LedgerError as exc:
        say_refusal(exc)
        return
    st.session_state[FLASH] = f"{done}：{s.what_zh}"
    st.rerun()


FLASH = "_cycle_flash"


def flash() -> None:
    """The sentence of the last step (set before a rerun), once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check:")


# ---------------------------------------------------------------- publish


def publish_panel(who: Actor) -> None:
    """The last publication and the 发布 button; while one runs, its progress refreshes every two seconds."""
    with ledger() as con:
        last = publish.latest(con)
        accepted = len(submissions.in_force(con))
        included = publish.included(con)
    waiting = sum(1 for i in _in_force_ids() if i not in included)
    base = "连同原有报送文件夹一起" if config.paths().raw.is_dir() else ""
    st.caption(
        f"发布会用已接收的 {accepted} 份报送（其中 {waiting} 份尚未发布）{base}重新构建数据仓库；"
        "构建成功后看板自动切换到新数据，失败则继续使用上一版并在此说明原因。"
    )
    if last is not None and last.active:
        _progress(last.id)
        return
    if last is not None:
        _publication_result(last)
    if st.button("发布", type="primary", icon=":material/publish:", key="publish"):
        try:
            with ledger() as con:
                publish.request(con, actor=who)
        except LedgerError as exc:
            say_refusal(exc)
            return
        st.rerun()


def _in_force_ids() -> list[int]:
    with ledger() as con:
        return [s.id for s in submissions.in_force(con)]


def _publication_result(p: publish.Publication) -> None:
    when = _local(p.finished_at)
    if p.status == "published":
        st.success(f"{when} {p.message}（{p.requested_by} 发起，用时 {p.seconds} 秒）", icon=":material/check_circle:")
    else:
        st.error(f"{when} 发布失败：{p.message}", icon=":material/error:")


@st.fragment(run_every=2)
def _progress(publication_id: int) -> None:
    with ledger() as con:
        publish.refresh(con)
        p = publish.get(con, publication_id)
    if p.active:
        st.info(f"{p.status_zh}（已用 {p.seconds or 0} 秒）：{p.progress or '准备中'}", icon=":material/sync:")
        st.button("另一次发布正在进行", disabled=True, key="publish_busy")
        return
    st.rerun(scope="app")


# ---------------------------------------------------------------- completeness (数据说明, overview)


def _units_in(scope) -> list[Unit] | None:
    if scope.everything:
        return None
    out: list[Unit] = []
    if scope.counties:
        out += [u for u in roster.units("county") if u.code in scope.counties]
    if scope.chains:
        out += [u for u in roster.units("chain") if u.code in scope.chains]
    return out


@st.cache_data(ttl=60, show_spinner=False)
def _ledger_received(data_version: str) -> list[completeness.Received]:
    """The submissions the last publication included (per published warehouse version)."""
    if not appstate.exists():
        return []
    with appstate.connect() as con:
        rows = [submissions.get(con, i) for i in sorted(publish.included(con))]
    return completeness.received_from_ledger(rows)


def quarter_completeness(view) -> list[completeness.QuarterCompleteness]:
    """The view's quarters (up to the data's last quarter), each with how complete the published data is."""
    through = view.info.get("data_through")
    last = Quarter(view.filters.year, view.filters.quarter_to)
    if through and "Q" in str(through):
        last = min(last, Quarter.parse(str(through)))
    first = Quarter(view.filters.year, view.filters.quarter_from)
    if last < first:
        return []
    files = completeness.received_from_manifest(data.ask(metrics.received_files))
    ledger_rows = _ledger_received(data.version() or "")
    units = _units_in(view.filters.scope)
    return [
        completeness.for_quarter(q, files, ledger_rows, units=units) for q in completeness.quarters_between(first, last)
    ]


def _unit_name(unit: Unit, language: str) -> str:
    if unit.kind == "county":
        return names("county", language).get(unit.code, unit.name_zh)
    if unit.kind == "chain":
        return names("chain", language).get(unit.code, unit.name_zh)
    return t("city_union", language)


def _missing_text(qc: completeness.QuarterCompleteness, language: str, limit: int = 4) -> str:
    parts = []
    for unit, titles in list(qc.missing.items())[:limit]:
        parts.append(t("completeness_unit_missing", language, unit=_unit_name(unit, language), n=len(titles)))
    more = len(qc.missing) - limit
    text = t("list_sep", language).join(parts)
    return text + (t("completeness_more", language, n=len(qc.missing)) if more > 0 else "")


def completeness_note(view) -> None:
    """One line for the overview: the last quarter in view, units complete / expected, who is missing."""
    try:
        quarters = quarter_completeness(view)
    except Exception:
        log.exception("could not compute completeness")
        return
    if not quarters:
        return
    qc = quarters[-1]
    if not qc.expected:
        return
    language = view.lang
    text = t(
        "completeness_line",
        language,
        quarter=_quarter_label(qc.quarter, language),
        complete=qc.complete_units,
        units=len(qc.units),
    )
    if qc.missing:  # a caption, not a warning: warnings on the overview mean a section failed
        text += t("completeness_missing", language, who=_missing_text(qc, language))
        st.caption(f":material/rule: :orange[{text}]")
    else:
        st.caption(f":material/task_alt: {text}")


def completeness_table(view) -> None:
    """The 数据说明 table: per quarter, units complete / expected, received / owed per dataset, the basis and the
    units still missing something."""
    language = view.lang
    quarters = quarter_completeness(view)
    if not quarters:
        st.info(t("no_periods", language))
        return
    st.caption(t("completeness_caption", language))
    titles = {d.title_zh: (d.title_en if language == "en" else d.title_zh) for d in datasets()}
    rows = []
    for qc in quarters:
        row: dict[str, object] = {
            t("completeness_period", language): _quarter_label(qc.quarter, language),
            t("completeness_units", language): f"{qc.complete_units}/{len(qc.units)}",
            t("completeness_share", language): f"{100 * qc.share:.0f}%" if qc.share is not None else "—",
        }
        for title, got, owed, _missing in qc.by_dataset():
            row[titles.get(title, title)] = f"{got}/{owed}"
        row[t("completeness_missing_col", language)] = (
            t("list_sep", language).join(_unit_name(u, language) for u in qc.missing) or "—"
        )
        row[t("completeness_basis", language)] = t(f"completeness_basis_{qc.basis}", language)
        rows.append(row)
    st.table(pd.DataFrame(rows), hide_index=True)


def _quarter_label(q: Quarter, language: str) -> str:
    return fmt.period(str(q), language)
