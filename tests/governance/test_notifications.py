"""The notification outbox on a real database: written with the change it announces, masked, delivered once
(by reply or by push), claims and leases, deferred pushes; and a report's status changes and rating."""
import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.governance.errors import InvalidRating
from bot.governance.models import Notification, Report
from bot.governance.notifications import NotificationBox, notify
from bot.governance.queue import record_status
from bot.settings import PROJECT_ROOT
from tests.governance.conftest import draft

UTC = timezone.utc


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)):
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def box(queue, clock):
    queue.clock = clock
    return NotificationBox(queue)


def add_note(queue, conversation="wechat:o-1", channel="wechat", text="您好", buttons=()):
    with queue.writing() as session:
        notify(session, conversation, channel, text, buttons, moment=queue.clock())


def notes(queue) -> int:
    with queue.reading() as session:
        return session.scalar(select(func.count()).select_from(Notification))


def test_a_note_is_shown_once_with_the_next_reply_oldest_first(queue, box):
    add_note(queue, text="第一条")
    queue.clock.advance(seconds=1)
    add_note(queue, text="第二条", buttons=[("满意", "/rate")])
    add_note(queue, conversation="wechat:o-2", text="别人的")

    first = box.take_for("wechat:o-1")

    assert [(note.text, note.buttons) for note in first] == [("第一条", ()), ("第二条", (("满意", "/rate"),))]
    assert box.take_for("wechat:o-1") == []
    with queue.reading() as session:
        assert set(session.scalars(select(Notification.delivered_via).where(
            Notification.conversation == "wechat:o-1"))) == {"reply"}


def test_a_note_never_carries_an_unmasked_phone(queue, box):
    add_note(queue, text="请联系 13812345678 或 0571-87654321")

    (note,) = box.take_for("wechat:o-1")

    assert "13812345678" not in note.text and "87654321" not in note.text
    with queue.reading() as session:
        assert "13812345678" not in session.scalar(select(Notification.text))


def test_a_note_is_committed_with_its_change_or_not_at_all(queue):
    with pytest.raises(RuntimeError):
        with queue.writing() as session:
            notify(session, "wechat:o-1", "wechat", "您的工单已办结")
            raise RuntimeError("the change failed")

    assert notes(queue) == 0


def test_a_failing_status_change_leaves_no_note(queue):
    report = queue.submit(draft())

    with pytest.raises(IntegrityError):
        with queue.writing() as session:
            row = session.scalars(select(Report)).one()
            record_status(row, "in_progress", "", "staff", queue.clock())
            row.category = "没有这一类"  # the database refuses it: the whole change rolls back

    assert notes(queue) == 0
    assert queue.get(report.ticket_no).status == "received"


def test_two_threads_taking_the_same_conversation_get_each_note_once(queue, box):
    for number in range(30):
        add_note(queue, text=f"第{number}条")
    start = threading.Barrier(8)

    def take(_):
        start.wait()
        return [note.id for note in box.take_for("wechat:o-1")]

    with ThreadPoolExecutor(8) as pool:
        taken = [note_id for batch in pool.map(take, range(8)) for note_id in batch]

    assert sorted(taken) == sorted(set(taken)) and len(taken) == 30


def test_two_processes_taking_the_same_conversation_get_each_note_once(queue, database_url, tmp_path):
    for number in range(40):
        add_note(queue, text=f"第{number}条")
    script = textwrap.dedent(f"""
        import sys, time
        from bot.governance import ReportQueue
        from bot.governance.notifications import NotificationBox
        queue = ReportQueue.from_url({database_url!r})
        box = NotificationBox(queue)
        time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
        print(",".join(str(note.id) for note in box.take_for("wechat:o-1")))
    """)
    at = str(time.time() + 3)
    # The processes share this test's short memory (tests/conftest.py own_short_memory), as a machine's do.
    env = {**os.environ, "DATA_DIR": str(tmp_path), "REDIS_URL": ""}
    workers = [subprocess.Popen([sys.executable, "-c", script, at], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                                text=True, env=env) for _ in range(3)]
    outputs = [worker.communicate(timeout=60)[0].strip() for worker in workers]

    taken = [int(note_id) for output in outputs for note_id in output.split(",") if note_id]
    assert all(worker.returncode == 0 for worker in workers)
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 40


def test_a_claimed_note_is_pushed_once_and_not_shown_again(queue, box):
    add_note(queue)
    add_note(queue, conversation="widget:w-1", channel="widget")

    (claimed,) = box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1")

    assert claimed.channel == "wechat"
    assert box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w2") == []
    assert box.take_for("wechat:o-1") == []  # the push worker holds it
    assert box.pushed(claimed.id, "w1") is True
    assert box.pushed(claimed.id, "w1") is False
    queue.clock.advance(minutes=5)
    assert box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w2") == []
    assert box.take_for("wechat:o-1") == []


def test_a_lease_left_by_a_crashed_worker_expires(queue, box):
    add_note(queue)
    (claimed,) = box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1")

    queue.clock.advance(seconds=61)
    (again,) = box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w2")

    assert again.id == claimed.id
    assert box.pushed(again.id, "w2") is True
    assert box.pushed(claimed.id, "w1") is False


def test_a_failed_push_is_retried_when_due_and_can_still_go_with_a_reply(queue, box):
    add_note(queue)
    (claimed,) = box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1")

    box.push_failed(claimed.id, "connection refused", queue.clock() + timedelta(seconds=30))

    assert box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1") == []
    queue.clock.advance(seconds=31)
    assert [note.id for note in box.claim_pushes("wechat", 10, 60, "w1")] == [claimed.id]
    box.push_failed(claimed.id, "connection refused", queue.clock() + timedelta(seconds=60))
    with queue.reading() as session:
        row = session.get(Notification, claimed.id)
        assert (row.attempts, row.last_error, row.claimed_by) == (2, "connection refused", None)
    assert [note.id for note in box.take_for("wechat:o-1")] == [claimed.id]


def test_a_deferred_note_waits_for_the_residents_next_message(queue, box):
    add_note(queue)
    (claimed,) = box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1")

    box.push_deferred(claimed.id)
    queue.clock.advance(days=3)

    assert box.claim_pushes("wechat", limit=10, lease_seconds=60, worker_id="w1") == []
    assert [note.id for note in box.take_for("wechat:o-1")] == [claimed.id]
    assert box.pushed(claimed.id, "w1") is False


def test_a_status_change_tells_the_resident_with_the_ticket_and_the_staff_note(queue, box):
    report = queue.submit(draft(sender_id="wechat:o-9", channel="wechat"))

    queue.set_status(report.ticket_no, "处理中", note="已派人查看，联系人 13812345678")
    (note,) = box.take_for("wechat:o-9")

    assert (note.conversation, note.channel) == ("wechat:o-9", "wechat")
    assert report.ticket_no in note.text and "处理中" in note.text and "已派人查看" in note.text
    assert "13812345678" not in note.text
    assert note.buttons == ()


def test_closing_asks_for_a_rating_with_one_button_each(queue, box):
    report = queue.submit(draft())

    queue.set_status(report.ticket_no, "已办结")
    (note,) = box.take_for("resident-1")

    assert "已办结" in note.text and "满意" in note.text
    assert note.buttons == tuple(
        (rating, f'/rate_report{{"ticket_no": "{report.ticket_no}", "rating": "{rating}"}}')
        for rating in ("满意", "基本满意", "不满意")
    )


def test_only_the_filing_conversation_can_rate_a_closed_report(queue):
    report = queue.submit(draft())
    assert queue.rate("resident-1", "满意", report.ticket_no) is None  # not closed yet
    queue.set_status(report.ticket_no, "closed")

    assert queue.rate("someone-else", "不满意", report.ticket_no) is None
    rated = queue.rate("resident-1", "基本满意", report.ticket_no.lower())

    assert (rated.satisfaction, rated.revisit) == ("基本满意", False)
    assert queue.get(report.ticket_no).satisfaction == "基本满意"
    with pytest.raises(InvalidRating):
        queue.rate("resident-1", "还行吧", report.ticket_no)


def test_dissatisfied_flags_a_return_visit_and_keeps_a_masked_comment(queue):
    older, newer = queue.submit(draft()), queue.submit(draft())
    for report in (older, newer):
        queue.set_status(report.ticket_no, "closed")

    rated = queue.rate("resident-1", "不满意")  # no number: the latest closed, unrated report
    commented = queue.comment_on_rating("resident-1", rated.ticket_no, "根本没人来，打我电话13812345678")

    assert rated.ticket_no == newer.ticket_no and rated.revisit is True
    assert commented.satisfaction_comment == "根本没人来，打我电话138****5678"
    assert queue.rate("resident-1", "满意").ticket_no == older.ticket_no
    assert queue.rate("resident-1", "满意") is None  # nothing left unrated
    assert queue.comment_on_rating("someone-else", rated.ticket_no, "x") is None


def test_a_rating_before_closing_or_without_a_report_is_nothing_to_rate(queue):
    assert queue.rate("resident-1", "满意") is None
    assert queue.comment_on_rating("resident-1", "QJ20261130-0001", "好") is None


def test_the_events_backends_progress_tells_the_resident(queue, box, client, backend):
    from bot.governance.outbox import OutboxWorker
    from tests.governance.conftest import move_event

    report = queue.submit(draft(sender_id="widget:w-7", channel="widget"))
    worker = OutboxWorker(queue, client)
    worker.run_once()
    dispatched = box.take_for("widget:w-7")
    with queue.reading() as session:
        request_id = session.scalar(select(Report.backend_request_id).where(Report.ticket_no == report.ticket_no))

    move_event(backend, request_id, "closed", note="路灯已修好")
    worker.refresh_statuses()
    (closed,) = box.take_for("widget:w-7")

    assert [note.text.count("已转派") for note in dispatched] == [1]
    assert "已办结" in closed.text and "路灯已修好" in closed.text and len(closed.buttons) == 3
