"""`python -m bot report ...`: reports for staff."""
import argparse

from bot.conversation_store import default_db_url
from bot.governance.queue import ReportQueue
from bot.staff_reports import satisfaction
from bot.staff_reports.unanswered import DEFAULT_LIMIT, TrackerStoreError, find_unanswered, format_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="给工作人员看的统计报告")
    commands = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    unanswered = commands.add_parser("unanswered", help="居民问了但没答上来的问题，按次数排序（填表时的回答不算，电话号码已隐藏）")
    unanswered.add_argument("--db", help="对话记录数据库地址（默认 TRACKER_STORE_URL，否则 var/tracker.db）")
    unanswered.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"最多显示几条（默认 {DEFAULT_LIMIT}）")
    unanswered.set_defaults(handler=unanswered_command)
    rated = commands.add_parser("satisfaction", help="居民对已办结工单的评价：按类别和月份统计，含待回访件数")
    rated.set_defaults(handler=satisfaction_command)


def unanswered_command(args: argparse.Namespace) -> int:
    try:
        questions = find_unanswered(args.db or default_db_url(), limit=args.limit)
    except TrackerStoreError as error:
        print(error)
        return 1
    print(format_report(questions))
    return 0


def satisfaction_command(args: argparse.Namespace) -> int:
    queue = ReportQueue.from_env()
    try:
        groups = satisfaction.ratings_by_month(queue)
    finally:
        queue.close()
    print(satisfaction.format_report(groups))
    return 0
