"""账号与权限 (admins only): accounts, role permissions and the ranking setting; every change is audited."""

import pandas as pd
import streamlit as st

from data_pipeline import accounts, appstate
from data_pipeline.appstate import Role
from ui import auth
from ui.filters import lang, names, tr

st.title(tr("page_accounts"), anchor=False)
me = auth.current_account()
if not auth.allowed("admin") or me is None:
    st.info(tr("admin_only_accounts"), icon=":material/block:")
    st.stop()
st.caption(tr("accounts_caption"))

COUNTIES = names("county")
CHAINS = names("chain")

with appstate.connect() as con:
    roles = appstate.list_roles(con)
    rows = appstate.list_accounts(con)
    rank_others = bool(appstate.get_setting(con, accounts.RANK_OTHERS_SETTING))
role_names = {r.role: auth.role_label(r, lang()) for r in roles}
now = appstate.now()


def _state(a: appstate.Account) -> str:
    if a.disabled:
        return tr("account_disabled")
    if a.locked_until and a.locked_until > now:
        return tr("account_locked", time=f"{a.locked_until.astimezone():%H:%M}")
    return tr("account_ok")


def _refused(exc: Exception, key: str) -> None:
    """The account rules' own sentence (Chinese by design; English mode says so)."""
    with st.container(key=f"zh_refusal_{key}"):
        st.error(tr("refused", text=str(exc)), icon=":material/error:")


st.subheader(tr("accounts_heading"), anchor=False)
st.dataframe(
    pd.DataFrame(
        {
            tr("col_login"): [a.login for a in rows],
            tr("col_person"): [a.display_name for a in rows],
            tr("col_role"): [role_names.get(a.role, a.role) for a in rows],
            tr("col_reporting_unit"): [COUNTIES.get(a.county or "", "") or CHAINS.get(a.chain or "", "") for a in rows],
            tr("col_state"): [_state(a) for a in rows],
            tr("col_email_sso"): [a.email or "" for a in rows],
            tr("col_last_sign_in"): [
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
    st.success(tr("new_password", login=new_password[0], password=new_password[1]), icon=":material/key:")


def _unit_inputs(prefix: str, role: str, county: str | None = None, chain: str | None = None) -> tuple:
    sees = next((r.sees for r in roles if r.role == role), "none")
    c1, c2 = st.columns(2)
    county = c1.selectbox(
        tr("pick_county_account"),
        [None, *COUNTIES],
        index=[None, *COUNTIES].index(county) if county in COUNTIES else 0,
        format_func=lambda c: COUNTIES.get(c, "—"),
        disabled=sees != "county",
        key=f"{prefix}_county",
    )
    chain = c2.selectbox(
        tr("pick_chain_account"),
        [None, *CHAINS],
        index=[None, *CHAINS].index(chain) if chain in CHAINS else 0,
        format_func=lambda c: CHAINS.get(c, "—"),
        disabled=sees != "chain",
        key=f"{prefix}_chain",
    )
    return (county if sees == "county" else None), (chain if sees == "chain" else None)


with st.expander(tr("account_add"), icon=":material/person_add:"):
    login = st.text_input(tr("account_login"), key="new_login")
    name = st.text_input(tr("account_name"), key="new_name")
    role = st.selectbox(tr("col_role"), list(role_names), format_func=role_names.get, key="new_role")
    county, chain = _unit_inputs("new", role)
    email = st.text_input(tr("account_email_new"), key="new_email")
    if st.button(tr("account_add"), type="primary", key="new_submit"):
        try:
            with appstate.connect() as con:
                account, generated = accounts.add_account(
                    con, login, role, county=county, chain=chain, name=name, email=email or None, actor=me.login
                )
            st.session_state["accounts_new_password"] = (account.login, generated)
            st.rerun()
        except accounts.AccountError as exc:
            _refused(exc, "new")

if rows:
    with st.expander(tr("account_edit"), icon=":material/manage_accounts:"):
        by_login = {a.login: a for a in rows}
        picked = by_login[st.selectbox(tr("col_login"), list(by_login), key="edit_login")]
        role = st.selectbox(
            tr("col_role"),
            list(role_names),
            index=list(role_names).index(picked.role) if picked.role in role_names else 0,
            format_func=role_names.get,
            key=f"edit_role_{picked.login}",
        )
        county, chain = _unit_inputs(f"edit_{picked.login}", role, picked.county, picked.chain)
        name = st.text_input(tr("account_name"), picked.display_name, key=f"edit_name_{picked.login}")
        email = st.text_input(tr("col_email_sso"), picked.email or "", key=f"edit_email_{picked.login}")
        own = picked.login == me.login
        with st.container(horizontal=True):
            save = st.button(tr("account_save"), type="primary", key="edit_save", disabled=own)
            reset = st.button(tr("account_reset"), key="edit_reset")
            toggle = st.button(
                tr("account_enable") if picked.disabled else tr("account_disable"), key="edit_toggle", disabled=own
            )
        if own:
            st.caption(tr("account_own"))
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
            _refused(exc, "edit")

st.subheader(tr("roles_heading"), anchor=False)
st.caption(tr("roles_caption"))
frame = pd.DataFrame([r.__dict__ for r in roles]).set_index("role")
edited = st.data_editor(
    frame,
    column_config={
        "name_zh": st.column_config.TextColumn(tr("col_role_name")),
        "sees": st.column_config.SelectboxColumn(
            tr("col_sees"), options=["all", "county", "chain", "none"], required=True
        ),
        "aid": st.column_config.SelectboxColumn(tr("col_aid"), options=["detail", "aggregate", "none"], required=True),
        "can_export": st.column_config.CheckboxColumn(tr("col_can_export")),
        "can_deck": st.column_config.CheckboxColumn(tr("col_can_deck")),
        "can_submit": st.column_config.CheckboxColumn(tr("col_can_submit")),
        "can_admin": st.column_config.CheckboxColumn(tr("col_can_admin")),
    },
    disabled=["role"],
    num_rows="fixed",
    key="roles_editor",
)
if st.button(tr("roles_save"), key="roles_save"):
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
    st.success(tr("roles_saved"), icon=":material/check:")

st.subheader(tr("settings_heading"), anchor=False)
wanted = st.toggle(
    tr("rank_others"),
    rank_others,
    key="setting_rank_others",
    help=tr("rank_others_help"),
)
if wanted != rank_others:
    with appstate.connect() as con:
        accounts.change_setting(con, accounts.RANK_OTHERS_SETTING, wanted, actor=me.login)
    st.rerun()
