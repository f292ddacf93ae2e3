"""OutboxWorker against a real database and the real events backend over HTTP, including a backend that is
down, slow, broken or refusing, workers running side by side, and a worker that dies mid-delivery."""
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import conversation_store
from bot.events_backend import serve
from bot.governance import erasure
from bot.governance.errors import NotRejected, UnknownTicket
from bot.governance.models import DeliveryAttempt, OutboxEntry, Report
from bot.governance.open311 import Open311Client
from bot.governance.outbox import OutboxWorker
from bot.personal_data.limits import RetentionLimits
from bot.personal_data.retention import Retention
from tests.governance.conftest import API_KEY, draft, move_event, set_fault


def attempts(queue, ticket):
    with queue.reading() as session:
        return session.execute(
            select(DeliveryAttempt.ok, DeliveryAttempt.http_status, DeliveryAttempt.next_attempt_at)
            .join(Report).where(Report.ticket_no == ticket).order_by(DeliveryAttempt.id)
        ).all()


def later(queue, seconds: float = 3600):
    return queue.clock() + timedelta(seconds=seconds)


@pytest.fixture
def worker(queue, client):
    return OutboxWorker(queue, client, base_delay=2, max_delay=300)


def test_a_report_is_handed_on_exactly_once(queue, backend, worker):
    ticket = queue.submit(draft(category="公共设施", phone="13812345678")).ticket_no

    first = worker.run_once()
    second = worker.run_once(now=later(queue))

    assert first.delivered == [ticket] and not second
    view = queue.get(ticket)
    assert (view.status_label, view.delivery) == ("已转派", "delivered")
    assert [h.status for h in view.history] == ["received", "dispatched"]
    event = backend.store.find_by_ticket(ticket)
    assert (event["service_code"], event["phone"], event["posts"]) == ("facility", "13812345678", 1)
    assert backend.store.count() == 1
    assert [ok for ok, _, _ in attempts(queue, ticket)] == [True]


def test_a_backend_that_is_down_for_a_while_gets_the_report_once_it_is_back(queue, tmp_path, worker, backend):
    ticket = queue.submit(draft()).ticket_no
    port, db = backend.port, tmp_path / "events_backend.db"
    backend.shutdown()

    now = queue.clock()
    for _ in range(3):
        summary = worker.run_once(now=now)
        assert summary.retrying == [ticket]
        assert worker.run_once(now=now).retrying == []  # not due again before its back-off has passed
        now = attempts(queue, ticket)[-1].next_attempt_at + timedelta(seconds=1)

    restarted = serve(port, db, api_key=API_KEY, allow_faults=True)
    try:
        assert worker.run_once(now=now).delivered == [ticket]
        assert restarted.store.count() == 1
    finally:
        restarted.shutdown()
    tries = attempts(queue, ticket)
    assert [ok for ok, _, _ in tries] == [False, False, False, True]
    assert queue.get(ticket).status_label == "已转派"


def test_back_off_doubles_with_jitter_up_to_the_maximum(queue, client):
    worker = OutboxWorker(queue, client, base_delay=2, max_delay=300)

    for attempt, (low, high) in {1: (1, 2), 2: (2, 4), 3: (4, 8), 9: (150, 300), 60: (150, 300)}.items():
        delays = {worker.backoff(attempt).total_seconds() for _ in range(50)}
        assert all(low <= delay <= high for delay in delays)
        assert len(delays) > 1


@pytest.mark.parametrize("mode", ["down", "error500", "garbage"])
def test_a_misbehaving_backend_gets_the_report_once_it_behaves(queue, backend, worker, mode):
    ticket = queue.submit(draft()).ticket_no
    set_fault(backend, mode)

    assert worker.run_once().retrying == [ticket]
    assert worker.run_once(now=later(queue)).retrying == [ticket]
    set_fault(backend, "none")
    assert worker.run_once(now=later(queue, 7200)).delivered == [ticket]

    assert backend.store.count() == 1
    assert [ok for ok, _, _ in attempts(queue, ticket)] == [False, False, True]


def test_a_backend_slower_than_the_timeout_files_the_report_once(queue, backend):
    worker = OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=0.3))
    ticket = queue.submit(draft()).ticket_no
    set_fault(backend, "slow", delay=1)

    assert worker.run_once().retrying == [ticket]
    time.sleep(1.2)  # the backend finishes filing the request we gave up waiting for
    set_fault(backend, "none")
    assert worker.run_once(now=later(queue)).delivered == [ticket]

    event = backend.store.find_by_ticket(ticket)
    assert backend.store.count() == 1 and event["posts"] == 2
    assert queue.get(ticket).status_label == "已转派"


def test_a_refused_report_is_recorded_for_staff_and_not_retried(queue, backend):
    worker = OutboxWorker(queue, Open311Client(backend.url, "wrong-key", timeout=1))
    ticket = queue.submit(draft()).ticket_no

    assert worker.run_once().rejected == [ticket]
    assert not worker.run_once(now=later(queue, 86_400))

    view = queue.get(ticket)
    assert (view.status_label, view.delivery) == ("已受理", "rejected")
    assert "HTTP 403" in view.delivery_error and "api_key 无效" in view.delivery_error
    assert attempts(queue, ticket) == [(False, 403, None)]
    assert backend.store.count() == 0


def test_a_refused_report_is_sent_again_once_staff_resend_it(queue, backend):
    ticket = queue.submit(draft()).ticket_no
    assert OutboxWorker(queue, Open311Client(backend.url, "wrong-key", timeout=1)).run_once().rejected == [ticket]

    assert queue.resend(ticket.lower()).delivery == "pending"
    worker = OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=1))
    assert worker.run_once().delivered == [ticket]
    assert not worker.run_once(now=later(queue, 86_400))

    assert backend.store.count() == 1
    assert queue.get(ticket).status_label == "已转派"
    assert [ok for ok, _, _ in attempts(queue, ticket)] == [False, True]


def test_only_a_refused_report_can_be_resent(queue, backend):
    waiting = queue.submit(draft()).ticket_no
    with pytest.raises(NotRejected, match="没有被拒收"):
        queue.resend(waiting)
    OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=1)).run_once()
    with pytest.raises(NotRejected, match="已经转到云治前进平台"):
        queue.resend(waiting)
    with pytest.raises(UnknownTicket):
        queue.resend("QJ20240101-0999")
    assert backend.store.count() == 1


def test_workers_side_by_side_never_send_the_same_report_twice(queue, backend):
    tickets = {queue.submit(draft(sender_id=f"resident-{i}")).ticket_no for i in range(20)}
    workers = [OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=5), batch_size=3) for _ in range(3)]

    def drain(worker):
        sent = []
        while True:
            summary = worker.run_once()
            if not summary:
                return sent
            sent += summary.delivered

    with ThreadPoolExecutor(len(workers)) as pool:
        sent = list(pool.map(drain, workers))

    assert sorted(sum(sent, [])) == sorted(tickets)
    assert backend.store.count() == 20
    assert all(backend.store.find_by_ticket(ticket)["posts"] == 1 for ticket in tickets)


def test_a_worker_dying_after_sending_leaves_the_report_to_another_without_a_second_event(queue, backend, client):
    ticket = queue.submit(draft()).ticket_no
    dying = OutboxWorker(queue, client, lease=60)
    now = queue.clock()
    [claimed] = dying.claim(now)
    request_id = client.create(claimed)  # ... and the worker dies before recording the delivery

    survivor = OutboxWorker(queue, client, lease=60)
    assert not survivor.run_once(now=now + timedelta(seconds=30))  # still claimed
    assert survivor.run_once(now=now + timedelta(seconds=61)).delivered == [ticket]

    assert backend.store.count() == 1
    assert backend.store.find_by_ticket(ticket)["posts"] == 2
    with queue.reading() as session:
        assert session.scalar(select(Report.backend_request_id).where(Report.ticket_no == ticket)) == request_id


def test_progress_at_the_backend_reaches_the_resident(queue, backend, worker):
    ticket = queue.submit(draft()).ticket_no
    worker.run_once()
    request_id = backend.store.find_by_ticket(ticket)["service_request_id"]

    assert worker.refresh_statuses().changed == []
    move_event(backend, request_id, "in_progress", "网格员已到现场")
    assert worker.refresh_statuses().changed == [ticket]
    view = queue.get(ticket)
    assert (view.status_label, view.history[-1].note, view.history[-1].source) == ("处理中", "网格员已到现场", "backend")

    move_event(backend, request_id, "closed", "纸箱已清走")
    assert worker.refresh_statuses().changed == [ticket]
    assert worker.refresh_statuses().checked == 0  # closed reports are no longer asked about
    assert [h.status_label for h in queue.get(ticket).history] == ["已受理", "已转派", "处理中", "已办结"]
    with queue.reading() as session:  # closed at the backend: the resident's number is no longer kept
        assert session.scalars(select(Report.phone).where(Report.ticket_no == ticket)).one() == "138****5678"


def test_progress_is_never_taken_back(queue, backend, worker):
    ticket = queue.submit(draft()).ticket_no
    worker.run_once()
    queue.set_status(ticket, "处理中", note="街道已电话联系居民")

    assert worker.refresh_statuses().changed == []  # the backend still says only "open"
    assert queue.get(ticket).status_label == "处理中"


def test_a_refresh_while_the_backend_is_down_changes_nothing(queue, backend, worker):
    ticket = queue.submit(draft()).ticket_no
    worker.run_once()
    set_fault(backend, "down")

    summary = worker.refresh_statuses()

    assert (summary.checked, summary.failed, summary.changed) == (1, [ticket], [])
    assert queue.get(ticket).status_label == "已转派"


def test_run_forever_delivers_until_stopped(queue, backend, worker):
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"interval": 0.1})
    thread.start()
    try:
        ticket = queue.submit(draft()).ticket_no
        deadline = time.monotonic() + 10
        while queue.get(ticket).delivery != "delivered" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queue.get(ticket).status_label == "已转派"
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_phone_number_never_reaches_the_logs(queue, backend, worker, caplog):
    caplog.set_level(logging.DEBUG)
    ticket = queue.submit(draft(phone="13912345678", description="联系我 13912345678")).ticket_no
    worker.run_once()
    move_event(backend, backend.store.find_by_ticket(ticket)["service_request_id"], "closed")
    worker.refresh_statuses()
    queue.set_status(ticket, "closed", note="回访完毕")

    assert ticket in caplog.text
    assert "13912345678" not in caplog.text


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_run_forever_applies_retention_at_start_and_then_again(queue, backend, client, tmp_path):
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    conversations = conversation_store.connect(tracker_url)
    conversation_store.events.metadata.create_all(conversations)
    old = (queue.clock() - timedelta(days=181)).timestamp()
    with conversations.begin() as connection:
        connection.execute(conversation_store.events.insert(), [
            {"sender_id": "widget:gone", "type_name": "user", "timestamp": old, "data": "{}"},
            {"sender_id": "widget:here", "type_name": "user", "timestamp": time.time(), "data": "{}"}])

    def closed_long_ago() -> str:
        real_clock = queue.clock
        queue.clock = lambda: real_clock() - timedelta(days=100)
        ticket = queue.submit(draft(phone="13812345678")).ticket_no
        queue.set_status(ticket, "已办结")
        queue.clock = real_clock
        return ticket

    first = closed_long_ago()
    limits = RetentionLimits(conversation_days=180, closed_report_days=90, open_report_days=365)
    worker = OutboxWorker(queue, client, retention=Retention(queue, limits, tracker_url), retention_interval=0.5)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"interval": 0.1})
    thread.start()
    try:
        assert wait_for(lambda: queue.get(first).phone_masked == "（已按保存期限删除）")
        assert conversation_store.count_events(conversations, "widget:gone") == 0
        assert conversation_store.count_events(conversations, "widget:here") == 1
        second = closed_long_ago()
        assert wait_for(lambda: queue.get(second).description == "（已按保存期限删除）")
    finally:
        stop.set()
        thread.join(timeout=5)
        conversations.dispose()


def test_a_report_forgotten_while_being_handed_on_leaves_no_event_behind(queue, backend):
    ticket = queue.submit(draft(sender_id="widget:forget-me")).ticket_no
    set_fault(backend, "slow", delay=1)
    worker = OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=5))
    with ThreadPoolExecutor(1) as pool:
        handing_on = pool.submit(worker.run_once)
        assert wait_for(lambda: attempts(queue, ticket) == [] and _claimed(queue, ticket), 5)
        assert [report.ticket_no for report in erasure.forget_sender(queue, "widget:forget-me")] == [ticket]
        set_fault(backend, "none")
        assert handing_on.result(timeout=10).delivered == [ticket]

    assert backend.store.count() == 0
    assert queue.get(ticket) is None


def _claimed(queue, ticket) -> bool:
    with queue.reading() as session:
        return session.scalar(select(OutboxEntry.claimed_by).join(Report).where(Report.ticket_no == ticket)) is not None
