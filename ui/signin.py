"""The sign-in and sign-out forms as HTML (no Streamlit import): drawn inside the app by `ui.auth` and served as a
page of its own by the routes in `server.py`. Both post to /api/auth/…; the server sets the HttpOnly cookie."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit

from data_pipeline import accounts
from reporting.i18n import STRINGS, t

LOGIN_PATH = "/api/auth/login"
LOGOUT_PATH = "/api/auth/logout"
SSO_PATH = "/api/auth/sso"
LANG_FIELD = "ui_lang"  # not "lang": st.html's sanitiser drops form fields named after element properties

_BOX = (
    "max-width:22rem;margin:2rem auto;padding:1.5rem 1.75rem;border:1px solid rgba(128,128,128,.35);"
    "border-radius:.75rem;font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
)
_LABEL = "display:block;margin:.75rem 0 .25rem;font-size:.95rem"
_INPUT = (
    "display:block;width:100%;box-sizing:border-box;padding:.55rem .65rem;font-size:1rem;"
    "border:1px solid rgba(128,128,128,.6);border-radius:.5rem;background:transparent;color:inherit"
)
_BUTTON = (
    "margin-top:1.1rem;width:100%;padding:.6rem;font-size:1rem;border:0;border-radius:.5rem;"
    "background:#1f5aa6;color:#fff;cursor:pointer"
)
_LINK_BUTTON = (
    "display:block;text-align:center;margin-top:.75rem;padding:.55rem;border:1px solid #1f5aa6;"
    "border-radius:.5rem;color:#1f5aa6;text-decoration:none"
)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a same-site relative path only (no scheme, host or '//'), else '/'."""
    if not value:
        return "/"
    value = value.strip()
    if any(ch in value for ch in "\r\n\t\\") or not value.startswith("/") or value.startswith("//"):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/api/"):
        return "/"
    return value


def with_lang(path: str, lang: str) -> str:
    """A same-site path with its `lang` parameter set to `lang` (left out for Chinese, the default)."""
    parts = urlsplit(safe_next(path))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    if lang == "en":
        query.append(("lang", "en"))
    return parts.path + ("?" + urlencode(query) if query else "")


def form_html(
    next_path: str = "/", *, error: str = "", login: str = "", sso: bool = False, note: str = "", lang: str = "zh"
) -> str:
    """The sign-in form: 账号, 密码, 登录; a sentence when the last try failed; the SSO link when configured; a link
    to the same page in the other language. The form posts its language, so the server answers in it."""
    nxt = escape(safe_next(next_path), quote=True)
    other = "zh" if lang == "en" else "en"
    switch = escape(with_lang(next_path, other), quote=True)
    parts = [
        f'<div style="{_BOX}">',
        '<div style="display:flex;justify-content:space-between;align-items:baseline;gap:1rem">',
        f'<div style="font-size:1.15rem;font-weight:600;margin-bottom:.25rem">{escape(t("signin_heading", lang))}</div>',
        f'<a class="signin-lang" href="{switch}" target="_self" lang="{"zh-CN" if other == "zh" else "en"}" '
        f'style="font-size:.85rem;color:#1f5aa6;white-space:nowrap">{escape(t("other_language", lang))}</a>',
        "</div>",
        f'<div style="font-size:.85rem;opacity:.75">{escape(t("app_title", lang))}</div>',
    ]
    if note:
        parts.append(f'<p role="status" style="margin:.75rem 0 0;font-size:.9rem">{escape(note)}</p>')
    if error:
        parts.append(
            f'<p role="alert" id="signin-error" style="margin:.75rem 0 0;color:#b42318;font-size:.95rem">'
            f"{escape(error)}</p>"
        )
    parts += [
        f'<form method="post" action="{LOGIN_PATH}" autocomplete="on">',
        f'<input type="hidden" name="next" value="{nxt}">',
        f'<input type="hidden" name="{LANG_FIELD}" value="{lang}">',
        f'<label for="signin-login" style="{_LABEL}">{escape(t("signin_account", lang))}</label>',
        f'<input id="signin-login" name="login" type="text" autocomplete="username" required '
        f'value="{escape(login, quote=True)}" style="{_INPUT}">',
        f'<label for="signin-password" style="{_LABEL}">{escape(t("signin_password", lang))}</label>',
        f'<input id="signin-password" name="password" type="password" autocomplete="current-password" required '
        f'style="{_INPUT}">',
        f'<button type="submit" style="{_BUTTON}">{escape(t("signin_submit", lang))}</button>',
        "</form>",
    ]
    if sso:
        href = escape(f"{SSO_PATH}?{urlencode({'next': safe_next(next_path)})}", quote=True)
        parts.append(f'<a href="{href}" target="_self" style="{_LINK_BUTTON}">{escape(t("signin_sso", lang))}</a>')
    footer = t("signin_footer", lang, n=accounts.LOCK_AFTER_FAILURES, minutes=accounts.LOCK_MINUTES)
    parts.append(f'<p style="margin:1rem 0 0;font-size:.8rem;opacity:.7">{escape(footer)}</p></div>')
    return "".join(parts)


def _head(title: str, lang: str) -> str:
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
    )


def page_html(
    next_path: str = "/", *, error: str = "", login: str = "", sso: bool = False, note: str = "", lang: str = "zh"
) -> str:
    """A whole page around the form, for the server's own sign-in route."""
    return (
        _head(t("signin_page_title", lang, title=t("app_title", lang)), lang)
        + '<body style="margin:0;padding:1rem;color:#1f2937;background:#f3f6fa">'
        f"{form_html(next_path, error=error, login=login, sso=sso, note=note, lang=lang)}</body></html>"
    )


def message_html(text: str, *, link: str = "/", link_text: str | None = None, lang: str = "zh") -> str:
    """A page with one sentence and a way back (errors of the sign-in routes; never a traceback)."""
    back = link_text or t("signin_back", lang)
    return (
        _head(t("app_title", lang), lang) + '<body style="margin:0;padding:1rem;background:#f3f6fa">'
        f'<div style="{_BOX}"><p role="alert">{escape(text)}</p>'
        f'<a href="{escape(with_lang(link, lang), quote=True)}">{escape(back)}</a></div></body></html>'
    )


def sign_out_html(csrf: str, lang: str = "zh") -> str:
    """The sign-out button: a POST form carrying the session-bound CSRF token (never a link, never a token in a URL)
    and the language of the answer, should the server have to say something."""
    return (
        f'<form method="post" action="{LOGOUT_PATH}" style="margin:0">'
        f'<input type="hidden" name="csrf" value="{escape(csrf, quote=True)}">'
        f'<input type="hidden" name="{LANG_FIELD}" value="{"en" if lang == "en" else "zh"}">'
        '<button type="submit" style="padding:.35rem .8rem;font-size:.9rem;border:1px solid rgba(128,128,128,.6);'
        f'border-radius:.5rem;background:transparent;color:inherit;cursor:pointer">{escape(t("sign_out", lang))}'
        "</button></form>"
    )


def refusal(result: accounts.SignIn, lang: str = "zh") -> str:
    """Why a sign-in was refused: in Chinese the sentence accounts wrote; in English the same by its reason code
    (the Chinese, marked as such, should a new reason appear without a translation)."""
    if lang != "en" or not result.reason:
        return t("as_written", lang, text=result.message) if lang == "en" else result.message
    values = dict(result.values)
    if result.reason == "unknown_identity":
        email = values.pop("email", "")
        values["who"] = f" ({email})" if email else ""
    key = f"refused_{result.reason}"
    return t(key, lang, **values) if key in STRINGS else t("as_written", lang, text=result.message)


def form_lang(value: object) -> str:
    """The language a form or link asks for: 'en' for en/English, else Chinese."""
    return "en" if str(value or "").strip().lower() in {"en", "english"} else "zh"
