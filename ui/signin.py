"""The sign-in and sign-out forms as HTML (no Streamlit import): drawn inside the app by `ui.auth` and served as a
page of its own by the routes in `server.py`. Both post to /api/auth/…; the server sets the HttpOnly cookie."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlsplit

LOGIN_PATH = "/api/auth/login"
LOGOUT_PATH = "/api/auth/logout"
SSO_PATH = "/api/auth/sso"
TITLE = "泰安市总工会“五大工程”数据看板"

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


def form_html(next_path: str = "/", *, error: str = "", login: str = "", sso: bool = False, note: str = "") -> str:
    """The sign-in form: 账号, 密码, 登录; a sentence when the last try failed; the SSO link when configured."""
    nxt = escape(safe_next(next_path), quote=True)
    parts = [
        f'<div style="{_BOX}">',
        '<div style="font-size:1.15rem;font-weight:600;margin-bottom:.25rem">请登录</div>',
        f'<div style="font-size:.85rem;opacity:.75">{escape(TITLE)}</div>',
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
        f'<label for="signin-login" style="{_LABEL}">账号</label>',
        f'<input id="signin-login" name="login" type="text" autocomplete="username" required '
        f'value="{escape(login, quote=True)}" style="{_INPUT}">',
        f'<label for="signin-password" style="{_LABEL}">密码</label>',
        f'<input id="signin-password" name="password" type="password" autocomplete="current-password" required '
        f'style="{_INPUT}">',
        f'<button type="submit" style="{_BUTTON}">登录</button>',
        "</form>",
    ]
    if sso:
        href = escape(f"{SSO_PATH}?{urlencode({'next': safe_next(next_path)})}", quote=True)
        parts.append(f'<a href="{href}" target="_self" style="{_LINK_BUTTON}">使用统一身份认证登录</a>')
    parts.append(
        '<p style="margin:1rem 0 0;font-size:.8rem;opacity:.7">账号由市总工会管理员开通。'
        "密码连续输错 5 次，账号锁定 15 分钟。</p></div>"
    )
    return "".join(parts)


def page_html(next_path: str = "/", *, error: str = "", login: str = "", sso: bool = False, note: str = "") -> str:
    """A whole page around the form, for the server's own sign-in route."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>登录 · {escape(TITLE)}</title></head>"
        '<body style="margin:0;padding:1rem;color:#1f2937;background:#f3f6fa">'
        f"{form_html(next_path, error=error, login=login, sso=sso, note=note)}</body></html>"
    )


def message_html(text: str, *, link: str = "/", link_text: str = "返回看板") -> str:
    """A page with one sentence and a way back (errors of the sign-in routes; never a traceback)."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(TITLE)}</title></head>"
        '<body style="margin:0;padding:1rem;background:#f3f6fa">'
        f'<div style="{_BOX}"><p role="alert">{escape(text)}</p>'
        f'<a href="{escape(safe_next(link), quote=True)}">{escape(link_text)}</a></div></body></html>'
    )


def sign_out_html(csrf: str, label: str = "退出登录") -> str:
    """The sign-out button: a POST form carrying the session-bound CSRF token (never a link, never a token in a URL)."""
    return (
        f'<form method="post" action="{LOGOUT_PATH}" style="margin:0">'
        f'<input type="hidden" name="csrf" value="{escape(csrf, quote=True)}">'
        '<button type="submit" style="padding:.35rem .8rem;font-size:.9rem;border:1px solid rgba(128,128,128,.6);'
        f'border-radius:.5rem;background:transparent;color:inherit;cursor:pointer">{escape(label)}</button></form>'
    )
