"""The submission cycle on screen: the pages' registration, who acts, an upload's feedback, the status matrix,
the publish panel and the completeness notes. The rules live in data_pipeline.submissions / .publish /
.completeness; this module only draws them and passes the clicks on."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from data_pipeline import appstate, completeness, config, metrics, publish, roster, submissions, templates
from data_pipeline.reference import dataset, datasets
from data_pipeline.roster import Quarter, Unit
from data_pipeline.submissions import Actor, LedgerError, Submission, Upload
from reporting import format as fmt
from reporting.i18n import code_label, t
from ui import auth, data
from ui.filters import lang, names, tr

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


def say_refusal(exc: Exception, key: str) -> None:
    """The rule's own sentence (data_pipeline writes it in Chinese; English mode says so). The keyed container
    (`zh_…`) marks text that stays Chinese by design; `key` is unique on the page."""
    with st.container(key=f"zh_refusal_{key}"):
        st.error(tr("refused", text=str(exc)), icon=":material/block:")


# ---------------------------------------------------------------- names in the session's language


def quarter_label(q: Quarter) -> str:
    """2026年第三季度 (Quarter.label_zh) or 2026 Q3."""
    return fmt.period(str(q), "en") if lang() == "en" else q.label_zh


def period_label(period: str) -> str:
    """A ledger period: 2026年第三季度 / 2025年度 (submissions.period_label), or 2026 Q3 / Year 2025."""
    if lang() != "en":
        return submissions.period_label(period)
    return fmt.period(period, "en") if "Q" in period else tr("cycle_year", year=period)


def dataset_title(code: str) -> str:
    ds = dataset(code)
    return ds.title_en if lang() == "en" else ds.title_zh


def unit_label(unit: Unit) -> str:
    """新泰市, 汽车及零部件产业链, 市总工会 (Unit.label_zh), or the reference's English names."""
    if lang() != "en":
        return unit.label_zh
    if unit.kind == "chain":
        return tr("chain_named", name=names("chain", "en").get(unit.code, unit.code))
    return _unit_name(unit, "en")


def union_label(unit: Unit) -> str:
    """How a reminder addresses a unit (submissions.union_name), or the same in English."""
    return _union_name(unit, lang())


def _union_name(unit: Unit, language: str) -> str:
    if language != "en":
        return submissions.union_name(unit)
    if unit.kind in ("county", "chain"):
        return t(f"union_{unit.kind}", language, name=names(unit.kind, "en").get(unit.code, unit.code))
    return t("union_city", language)


def state_label(state: str) -> str:
    """A matrix state (未报, 待审 … submissions.CELL_STATES) in the session's language."""
    return code_label("cell_state", state, lang())


def cell_label(c: submissions.Cell) -> str:
    """The state as the matrix shows it (Cell.label_zh: 待审（本期无数据，逾期报送）), each part translated."""
    text = c.label_zh
    if lang() != "en":
        return text
    _, _, rest = text.partition("（")
    notes = [code_label("cell_note", n, "en") for n in rest.removesuffix("）").split("，") if n] if rest else []
    return state_label(c.state) + (f" ({', '.join(notes)})" if notes else "")


def status_label(status: str) -> str:
    """A ledger row's status (submissions.STATUS_ZH) in the session's language."""
    return code_label("ledger_status", status, lang())


def nil_label(what: str | None) -> str:
    """本期无数据 / 无变化 in the session's language."""
    return code_label("nil_return", what, lang()) if what else ""


def what_label(s: Submission) -> str:
    """'新泰市 · 企业建会入会情况 · 2026年第三季度 · 文件名' (Submission.what_zh), or the same in English."""
    if lang() != "en":
        return s.what_zh
    thing = s.file_name if s.kind == "file" else f"“{nil_label(s.nil_return)}”"
    return f"{unit_label(s.unit)} · {dataset_title(s.dataset)} · {period_label(s.period)} · {thing}"


def upload_summary(s: Submission) -> str:
    """The upload's one-line summary: as the checks stored it (Chinese), or made again in English from the
    report's counts."""
    r = s.report
    if lang() != "en":
        return r.get("summary", "")
    name = s.file_name or ""
    if r.get("status") == "rejected":
        return tr("upload_summary_rejected", file=name)
    head = tr(
        "upload_summary_head", file=name, title=dataset_title(r.get("file_dataset") or s.dataset), rows=s.rows or 0
    )
    errors = int(r.get("errors_total", s.error_count) or 0)
    if not errors and not s.warning_count:
        return head + tr("upload_summary_passed")
    parts = [tr("upload_summary_errors", rows=r.get("rows_with_errors", 0), n=errors)] if errors else []
    if s.warning_count:
        parts.append(tr("upload_summary_warnings", n=s.warning_count))
    return f"{head}: " + "; ".join(parts)


def labelled(options: list, label_of: Callable[[Any], str]) -> Callable[[Any], str]:
    """A selectbox's format_func holding the labels made now, in this run's language (Streamlit may call it again
    outside the run, where the session's language cannot be read)."""
    labels = [label_of(o) for o in options]
    return lambda o: labels[options.index(o)]


def quarter_options() -> list[Quarter]:
    q = roster.reporting_quarter()
    out = [q]
    for _ in range(QUARTERS_BACK - 1):
        q = q.previous()
        out.append(q)
    return out


def quarter_picker(key: str, label: str | None = None) -> Quarter:
    options = quarter_options()
    return st.selectbox(label or tr("cycle_quarter"), options, format_func=labelled(options, quarter_label), key=key)


def unit_picker(who: Actor, key: str) -> Unit | None:
    """A submitter's own unit (fixed); an admin may submit for any unit (the city union by default)."""
    if not who.admin:
        if who.unit is None:
            st.warning(tr("submit_no_unit"), icon=":material/block:")
            return None
        return who.unit
    options = [roster.CITY, *roster.units("county"), *roster.units("chain")]
    return st.selectbox(tr("submit_unit"), options, format_func=labelled(options, union_label), key=key)


# ---------------------------------------------------------------- the submission page


def unit_status(who: Actor, unit: Unit, quarter: Quarter) -> submissions.Matrix:
    """The unit's cells of the quarter: deadline, state, reasons of returned files; returns the unit's matrix."""
    with ledger() as con:
        m = submissions.matrix(con, quarter, units=[unit])
    for c in m.cells:
        if c.state == submissions.RETURNED and c.latest is not None:
            st.warning(
                tr(
                    "submit_returned",
                    title=dataset_title(c.owed.dataset),
                    period=period_label(c.owed.period),
                    file=c.latest.file_name or nil_label(c.latest.nil_return),
                    reason=c.latest.review_reason,
                ),
                icon=":material/undo:",
            )
    if not m.cells:
        st.info(
            tr("submit_nothing_owed", unit=union_label(unit), quarter=quarter_label(quarter)), icon=":material/info:"
        )
        return m
    state = tr("col_state")
    rows = [
        {
            tr("cycle_dataset"): dataset_title(c.owed.dataset),
            state: cell_label(c),
            tr("col_deadline"): c.owed.deadline.isoformat(),
            tr("col_nil"): nil_label(c.owed.nil_return) or "—",
            tr("col_duty"): code_label("duty_scope", c.owed.scope_zh, lang()),
        }
        for c in m.cells
    ]
    st.dataframe(
        _styled(pd.DataFrame(rows), [state]),
        hide_index=True,
        width="stretch",
        key="unit_status",
        column_config={state: st.column_config.TextColumn(width="medium")},
    )
    return m


def template_and_nil(who: Actor, unit: Unit, quarter: Quarter) -> str:
    """Pick a dataset; download its template; the nil return button where the roster allows one. Returns it."""
    choices = submissions.duties(unit) if unit.kind != "city" or not who.admin else [d.dataset for d in datasets()]
    if unit.kind == "city":
        choices = list(dict.fromkeys([*submissions.duties(unit), *choices]))
    code = st.selectbox(
        tr("cycle_dataset"),
        choices,
        format_func=labelled(choices, dataset_title),
        key=f"submit_dataset_{unit.kind}_{unit.code}",
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
            tr("template_download", file=templates.file_name_for(ds, period, unit if unit.kind != "city" else None)),
            data=make_template,
            file_name=templates.file_name_for(ds, period, unit if unit.kind != "city" else None),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key="template_download",
            on_click="ignore",
        )
        what = roster.nil_return(unit.kind, code)
        if what and st.button(
            tr("nil_send", what=nil_label(what)), icon=":material/do_not_disturb_on:", key="nil_return"
        ):
            _act(
                lambda con: submissions.submit_nil(con, unit=unit, dataset_code=code, period=period, actor=who),
                tr("nil_sent"),
            )
    if ds.dataset in ("enterprises", "innovation_studios", "service_sites"):
        st.caption(tr("template_prefilled"))
    return code


def uploads(who: Actor, unit: Unit, quarter: Quarter, dataset_hint: str) -> None:
    """The uploader (one or several files): each file checked and recorded once, then its feedback."""
    files = st.file_uploader(
        tr("upload_label"),
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="submit_files",
        help=tr("upload_help"),
    )
    done: dict = st.session_state.setdefault("_cycle_uploads", {})
    for f in files or []:
        key = (f.file_id, unit.kind, unit.code, str(quarter))
        if key not in done:
            try:
                with st.spinner(tr("upload_checking", file=f.name)), ledger() as con, data.cursor() as cur:
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
                say_refusal(exc, f"upload_{f.file_id}")
                continue
        show_upload(who, done[key])


TABLE_ROWS = 50  # up to this many problems are listed as a table that wraps its text; more scroll in a grid


def problems(s: Submission, key: str) -> None:
    """The errors of an upload by row and column, with what to fix (the message names the value)."""
    row, column = tr("col_row"), tr("col_column")
    frame = pd.DataFrame(
        [
            {row: e["row"] if e["row"] else "—", column: e["column"] or "—", tr("col_problem"): e["message"]}
            for e in s.errors
        ]
    )
    if lang() == "en":
        st.caption(tr("checks_in_chinese"))
    if len(frame) <= TABLE_ROWS:
        st.table(frame, hide_index=True)
        return
    st.caption(tr("problems_more", n=len(frame)))
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            row: st.column_config.TextColumn(width="small"),
            column: st.column_config.TextColumn(width="small"),
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
        st.markdown(
            f"**{s.file_name}** · {dataset_title(s.dataset)} · {period_label(s.period)} · {status_label(s.status)}"
        )
        st.caption(upload_summary(s))
        notes = [*(s.report.get("notes") or []), *([s.report["note"]] if s.report.get("note") else [])]
        if notes:
            with st.container(key=f"zh_notes_{s.id}"):  # sentences of the checks: Chinese by design
                for note in notes:
                    st.caption(tr("checks_said", text=note))
        if s.status == "superseded":
            st.caption(tr("upload_superseded"))
            return
        if s.errors:
            st.error(tr("upload_errors", n=s.report.get("errors_total", s.error_count)), icon=":material/error:")
            problems(s, key=f"errors_{s.id}")
        explanations: dict[int, str] = {}
        if s.warnings:
            st.warning(tr("upload_warnings", n=len(s.warnings)), icon=":material/report:")
            explanations = _explanation_boxes(s, earlier)
        with st.container(horizontal=True, vertical_alignment="center"):
            if s.markup_sha256:
                st.download_button(
                    tr("download_markup"),
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
                    tr("submit"), type="primary", icon=":material/send:", key=f"submit_{s.id}", disabled=bool(missing)
                )
                if missing:
                    st.caption(tr("submit_explain_first"))
                if clicked:
                    _act(
                        lambda con: submissions.submit(con, s.id, actor=who, explanations=explanations),
                        tr("submitted_flash"),
                    )
            elif s.status == "pending":
                st.success(tr("submitted_pending"), icon=":material/hourglass_top:")


GROUP_AT = 10  # more warnings of one rule than this in a file: one explanation box for all of them
LISTED = 100  # the warnings of a group listed on the page (all of them are in the marked-up copy)


def _explanation_boxes(s: Submission, earlier: dict) -> dict[int, str]:
    """A box per warning; for a rule with many warnings in one file, one box for the rule's group (the same
    explanation is kept with each of them). Submitted: the explanations as they were sent. Returns seq → text.
    The warnings' own sentences are the checks' (Chinese by design): each sits in a `zh_…` container."""
    if lang() == "en":
        st.caption(tr("checks_in_chinese"))
    groups: dict[str, list] = {}
    for w in s.warnings:
        groups.setdefault(w.rule, []).append(w)
    out: dict[int, str] = {}
    for rule, items in groups.items():
        if len(items) <= GROUP_AT:
            for w in items:
                with st.container(key=f"zh_warning_{s.id}_{w.seq}"):
                    st.markdown(f"{w.seq}. {w.message}")
                if s.status != "draft":
                    if w.explanation:
                        st.markdown("> " + tr("explanation_given", text=w.explanation))
                    continue
                out[w.seq] = st.text_area(
                    tr("explain_label", seq=w.seq),
                    value=earlier.get((w.rule, w.key), ""),
                    key=f"explain_{s.id}_{w.seq}",
                    height=68,
                    max_chars=submissions.MAX_TEXT,
                    placeholder=tr("explain_placeholder"),
                )
            continue
        first, last = items[0].seq, items[-1].seq
        with st.expander(tr("warnings_group", first=first, last=last, n=len(items))):
            with st.container(key=f"zh_warnings_{s.id}_{rule}"):
                for w in items[:LISTED]:
                    st.markdown(f"{w.seq}. {w.message}")
            if len(items) > LISTED:
                st.caption(tr("warnings_more", n=len(items) - LISTED))
        if s.status != "draft":
            if items[0].explanation:
                st.markdown("> " + tr("explanation_group_given", n=len(items), text=items[0].explanation))
            continue
        text = st.text_area(
            tr("explain_group_label", n=len(items)),
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
        st.info(tr("history_none"), icon=":material/info:")
        return
    frame = pd.DataFrame(
        [
            {
                tr("col_uploaded"): _local(s.uploaded_at),
                tr("cycle_dataset"): dataset_title(s.dataset),
                tr("col_period"): period_label(s.period),
                tr("col_file"): s.file_name or tr("nil_in_brackets", what=nil_label(s.nil_return)),
                tr("col_state"): status_label(s.status) + (tr("sent_late") if s.late else ""),
                tr("col_errors"): s.error_count,
                tr("col_warnings"): s.warning_count,
                tr("col_review_note"): s.review_reason or "",
                tr("col_by"): s.uploaded_by,
            }
            for s in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key=key)


def _local(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else ""


# ---------------------------------------------------------------- the review page


def _styled(frame: pd.DataFrame, columns: list[str]):
    labels = {state: state_label(state) for state in STATE_COLOURS}  # each language's labels start distinctly

    def colour(v: object) -> str:
        text = str(v or "")
        for state, (bg, fg) in STATE_COLOURS.items():
            if text.startswith(labels[state]):
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
            st.metric(state_label(state), n, border=True, width=118, help=code_label("cell_state_help", state, lang()))
    late = m.overdue_units()
    st.caption(
        tr("matrix_counted", n=len(m.cells)) + (tr("matrix_late", n=len(late)) if late else tr("matrix_none_late"))
    )


def matrix_tables(m: submissions.Matrix) -> None:
    """One table per kind of unit (their duties differ): units × datasets with each cell's state, coloured."""
    for kind in roster.UNIT_KINDS:
        cells = [c for c in m.cells if c.unit.kind == kind]
        if not cells:
            continue
        titles = list(dict.fromkeys(dataset_title(c.owed.dataset) for c in cells))
        first = tr("col_reporting_unit")
        rows = []
        for unit in dict.fromkeys(c.unit for c in cells):
            row = {first: unit_label(unit)}
            for c in cells:
                if c.unit == unit:
                    row[dataset_title(c.owed.dataset)] = cell_label(c)
            rows.append(row)
        frame = pd.DataFrame(rows, columns=[first, *titles])
        st.markdown(f"**{code_label('unit_kind', kind, lang())}**")
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
        st.success(tr("reminders_all_in"), icon=":material/check_circle:")
        return
    label = tr("reminders_overdue", n=len(overdue)) if overdue else tr("reminders_waiting", n=len(waiting))
    with st.expander(tr("reminders_open", label=label), icon=":material/campaign:"):
        st.caption(tr("reminders_caption"))
        for unit in sorted(waiting, key=lambda u: u not in overdue):
            mark = f" :red-badge[{state_label(submissions.OVERDUE)}]" if unit in overdue else ""
            st.markdown(f"**{union_label(unit)}**{mark}")
            facts = m.reminder_facts(unit)
            st.code(reminder_text(facts) if facts else "", language=None, wrap_lines=True)


def reminder_text(r: submissions.Reminder, language: str | None = None) -> str:
    """A ready-to-paste reminder in the session's language (in Chinese, the text of Matrix.reminder)."""
    language = language or lang()
    en = language == "en"

    def title(code: str) -> str:
        ds = dataset(code)
        return ds.title_en if en else ds.title_zh

    items = []
    if r.missing:
        items.append(t("reminder_missing", language, titles=t("list_sep", language).join(map(title, r.missing))))
    for code, reason in r.returned:
        why = t("reminder_reason", language, reason=reason) if reason else ""
        items.append(t("reminder_returned", language, title=title(code), reason=why))
    items += [t("reminder_errors", language, title=title(code)) for code in r.errors]
    date = f"{r.due:%Y-%m-%d}" if en else f"{r.due.year}年{r.due.month}月{r.due.day}日"
    if r.days_left < 0:
        when = t("reminder_overdue", language, date=date, n=-r.days_left)
    elif r.days_left > 0:
        when = t("reminder_due_in", language, date=date, n=r.days_left)
    else:
        when = t("reminder_due_today", language)
    quarter = fmt.period(str(r.quarter), "en") if en else r.quarter.label_zh
    union = _union_name(r.unit, language)
    how = t("reminder_how", language, nil=t("reminder_nil", language) if r.nil else "")
    return t(
        "reminder_text",
        language,
        union=union,
        quarter=quarter,
        when=when,
        items=t("reminder_sep", language).join(items),
        how=how,
    )


def deadline_editor(who: Actor, quarter: Quarter, m: submissions.Matrix) -> None:
    """The quarter's deadline (data: the roster's default, or an admin's date for this quarter)."""
    how = tr("deadline_default") if m.deadline_is_default else tr("deadline_changed")
    late = (m.on - m.deadline).days
    past = tr("deadline_past", n=late) if late > 0 else ""
    with st.popover(tr("deadline_button", date=f"{m.deadline:%Y-%m-%d}", how=how, past=past), icon=":material/event:"):
        picked = st.date_input(
            tr("deadline_pick", quarter=quarter_label(quarter)),
            value=m.deadline,
            min_value=quarter.last_day + dt.timedelta(days=1),
            key=f"deadline_{quarter}",
        )
        with st.container(horizontal=True):
            if st.button(tr("save"), key=f"deadline_save_{quarter}", type="primary"):
                _deadline(who, quarter, picked)
            if not m.deadline_is_default and st.button(tr("deadline_reset"), key=f"deadline_reset_{quarter}"):
                _deadline(who, quarter, None)


def _deadline(who: Actor, quarter: Quarter, when: dt.date | None) -> None:
    try:
        with ledger() as con:
            submissions.set_deadline(con, quarter, when, actor=who)
    except LedgerError as exc:
        say_refusal(exc, "deadline")
        return
    st.session_state[FLASH] = tr("deadline_saved", quarter=quarter_label(quarter))
    st.rerun()


def review_queue(who: Actor, m: submissions.Matrix) -> None:
    """The quarter's submitted files and nil returns, waiting ones first: open one to accept or return it."""
    periods = sorted({c.owed.period for c in m.cells})
    with ledger() as con:
        rows = [s for p in periods for s in submissions.history(con, period=p, statuses=submissions.SUBMITTED)]
    if not rows:
        st.info(tr("review_none"), icon=":material/info:")
        return
    order = {"pending": 0, "returned": 1, "accepted": 2}
    rows.sort(key=lambda s: (order[s.status], -s.id))
    pending = [s for s in rows if s.status == "pending"]
    returned, accepted = (sum(s.status == status for s in rows) for status in ("returned", "accepted"))
    st.caption(tr("review_counts", pending=len(pending), returned=returned, accepted=accepted))
    picked = st.selectbox(
        tr("review_open"),
        rows,
        format_func=labelled(rows, lambda s: f"[{status_label(s.status)}] {what_label(s)}"),
        key=f"review_pick_{m.quarter}",
    )
    if picked is not None:
        submission_detail(who, picked)
    if len(pending) > 1 and st.button(
        tr("accept_all", n=len(pending)), icon=":material/done_all:", key=f"accept_all_{m.quarter}"
    ):
        try:
            with ledger() as con:
                done = [x for p in periods for x in submissions.accept_all(con, p, actor=who)]
        except LedgerError as exc:
            say_refusal(exc, "accept_all")
            return
        st.session_state[FLASH] = tr("accepted_n", n=len(done))
        st.rerun()


def submission_detail(who: Actor, s: Submission) -> None:
    """A submission as the reviewer sees it: report, warnings with the unit's explanations, files, and the
    accept / return buttons."""
    with st.container(border=True, key=f"review_{s.id}"):
        st.markdown(
            f"**{what_label(s)}** · {status_label(s.status)}" + (f" · :red[{tr('late_mark')}]" if s.late else "")
        )
        st.caption(
            tr(
                "review_trail",
                up=s.uploaded_by,
                up_at=_local(s.uploaded_at),
                sub=s.submitted_by or "—",
                sub_at=_local(s.submitted_at),
            )
            + (tr("review_trail_reviewed", by=s.reviewed_by, at=_local(s.reviewed_at)) if s.reviewed_by else "")
        )
        st.markdown(upload_summary(s))
        if s.review_reason:
            st.warning(tr("return_reason_shown", reason=s.review_reason), icon=":material/undo:")
        if s.errors:
            problems(s, key=f"review_errors_{s.id}")
        if s.warnings:
            notes = pd.DataFrame(
                [
                    {
                        tr("col_seq"): w.seq,
                        tr("col_warning"): w.message,
                        tr("col_explanation"): w.explanation or tr("not_filled"),
                    }
                    for w in s.warnings
                ]
            )
            if len(notes) <= TABLE_ROWS:
                st.table(notes, hide_index=True)
            else:
                st.dataframe(notes, hide_index=True, width="stretch", key=f"review_warnings_{s.id}")
        elif s.kind == "file":
            st.caption(tr("no_warnings"))
        with st.container(horizontal=True, vertical_alignment="center"):
            if s.sha256:
                st.download_button(
                    tr("download_original"),
                    data=lambda sha=s.sha256: _audited_read(who, s, sha, "original"),
                    file_name=s.file_name or "upload",
                    icon=":material/download:",
                    key=f"original_{s.id}",
                    on_click="ignore",
                )
            if s.markup_sha256:
                st.download_button(
                    tr("download_markup_review"),
                    data=lambda sha=s.markup_sha256: _audited_read(who, s, sha, "markup"),
                    file_name=_markup_name(s),
                    icon=":material/download:",
                    key=f"markup_review_{s.id}",
                    on_click="ignore",
                )
        if s.status != "pending":
            return
        reason = st.text_input(tr("return_reason_label"), key=f"reason_{s.id}")
        with st.container(horizontal=True):
            if st.button(tr("accept"), type="primary", icon=":material/check:", key=f"accept_{s.id}"):
                _act(lambda con: submissions.accept(con, s.id, actor=who), tr("accepted_flash"))
            if st.button(tr("send_back"), icon=":material/undo:", key=f"return_{s.id}"):
                _act(lambda con: submissions.send_back(con, s.id, actor=who, reason=reason), tr("returned_flash"))


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
        say_refusal(exc, "step")
        return
    st.session_state[FLASH] = tr("flash_done", done=done, what=what_label(s))
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
    base = tr("publish_base") if config.paths().raw.is_dir() else ""
    st.caption(tr("publish_caption", accepted=accepted, waiting=waiting, base=base))
    if last is not None and last.active:
        _progress(last.id)
        return
    if last is not None:
        _publication_result(last)
    if st.button(tr("publish"), type="primary", icon=":material/publish:", key="publish"):
        try:
            with ledger() as con:
                publish.request(con, actor=who)
        except LedgerError as exc:
            say_refusal(exc, "publish")
            return
        st.rerun()


def _in_force_ids() -> list[int]:
    with ledger() as con:
        return [s.id for s in submissions.in_force(con)]


def _publication_result(p: publish.Publication) -> None:
    when = _local(p.finished_at)
    if p.status == "published" and (lang() != "en" or "files_loaded" in p.result):
        message = p.message
        if lang() == "en":  # the same sentence from the publication's counts
            through = p.result.get("data_through")
            message = tr(
                "published_message",
                files=p.result["files_loaded"],
                rows=p.result.get("rows_loaded", 0),
                through=tr("published_through", period=fmt.period(through, "en")) if through else "",
            )
        line = tr("published_line", when=when, message=message, who=p.requested_by, seconds=p.seconds)
        st.success(line, icon=":material/check_circle:")
        return
    with st.container(key="zh_publication"):  # the build's own sentence: Chinese by design
        if p.status == "published":
            message = tr("as_written", text=p.message)
            line = tr("published_line", when=when, message=message, who=p.requested_by, seconds=p.seconds)
            st.success(line, icon=":material/check_circle:")
        else:
            st.error(tr("publish_failed", when=when, message=p.message), icon=":material/error:")


@st.fragment(run_every=2)
def _progress(publication_id: int) -> None:
    with ledger() as con:
        publish.refresh(con)
        p = publish.get(con, publication_id)
    if p.active:
        with st.container(key="zh_publish_progress"):  # the build's progress sentences: Chinese by design
            status = code_label("publication", p.status, lang())
            progress = p.progress or tr("publish_preparing")
            st.info(
                tr("publish_progress", status=status, seconds=p.seconds or 0, progress=progress), icon=":material/sync:"
            )
        st.button(tr("publish_busy"), disabled=True, key="publish_busy")
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
