"""数据报送: a county or chain union (or an admin for any unit) downloads its template, uploads files, sees
errors by row and column and warnings within seconds, explains the warnings, submits; or sends a nil return."""

import streamlit as st

from ui import cycle

st.title("数据报送", anchor=False)
cycle.flash()
who = cycle.actor()
if who is None or not (who.can_submit or who.admin):
    st.info("只有县市区工会、产业链工会的报送账号和管理员可以报送数据。", icon=":material/block:")
    st.stop()

if who.admin:
    left, right, _ = st.columns([2, 2, 3])
    with left:
        unit = cycle.unit_picker(who, key="submit_unit")
    with right:
        quarter = cycle.quarter_picker("submit_quarter")
else:
    unit = cycle.unit_picker(who, key="submit_unit")  # the account's own unit
    left, _ = st.columns([2, 5])
    with left:
        quarter = cycle.quarter_picker("submit_quarter")
if unit is None:
    st.stop()

st.subheader(f"{cycle.submissions.union_name(unit)} · {quarter.label_zh}应报数据", anchor=False)
cycle.unit_status(who, unit, quarter)

st.subheader("下载模板、上传文件", anchor=False)
st.caption(
    "先下载模板（县市区、产业链等下拉选项和填写规则都在模板里），填好后上传；可一次上传多个文件。"
    "错误必须修改后重新上传；提示如属实请填写上报说明后提交。本期确无数据的可点“本期无数据”或“无变化”。"
)
dataset_code = cycle.template_and_nil(who, unit, quarter)
cycle.uploads(who, unit, quarter, dataset_code)

st.subheader("报送记录", anchor=False)
cycle.history_table(unit)
