"""The console's protections, over real HTTP against a real database: no page without signing in, no change
without the CSRF token, sign-in attempts slowed down and limited, disabled accounts out, cookie flags, headers."""
import re
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from bot.console import accounts as accounts_module, audit, routes, signin
from bot.console.accounts import StaffAccounts, hash_password, password_matches
from bot.console.server import MAX_BODY, SESSION_COOKIE, SIGNIN_COOKIE
from bot.governance import ReportQueue
from tests.console.conftest import PASSWORD

EXAMPLE_PARAMS = {"ticket_no": "QJ20240501-0001", "number": "ZX20240501-0001", "name": "x.jpg"}


def _example(pattern: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda found: EXAMPLE_PARAMS.get(found.group(1), "example"), pattern)


PRIVATE_ROUTES = [route for route in routes.ROUTES if not route.public]


def test_only_the_sign_in_page_is_public():
    assert {(route.method, route.pattern) for route in routes.ROUTES if route.public} == {
        ("GET", "/login"), ("POST", "/login")}


@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=lambda route: f"{route.method} {route.pattern}")
def test_every_console_url_without_a_session_goes_to_sign_in(console, route):
    browser = console.browser()
    path = _example(route.pattern)
    if route.method == "GET":
        reply = console.get(browser, path + "?page=2")
        assert reply.status_code == 303
        assert reply.headers["Location"] == "/login?" + urlencode({"next": f"{path}?page=2"})
    else:
        reply = console.post(browser, path, {"csrf_token": "anything"})
        assert reply.status_code == 303
        assert reply.headers["Location"] == "/login"


def test_an_unknown_address_without_a_session_goes_to_sign_in_too(console):
    reply = console.get(console.browser(), "/no-such-page")
    assert reply.status_code == 303 and reply.headers["Location"].startswith("/login")


def test_a_stale_or_forged_session_cookie_goes_to_sign_in_which_says_why(console):
    browser = console.browser()
    browser.cookies.set(SESSION_COOKIE, "forged-token")
    reply = console.get(browser, "/queue")
    assert reply.status_code == 303
    assert reply.headers["Location"] == "/login?next=%2Fqueue&expired=1"
    assert "登录已过期，请重新登录。" in console.get(browser, reply.headers["Location"]).text


@pytest.mark.parametrize("next_path, lands_on", [
    ("/tickets/QJ20240501-0001", "/tickets/QJ20240501-0001"),
    ("//evil.example/queue", "/queue"),
    ("https://evil.example/", "/queue"),
    ("/\\evil.example", "/queue"),
])
def test_after_sign_in_only_a_local_path_is_followed(console, next_path, lands_on):
    console.add_account()
    browser = console.browser()
    reply = console.post(browser, "/login", {"name": "王芳", "password": PASSWORD, "next": next_path,
                                             "csrf_token": console.csrf(browser, "/login")})
    assert reply.status_code == 303
    assert reply.headers["Location"] == lands_on


@pytest.mark.parametrize("route", [route for route in routes.ROUTES if route.method == "POST"],
                         ids=lambda route: route.pattern)
def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(console, route):
    browser = console.signed_in()
    path = _example(route.pattern)
    for form in ({}, {"csrf_token": "wrong"}, {"csrf_token": console.csrf(console.signed_in("李明"))}):
        reply = console.post(browser, path, {**form, "name": "王芳", "password": PASSWORD, "status": "closed",
                                             "answer": "好的"})
        assert reply.status_code == 403, form
        assert "页面已过期或来源无法确认" in reply.text
    assert console.get(browser, "/queue").status_code == 200  # still signed in: nothing was done


def test_the_sign_in_form_itself_needs_its_token(console):
    console.add_account()
    browser = console.browser()
    reply = console.post(browser, "/login", {"name": "王芳", "password": PASSWORD})
    assert reply.status_code == 403
    assert SESSION_COOKIE not in reply.cookies


def test_every_route_that_changes_something_is_a_post():
    assert all(route.method == "POST" for route in routes.ROUTES if route.changes)
    assert all(route.changes for route in routes.ROUTES if route.method == "POST")


def test_the_session_cookie_is_http_only_same_site_strict_and_not_secure_over_plain_http(console):
    console.add_account()
    browser = console.browser()
    reply = console.post(browser, "/login", {"name": "王芳", "password": PASSWORD,
                                             "csrf_token": console.csrf(browser, "/login")})
    cookie = next(value for name, value in reply.raw.headers.items() if name == "Set-Cookie"
                  and value.startswith(SESSION_COOKIE))
    parts = [part.strip() for part in cookie.split(";")]
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts)
    assert "Secure" not in parts


def test_the_session_cookie_is_secure_behind_a_trusted_https_proxy_only(console, monkeypatch):
    console.add_account()

    def cookie_flags(headers):
        # A browser keeps a Secure cookie away from plain HTTP: the test sends the sign-in cookie back itself.
        form = console.get(console.browser(), "/login", headers=headers)
        token = re.search(r'name="csrf_token" value="([^"]*)"', form.text).group(1)
        reply = console.post(console.browser(), "/login", {"name": "王芳", "password": PASSWORD, "csrf_token": token},
                             headers={**headers, "Cookie": f"{SIGNIN_COOKIE}={token}"})
        return reply.headers["Set-Cookie"]

    assert "Secure" not in cookie_flags({"X-Forwarded-Proto": "https"})  # anyone can send the header
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    assert "Secure" in cookie_flags({"X-Forwarded-Proto": "https"})
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "true")
    assert "Secure" in cookie_flags({})


def test_every_page_carries_the_security_headers(console):
    browser = console.signed_in()
    for reply in (console.get(browser, "/queue"), console.get(console.browser(), "/login"),
                  console.get(console.browser(), "/queue")):
        csp = reply.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        assert reply.headers["Cache-Control"] == "no-store"


def test_a_body_over_the_cap_is_refused_before_it_is_read(console):
    browser = console.signed_in()
    reply = console.post(browser, "/login", data="x" * (MAX_BODY + 1),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 413
    assert "提交的内容太长了" in reply.text


def test_wrong_passwords_are_answered_more_and_more_slowly(console):
    console.add_account()
    times = []
    for _ in range(3):
        browser = console.browser()
        started = time.monotonic()
        reply = console.post(browser, "/login", {"name": "王芳", "password": "not the password",
                                                 "csrf_token": console.csrf(browser, "/login")})
        times.append(time.monotonic() - started)
        assert reply.status_code == 401
        assert "用户名或密码不正确" in reply.text
        assert SESSION_COOKIE not in reply.cookies
    assert times[0] >= signin.FIRST_DELAY
    assert times[1] >= 2 * signin.FIRST_DELAY and times[2] >= 4 * signin.FIRST_DELAY
    assert times[2] > times[1] > times[0]


def test_too_many_attempts_on_one_account_are_refused_even_with_the_right_password(console, monkeypatch):
    monkeypatch.setattr(signin, "_delay", lambda name: 0)
    console.add_account()
    for _ in range(signin.ATTEMPTS_PER_ACCOUNT):
        browser = console.browser()
        console.post(browser, "/login", {"name": "王芳", "password": "guess guess guess",
                                         "csrf_token": console.csrf(browser, "/login")})
    browser = console.browser()
    reply = console.post(browser, "/login", {"name": "王芳", "password": PASSWORD,
                                             "csrf_token": console.csrf(browser, "/login")})
    assert reply.status_code == 429
    assert "请 15 分钟后再试" in reply.text
    assert SESSION_COOKIE not in reply.cookies
    browser = console.browser()
    console.post(browser, "/login", {"name": "王芳", "password": PASSWORD, "csrf_token": console.csrf(browser, "/login")})
    actions = [entry.action for entry in audit.entries(queue=console.queue)[0]]
    assert actions.count("sign_in_failed") == signin.ATTEMPTS_PER_ACCOUNT
    assert actions.count("sign_in_refused") == 1  # once, however often a script keeps trying


def test_too_many_attempts_from_one_address_are_refused(console, monkeypatch):
    monkeypatch.setattr(signin, "_delay", lambda name: 0)
    console.add_account()
    for number in range(signin.ATTEMPTS_PER_ADDRESS):
        browser = console.browser()
        console.post(browser, "/login", {"name": f"guess{number}", "password": "guess guess guess",
                                         "csrf_token": console.csrf(browser, "/login")})
    browser = console.browser()
    reply = console.post(browser, "/login", {"name": "王芳", "password": PASSWORD,
                                             "csrf_token": console.csrf(browser, "/login")})
    assert reply.status_code == 429


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(console):
    browser = console.signed_in()
    assert console.get(browser, "/queue").status_code == 200
    assert console.accounts.disable("王芳")
    assert console.get(browser, "/queue").status_code == 303
    again = console.browser()
    reply = console.post(again, "/login", {"name": "王芳", "password": PASSWORD,
                                           "csrf_token": console.csrf(again, "/login")})
    assert reply.status_code == 401
    assert SESSION_COOKIE not in reply.cookies


def test_a_new_password_ends_the_sessions_and_the_old_one_stops_working(console):
    browser = console.signed_in()
    console.accounts.set_password("王芳", "another long password")
    assert console.get(browser, "/queue").status_code == 303
    assert console.accounts.verify("王芳", PASSWORD) is None
    assert console.accounts.verify("王芳", "another long password") == "王芳"


def test_sign_out_ends_the_session_on_the_server(console):
    browser = console.signed_in()
    cookie = browser.cookies[SESSION_COOKIE]
    reply = console.post(browser, "/logout", {"csrf_token": console.csrf(browser)})
    assert reply.status_code == 303 and reply.headers["Location"] == "/login?signed_out=1"
    replayed = console.browser()
    replayed.cookies.set(SESSION_COOKIE, cookie)
    assert console.get(replayed, "/queue").status_code == 303


def test_a_session_ends_after_eight_idle_hours_and_after_a_day_in_any_case(console):
    moments = [console.queue.clock()]
    console.queue.clock = lambda: moments[-1]
    browser = console.signed_in()
    start = moments[0]
    for hours in range(7, 24, 7):  # used every 7 hours: never idle for 8
        moments.append(start + timedelta(hours=hours))
        assert console.get(browser, "/queue").status_code == 200, hours
    moments.append(start + timedelta(hours=24))
    assert console.get(browser, "/queue").status_code == 303

    idle = console.sign_in("王芳")
    moments.append(moments[-1] + timedelta(hours=8))
    assert console.get(idle, "/queue").status_code == 303


def test_the_sign_in_page_explains_how_to_make_the_first_account(console):
    page = console.get(console.browser(), "/login")
    assert "python -m bot staff add" in page.text
    assert "8 小时内没有操作" in page.text
    console.add_account()
    assert "python -m bot staff add" not in console.get(console.browser(), "/login").text


def test_passwords_are_stored_as_salted_scrypt_hashes():
    stored = hash_password(PASSWORD)
    scheme, n, r, p, salt, _ = stored.split("$")
    assert (scheme, int(n) >= 2 ** 14, int(r) >= 8, int(p) >= 1) == ("scrypt", True, True, True)
    assert PASSWORD not in stored
    assert hash_password(PASSWORD) != stored  # a new salt each time
    assert password_matches(PASSWORD, stored)
    assert not password_matches(PASSWORD + "x", stored)


def test_a_password_shorter_than_ten_characters_is_refused_in_chinese(console):
    with pytest.raises(accounts_module.AccountError, match="密码至少要 10 个字符"):
        StaffAccounts(console.queue).add("李明", "123456789")


def test_a_failed_sign_in_under_a_name_that_is_no_account_does_not_log_what_was_typed(console, monkeypatch):
    monkeypatch.setattr(signin, "_delay", lambda name: 0)
    console.add_account()
    browser = console.browser()
    console.post(browser, "/login", {"name": "my-Secret-passw0rd", "password": "x" * 12,
                                     "csrf_token": console.csrf(browser, "/login")})
    [entry] = audit.entries(queue=console.queue)[0]
    assert (entry.account, entry.action, entry.target) == ("（不存在的账号）", "sign_in_failed", "")
    assert "my-Secret" not in entry.detail


def test_an_audit_action_without_a_label_is_refused_before_anything_is_written(tmp_path):
    queue = ReportQueue.from_url(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        with pytest.raises(ValueError, match="ACTION_LABELS"):
            audit.record("王芳", "unlabelled_action", "QJ20261130-0001", queue=queue)
        assert audit.entries(queue=queue) == ([], 0)
    finally:
        queue.close()
