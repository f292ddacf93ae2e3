"""Notes pushed to WeChat residents (bot/wechat/push.py) through a local fake of WeChat's customer-service API, from
a real governance database, with the resident's last message read from a conversation store that Rasa's own SQL
tracker store wrote: each note reaches the resident once, only within 48 hours of their last message, and is
neither lost nor sent twice when WeChat or the database fails for a while."""
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from bot import conversation_store, senders
from bot.governance import ReportQueue
from bot.governance.models import Notification
from bot.governance.notifications import NotificationBox, notify
from bot.wechat.api import CustomerServiceClient
from bot.wechat.push import WeChatPusher
from tests.tcp_gate import TcpGate
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS, FakeWeChatAPI

APP_ID, APP_SECRET = TEST_CREDENTIALS["WECHAT_APP_ID"], TEST_CREDENTIALS["WECHAT_APP_SECRET"]
STATUS_NOTE = "您的报事工单 QJ20261130-0001 有新进展：处理中。"


@pytest.fixture
def api() -> Iterator[FakeWeChatAPI]:
    with FakeWeChatAPI(APP_ID, APP_SECRET) as fake:
        yield fake


@pytest.fixture
def tracker_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def conversations(tracker_url):
    engine = conversation_store.connect(tracker_url)
    yield engine
    engine.dispose()


@pytest.fixture
def queue(tmp_path) -> Iterator[ReportQueue]:
    queue = ReportQueue.from_url(f"sqlite:///{tmp_path / 'governance.db'}")
    yield queue
    queue.close()


def new_resident() -> str:
    return senders.wechat_conversation(f"o6_{uuid.uuid4().hex[:20]}")


async def resident_wrote(tracker_url: str, conversation: str, hours_ago: float) -> None:
    """The resident's last message, `hours_ago`, as the Rasa server stores it."""
    at = (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).timestamp()
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=tracker_url[len("sqlite:///"):])
    await store.save(DialogueStateTracker.from_events(conversation, [
        ActionExecuted("action_listen", timestamp=at - 60),
        UserUttered("你好", {"name": "greet", "confidence": 0.99}, timestamp=at),
    ]))
    store.engine.dispose()


def add_note(queue: ReportQueue, conversation: str, text: str = STATUS_NOTE, buttons=()) -> None:
    with queue.writing() as session:
        notify(session, conversation, "wechat", text, buttons)


def pusher(queue: ReportQueue, api: FakeWeChatAPI, conversations, **options) -> WeChatPusher:
    options = {"base_delay": 0.05, "max_delay": 0.2, **options}
    return WeChatPusher(NotificationBox(queue), CustomerServiceClient(APP_ID, APP_SECRET, api.base_url), conversations,
                        **options)


def stored(queue: ReportQueue, conversation: str) -> Notification:
    with queue.reading() as session:
        return session.scalars(select(Notification).where(Notification.conversation == conversation)).one()


def texts_to(api: FakeWeChatAPI, conversation: str):
    return [message.content for message in api.messages_to(senders.openid_of(conversation))]


def wait_until(condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def running(worker: WeChatPusher):
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"interval": 0.05}, daemon=True)
    thread.start()
    return stop, thread


async def test_a_note_reaches_the_resident_once_masked_with_its_choices_in_words(queue, api, conversations,
                                                                                 tracker_url):
    resident = new_resident()
    await resident_wrote(tracker_url, resident, hours_ago=1)
    add_note(queue, resident, "答复：请联系 13812345678 的网格员。")
    add_note(queue, resident, STATUS_NOTE, [("满意", "/rate_report"), ("不满意", "/rate_report")])

    first, second = pusher(queue, api, conversations), pusher(queue, api, conversations)
    assert first.run_once().pushed == 2
    assert not second.run_once() and not first.run_once()

    texts = texts_to(api, resident)
    assert texts == ["答复：请联系 138****5678 的网格员。", f"{STATUS_NOTE}\n请直接回复：“满意” / “不满意”"]
    assert NotificationBox(queue).take_for(resident) == []


async def test_outside_48_hours_the_note_waits_for_the_residents_next_message(queue, api, conversations,
                                                                              tracker_url):
    away, recent = new_resident(), new_resident()
    await resident_wrote(tracker_url, away, hours_ago=48.5)
    await resident_wrote(tracker_url, recent, hours_ago=47.5)
    never = new_resident()  # no message stored at all (the conversation was deleted, say)
    for resident in (away, recent, never):
        add_note(queue, resident)

    worker = pusher(queue, api, conversations)
    summary = worker.run_once()
    assert (summary.pushed, summary.deferred) == (1, 2)
    assert not worker.run_once()  # deferred notes are not tried again

    assert texts_to(api, recent) == [STATUS_NOTE]
    assert texts_to(api, away) == [] and texts_to(api, never) == []
    assert stored(queue, away).next_attempt_at is None
    [waiting] = NotificationBox(queue).take_for(away)
    assert waiting.text == STATUS_NOTE


async def test_wechat_closing_the_window_itself_defers_the_note(queue, api, conversations, tracker_url):
    resident = new_resident()
    await resident_wrote(tracker_url, resident, hours_ago=1)
    add_note(queue, resident)
    api.refuse_next_sends(1, errcode=45015)  # "response out of time limit"

    worker = pusher(queue, api, conversations)
    assert worker.run_once().deferred == 1
    assert not worker.run_once()
    assert texts_to(api, resident) == []
    assert [note.text for note in NotificationBox(queue).take_for(resident)] == [STATUS_NOTE]


async def test_wechat_failing_a_few_times_gets_the_note_once_with_growing_waits(queue, api, conversations,
                                                                                tracker_url):
    resident = new_resident()
    await resident_wrote(tracker_url, resident, hours_ago=1)
    add_note(queue, resident)
    api.refuse_next_sends(3, errcode=-1)  # "system busy"

    worker = pusher(queue, api, conversations, base_delay=0.2, max_delay=10)
    started = time.monotonic()
    stop, thread = running(worker)
    try:
        wait_until(lambda: texts_to(api, resident))
        took = time.monotonic() - started
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join()

    assert texts_to(api, resident) == [STATUS_NOTE]
    assert api.rejected_sends == [-1, -1, -1]
    note = stored(queue, resident)
    assert (note.attempts, note.delivered_via) == (3, "push") and "-1" in note.last_error
    # Waits of at least 0.1, 0.2 and 0.4 s (half of 0.2, 0.4, 0.8: jitter) before the 2nd, 3rd and 4th try.
    assert took >= 0.7


@pytest.fixture
def gated_queue(postgres) -> Iterator[tuple]:
    """A queue on PostgreSQL behind a gate the test closes (the database unreachable) and opens again."""
    database = f"push_{uuid.uuid4().hex[:10]}"
    postgres.create_database(database)
    with TcpGate(postgres.port) as gate:
        queue = ReportQueue.from_url(f"postgresql://qianjin@127.0.0.1:{gate.port}/{database}")
        try:
            yield queue, gate
        finally:
            queue.close()


async def test_a_note_added_before_the_database_went_down_is_pushed_once_it_is_back(gated_queue, api,
                                                                                   conversations, tracker_url):
    queue, gate = gated_queue
    resident = new_resident()
    await resident_wrote(tracker_url, resident, hours_ago=1)
    add_note(queue, resident)
    gate.close()

    stop, thread = running(pusher(queue, api, conversations))
    try:
        time.sleep(1.5)
        assert texts_to(api, resident) == []
        gate.open()
        wait_until(lambda: texts_to(api, resident))
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join()
    assert texts_to(api, resident) == [STATUS_NOTE]
    assert stored(queue, resident).delivered_via == "push"


async def test_a_note_sent_as_the_database_went_down_is_recorded_when_it_is_back_not_sent_again(
        gated_queue, api, conversations, tracker_url):
    queue, gate = gated_queue
    resident = new_resident()
    await resident_wrote(tracker_url, resident, hours_ago=1)
    add_note(queue, resident)
    api.on_accept = lambda message: gate.close()

    # A lease far shorter than the outage: the claim has long expired when the database is back.
    stop, thread = running(pusher(queue, api, conversations, lease_seconds=0.2))
    try:
        wait_until(lambda: texts_to(api, resident))
        api.on_accept = None
        time.sleep(1.5)
        gate.open()
        wait_until(lambda: stored(queue, resident).delivered_at is not None)
        time.sleep(1)
    finally:
        stop.set()
        thread.join()
    assert texts_to(api, resident) == [STATUS_NOTE]
    note = stored(queue, resident)
    assert (note.delivered_via, note.attempts) == ("push", 0)


def test_without_an_app_id_and_secret_notes_wait_for_the_next_message(queue, monkeypatch):
    monkeypatch.setenv("WECHAT_APP_ID", "")
    monkeypatch.setenv("WECHAT_APP_SECRET", "")
    assert WeChatPusher.from_env(queue) is None
