"""/audit: the audit log, newest first, a page at a time."""
import html

from bot.console import audit, texts, web

PAGE_SIZE = 50


def audit_log(request: web.Request) -> web.Response:
    page = web.page_number(request)
    found, total = audit.entries(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    rows = "".join(
        f'<tr><td class="nowrap" data-label="时间">{entry.at:%Y-%m-%d %H:%M:%S}</td>'
        f'<td data-label="账号">{html.escape(entry.account)}</td>'
        f'<td data-label="操作">{html.escape(texts.ACTION_LABELS.get(entry.action, entry.action))}</td>'
        f'<td class="nowrap" data-label="对象">{html.escape(entry.target)}</td>'
        f'<td data-label="说明">{html.escape(entry.detail)}</td></tr>'
        for entry in found
    )
    table = (
        '<p class="muted">最新的在前。</p><div class="table-wrap"><table class="list"><thead><tr><th scope="col">时间</th>'
        '<th scope="col">账号</th><th scope="col">操作</th><th scope="col">对象</th><th scope="col">说明</th></tr>'
        f'</thead><tbody>{rows}</tbody></table></div>' if found else '<p class="card">还没有记录。</p>'
    )
    body = f"<h1>审计日志</h1>{table}{web.pager(request, page, total, PAGE_SIZE)}"
    return web.html_page(request, "审计日志", body)


ROUTES = (
    web.Route("GET", "/audit", audit_log),
)
