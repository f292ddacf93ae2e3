"""/queue and /consultations: the lists staff work from, with filters, search and pages.

The filters live in the query string, so a filtered list can be bookmarked, shared, and paged through; a filter
that does not parse (a mistyped date) is left out and said so, never an error page.
"""
import html
from datetime import date
from typing import List, Optional, Tuple

from bot.console import texts, web
from bot.console.search import Filters, find_consultations, find_reports
from bot.governance import consultations
from bot.governance.categories import CATEGORIES
from bot.governance.queue import open_queue
from bot.governance.statuses import STATUS_LABELS
from bot.governance.views import REJECTED
from bot.terminal import for_staff

PAGE_SIZE = 20
REPORT, CONSULTATION = "report", "consultation"
KIND_LABELS = {REPORT: "报事工单", CONSULTATION: "居民留言"}


def queue_page(request: web.Request) -> web.Response:
    kind = CONSULTATION if request.query.get("kind") == CONSULTATION else REPORT
    return _listing(request, kind, "/queue", "工单队列")


def consultations_page(request: web.Request) -> web.Response:
    return _listing(request, CONSULTATION, "/consultations", "居民留言")


def _listing(request: web.Request, kind: str, path: str, title: str) -> web.Response:
    filters, problems = _filters(request, kind)
    page = web.page_number(request)
    queue = open_queue()
    if kind == REPORT:
        found, total = find_reports(queue, filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        table = _reports_table(found)
    else:
        found, total = find_consultations(queue, filters, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        table = _consultations_table(found)
    if not found:
        table = f'<p class="card">{html.escape(texts.NOTHING_FOUND)}</p>'
    body = (f"<h1>{html.escape(title)}</h1>{_filter_form(request, kind, path, filters)}"
            f'<section aria-label="结果">{table}{web.pager(request, page, total, PAGE_SIZE)}</section>')
    notice = texts.FILTER_IGNORED.format(what="、".join(problems)) if problems else ""
    return web.html_page(request, title, body, notice=notice, notice_kind="error" if notice else "")


def _filters(request: web.Request, kind: str) -> Tuple[Filters, List[str]]:
    """The filters the query asks for, and the names of those that could not be read (ignored)."""
    query, problems = request.query, []
    statuses = STATUS_LABELS if kind == REPORT else consultations.STATUS_LABELS
    status = query.get("status", "")
    # A status or category of the other kind is what the form keeps when staff switch kinds: left out quietly.
    if status and status not in STATUS_LABELS and status not in consultations.STATUS_LABELS:
        problems.append("状态")
    category = query.get("category", "")
    if category and kind == REPORT and category not in CATEGORIES:
        problems.append("类别")
    since, until = _day(query.get("since", ""), "起始日期", problems), _day(query.get("until", ""), "截止日期", problems)
    return Filters(
        status=status if status in statuses else None,
        category=category if kind == REPORT and category in CATEGORIES else None,
        since=since,
        until=until,
        revisit=kind == REPORT and query.get("revisit") == "1",
        words=query.get("q", "").strip(),
    ), problems


def _day(text: str, name: str, problems: List[str]) -> Optional[date]:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(name)
        return None


def _filter_form(request: web.Request, kind: str, path: str, filters: Filters) -> str:
    statuses = STATUS_LABELS if kind == REPORT else consultations.STATUS_LABELS
    fields = []
    if path == "/queue":
        fields.append(_select("kind", "类型", KIND_LABELS, kind, ""))
    fields.append(_select("status", "状态", statuses, filters.status or "", "全部状态"))
    if kind == REPORT:
        fields.append(_select("category", "类别", {name: name for name in CATEGORIES}, filters.category or "",
                              "全部类别"))
    fields.append(_input("since", "起始日期", "date", request.query.get("since", "")))
    fields.append(_input("until", "截止日期", "date", request.query.get("until", "")))
    fields.append(_input("q", "搜索（编号或文字）", "search", filters.words))
    if kind == REPORT:
        checked = " checked" if filters.revisit else ""
        fields.append(f'<label class="check" for="revisit"><input type="checkbox" id="revisit" name="revisit" '
                      f'value="1"{checked}>只看待回访（居民不满意）</label>')
    fields.append('<div><button type="submit">筛选</button> '
                  f'<a class="button secondary" href="{html.escape(path)}">清除</a></div>')
    return (f'<form class="card filters" method="get" action="{html.escape(path)}" role="search" '
            f'aria-label="筛选">{"".join(fields)}</form>')


def _select(name: str, label: str, options: dict, chosen: str, any_label: str) -> str:
    choices = [f'<option value="">{html.escape(any_label)}</option>'] if any_label else []
    choices += [f'<option value="{html.escape(code)}"{" selected" if code == chosen else ""}>'
                f'{html.escape(text)}</option>' for code, text in options.items()]
    return (f'<div><label for="{name}">{html.escape(label)}</label>'
            f'<select id="{name}" name="{name}">{"".join(choices)}</select></div>')


def _input(name: str, label: str, kind: str, value: str) -> str:
    return (f'<div><label for="{name}">{html.escape(label)}</label>'
            f'<input type="{kind}" id="{name}" name="{name}" value="{html.escape(value)}"></div>')


def _reports_table(found) -> str:
    rows = []
    for report in found:
        flags = ""
        if report.revisit:
            flags += ' <span class="tag flag">待回访</span>'
        if report.delivery == REJECTED:
            flags += ' <span class="tag flag">被拒收</span>'
        if report.photos:
            flags += f' <span class="tag">照片 {len(report.photos)}</span>'
        rows.append(
            f'<tr><td class="nowrap" data-label="工单号"><a href="/tickets/{html.escape(report.ticket_no)}">'
            f'{html.escape(report.ticket_no)}</a></td>'
            f'<td data-label="状态"><span class="tag {html.escape(report.status)}">'
            f'{html.escape(report.status_label)}</span>{flags}</td>'
            f'<td class="nowrap" data-label="类别">{html.escape(report.category)}</td>'
            f'<td class="nowrap" data-label="受理时间">{report.created_at:%Y-%m-%d %H:%M}</td>'
            f'<td class="place" data-label="地点">{html.escape(for_staff(report.location))}</td>'
            f'<td class="summary" data-label="描述"><span>{html.escape(for_staff(report.description))}</span></td>'
            f'<td class="nowrap" data-label="电话">{html.escape(report.phone_masked or "未留")}</td></tr>')
    return ('<div class="table-wrap"><table class="list"><thead><tr><th scope="col">工单号</th><th scope="col">状态</th>'
            '<th scope="col">类别</th><th scope="col">受理时间</th><th scope="col">地点</th>'
            f'<th scope="col">描述</th><th scope="col">电话</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            '</table></div>')


def _consultations_table(found) -> str:
    rows = "".join(
        f'<tr><td class="nowrap" data-label="留言编号"><a href="/consultations/{html.escape(item.number)}">'
        f'{html.escape(item.number)}</a></td>'
        f'<td data-label="状态"><span class="tag {item.status}">{html.escape(item.status_label)}</span></td>'
        f'<td class="nowrap" data-label="留言时间">{item.created_at:%Y-%m-%d %H:%M}</td>'
        f'<td data-label="渠道">{html.escape(texts.channel_label(item.channel))}</td>'
        f'<td class="summary" data-label="问题"><span>{html.escape(for_staff(item.question))}</span></td>'
        f'<td data-label="答复人">{html.escape(for_staff(item.answered_by or "—"))}</td></tr>'
        for item in found)
    return ('<div class="table-wrap"><table class="list"><thead><tr><th scope="col">留言编号</th><th scope="col">状态</th>'
            '<th scope="col">留言时间</th><th scope="col">渠道</th><th scope="col">问题</th>'
            f'<th scope="col">答复人</th></tr></thead><tbody>{rows}</tbody></table></div>')


ROUTES = (
    web.Route("GET", "/queue", queue_page),
    web.Route("GET", "/consultations", consultations_page),
)
