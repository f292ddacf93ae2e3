"""What every console page is made of: the request a handler gets, the response it returns, the page layout with
its navigation, and the route table's entries.

Pages build their HTML as strings and pass every value through `html.escape` (one way to write HTML in the
console). The page's one <style> element is allowed by its hash in the Content-Security-Policy, so no page may use
a `style="..."` attribute or a <script> of its own: give elements classes (add the rules with `html_page(style=)`),
draw charts with SVG attributes.
"""
import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from bot.console import texts

# Main navigation: (path, label); a page is marked current when its path starts with the entry's path.
NAV: Tuple[Tuple[str, str], ...] = (
    ("/queue", "工单队列"),
    ("/consultations", "居民留言"),
    ("/asks", "居民在问"),
    ("/knowledge", "知识库"),
    ("/dashboard", "运行情况"),
    ("/audit", "审计日志"),
)

STYLE = """
:root { --ink: #1d2733; --muted: #5b6877; --line: #d5dbe3; --bg: #f4f6f9; --accent: #0b5cad; --ok: #1e7a3c;
  --warn: #a3480b; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible,
summary:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 2; }
header.top { background: #12324f; color: #fff; padding: 8px 16px; display: flex; flex-wrap: wrap; align-items: center;
  gap: 8px 20px; }
header.top .brand { font-weight: 700; font-size: 18px; }
header.top nav { display: flex; flex-wrap: wrap; gap: 4px; flex: 1; }
header.top nav a { color: #fff; text-decoration: none; padding: 6px 10px; border-radius: 6px; }
header.top nav a[aria-current="page"] { background: #2d5d8a; font-weight: 700; }
header.top nav a:hover { background: #24507a; }
header.top .who { display: flex; align-items: center; gap: 8px; }
header.top .who button { background: transparent; color: #fff; border: 1px solid #8fb3d6; }
main { max-width: 1180px; margin: 0 auto; padding: 16px; }
h1 { font-size: 24px; margin: 8px 0 16px; }
h2 { font-size: 19px; margin: 24px 0 8px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
.card > h2:first-child { margin-top: 0; }
.notice { border-left: 4px solid var(--accent); background: #eaf2fb; padding: 10px 14px; border-radius: 6px;
  margin-bottom: 16px; }
.notice.ok { border-color: var(--ok); background: #e8f5ec; }
.notice.error { border-color: var(--bad); background: #fbeaea; }
.muted { color: var(--muted); }
label { font-weight: 600; display: block; margin-bottom: 4px; }
input[type=text], input[type=password], input[type=search], input[type=date], select, textarea {
  font: inherit; padding: 8px 10px; border: 1px solid #9aa6b2; border-radius: 6px; background: #fff; width: 100%; }
textarea { min-height: 120px; }
button, .button { font: inherit; padding: 8px 16px; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; align-items: end; }
.filters .check { display: flex; gap: 6px; align-items: center; font-weight: 600; }
.filters .check input { width: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.summary { min-width: 12em; }
td.summary, td.place { overflow-wrap: anywhere; }
td.place { min-width: 7em; }
td.summary span { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.tag { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 14px; background: #e6ecf2;
  white-space: nowrap; }
.tag.closed, .tag.answered { background: #e0f1e5; color: var(--ok); }
.tag.received, .tag.open { background: #fdf0e1; color: var(--warn); }
.tag.flag { background: #fbeaea; color: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.words { white-space: pre-wrap; overflow-wrap: anywhere; }
ol.history { margin: 0; padding-left: 20px; }
.photos { display: flex; flex-wrap: wrap; gap: 12px; }
.photos img { width: 180px; height: 180px; object-fit: cover; border-radius: 6px; border: 1px solid var(--line); }
.pager { display: flex; gap: 12px; align-items: center; margin-top: 12px; }
.stack > * + * { margin-top: 12px; }
.inline-form { display: inline; }
.signin { max-width: 420px; margin: 40px auto; }
@media (max-width: 900px) {
  table.list thead { display: none; }
  table.list, table.list tbody, table.list tr, table.list td { display: block; width: 100%; }
  table.list tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; padding: 6px 0; }
  table.list td { border: 0; padding: 2px 12px; max-width: none; white-space: normal; }
  table.list td:empty { display: none; }
  table.list td::before { content: attr(data-label) "："; font-weight: 600; color: var(--muted); }
  table.list, table.list th, table.list td { background: transparent; }
  table.list tr { background: #fff; }
}
@media (max-width: 700px) {
  main { padding: 10px; }
  dl.facts { grid-template-columns: 1fr; }
  header.top nav a { padding: 6px 8px; }
}
"""

SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)


@dataclass
class Request:
    """One request as a handler sees it: the form and query as single values (the last one of each name)."""

    method: str
    path: str
    query: Dict[str, str]
    form: Dict[str, str]
    account: Optional[str] = None
    path_params: Dict[str, str] = field(default_factory=dict)
    # The token every POST form carries back (per session; before sign-in, per browser).
    csrf_token: str = ""
    # The client's address (behind a trusted proxy, the one it names) and whether it came over HTTPS.
    address: str = ""
    secure: bool = False
    session_token: Optional[str] = None


@dataclass
class Response:
    status: int = 200
    headers: List[Tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """`pattern` is a path with `{name}` parts (one path segment each), passed to the handler as path_params.
    `changes`: the route changes something (a POST; it is written to the audit log). `public`: open without
    signing in (only the sign-in page)."""

    method: str
    pattern: str
    handler: Handler
    changes: bool = False
    public: bool = False

    def match(self, path: str) -> Optional[Dict[str, str]]:
        found = _compiled(self.pattern).fullmatch(path)
        return found.groupdict() if found else None


_patterns: Dict[str, "re.Pattern[str]"] = {}


def _compiled(pattern: str) -> "re.Pattern[str]":
    if pattern not in _patterns:
        parts = re.split(r"\{(\w+)\}", pattern)
        _patterns[pattern] = re.compile("".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)" for index, part in enumerate(parts)))
    return _patterns[pattern]


def csrf_field(request: Request) -> str:
    """The hidden input every POST form must carry; the server refuses a POST without it (403)."""
    return f'<input type="hidden" name="csrf_token" value="{html.escape(request.csrf_token)}">'


def html_page(request: Request, title: str, body_html: str, status: int = 200, style: str = "",
              notice: str = "", notice_kind: str = "") -> Response:
    """The console's layout around `body_html`: navigation, the signed-in account and its sign-out button.

    `notice` is shown above the body (kind "ok" or "error"); `style` adds CSS rules for this page.
    """
    css = STYLE + style
    header = ""
    if request.account is not None:
        links = "".join(
            f'<a href="{path}"{_current(request.path, path)}>{html.escape(label)}</a>' for path, label in NAV)
        header = (
            '<header class="top"><span class="brand">前进小助手 · 工作台</span>'
            f'<nav aria-label="主导航">{links}</nav>'
            f'<form class="who" method="post" action="/logout">{csrf_field(request)}'
            f'<span>{html.escape(request.account)}</span><button type="submit">退出登录</button></form></header>'
        )
    if notice:
        body_html = (f'<div class="notice {html.escape(notice_kind)}" role="status">{html.escape(notice)}</div>'
                     + body_html)
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · 前进小助手工作台</title><style>{css}</style></head>"
        f'<body><a class="skip" href="#main">跳到正文</a>{header}<main id="main">{body_html}</main></body></html>'
    )
    return Response(status, [("Content-Type", "text/html; charset=utf-8"),
                             ("Content-Security-Policy", content_security_policy(css))], page.encode("utf-8"))


def content_security_policy(css: str = "") -> str:
    """Only this server's own resources; the page's <style> by its hash; no script at all."""
    styles = f"'sha256-{base64.b64encode(hashlib.sha256(css.encode('utf-8')).digest()).decode()}'" if css else "'none'"
    return (f"default-src 'self'; script-src 'none'; style-src {styles}; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def cookie(request: Request, name: str, value: str, max_age: Optional[int] = None) -> str:
    """A Set-Cookie value scripts cannot read, sent only by pages of this site, over HTTPS when the request was."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if request.secure:
        parts.append("Secure")
    return "; ".join(parts)


def redirect(url: str) -> Response:
    """See other (303): after a POST the browser fetches `url` with GET, so reloading never repeats a change."""
    return Response(303, [("Location", url)])


def error_page(request: Request, status: int, message: str) -> Response:
    return html_page(request, texts.ERROR_TITLE, f"<h1>{html.escape(texts.ERROR_TITLE)}</h1>"
                     f'<p class="card">{html.escape(message)}</p>', status=status)


def with_query(path: str, **values) -> str:
    """`path` with the non-empty `values` as its query string (keeps filters across pages)."""
    kept = {key: value for key, value in values.items() if value not in (None, "")}
    return f"{quote(path)}?{urlencode(kept)}" if kept else quote(path)


def _current(request_path: str, nav_path: str) -> str:
    return ' aria-current="page"' if request_path == nav_path or request_path.startswith(nav_path + "/") else ""


def page_number(request: Request) -> int:
    """The `page` asked for in the query (1 when absent or not a positive number)."""
    text = request.query.get("page", "")
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


def pager(request: Request, page: int, total: int, size: int) -> str:
    """Previous / next links that keep the page's other query values, and where in the list this page is."""
    pages = max(1, -(-total // size))
    others = {key: value for key, value in request.query.items() if key != "page"}
    links = []
    if page > 1:
        links.append(f'<a href="{html.escape(with_query(request.path, **others, page=page - 1))}" '
                     'rel="prev">上一页</a>')
    links.append(f'<span>第 {page} / {pages} 页，共 {total} 条</span>')
    if page < pages:
        links.append(f'<a href="{html.escape(with_query(request.path, **others, page=page + 1))}" '
                     'rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="翻页">{"".join(links)}</nav>'
