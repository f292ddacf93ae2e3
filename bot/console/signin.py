"""Signing in and out of the console.

Attempts are counted per account name and per client address in the short memory every process shares
(bot/short_memory.py); over either limit the form is refused without checking the password. Each wrong password
is answered more slowly than the one before (FIRST_DELAY doubling up to MAX_DELAY within the window), so
guessing is slow even below the limits. Every attempt is written to the audit log.
"""
import hashlib
import html
import logging
import time

from bot import short_memory
from bot.console import audit, texts, web
from bot.console.accounts import ABSOLUTE_HOURS, StaffAccounts
from bot.console.server import SESSION_COOKIE, local_path
from bot.rate_limits import Limit, address_key

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60
ATTEMPTS_PER_ACCOUNT = 10
ATTEMPTS_PER_ADDRESS = 30
FIRST_DELAY, MAX_DELAY = 0.5, 8.0


def signin_form(request: web.Request) -> web.Response:
    if request.account is not None:
        return web.redirect(local_path(request.query.get("next", "")))
    if request.query.get("signed_out"):
        return _form(request, notice=texts.SIGNED_OUT, notice_kind="ok")
    return _form(request, notice=texts.SESSION_ENDED if request.query.get("expired") else "")


def sign_in(request: web.Request) -> web.Response:
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    accounts = StaffAccounts()
    within_limits = Limit("console-signin-account", ATTEMPTS_PER_ACCOUNT, WINDOW_SECONDS).allows(name) and \
        Limit("console-signin-address", ATTEMPTS_PER_ADDRESS, WINDOW_SECONDS).allows(address_key(request.address))
    if not within_limits:
        if _first_refusal(name, request.address):
            audit.record(_as_logged(accounts, name), "sign_in_refused", "", f"来自 {request.address}")
        return _form(request, name, texts.TOO_MANY_ATTEMPTS, "error", status=429)
    signed_in = accounts.verify(name, password)
    if signed_in is None:
        time.sleep(_delay(name))
        audit.record(_as_logged(accounts, name), "sign_in_failed", "", f"来自 {request.address}")
        return _form(request, name, texts.WRONG_CREDENTIALS, "error", status=401)
    token = accounts.start_session(signed_in)
    audit.record(signed_in, "sign_in", signed_in, f"来自 {request.address}")
    response = web.redirect(local_path(request.form.get("next", "")))
    response.headers.append(("Set-Cookie", web.cookie(request, SESSION_COOKIE, token, ABSOLUTE_HOURS * 3600)))
    return response


def sign_out(request: web.Request) -> web.Response:
    StaffAccounts().end_session(request.session_token or "")
    audit.record(request.account, "sign_out", request.account)
    response = web.redirect("/login?signed_out=1")
    response.headers.append(("Set-Cookie", web.cookie(request, SESSION_COOKIE, "", 0)))
    return response


def home(request: web.Request) -> web.Response:
    return web.redirect("/queue")


def _as_logged(accounts: StaffAccounts, name: str) -> str:
    """The account a failed attempt names, as the audit log keeps it: a name that is no account is not kept, as it
    is often a password typed into the wrong field."""
    return name if accounts.exists(name) else texts.UNKNOWN_ACCOUNT


def _first_refusal(name: str, address: str) -> bool:
    """Whether this is the window's first refusal for this name and address: the log says so once, rather than
    growing with every attempt a script keeps making."""
    key = "console-signin-refused:" + _digest(f"{name}\n{address_key(address)}")
    try:
        return short_memory.shared().remember(key, "1", WINDOW_SECONDS) is None
    except Exception:
        return True


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _delay(name: str) -> float:
    """How long to wait before answering this wrong password: longer with each failure on the account."""
    key = "console-signin-failures:" + _digest(name)
    try:
        failures = short_memory.shared().count(key, WINDOW_SECONDS)
    except Exception as error:  # the memory unreachable: slow down as much as it allows
        logger.warning("sign-in failures not counted (%s)", error)
        return MAX_DELAY
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - 1))


def _form(request: web.Request, name: str = "", notice: str = "", notice_kind: str = "",
          status: int = 200) -> web.Response:
    next_path = local_path(request.form.get("next") or request.query.get("next", ""))
    no_accounts = "" if StaffAccounts().any() else f'<p class="notice" role="note">{html.escape(texts.NO_ACCOUNTS)}</p>'
    body = (
        f'<div class="signin"><h1>{html.escape(texts.SIGNIN_TITLE)}</h1>{no_accounts}'
        '<form class="card stack" method="post" action="/login">'
        f'{web.csrf_field(request)}<input type="hidden" name="next" value="{html.escape(next_path)}">'
        '<div><label for="name">用户名</label>'
        f'<input type="text" id="name" name="name" value="{html.escape(name)}" autocomplete="username" required '
        'autofocus></div>'
        '<div><label for="password">密码</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" required></div>'
        '<div><button type="submit">登录</button></div></form>'
        f'<p class="muted">{html.escape(texts.SESSION_RULES)}</p></div>'
    )
    return web.html_page(request, texts.SIGNIN_TITLE, body, status=status, notice=notice, notice_kind=notice_kind)
