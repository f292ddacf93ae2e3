"""`python -m bot privacy ...`: a resident's right to deletion, and retention applied on demand."""
import argparse
import sys

from bot import conversation_store, settings
from bot.governance.clock import now as utc_now
from bot.governance.open311 import BackendError, Open311Client
from bot.governance.queue import ReportQueue
from bot.personal_data import texts
from bot.personal_data.forget import Forgetting, Forgotten, NotFound, Plan
from bot.personal_data.retention import Retention
from bot.photos.store import PhotoStore


def register(subparsers: argparse._SubParsersAction) -> None:
    privacy = subparsers.add_parser("privacy", help="居民个人信息：按要求删除、按保存期限清理")
    commands = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    forget = commands.add_parser("forget", help="按居民要求删除其全部个人信息（对话、工单、事件平台副本）")
    forget.add_argument("wanted", metavar="对话编号或工单号", help="如 wechat:o6_bmjrPTlm6_2sgVt7hMZOPfL2M 或 QJ20240501-0001")
    forget.add_argument("--yes", action="store_true", help="不再询问，直接删除")
    forget.set_defaults(handler=forget_command)

    retention = commands.add_parser("retention", help="现在按保存期限清理一次（转派程序每天会自动清理）")
    retention.set_defaults(handler=retention_command)


def forget_command(args: argparse.Namespace) -> int:
    queue = ReportQueue.from_env()
    conversations = conversation_store.connect(conversation_store.default_db_url())
    external = bool(settings.get("EVENTS_BACKEND_URL").strip())
    client = Open311Client.from_env()
    try:
        forgetting = Forgetting(queue, conversations, None if external else client, PhotoStore.from_env(queue))
        try:
            conversation = forgetting.conversation_of(args.wanted)
        except NotFound:
            print(texts.NOT_FOUND.format(wanted=args.wanted.strip()))
            return 1
        print(_plan(forgetting.plan(conversation)))
        if not args.yes and not _confirmed():
            print(texts.CANCELLED)
            return 1
        try:
            forgotten = forgetting.forget(conversation)
        except BackendError as error:
            print(texts.BACKEND_UNREACHABLE.format(error=error))
            return 1
        print(_done(forgotten, client.base_url, external))
        return 1 if forgotten.backend_left and not external else 0
    finally:
        conversations.dispose()
        queue.close()


def retention_command(args: argparse.Namespace) -> int:
    queue = ReportQueue.from_env()
    try:
        print(texts.RETENTION_DONE.format(summary=Retention.from_env(queue)(utc_now())))
    finally:
        queue.close()
    return 0


def _confirmed() -> bool:
    print(texts.CONFIRM, end="", flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("yes", "y", "是")


def _plan(plan: Plan) -> str:
    lines = [texts.PLAN_HEADER.format(conversation=plan.conversation),
             texts.PLAN_CONVERSATION.format(events=plan.events) if plan.events else texts.PLAN_NO_CONVERSATION]
    if plan.reports:
        tickets = texts.SEPARATOR.join(report.ticket_no for report in plan.reports)
        lines.append(texts.PLAN_REPORTS.format(count=len(plan.reports), tickets=tickets))
    else:
        lines.append(texts.PLAN_NO_REPORTS)
    if plan.consultations:
        lines.append(texts.PLAN_CONSULTATIONS.format(count=len(plan.consultations),
                                                     numbers=texts.SEPARATOR.join(plan.consultations)))
    if plan.photos:
        lines.append(texts.PLAN_PHOTOS.format(count=plan.photos))
    return "\n".join(lines)


def _done(forgotten: Forgotten, backend_url: str, external: bool) -> str:
    lines = [texts.DONE_HEADER.format(conversation=forgotten.conversation),
             texts.DONE_CONVERSATION.format(events=forgotten.events)]
    if forgotten.reports:
        tickets = texts.SEPARATOR.join(report.ticket_no for report in forgotten.reports)
        lines.append(texts.DONE_REPORTS.format(count=len(forgotten.reports), tickets=tickets))
    else:
        lines.append(texts.DONE_NO_REPORTS)
    if forgotten.consultations:
        lines.append(texts.DONE_CONSULTATIONS.format(count=len(forgotten.consultations),
                                                     numbers=texts.SEPARATOR.join(forgotten.consultations)))
    if forgotten.notifications:
        lines.append(texts.DONE_NOTIFICATIONS.format(count=forgotten.notifications))
    if forgotten.photos:
        lines.append(texts.DONE_PHOTOS.format(count=forgotten.photos))
    if forgotten.backend_deleted:
        lines.append(texts.DONE_BACKEND.format(count=len(forgotten.backend_deleted),
                                               request_ids=texts.SEPARATOR.join(forgotten.backend_deleted)))
    if forgotten.backend_left:
        left = texts.SEPARATOR.join(forgotten.backend_left)
        lines.append(texts.EXTERNAL_BACKEND.format(url=backend_url, request_ids=left) if external
                     else texts.BACKEND_LEFT.format(request_ids=left))
    return "\n".join(lines)
