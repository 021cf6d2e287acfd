"""Who is looking, and what they may see: the session's identity and Scope, the sign-in gate and the audit calls.

Every script run resolves the identity once (`identify`, called by dashboard.py before any page runs):
- no account exists (a fresh `make run`) and UNION_DASH_REQUIRE_LOGIN is not set → the open local user, who
  sees everything, with a visible 未启用登录 badge;
- else the signed cookie set by server.py's sign-in route → its server-side session (Scope fixed at sign-in);
- else a single sign-on identity (st.user, when [auth] is configured) mapped to an account → a session;
- else nobody: the page is replaced by the sign-in form, and no page script runs (deny by default).
`current_scope()` is what `ui.filters.current()` puts into every Filters, so the query layer narrows to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from data_pipeline import accounts, appstate
from data_pipeline.appstate import Account, Role
from data_pipeline.scope import EVERYTHING, NOTHING, Scope
from reporting.i18n import code_label, t
from ui import signin

log = logging.getLogger(__name__)

SESSION_KEY = "_auth_identity"
LOCAL_ROLE = Role("local", "本机用户", "all", "detail", True, True, False, False)


@dataclass(frozen=True)
class Identity:
    """The person behind this session, what their role allows, and the Scope fixed when the session began."""

    role: Role
    scope: Scope
    method: str  # open | password | oidc
    account: Account | None = None
    token: str | None = None
    expires_at: dt.datetime | None = None

    @property
    def login(self) -> str:
        return self.account.login if self.account else "local"

    @property
    def name(self) -> str:
        return self.account.name if self.account else "本机用户"

    def can(self, what: str) -> bool:
        """export · deck · submit · admin, from the role's permissions (data an admin can change)."""
        return bool(getattr(self.role, f"can_{what}", False))


OPEN = Identity(role=LOCAL_ROLE, scope=EVERYTHING, method="open")


@dataclass(frozen=True)
class Gate:
    """The outcome of identify(): an identity, or the sentence to show above the sign-in form."""

    identity: Identity | None
    message: str = ""
    sso_identity: bool = False  # a single sign-on identity is present but not admitted: offer to leave it


# ---- cookies and single sign-on -----------------------------------------------------------------------------


def streamlit_user_cookie(cookies: Mapping[str, str]) -> str | None:
    """Streamlit's signed identity cookie of st.login (with its chunks, when it was split), as sent."""
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    def is_part(name: str) -> bool:
        tail = name[len(USER_COOKIE_NAME) :]
        return name == USER_COOKIE_NAME or (name.startswith(USER_COOKIE_NAME) and tail.strip("_").isdigit())

    parts = [value for name, value in sorted(cookies.items()) if is_part(name)]
    return "".join(parts) or None


def sso_configured() -> bool:
    """Whether single sign-on ([auth] with a redirect_uri in .streamlit/secrets.toml) is set up."""
    try:
        from streamlit.auth_util import get_secrets_auth_section

        section = get_secrets_auth_section()
        return bool(section and "redirect_uri" in section)
    except Exception:  # a broken secrets file must not take the dashboard down
        log.exception("could not read [auth] from secrets")
        return False


def _sso_user() -> dict[str, Any] | None:
    if not sso_configured():
        return None
    user = st.user.to_dict()
    return user if user.get("is_logged_in") else None


# ---- resolving the identity ---------------------------------------------------------------------------------


def _from_live(live: accounts.Live, token: str) -> Identity:
    return Identity(live.role, live.scope, live.method, live.account, token, live.expires_at)


def _resolve() -> Gate:
    if not accounts.login_required():
        return Gate(OPEN)
    cookies = st.context.cookies
    secret = accounts.secret_key()
    token = accounts.unsign_cookie(cookies.get(accounts.COOKIE_NAME), secret)
    with appstate.connect() as con:
        if token:
            live = accounts.live_session(con, token)
            if live:
                return Gate(_from_live(live, token))
        user = _sso_user()
        if user is None:
            return Gate(None, t("signin_expired", _lang()) if token else "")
        return _sso_gate(con, user, cookies)


def _sso_gate(con: sqlite3.Connection, user: dict[str, Any], cookies: Mapping[str, str]) -> Gate:
    lang = _lang()
    token = accounts.oidc_session_token(streamlit_user_cookie(cookies))
    if token is None:
        return Gate(None, t("sso_incomplete", lang), sso_identity=True)
    live = accounts.live_session(con, token)
    if live:
        return Gate(_from_live(live, token))
    if accounts.session_exists(con, token):
        return Gate(None, t("sso_expired", lang), sso_identity=True)
    email = user.get("email") if user.get("email_verified", True) is not False else None
    granted = accounts.sso_sign_in(con, user.get("sub"), email)
    if not granted.ok:
        return Gate(None, signin.refusal(granted, lang), sso_identity=True)
    with contextlib.suppress(sqlite3.IntegrityError):  # another tab of the same sign-in got there first
        accounts.start_session(con, granted, "oidc", token=token)
    live = accounts.live_session(con, token)
    return Gate(_from_live(live, token)) if live else Gate(None, t("signin_unfinished", lang), sso_identity=True)


def identify() -> Gate:
    """Resolve this run's identity (once per run) and keep it in the session for current_scope() and the audit."""
    try:
        gate = _resolve()
    except Exception:
        log.exception("could not resolve the signed-in user")
        gate = Gate(None, t("signin_error", _lang()))
    st.session_state[SESSION_KEY] = gate
    return gate


def _gate() -> Gate:
    try:
        gate = st.session_state.get(SESSION_KEY)
    except Exception:  # no script run (a worker thread): nothing
        return Gate(None)
    return gate if isinstance(gate, Gate) else identify()


def current_identity() -> Identity | None:
    return _gate().identity


def current_account() -> Account | None:
    """The signed-in account (None for the open local user or nobody)."""
    identity = current_identity()
    return identity.account if identity else None


def current_scope() -> Scope:
    """The Scope of this session, fixed when it was established; NOTHING when nobody is signed in."""
    identity = current_identity()
    return identity.scope if identity else NOTHING


def allowed(what: str) -> bool:
    """Whether the session's role may export, deck, submit or admin."""
    identity = current_identity()
    return bool(identity and identity.can(what))


# ---- drawing: the gate, the user box, the scope notice ------------------------------------------------------


def nav_position() -> str:
    """The navigation is hidden until someone may see data (so no page of the app shows before sign-in)."""
    return "sidebar" if current_identity() else "hidden"


def admin_pages() -> dict[str, list[st.Page]]:
    """The 管理 section, for roles with the admin permission only.

    Signed out, it is registered too (the navigation is hidden and no page runs before sign-in), so a link to
    /audit opens the sign-in form and then the page, not Streamlit's “Page not found”."""
    identity = current_identity()
    if identity is OPEN or (identity is not None and not identity.can("admin")):
        return {}
    lang = _lang()
    return {
        t("nav_admin", lang): [
            st.Page(
                "app_pages/accounts.py",
                title=t("page_accounts", lang),
                url_path="accounts",
                icon=":material/manage_accounts:",
            ),
            st.Page("app_pages/audit.py", title=t("page_audit", lang), url_path="audit", icon=":material/policy:"),
        ]
    }


def role_label(role: Role, lang: str = "zh") -> str:
    """A role's name: as stored in Chinese; in English the default roles' English names (a name an admin has
    changed is shown as stored)."""
    default = code_label("role", role.role, "zh")
    return code_label("role", role.role, "en") if lang == "en" and role.name_zh == default else role.name_zh


def scope_words(scope: Scope, lang: str = "zh") -> str:
    """A Scope in words: accounts.scope_words in Chinese ('新泰市（含全市合计）'), its English counterpart."""
    if lang != "en":
        return accounts.scope_words(scope)
    from ui.filters import names

    if scope.nothing:
        return t("scope_none", lang)
    if scope.everything:
        return t("scope_all", lang)
    parts = []
    if scope.counties is not None:
        county = names("county", lang)
        parts.append(", ".join(county.get(c, c) for c in scope.counties))
    if scope.chains is not None:
        chain = names("chain", lang)
        parts.append(t("scope_chains", lang, names=", ".join(chain.get(c, c) for c in scope.chains)))
    return " · ".join(parts) + (t("scope_city_total", lang) if scope.city_total else "")


def _here(navigation: Any) -> str:
    path = "/" + (getattr(navigation, "url_path", "") or "")
    params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return path + ("?" + urlencode(params) if params else "")


def _lang() -> str:
    from ui.filters import lang

    return lang()


def gate(navigation: Any) -> None:
    """Before any page runs: the sign-in form (and st.stop) for nobody; the user box or the 未启用登录 badge else."""
    g = _gate()
    identity = g.identity
    if identity is None:
        _sign_in_page(navigation, g)
        st.stop()
    lang = _lang()
    if identity.method == "open":
        st.badge(t("open_badge", lang), icon=":material/lock_open:", color="orange", help=t("open_help", lang))
        return
    with st.sidebar:
        st.markdown(f":material/account_circle: **{identity.name}** · {role_label(identity.role, lang)}")
        st.caption(t("user_scope", lang, scope=scope_words(identity.scope, lang)))
        if identity.token:
            st.html(signin.sign_out_html(accounts.csrf_token(identity.token, accounts.secret_key()), lang))


def _sign_in_page(navigation: Any, g: Gate) -> None:
    lang = _lang()
    st.title(t("app_short", lang), anchor=False)
    if g.sso_identity:
        st.warning(g.message or t("signin_again", lang), icon=":material/lock:")
        if st.button(t("sso_leave", lang), icon=":material/logout:"):
            st.logout()
    note = "" if g.sso_identity else g.message
    st.html(signin.form_html(_here(navigation), note=note, sso=sso_configured(), lang=lang))


def scope_notice(filters: Any) -> None:
    """A sentence when the URL or the sidebar asks for counties or chains outside the user's scope."""
    from ui.filters import names

    lang = _lang()
    scope: Scope = getattr(filters, "scope", current_scope())
    county, chain = names("county", lang), names("chain", lang)
    outside = [county.get(c, c) for c in filters.counties if scope.counties is not None and c not in scope.counties]
    outside += [
        t("chain_named", lang, name=chain.get(c, c))
        for c in filters.chains
        if scope.chains is not None and c not in scope.chains
    ]
    if outside:
        st.warning(
            t("scope_outside", lang, items=t("list_sep", lang).join(outside), scope=scope_words(scope, lang)),
            icon=":material/block:",
        )


def within_scope(dim: str, options: dict[str, str], selected: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Sidebar options inside the scope (plus what is already selected, so an outside link stays visible)."""
    scope = current_scope()
    allowed_codes = scope.counties if dim == "county" else scope.chains
    if allowed_codes is None:
        return options
    return {c: n for c, n in options.items() if c in allowed_codes or c in selected}


# ---- the audit log ------------------------------------------------------------------------------------------


def _filters_now() -> str:
    try:
        from ui.filters import current, lang, share_query

        return share_query(current(), lang()) if "year" in st.session_state else ""
    except Exception:
        return ""


def _context(details: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    identity = current_identity()
    actor = identity.login if identity else "-"
    scope = identity.scope if identity else NOTHING
    return actor, {**details, "filters": _filters_now(), "scope": accounts.scope_words(scope)}


def _write(actor: str, action: str, details: Mapping[str, Any]) -> None:
    try:
        with appstate.connect() as con:
            appstate.audit(con, actor, action, details)
    except Exception:
        log.exception("could not write the audit log (%s by %s)", action, actor)


def record(action: str, **details: Any) -> None:
    """One audit entry for an action of this session (who, its filters and scope, and `details`)."""
    actor, full = _context(details)
    _write(actor, action, full)


def _logged_call(actor: str, action: str, details: dict[str, Any], data: Any) -> Any:
    _write(actor, action, details)
    return data() if callable(data) else data


def logged(data: Any, action: str = "export", **details: Any) -> Callable[[], Any]:
    """A download's data (bytes or a callable) that writes an audit entry when the file is actually made.

    Who and which filters are taken now, in the script run: the download callable later runs in a worker thread
    that cannot read the session."""
    actor, full = _context(details)
    return partial(_logged_call, actor, action, full, data)
