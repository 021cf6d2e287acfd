"""账号与权限 (admins only): accounts, role permissions and the ranking setting; every change is audited."""

import pandas as pd
import streamlit as st

from data_pipeline import accounts, appstate, reference
from data_pipeline.appstate import Role
from ui import auth

st.title("账号与权限", anchor=False)
me = auth.current_account()
if not auth.allowed("admin") or me is None:
    st.info("只有管理员可以管理账号。", icon=":material/block:")
    st.stop()
st.caption("账号、角色和县市区 / 产业链的变更在该账号下次登录时生效（其已登录的会话随即失效）。")

COUNTIES = {c.code: c.name_zh for c in reference.counties()}
CHAINS = {c.code: c.name_zh for c in reference.chains()}

with appstate.connect() as con:
    roles = appstate.list_roles(con)
    rows = appstate.list_accounts(con)
    rank_others = bool(appstate.get_setting(con, accounts.RANK_OTHERS_SETTING))
role_names = {r.role: r.name_zh for r in roles}
now = appstate.now()


def _state(a: appstate.Account) -> str:
    if a.disabled:
        return "停用"
    if a.locked_until and a.locked_until > now:
        return f"锁定至 {a.locked_until.astimezone():%H:%M}"
    return "正常"


st.subheader("账号", anchor=False)
st.dataframe(
    pd.DataFrame(
        {
            "账号": [a.login for a in rows],
            "姓名": [a.display_name for a in rows],
            "角色": [role_names.get(a.role, a.role) for a in rows],
            "单位": [COUNTIES.get(a.county or "", "") or CHAINS.get(a.chain or "", "") for a in rows],
            "状态": [_state(a) for a in rows],
            "邮箱（单点登录）": [a.email or "" for a in rows],
            "最近登录": [
                f"{t.astimezone():%Y-%m-%d %H:%M}" if (t := appstate.parse_stamp(a.last_sign_in_at)) else ""
                for a in rows
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)

new_password = st.session_state.pop("accounts_new_password", None)
if new_password:
    st.success(f"账号 {new_password[0]} 的初始密码（只显示这一次）：{new_password[1]}", icon=":material/key:")


def _unit_inputs(prefix: str, role: str, county: str | None = None, chain: str | None = None) -> tuple:
    sees = next((r.sees for r in roles if r.role == role), "none")
    c1, c2 = st.columns(2)
    county = c1.selectbox(
        "县市区（县市区工会账号）",
        [None, *COUNTIES],
        index=[None, *COUNTIES].index(county) if county in COUNTIES else 0,
        format_func=lambda c: COUNTIES.get(c, "—"),
        disabled=sees != "county",
        key=f"{prefix}_county",
    )
    chain = c2.selectbox(
        "产业链（产业链工会账号）",
        [None, *CHAINS],
        index=[None, *CHAINS].index(chain) if chain in CHAINS else 0,
        format_func=lambda c: CHAINS.get(c, "—"),
        disabled=sees != "chain",
        key=f"{prefix}_chain",
    )
    return (county if sees == "county" else None), (chain if sees == "chain" else None)


with st.expander("新增账号", icon=":material/person_add:"):
    login = st.text_input("登录账号名", key="new_login")
    name = st.text_input("姓名或单位名称", key="new_name")
    role = st.selectbox("角色", list(role_names), format_func=role_names.get, key="new_role")
    county, chain = _unit_inputs("new", role)
    email = st.text_input("邮箱（用统一身份认证登录时填写）", key="new_email")
    if st.button("新增账号", type="primary", key="new_submit"):
        try:
            with appstate.connect() as con:
                account, generated = accounts.add_account(
                    con, login, role, county=county, chain=chain, name=name, email=email or None, actor=me.login
                )
            st.session_state["accounts_new_password"] = (account.login, generated)
            st.rerun()
        except accounts.AccountError as exc:
            st.error(str(exc), icon=":material/error:")

if rows:
    with st.expander("修改账号", icon=":material/manage_accounts:"):
        by_login = {a.login: a for a in rows}
        picked = by_login[st.selectbox("账号", list(by_login), key="edit_login")]
        role = st.selectbox(
            "角色",
            list(role_names),
            index=list(role_names).index(picked.role) if picked.role in role_names else 0,
            format_func=role_names.get,
            key=f"edit_role_{picked.login}",
        )
        county, chain = _unit_inputs(f"edit_{picked.login}", role, picked.county, picked.chain)
        name = st.text_input("姓名或单位名称", picked.display_name, key=f"edit_name_{picked.login}")
        email = st.text_input("邮箱（单点登录）", picked.email or "", key=f"edit_email_{picked.login}")
        own = picked.login == me.login
        with st.container(horizontal=True):
            save = st.button("保存修改", type="primary", key="edit_save", disabled=own)
            reset = st.button("重置密码", key="edit_reset")
            toggle = st.button("启用账号" if picked.disabled else "停用账号", key="edit_toggle", disabled=own)
        if own:
            st.caption("不能修改或停用自己正在使用的账号（请另一位管理员操作）。")
        try:
            with appstate.connect() as con:
                if save:
                    accounts.change_account(
                        con, picked.login, role=role, county=county, chain=chain, name=name, email=email, actor=me.login
                    )
                    st.rerun()
                if reset:
                    _, generated = accounts.reset_password(con, picked.login, actor=me.login)
                    st.session_state["accounts_new_password"] = (picked.login, generated)
                    st.rerun()
                if toggle:
                    accounts.set_disabled(con, picked.login, not picked.disabled, actor=me.login)
                    st.rerun()
        except accounts.AccountError as exc:
            st.error(str(exc), icon=":material/error:")

st.subheader("角色权限", anchor=False)
st.caption(
    "可见范围：all 全市、county 本县市区、chain 本产业链、none 无（只能看到登录页）。困难帮扶数据：detail 明细、aggregate 仅汇总、none 不可见。"
)
frame = pd.DataFrame([r.__dict__ for r in roles]).set_index("role")
edited = st.data_editor(
    frame,
    column_config={
        "name_zh": st.column_config.TextColumn("名称"),
        "sees": st.column_config.SelectboxColumn("可见范围", options=["all", "county", "chain", "none"], required=True),
        "aid": st.column_config.SelectboxColumn("困难帮扶数据", options=["detail", "aggregate", "none"], required=True),
        "can_export": st.column_config.CheckboxColumn("导出"),
        "can_deck": st.column_config.CheckboxColumn("生成简报"),
        "can_submit": st.column_config.CheckboxColumn("报送"),
        "can_admin": st.column_config.CheckboxColumn("管理"),
    },
    disabled=["role"],
    num_rows="fixed",
    key="roles_editor",
)
if st.button("保存角色权限", key="roles_save"):
    with appstate.connect() as con:
        for code, r in edited.iterrows():
            accounts.change_role(
                con,
                Role(
                    str(code),
                    str(r["name_zh"]),
                    str(r["sees"]),
                    str(r["aid"]),
                    *(bool(r[c]) for c in ("can_export", "can_deck", "can_submit", "can_admin")),
                ),
                actor=me.login,
            )
    st.success("已保存；可见范围的变更在下次登录时生效。", icon=":material/check:")

st.subheader("设置", anchor=False)
wanted = st.toggle(
    "县市区账号可在非困难帮扶指标的排名中看到其他县市区",
    rank_others,
    key="setting_rank_others",
    help="默认关闭：县市区账号只看到本县市区和全市合计。变更在下次登录时生效。",
)
if wanted != rank_others:
    with appstate.connect() as con:
        accounts.change_setting(con, accounts.RANK_OTHERS_SETTING, wanted, actor=me.login)
    st.rerun()
