"""/tickets/<ticket_no>: one report as staff handle it. Its history, the resident's words (numbers masked), photos
and place, how many residents follow it; its phone masked unless staff press "显示号码" (logged); and the form
that moves it on, which tells the resident exactly as `python -m bot queue set-status` does.
"""
import html
from typing import List, Tuple

from sqlalchemy import select

from bot.console import audit, texts, web
from bot.governance.cli import SOURCE_LABELS
from bot.governance.errors import GovernanceError
from bot.governance.messages import ERASED_BY_RETENTION
from bot.governance.models import Photo, Report
from bot.governance.queue import open_queue
from bot.governance.statuses import CLOSED, STATUS_LABELS
from bot.governance.views import DELIVERY_LABELS, ReportView
from bot.personal_data.numbers import mask_personal_data
from bot.photos import store as photo_store
from bot.photos.urls import photo_path
from bot.terminal import for_staff

DONE = {"status": texts.STATUS_SAVED, "status_note": texts.STATUS_SAVED_WITH_NOTE}
NOTE_LIMIT = 1000


def ticket_page(request: web.Request) -> web.Response:
    report = open_queue().get(request.path_params["ticket_no"])
    if report is None:
        return _unknown(request)
    done = DONE.get(request.query.get("done", ""), "")
    return _page(request, report, notice=done, notice_kind="ok" if done else "")


def change_status(request: web.Request) -> web.Response:
    ticket_no = request.path_params["ticket_no"]
    status, note = request.form.get("status", ""), request.form.get("note", "").strip()[:NOTE_LIMIT]
    try:
        report = open_queue().set_status(ticket_no, status, note=note, source="staff")
    except GovernanceError as error:
        report = open_queue().get(ticket_no)
        if report is None:
            return _unknown(request)
        return _page(request, report, notice=str(error), notice_kind="error", note=note, status=400)
    audit.record(request.account, "set_status", report.ticket_no,
                 f"改为「{report.status_label}」" + (f"，说明：{note}" if note else ""))
    return web.redirect(f"/tickets/{report.ticket_no}?done={'status_note' if note else 'status'}")


def show_phone(request: web.Request) -> web.Response:
    """The full number, in this response only (never in a URL), and an audit entry saying who looked."""
    report = open_queue().get(request.path_params["ticket_no"])
    if report is None:
        return _unknown(request)
    with open_queue().reading() as session:
        phone = session.scalar(select(Report.phone).where(Report.ticket_no == report.ticket_no))
    if not phone:
        return _page(request, report, notice=texts.PHONE_NONE)
    if mask_personal_data(phone) == phone:
        return _page(request, report, notice=texts.PHONE_MASKED_FOR_GOOD)
    audit.record(request.account, "show_phone", report.ticket_no)
    return _page(request, report, notice=texts.PHONE_SHOWN, notice_kind="ok", phone=phone)


def photo_file(request: web.Request) -> web.Response:
    """A photo of a report, for signed-in staff (the console shows photos from its own address)."""
    found = photo_store.served_file(photo_store.photo_dir(), request.path_params["name"])
    if found is None:
        return web.error_page(request, 404, texts.NOT_FOUND)
    path, content_type = found
    return web.Response(200, [("Content-Type", content_type)], path.read_bytes())


def _unknown(request: web.Request) -> web.Response:
    return web.error_page(request, 404, texts.UNKNOWN_TICKET_PAGE.format(
        ticket_no=request.path_params["ticket_no"][:40]))


def _page(request: web.Request, report: ReportView, notice: str = "", notice_kind: str = "", note: str = "",
          phone: str = "", status: int = 200) -> web.Response:
    ticket = html.escape(report.ticket_no)
    body = (
        f'<p><a href="/queue">← 返回工单队列</a></p><h1>工单 {ticket} '
        f'<span class="tag {html.escape(report.status)}">{html.escape(report.status_label)}</span></h1>'
        f'<section class="card" aria-labelledby="facts"><h2 id="facts">基本情况</h2>{_facts(request, report, phone)}'
        f'</section>{_photos(report)}'
        f'<section class="card" aria-labelledby="history"><h2 id="history">处理经过</h2>{_history(report)}</section>'
        f'{_status_form(request, report, note)}'
    )
    return web.html_page(request, f"工单 {report.ticket_no}", body, status=status, notice=notice,
                         notice_kind=notice_kind)


def _facts(request: web.Request, report: ReportView, phone: str) -> str:
    rows: List[Tuple[str, str]] = [
        ("类别", html.escape(report.category)),
        ("地点", html.escape(for_staff(report.location))),
    ]
    if report.latitude is not None and report.longitude is not None:
        rows.append(("坐标", f"纬度 {report.latitude:.6f}，经度 {report.longitude:.6f}（居民共享的位置）"))
    rows += [
        ("描述", f'<span class="words">{html.escape(for_staff(report.description))}</span>'),
        ("电话", _phone(request, report, phone)),
        ("渠道", html.escape(texts.channel_label(report.channel))),
        ("受理时间", f"{report.created_at:%Y-%m-%d %H:%M}"),
        ("转派", html.escape(DELIVERY_LABELS[report.delivery])
         + (f"（{html.escape(for_staff(report.delivery_error))}）" if report.delivery_error else "")),
        ("关注人数", f"另有 {report.followers} 位居民关注" if report.followers else "无其他居民关注"),
    ]
    if report.satisfaction:
        rating = html.escape(report.satisfaction)
        if report.revisit:
            rating += ' <span class="tag flag">待回访</span>'
        rows.append(("居民评价", f"{rating}（{report.rated_at:%Y-%m-%d %H:%M}）"))
        if report.satisfaction_comment:
            rows.append(("评价说明", html.escape(for_staff(report.satisfaction_comment))))
    return '<dl class="facts">' + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows) + "</dl>"


def _phone(request: web.Request, report: ReportView, phone: str) -> str:
    if phone:
        return f'<strong>{html.escape(phone)}</strong>'
    if not report.phone_masked:
        return "未留"
    if report.status == CLOSED or report.phone_masked == ERASED_BY_RETENTION:  # masked in the database for good
        return html.escape(report.phone_masked)
    return (f'{html.escape(report.phone_masked)} <form class="inline-form" method="post" '
            f'action="/tickets/{html.escape(report.ticket_no)}/phone">{web.csrf_field(request)}'
            '<button type="submit" class="secondary">显示号码</button></form>'
            '<span class="muted">（查看会记入审计日志）</span>')


def _photos(report: ReportView) -> str:
    if not report.photos:
        return ""
    with open_queue().reading() as session:
        found = session.execute(select(Photo.token, Photo.content_type).where(Photo.token.in_(report.photos)))
        stored = dict(found.all())
    items = []
    for number, token in enumerate(report.photos, start=1):
        if token not in stored:
            continue
        path = html.escape(photo_path(token, stored[token]))
        items.append(f'<a href="{path}"><img src="{path}" alt="居民上传的第 {number} 张照片"></a>')
    return (f'<section class="card" aria-labelledby="photos"><h2 id="photos">照片（{len(items)} 张）</h2>'
            f'<div class="photos">{"".join(items)}</div></section>')


def _history(report: ReportView) -> str:
    items = []
    for entry in report.history:
        note = f"：{html.escape(for_staff(entry.note))}" if entry.note else ""
        items.append(f"<li>{entry.at:%Y-%m-%d %H:%M} {html.escape(entry.status_label)}"
                     f"（{SOURCE_LABELS.get(entry.source, entry.source)}）{note}</li>")
    return f'<ol class="history">{"".join(items)}</ol>'


def _status_form(request: web.Request, report: ReportView, note: str) -> str:
    options = "".join(
        f'<option value="{code}"{" selected" if code == report.status else ""}>{html.escape(label)}</option>'
        for code, label in STATUS_LABELS.items())
    return (
        f'<section class="card" aria-labelledby="change"><h2 id="change">修改状态</h2>'
        f'<form class="stack" method="post" action="/tickets/{html.escape(report.ticket_no)}/status">'
        f'{web.csrf_field(request)}'
        f'<div><label for="status">新状态</label><select id="status" name="status">{options}</select></div>'
        f'<div><label for="note">说明（居民会看到，可不填）</label>'
        f'<textarea id="note" name="note" maxlength="{NOTE_LIMIT}">{html.escape(note)}</textarea></div>'
        '<div><button type="submit">保存并通知居民</button></div></form></section>'
    )


ROUTES = (
    web.Route("GET", "/tickets/{ticket_no}", ticket_page),
    web.Route("POST", "/tickets/{ticket_no}/status", change_status, changes=True),
    web.Route("POST", "/tickets/{ticket_no}/phone", show_phone, changes=True),
    web.Route("GET", "/photos/{name}", photo_file),
)
