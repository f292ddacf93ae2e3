"""`python -m bot queue ...` for staff: list, show and update reports, and the outbox worker (which also pushes
WeChat residents' notes).

Staff see residents' phone numbers masked, in the phone field and inside descriptions alike. Residents' questions
for staff (consultations, ZX...) are listed, shown and answered here too.
"""
import argparse
import getpass
import signal
import threading
from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import select

from bot.governance import consultations
from bot.governance.consultations import ConsultationDesk, ConsultationView, answer_message
from bot.governance.errors import GovernanceError
from bot.governance.models import Photo
from bot.governance.open311 import Open311Client
from bot.governance.outbox import OutboxWorker
from bot.governance.queue import ReportQueue
from bot.governance.statuses import STATUS_LABELS, parse_status
from bot.governance.tickets import normalise_consultation
from bot.governance.views import DELIVERY_LABELS, REJECTED, ReportView
from bot.personal_data.retention import Retention
from bot.photos.urls import photo_url
from bot.terminal import for_staff
from bot.wechat import push

SUMMARY_LENGTH = 30
SOURCE_LABELS = {"bot": "小助手", "backend": "云治前进", "staff": "工作人员"}
REPORT, CONSULTATION = "report", "consultation"
REVISIT_FLAG = "  ☎ 不满意，待回访"


def register(subparsers: argparse._SubParsersAction) -> None:
    queue = subparsers.add_parser("queue", help="居民报事工单：查看、改状态、转派到云治前进")
    commands = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="列出工单或居民留言，最新的在前（电话号码已隐藏）")
    listing.add_argument("--kind", choices=(REPORT, CONSULTATION), default=REPORT,
                         help="report：报事工单（默认）；consultation：居民留给工作人员的问题")
    listing.add_argument("--status", type=_listing_status,
                         help=f"只看某个状态。工单：{_status_choices()}；留言：{_consultation_status_choices()}")
    listing.add_argument("--since", type=_day, help="从这天起（含），格式 YYYY-MM-DD")
    listing.add_argument("--until", type=_day, help="到这天为止（含），格式 YYYY-MM-DD")
    listing.add_argument("--limit", type=int, default=50, help="最多显示几条（默认 50）")
    listing.set_defaults(handler=list_command)

    show = commands.add_parser("show", help="一张工单（或一条留言）的全部内容和处理经过")
    show.add_argument("ticket", help="工单号，如 QJ20240501-0001；或留言编号，如 ZX20240501-0001")
    show.set_defaults(handler=show_command)

    set_status = commands.add_parser("set-status", help="修改工单状态")
    set_status.add_argument("ticket", help="工单号")
    set_status.add_argument("status", type=_status, help=_status_choices())
    set_status.add_argument("--note", default="", help="说明（居民查进度时能看到）")
    set_status.set_defaults(handler=set_status_command)

    resend = commands.add_parser("resend", help="被云治前进拒收的工单，排除原因后重新转派")
    resend.add_argument("ticket", help="工单号")
    resend.set_defaults(handler=resend_command)

    answer = commands.add_parser("answer", help="答复居民的留言（答复会发到居民所用的渠道）")
    answer.add_argument("number", help="留言编号，如 ZX20240501-0001")
    answer.add_argument("text", help="答复内容")
    answer.add_argument("--staff", default=_os_user(), help="答复人（默认当前系统用户名）")
    answer.set_defaults(handler=answer_command)

    deliver = commands.add_parser("deliver", help="把工单转派到云治前进事件平台，并取回处理进度")
    deliver.add_argument("--once", action="store_true", help="只处理一轮就退出（默认一直运行）")
    deliver.set_defaults(handler=deliver_command)


@contextmanager
def _opened_queue() -> Iterator[ReportQueue]:
    queue = ReportQueue.from_env()
    try:
        yield queue
    finally:
        queue.close()


def _changed(change: Callable[[ReportQueue], ReportView]) -> Optional[ReportView]:
    """The report after `change`; a refusal (unknown ticket, a status going back) is printed and gives None."""
    with _opened_queue() as queue:
        try:
            return change(queue)
        except GovernanceError as error:
            print(error)
            return None


def list_command(args: argparse.Namespace) -> int:
    status_kind, status = args.status or (args.kind, None)
    if status_kind != args.kind:
        print(f"留言的状态只有：{_consultation_status_choices()}；工单的状态是：{_status_choices()}。"
              if args.kind == CONSULTATION else f"工单的状态只有：{_status_choices()}。")
        return 2
    if args.kind == CONSULTATION:
        return _list_consultations(status, args)
    with _opened_queue() as queue:
        reports = queue.list(status=status, since=args.since, until=args.until, limit=args.limit)
    if not reports:
        print("没有符合条件的工单。")
        return 0
    for report in reports:
        print(_summary_line(report))
    print(f"共 {len(reports)} 条。")
    return 0


def show_command(args: argparse.Namespace) -> int:
    if normalise_consultation(args.ticket):
        with _opened_queue() as queue:
            consultation = ConsultationDesk(queue).get(args.ticket)
        if consultation is None:
            print(f"没有找到留言编号 {args.ticket}，请核对后再试。")
            return 1
        print(_consultation_details(consultation))
        return 0
    with _opened_queue() as queue:
        report = queue.get(args.ticket)
        links = _photo_links(queue, report.photos) if report else []
    if report is None:
        print(f"没有找到工单号 {args.ticket}，请核对后再试。")
        return 1
    print(_details(report, links))
    return 0


def set_status_command(args: argparse.Namespace) -> int:
    report = _changed(lambda queue: queue.set_status(args.ticket, args.status, note=args.note, source="staff"))
    if report is None:
        return 1
    print(f"{report.ticket_no} 已改为「{report.status_label}」，居民会在所用渠道收到这条进度"
          + ("（连同说明）。" if args.note.strip() else "。"))
    return 0


def resend_command(args: argparse.Namespace) -> int:
    report = _changed(lambda queue: queue.resend(args.ticket))
    if report is None:
        return 1
    print(f"{report.ticket_no} 已重新排队，转派程序（queue deliver）会在几秒内发出。")
    return 0


def answer_command(args: argparse.Namespace) -> int:
    with _opened_queue() as queue:
        try:
            answered = ConsultationDesk(queue).answer(args.number, args.text, staff=args.staff)
        except GovernanceError as error:
            print(error)
            return 1
    print(f"已答复 {answered.number}（答复人：{for_staff(answered.answered_by)}）。居民将在所用渠道收到：")
    for line in answer_message(answered.number, answered.answer).splitlines():
        print(f"  {for_staff(line)}")
    return 0


def _list_consultations(status: Optional[str], args: argparse.Namespace) -> int:
    with _opened_queue() as queue:
        found = ConsultationDesk(queue).list(status=status, since=args.since, until=args.until, limit=args.limit)
    if not found:
        print("没有符合条件的留言。")
        return 0
    for consultation in found:
        print(_consultation_line(consultation))
    print(f"共 {len(found)} 条。")
    return 0


def deliver_command(args: argparse.Namespace) -> int:
    with _opened_queue() as queue:
        # Running for good, it applies retention at start and then daily (`privacy retention` does it on demand).
        retention = None if args.once else Retention.from_env(queue)
        worker = OutboxWorker(queue, Open311Client.from_env(), retention=retention)
        if args.once:
            delivered = worker.run_once()
            print(delivered)
            for ticket in delivered.rejected:
                print(f"  {ticket} 被拒收，请用 `python -m bot queue show {ticket}` 查看原因，"
                      f"排除后用 `python -m bot queue resend {ticket}` 重发。")
            print(worker.refresh_statuses())
            pusher = push.WeChatPusher.from_env(queue)
            if pusher is not None:
                print(pusher.run_once())
            return 0
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        # Residents' notes go out beside the reports, in a thread of their own (bot/wechat/push.py).
        pushing = push.started(queue, stop)
        worker.run_forever(stop)
        if pushing is not None:
            pushing.join()
        return 0


def _shortened(resident_text: str) -> str:
    """Resident text fit for one line of a listing."""
    text = for_staff(resident_text)
    return text[:SUMMARY_LENGTH] + "…" if len(text) > SUMMARY_LENGTH else text


def _photo_links(queue: ReportQueue, tokens: Tuple[str, ...]) -> List[str]:
    """Where staff open a report's photos, in the order sent."""
    if not tokens:
        return []
    with queue.reading() as session:
        kinds = dict(session.execute(select(Photo.token, Photo.content_type).where(Photo.token.in_(tokens))).all())
    return [photo_url(token, kinds[token]) for token in tokens if token in kinds]


def _summary_line(report: ReportView) -> str:
    text = _shortened(report.description)
    flag = "  ⚠ 被拒收" if report.delivery == REJECTED else ""
    if report.revisit:
        flag += REVISIT_FLAG
    if report.photos:
        flag += f"  照片 {len(report.photos)} 张"
    if report.followers:
        flag += f"  {report.followers} 人关注"
    return (f"{report.ticket_no}  {report.status_label}  {report.category}  {report.created_at:%Y-%m-%d %H:%M}  "
            f"{for_staff(report.location)}  {text}  电话 {report.phone_masked or '未留'}{flag}")


def _details(report: ReportView, photo_links: Sequence[str] = ()) -> str:
    lines = [
        f"工单号：{report.ticket_no}",
        f"状态：{report.status_label}（{report.status}）",
        f"类别：{report.category}",
        f"地点：{for_staff(report.location)}",
    ]
    if report.latitude is not None and report.longitude is not None:
        lines.append(f"定位：纬度 {report.latitude:.6f}，经度 {report.longitude:.6f}（居民共享的位置，WGS84）")
    lines += [
        f"描述：{for_staff(report.description)}",
        f"电话：{report.phone_masked or '未留'}",
    ]
    lines += [f"照片{number}：{link}" for number, link in enumerate(photo_links, 1)]
    if report.followers:
        lines.append(f"关注的居民：{report.followers} 人（同一问题的其他居民，进度会同样通知他们）")
    lines += [
        f"受理时间：{report.created_at:%Y-%m-%d %H:%M}",
        f"转派：{DELIVERY_LABELS[report.delivery]}"
        + (f"（{for_staff(report.delivery_error)}）" if report.delivery_error else ""),
        "处理经过：",
    ]
    for entry in report.history:
        note = f"  {for_staff(entry.note)}" if entry.note else ""
        lines.append(f"  {entry.at:%Y-%m-%d %H:%M}  {entry.status_label}  （{SOURCE_LABELS[entry.source]}）{note}")
    if report.satisfaction:
        revisit = "，待回访" if report.revisit else ""
        lines.append(f"居民评价：{report.satisfaction}{revisit}（{report.rated_at:%Y-%m-%d %H:%M}）")
        if report.satisfaction_comment:
            lines.append(f"评价说明：{for_staff(report.satisfaction_comment)}")
    if report.delivery == REJECTED:
        lines.append(f"排除拒收原因后重发：python -m bot queue resend {report.ticket_no}")
    return "\n".join(lines)


def _consultation_line(consultation: ConsultationView) -> str:
    text = _shortened(consultation.question)
    more = f"  （补充 {len(consultation.additions)} 条）" if consultation.additions else ""
    answered = f"  答复人 {for_staff(consultation.answered_by)}" if consultation.answered_by else ""
    return (f"{consultation.number}  {consultation.status_label}  {consultation.created_at:%Y-%m-%d %H:%M}  "
            f"{consultation.channel}  {text}{more}{answered}")


def _consultation_details(consultation: ConsultationView) -> str:
    lines = [
        f"留言编号：{consultation.number}",
        f"状态：{consultation.status_label}",
        f"渠道：{consultation.channel}",
        f"留言时间：{consultation.created_at:%Y-%m-%d %H:%M}",
        f"问题：{for_staff(consultation.question)}",
    ]
    if consultation.context:
        lines.append("对话上文（居民同意提供）：")
        lines.extend(f"  {for_staff(line)}" for line in consultation.context.splitlines() if line.strip())
    for at, text in consultation.additions:
        lines.append(f"补充（{at:%Y-%m-%d %H:%M}）：{for_staff(text)}")
    if consultation.answered_at is None:
        lines.append(f'答复：python -m bot queue answer {consultation.number} "答复内容"')
    else:
        lines.append(f"答复（{for_staff(consultation.answered_by)}，{consultation.answered_at:%Y-%m-%d %H:%M}）：")
        lines.extend(f"  {for_staff(line)}" for line in consultation.answer.splitlines())
    return "\n".join(lines)


def _status(text: str) -> str:
    try:
        return parse_status(text)
    except GovernanceError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _listing_status(text: str) -> Tuple[str, str]:
    """A report status or a consultation status, with the kind it belongs to."""
    wanted = text.strip()
    for code, chinese in consultations.STATUS_LABELS.items():
        if wanted.lower() == code or wanted == chinese:
            return CONSULTATION, code
    return REPORT, _status(text)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a container without one)
        return "工作人员"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”看不懂，请写成 YYYY-MM-DD，如 2024-05-01") from None


def _status_choices() -> str:
    return "、".join(f"{label}/{code}" for code, label in STATUS_LABELS.items())


def _consultation_status_choices() -> str:
    return "、".join(f"{label}/{code}" for code, label in consultations.STATUS_LABELS.items())
