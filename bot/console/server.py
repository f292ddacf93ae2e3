"""The console's HTTP side, on the standard library's threading server: one place that every request goes through.

Before any handler runs, the server reads the session cookie, sends whoever has no session to the sign-in page
(303, for every URL but the sign-in page itself, known or not), refuses any POST whose CSRF token does not match
(403), caps the request body, and afterwards adds the security headers to every response. Handlers only build
pages (bot/console/web.py); the routes are listed in bot/console/routes.py.
"""
import hmac
import ipaddress
import logging
import secrets
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler
from typing import Dict, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from bot import rate_limits, settings
from bot.console import texts, web
from bot.console.accounts import StaffAccounts, csrf_token
from bot.http_server import BackgroundHTTPServer, serve_in_foreground

logger = logging.getLogger(__name__)

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 5010
MAX_BODY = 64 * 1024
SESSION_COOKIE = "console_session"
# Before sign-in, the sign-in form's CSRF token lives in a cookie of its own (double submit).
SIGNIN_COOKIE = "console_signin"
SIGNIN_PATH = "/login"
SOCKET_TIMEOUT_SECONDS = 30.0
_TRUE = ("1", "true", "yes", "on")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def address() -> Tuple[str, int]:
    """CONSOLE_HOST and CONSOLE_PORT, or this machine only on port 5010."""
    host = settings.get("CONSOLE_HOST").strip() or DEFAULT_HOST
    port = settings.get("CONSOLE_PORT").strip()
    return host, int(port) if port else DEFAULT_PORT


class ConsoleServer(BackgroundHTTPServer):
    thread_name = "console"

    def __init__(self, host: str, port: int, accounts: Optional[StaffAccounts] = None):
        super().__init__((host, port), RequestHandler)
        self.accounts = accounts or StaffAccounts()


def run(host: str, port: int) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM."""
    server = ConsoleServer(host, port)
    print(f"工作台已启动：{server.url}/ 。按 Ctrl-C 停止。", flush=True)
    behind_https = settings.get("CONSOLE_SECURE_COOKIES").strip().lower() in _TRUE or rate_limits.trusted_proxies()
    if host not in LOOPBACK and not behind_https:
        logger.warning(texts.OPEN_WITHOUT_HTTPS.format(host=host))
    return serve_in_foreground(server)


class RequestHandler(BaseHTTPRequestHandler):
    server: ConsoleServer
    server_version = "QianjinConsole/1.0"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = SOCKET_TIMEOUT_SECONDS
        super().setup()

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _answer(self, method: str) -> None:
        try:
            response = self._respond(method)
        except Exception:
            logger.exception("console: %s %s failed", method, urlsplit(self.path).path)
            response = web.error_page(web.Request(method, "", {}, {}), 500, texts.SERVER_ERROR)
        self._send(response, head=method == "HEAD")

    def _respond(self, method: str) -> web.Response:
        url = urlsplit(self.path)
        request = web.Request(method, url.path or "/", _single(parse_qs(url.query, keep_blank_values=True)), {},
                              address=self._client_address(), secure=self._secure())
        cookies = self._cookies()
        request.session_token = cookies.get(SESSION_COOKIE) or None
        request.account = self.server.accounts.session_account(request.session_token or "")
        if request.account is None:
            request.session_token = None
        if method == "POST":
            form = self._read_form()
            if isinstance(form, web.Response):
                return form
            request.form = form
        route, params, allowed = _find(request.method if method != "HEAD" else "GET", request.path)
        if request.account is None and not (route is not None and route.public):
            back = _next_path(self.path) if method != "POST" else ""
            expired = "1" if cookies.get(SESSION_COOKIE) else ""  # it had a session: say why it must sign in
            return web.redirect(web.with_query(SIGNIN_PATH, next=back, expired=expired))
        extra_cookie = None
        if request.account is not None:
            request.csrf_token = csrf_token(request.session_token)
        else:
            request.csrf_token = cookies.get(SIGNIN_COOKIE) or ""
            if not request.csrf_token:
                request.csrf_token = secrets.token_urlsafe(24)
                extra_cookie = web.cookie(request, SIGNIN_COOKIE, request.csrf_token)
        if route is None:
            return web.error_page(request, 405 if allowed else 404,
                                  texts.METHOD_NOT_ALLOWED if allowed else texts.NOT_FOUND)
        if method == "POST" and not hmac.compare_digest(request.form.get("csrf_token", "").encode(),
                                                        request.csrf_token.encode()):
            logger.warning("console: POST %s refused: no or wrong CSRF token", request.path)
            return web.error_page(request, 403, texts.CSRF_REFUSED)
        request.path_params = params
        response = route.handler(request)
        if extra_cookie:
            response.headers.append(("Set-Cookie", extra_cookie))
        return response

    def _read_form(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length > MAX_BODY:
            self.close_connection = True  # the rest of the body is never read
            return web.error_page(web.Request("POST", "", {}, {}), 413, texts.BODY_TOO_LARGE)
        if length < 0:
            return web.error_page(web.Request("POST", "", {}, {}), 400, texts.BAD_FORM)
        try:
            body = self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError:
            return web.error_page(web.Request("POST", "", {}, {}), 400, texts.BAD_FORM)
        return _single(parse_qs(body, keep_blank_values=True))

    def _cookies(self) -> Dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie") or "")
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def _from_trusted_proxy(self) -> bool:
        try:
            peer = ipaddress.ip_address(self.client_address[0])
        except ValueError:
            return False
        return any(peer in network for network in rate_limits.trusted_proxies())

    def _client_address(self) -> str:
        return rate_limits.client_address(self.client_address[0], self.headers.get_all("X-Forwarded-For") or [],
                                          rate_limits.trusted_proxies())

    def _secure(self) -> bool:
        if settings.get("CONSOLE_SECURE_COOKIES").strip().lower() in _TRUE:
            return True
        forwarded = (self.headers.get("X-Forwarded-Proto") or "").strip().lower()
        return forwarded == "https" and self._from_trusted_proxy()

    def _send(self, response: web.Response, head: bool = False) -> None:
        headers = list(response.headers)
        names = {name.lower() for name, _ in headers}
        if "content-security-policy" not in names:
            headers.append(("Content-Security-Policy", web.content_security_policy()))
        headers += [header for header in web.SECURITY_HEADERS if header[0].lower() not in names]
        self.send_response(response.status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head:
            self.wfile.write(response.body)


def _find(method: str, path: str):
    """The route for `method` and `path` with its path parameters, and whether another method would match."""
    from bot.console.routes import ROUTES

    allowed = False
    for route in ROUTES:
        params = route.match(path)
        if params is None:
            continue
        if route.method == method:
            return route, params, True
        allowed = True
    return None, {}, allowed


def _next_path(raw: str) -> str:
    """Where to go after signing in: a path on this server only (never another site)."""
    url = urlsplit(raw)
    return local_path(url.path + (f"?{url.query}" if url.query else ""))


def local_path(candidate: str) -> str:
    """`candidate` when it is a path on this server, else the queue: "//evil.example" and "/\\evil" are other
    sites to a browser."""
    if not candidate.startswith("/") or candidate.startswith("//") or candidate.startswith("/\\") \
            or any(ord(character) < 32 for character in candidate):
        return "/queue"
    return candidate


def _single(values: Dict[str, list]) -> Dict[str, str]:
    return {key: found[-1] for key, found in values.items()}

