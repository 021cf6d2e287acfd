"""审计日志 (admins only): sign-ins, failed sign-ins, sign-outs, exports, decks and account changes, filterable."""

import datetime as dt
import json

import pandas as pd
import streamlit as st

from data_pipeline import appstate
from ui import auth

st.title("审计日志", anchor=False)
if not auth.allowed("admin"):
    st.info("只有管理员可以查看审计日志。", icon=":material/block:")
    st.stop()
st.caption("谁在什么时间做了什么：登录、登录失败、退出、导出、生成简报、账号与权限变更。日志不记录密码和身份证号。")

with appstate.connect() as con:
    actors = appstate.audit_actors(con)
today = dt.date.today()
left, middle, right = st.columns([2, 2, 2])
picked_actors = left.multiselect("账号", actors, placeholder="全部账号", key="audit_actors")
picked_actions = middle.multiselect(
    "操作",
    list(appstate.AUDIT_ACTIONS_ZH),
    format_func=appstate.AUDIT_ACTIONS_ZH.get,
    placeholder="全部操作",
    key="audit_actions",
)
window = right.date_input("日期", (today - dt.timedelta(days=6), today), max_value=today, key="audit_dates")
start, end = window if isinstance(window, tuple) and len(window) == 2 else (window[0], window[0])  # type: ignore[index]
local = dt.datetime.now().astimezone().tzinfo
since = dt.datetime.combine(start, dt.time(0), tzinfo=local)
until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=local)

with appstate.connect() as con:
    entries = appstate.read_audit(
        con, actors=picked_actors, actions=picked_actions, since=since, until=until, limit=5000
    )
if not entries:
    st.info("所选范围内没有日志记录。", icon=":material/info:")
    st.stop()
table = pd.DataFrame(
    {
        "时间": [e.at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S") for e in entries],
        "账号": [e.actor for e in entries],
        "操作": [appstate.AUDIT_ACTIONS_ZH.get(e.action, e.action) for e in entries],
        "详情": [json.dumps(e.details, ensure_ascii=False) for e in entries],
    }
)
st.caption(f"共 {len(table)} 条（最新在前，最多显示 5000 条）")
st.dataframe(table, hide_index=True, width="stretch")
