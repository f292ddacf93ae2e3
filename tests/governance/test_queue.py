"""ReportQueue on a real database: tickets, idempotency, concurrency, look-ups, status changes, validation."""
import re
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.governance import InvalidReport, InvalidStatus, UnknownTicket
from bot.governance.models import OutboxEntry, Report, StatusChange
from bot.settings import PROJECT_ROOT
from tests.governance.conftest import draft

UTC = timezone.utc


def rows(queue, model) -> int:
    with queue.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def stepping_clock(start: datetime, step: timedelta = timedelta(minutes=1)):
    moments = iter(start + i * step for i in range(10_000))
    return lambda: next(moments)


def test_a_new_report_gets_a_ticket_and_its_first_status(queue):
    view = queue.submit(draft())

    assert re.fullmatch(r"QJ\d{8}-0001", view.ticket_no)
    assert (view.status, view.status_label) == ("received", "已受理")
    assert [(h.status, h.status_label, h.source) for h in view.history] == [("received", "已受理", "bot")]
    assert view.updated_at.utcoffset() == timedelta(hours=8)
    assert view.delivery == "pending"
    assert (rows(queue, Report), rows(queue, StatusChange), rows(queue, OutboxEntry)) == (1, 1, 1)


def test_submitting_the_same_report_twice_stores_it_once(queue):
    report = draft()

    first, second = queue.submit(report), queue.submit(report)

    assert first.ticket_no == second.ticket_no
    assert (rows(queue, Report), rows(queue, StatusChange), rows(queue, OutboxEntry)) == (1, 1, 1)


def test_the_same_report_from_many_threads_at_once_is_stored_once(queue):
    report = draft()
    start = threading.Barrier(20)

    def submit(_):
        start.wait()
        return queue.submit(report).ticket_no

    with ThreadPoolExecutor(20) as pool:
        tickets = set(pool.map(submit, range(20)))

    assert len(tickets) == 1
    assert rows(queue, Report) == 1


def test_fifty_concurrent_submissions_get_fifty_distinct_tickets(queue):
    start = threading.Barrier(50)

    def submit(i):
        start.wait()
        return queue.submit(draft(sender_id=f"resident-{i}")).ticket_no

    with ThreadPoolExecutor(50) as pool:
        tickets = list(pool.map(submit, range(50)))

    assert len(set(tickets)) == 50
    assert sorted(int(ticket[-4:]) for ticket in tickets) == list(range(1, 51))


SUBMITTER = textwrap.dedent("""
    import sys, time
    from bot.governance import ReportDraft, ReportQueue
    url, name, how_many, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    time.sleep(max(0.0, start_at - time.time()))
    queue = ReportQueue.from_url(url)
    for i in range(how_many):
        report = ReportDraft(f"{name}-{i}", "环境卫生", "前进路", "垃圾没人清运", None, "rest", f"{name}-{i}")
        print(queue.submit(report).ticket_no, flush=True)
""")


def test_two_processes_on_a_fresh_database_get_distinct_tickets(database_url):
    start_at = str(time.time() + 3)  # both processes migrate and submit at the same moment
    processes = [
        subprocess.Popen([sys.executable, "-c", SUBMITTER, database_url, name, "25", start_at],
                         cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("first", "second")
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], [err for _, err in outputs]
    tickets = [line for out, _ in outputs for line in out.split()]
    assert len(tickets) == 50
    assert len(set(tickets)) == 50


def test_ticket_numbers_restart_each_day_at_midnight_in_shanghai(queue):
    moments = iter([
        datetime(2024, 5, 1, 15, 58, tzinfo=UTC),
        datetime(2024, 5, 1, 15, 59, 59, tzinfo=UTC),
        datetime(2024, 5, 1, 16, 0, tzinfo=UTC),  # 00:00 on 2 May in Shanghai
    ])
    queue.clock = lambda: next(moments)

    tickets = [queue.submit(draft()).ticket_no for _ in range(3)]

    assert tickets == ["QJ20240501-0001", "QJ20240501-0002", "QJ20240502-0001"]


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("typed", [
    lambda t: t,
    lambda t: t.lower(),
    lambda t: f"  {t}  ",
    lambda t: t.replace("-", " "),
    lambda t: t.replace("-", ""),
    lambda t: "qj " + t[2:10] + " " + t[11:],
    fullwidth,
])
def test_a_ticket_is_found_however_it_is_typed(queue, typed):
    ticket = queue.submit(draft()).ticket_no

    found = queue.get(typed(ticket))

    assert found is not None and found.ticket_no == ticket


@pytest.mark.parametrize("typed", ["", "QJ", "QJ2024", "20240501-0001", "QJ20240501-0999", "我的工单"])
def test_an_unknown_or_malformed_ticket_finds_nothing(queue, typed):
    queue.submit(draft())

    assert queue.get(typed) is None


def test_a_residents_latest_reports_come_newest_first(queue):
    queue.clock = stepping_clock(datetime(2024, 5, 1, 1, 0, tzinfo=UTC))
    mine = [queue.submit(draft(sender_id="me")).ticket_no for _ in range(7)]
    queue.submit(draft(sender_id="someone-else"))

    latest = queue.list_for_sender("me")

    assert [view.ticket_no for view in latest] == mine[::-1][:5]
    assert queue.list_for_sender("nobody") == []


def test_staff_listing_filters_by_status_and_by_day(queue):
    queue.clock = stepping_clock(datetime(2024, 4, 30, 2, 0, tzinfo=UTC), timedelta(days=1))
    tickets = [queue.submit(draft()).ticket_no for _ in range(4)]  # 30 April, 1, 2 and 3 May
    queue.set_status(tickets[1], "处理中")

    assert [v.ticket_no for v in queue.list(since=date(2024, 5, 1), until=date(2024, 5, 2))] == tickets[2:0:-1]
    assert [v.ticket_no for v in queue.list(status="处理中")] == [tickets[1]]
    assert [v.ticket_no for v in queue.list(status="in_progress", until=date(2024, 4, 30))] == []
    assert len(queue.list(limit=2)) == 2


def test_status_changes_are_recorded_with_who_and_why(queue):
    ticket = queue.submit(draft()).ticket_no

    queue.set_status(ticket, "处理中", note="网格员已到现场", source="staff")
    view = queue.set_status(ticket.lower(), "closed", note="纸箱已清走")

    assert (view.status, view.status_label) == ("closed", "已办结")
    assert [(h.status_label, h.note, h.source) for h in view.history] == [
        ("已受理", "", "bot"), ("处理中", "网格员已到现场", "staff"), ("已办结", "纸箱已清走", "staff"),
    ]
    assert view.updated_at == view.history[-1].at


def test_setting_the_status_of_an_unknown_ticket_says_so_in_chinese(queue):
    with pytest.raises(UnknownTicket, match="没有找到工单号 QJ20240501-0009"):
        queue.set_status("QJ20240501-0009", "closed")


def test_an_unknown_status_is_refused_in_chinese(queue):
    ticket = queue.submit(draft()).ticket_no

    with pytest.raises(InvalidStatus, match="没有“办好了”这个状态"):
        queue.set_status(ticket, "办好了")
    assert queue.get(ticket).status == "received"


@pytest.mark.parametrize("fields, message", [
    ({"category": "噪音扰民"}, "请从这几类里选一个"),
    ({"location": "   "}, "地点"),
    ({"description": ""}, "描述"),
    ({"description": " \n\t "}, "描述"),
    ({"description": "很" * 5001}, "5001个字，最多5000个字"),
    ({"location": "路" * 201}, "最多200个字"),
    ({"description": "坏了\x00"}, "特殊字符"),
    ({"phone": "1" * 40}, "电话"),
    ({"sender_id": ""}, "来源"),
    ({"idempotency_key": ""}, "来源"),
])
def test_a_report_that_cannot_be_stored_as_given_is_refused_and_nothing_is_stored(queue, fields, message):
    with pytest.raises(InvalidReport, match=message):
        queue.submit(draft(**fields))
    assert rows(queue, Report) == 0


@pytest.mark.parametrize("text", [
    "'; DROP TABLE reports; --",
    "Robert'); DELETE FROM reports WHERE ('1'='1",
    "楼道灯坏了💡🔥 晚上太黑了😱👵🏻",
    "一" * 5000,
    "  前后有空格\n第二行\t制表符  ",
    "%s %(name)s {0} \\n \\x00 <script>alert(1)</script>",
])
def test_text_is_stored_and_returned_verbatim(queue, text):
    ticket = queue.submit(draft(description=text, location=text[:200])).ticket_no

    assert queue.get(ticket).description == text
    with queue.reading() as session:
        stored = session.scalars(select(Report).where(Report.ticket_no == ticket)).one()
    assert (stored.description, stored.location) == (text, text[:200])
    assert rows(queue, Report) == 1


def test_the_phone_is_stored_as_given_and_shown_masked(queue):
    view = queue.submit(draft(phone="138 1234 5678"))
    without = queue.submit(draft(phone=None))
    blank = queue.submit(draft(phone="  "))

    assert view.phone_masked == "138****5678"
    assert without.phone_masked is None and blank.phone_masked is None
    with queue.reading() as session:
        phones = session.scalars(select(Report.phone).order_by(Report.id)).all()
    assert phones == ["138 1234 5678", None, None]
    assert "138 1234 5678" not in repr(view)


def stored_contact(queue, ticket):
    with queue.reading() as session:
        report = session.scalars(select(Report).where(Report.ticket_no == ticket)).one()
        return report.phone, report.description, report.location


def test_closing_a_report_keeps_no_phone_number(queue):
    ticket = queue.submit(draft(phone="13812345678", description="楼道漏水，请打13812345678找我",
                                location="前悦社区3幢，电话0571-87654321")).ticket_no
    queue.set_status(ticket, "已转派", source="backend")
    assert stored_contact(queue, ticket)[0] == "13812345678"  # needed while the problem is handled

    queue.set_status(ticket, "已办结", note="已修好", source="staff")

    assert stored_contact(queue, ticket) == ("138****5678", "楼道漏水，请打138****5678找我", "前悦社区3幢，电话0571-****4321")
    assert queue.get(ticket).phone_masked == "138****5678"
