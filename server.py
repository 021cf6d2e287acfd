"""The dashboard's server: `streamlit run server.py` serves dashboard.py plus the sign-in routes under /api/auth/.

Streamlit scripts cannot set cookies, so signing in and out happens here, on Streamlit's own Starlette app:
POST /api/auth/login checks the password (data_pipeline.accounts), starts a server-side session and sets an
HttpOnly, SameSite=Lax cookie signed with itsdangerous that lasts a working day; POST /api/auth/logout (with a
session-bound CSRF token) revokes the session and clears the cookie. The script reads the cookie through
st.context.cookies (ui.auth). GET /api/auth/sso starts single sign-on (st.login's route) when [auth] is configured.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from data_pipeline import accounts, appstate
from reporting.i18n import t
from ui import signin

log = logging.getLogger("union_dash.auth")
FAILED_SIGN_IN_DELAY_S = 1.0
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _same_origin(request: Request) -> bool:
    """A form post from this site: its Origin (or, failing that, Referer) names this host. Browsers send one."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True  # not a browser; CSRF needs a browser
    return urlsplit(source).netloc == request.headers.get("host", "")


def _sso_configured() -> bool:
    try:
        from streamlit.auth_util import get_secrets_auth_section

        section = get_secrets_auth_section()
        return bool(section and "redirect_uri" in section)
    except Exception:  # a broken secrets file must not take the sign-in page down
        log.exception("could not read [auth] from secrets")
        return False


def _session_token(request: Request, secret: str) -> str | None:
    return accounts.unsign_cookie(request.cookies.get(accounts.COOKIE_NAME), secret)


def _live(token: str) -> accounts.Live | None:
    with appstate.connect() as con:
        return accounts.live_session(con, token)


def _sign_in(login: str, password: str, where: dict) -> tuple[accounts.SignIn, str | None]:
    with appstate.connect() as con:
        result = accounts.sign_in(con, login, password)
        token = accounts.start_session(con, result, "password", details=where) if result.ok else None
    return result, token


def _sign_out(token: str) -> bool:
    with appstate.connect() as con:
        return accounts.end_session(con, token)


def _set_cookie(response: Response, request: Request, token: str, secret: str) -> None:
    response.set_cookie(
        accounts.COOKIE_NAME,
        accounts.sign_cookie(token, secret),
        max_age=accounts.SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


async def login_page(request: Request) -> Response:
    lang = signin.form_lang(request.query_params.get("lang"))
    try:
        next_path = signin.safe_next(request.query_params.get("next"))
        secret = await run_in_threadpool(accounts.secret_key)
        token = _session_token(request, secret)
        if token and await run_in_threadpool(_live, token):
            return RedirectResponse(next_path, status_code=303, headers=NO_STORE)
        return _html(signin.page_html(next_path, sso=_sso_configured(), lang=lang))
    except Exception:
        log.exception("sign-in page failed")
        return _html(signin.message_html(t("signin_error", lang), lang=lang), 500)


async def login_submit(request: Request) -> Response:
    lang = signin.form_lang(request.query_params.get("lang"))
    try:
        form = await request.form()
        lang = signin.form_lang(form.get(signin.LANG_FIELD))  # the form's hidden field: the language it was shown in
        if not _same_origin(request):
            return _html(signin.message_html(t("signin_cross_site", lang), lang=lang), 403)
        login = str(form.get("login") or "")[:200]
        password = str(form.get("password") or "")[:1000]
        next_path = signin.safe_next(str(form.get("next") or "/"))
        secret = await run_in_threadpool(accounts.secret_key)
        where = {"ip": request.client.host if request.client else None}
        result, token = await run_in_threadpool(_sign_in, login, password, where)
        if not result.ok or token is None:
            await asyncio.sleep(FAILED_SIGN_IN_DELAY_S)  # slows guessing; the lockout stops it
            error = signin.refusal(result, lang)
            page = signin.page_html(next_path, error=error, login=login, sso=_sso_configured(), lang=lang)
            return _html(page, 401)
        if lang == "en":  # the dashboard opens in the language the form was in
            next_path = signin.with_lang(next_path, lang)
        response = RedirectResponse(next_path, status_code=303, headers=NO_STORE)
        _set_cookie(response, request, token, secret)
        return response
    except Exception:
        log.exception("sign-in failed")
        return _html(signin.message_html(t("signin_error", lang), lang=lang), 500)


async def logout_submit(request: Request) -> Response:
    lang = signin.form_lang(request.query_params.get("lang"))
    try:
        form = await request.form()
        lang = signin.form_lang(form.get(signin.LANG_FIELD))
        if not _same_origin(request):
            return _html(signin.message_html(t("signout_cross_site", lang), lang=lang), 403)
        secret = await run_in_threadpool(accounts.secret_key)
        sent = str(form.get("csrf") or "")
        token = _session_token(request, secret)
        target = signin.with_lang("/", lang)
        if token is None:
            token = accounts.oidc_session_token(_streamlit_user_cookie(request.cookies))
            target = "/auth/logout"  # Streamlit's own route: clears its identity cookie (and the provider's session)
        if token is None or not accounts.csrf_ok(token, secret, sent):
            return _html(signin.message_html(t("signout_invalid", lang), lang=lang), 403)
        await run_in_threadpool(_sign_out, token)
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        response.delete_cookie(accounts.COOKIE_NAME, path="/", httponly=True, samesite="lax")
        return response
    except Exception:
        log.exception("sign-out failed")
        return _html(signin.message_html(t("signout_error", lang), lang=lang), 500)


def _streamlit_user_cookie(cookies: dict[str, str]) -> str | None:
    from ui.auth import streamlit_user_cookie

    return streamlit_user_cookie(cookies)


async def sso_start(request: Request) -> Response:
    """Start single sign-on through st.login's own route (the provider comes back to /oauth2callback)."""
    if not _sso_configured():
        return RedirectResponse(signin.LOGIN_PATH, status_code=303)
    try:
        from streamlit.user_info import generate_login_redirect_url

        return RedirectResponse(generate_login_redirect_url("default"), status_code=303, headers=NO_STORE)
    except Exception:
        log.exception("single sign-on could not start")
        lang = signin.form_lang(request.query_params.get("lang"))
        return _html(signin.message_html(t("sso_misconfigured", lang), lang=lang), 500)


routes = [
    Route(signin.LOGIN_PATH, login_page, methods=["GET"]),
    Route(signin.LOGIN_PATH, login_submit, methods=["POST"]),
    Route(signin.LOGOUT_PATH, logout_submit, methods=["POST"]),
    Route(signin.SSO_PATH, sso_start, methods=["GET"]),
]
app = st.App("dashboard.py", routes=routes)
