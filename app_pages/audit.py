"""审计日志 (admins only): sign-ins, failed sign-ins, sign-outs, exports, decks and account changes, filterable."""

import datetime as dt
import json

import pandas as pd
import streamlit as st

from data_pipeline import appstate
from reporting.i18n import code_label
from ui import auth
from ui.filters import lang, tr

st.title(tr("page_audit"), anchor=False)
if not auth.allowed("admin"):
    st.info(tr("admin_only_audit"), icon=":material/block:")
    st.stop()
st.caption(tr("audit_caption"))


language = lang()
ACTIONS = {  # an action's name, in the filter as in the table: appstate's Chinese words, or their English
    code: code_label("audit_action", code, "en") if language == "en" else zh
    for code, zh in appstate.AUDIT_ACTIONS_ZH.items()
}


with appstate.connect() as con:
    actors = appstate.audit_actors(con)
today = dt.date.today()
left, middle, right = st.columns([2, 2, 2])
picked_actors = left.multiselect(
    tr("col_login"), actors, placeholder=tr("audit_all_accounts"), key="audit_actors", select_all=False
)
picked_actions = middle.multiselect(
    tr("audit_action"),
    list(appstate.AUDIT_ACTIONS_ZH),
    format_func=ACTIONS.get,
    placeholder=tr("audit_all_actions"),
    key="audit_actions",
    select_all=False,  # nothing picked already means every action
)
window = right.date_input(tr("audit_dates"), (today - dt.timedelta(days=6), today), max_value=today, key="audit_dates")
start, end = window if isinstance(window, tuple) and len(window) == 2 else (window[0], window[0])  # type: ignore[index]
local = dt.datetime.now().astimezone().tzinfo
since = dt.datetime.combine(start, dt.time(0), tzinfo=local)
until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=local)

with appstate.connect() as con:
    entries = appstate.read_audit(
        con, actors=picked_actors, actions=picked_actions, since=since, until=until, limit=5000
    )
if not entries:
    st.info(tr("audit_none"), icon=":material/info:")
    st.stop()
table = pd.DataFrame(
    {
        tr("col_time"): [e.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S") for e in entries],
        tr("col_login"): [e.actor for e in entries],
        tr("audit_action"): [ACTIONS.get(e.action, e.action) for e in entries],
        tr("col_details"): [json.dumps(e.details, ensure_ascii=False) for e in entries],  # as recorded
    }
)
st.caption(tr("audit_count", n=len(table)))
st.dataframe(table, hide_index=True, width="stretch")
