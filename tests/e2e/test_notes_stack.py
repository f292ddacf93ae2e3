"""Notes to residents on the running stack (`python -m bot run`): staff move a report along on the stack's own
governance database, and the resident hears of it in front of the bot's replies to their next REST message, once;
the widget page's own check for notes, over plain HTTP. The helpers here are shared with the WeChat and widget
tests of the same loop."""
import time
import uuid
from typing import Callable, List

import pytest
import requests
from sqlalchemy import select

from bot import short_memory, widget_ids
from bot.benchmarks.stack import LocalStack, is_answer
from bot.governance import ReportDraft, ReportQueue
from bot.governance.models import Notification
from bot.governance.notifications import notify
from bot.governance.statuses import DISPATCHED
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

STAFF_NOTE = "已安排物业今天下午清理"
WIDGET_NOTES_PATH = "/webhooks/widget/notes"


def stack_queue(stack: LocalStack) -> ReportQueue:
    """The queue the stack's processes share (no DATABASE_URL: DATA_DIR/governance.db), written as staff on the
    stack's machine would: a note marks its conversation in the stack's short memory (DATA_DIR/short_memory.db,
    until the test's own is put back after it, tests/conftest.py)."""
    short_memory._shared = short_memory.SQLiteShortMemory(stack.data_dir / short_memory.FILE_NAME)
    return ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")


def wait_until(condition: Callable[[], object], timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def file_report(queue: ReportQueue, conversation: str, channel: str) -> str:
    """A report filed by `conversation`, once the stack's worker has handed it on (已转派); its ticket number."""
    report = queue.submit(ReportDraft(
        sender_id=conversation, category="安全隐患", location="前进街道前悦社区3幢楼道",
        description="楼道里堆满了纸箱，挡住了消防通道。", phone="13812345678", channel=channel,
        idempotency_key=f"notes-{uuid.uuid4().hex}",
    ))
    wait_until(lambda: queue.get(report.ticket_no).status == DISPATCHED, what="the report handed on")
    return report.ticket_no


def notes_of(queue: ReportQueue, conversation: str) -> List[Notification]:
    with queue.reading() as session:
        return list(session.scalars(
            select(Notification).where(Notification.conversation == conversation)
            .order_by(Notification.created_at, Notification.id)))


def settled_notes(queue: ReportQueue, conversation: str, settled: Callable[[Notification], bool],
                  what: str) -> List[Notification]:
    """The conversation's notes, once there are some and each is `settled` (delivered, deferred...)."""
    def ready():
        notes = notes_of(queue, conversation)
        return notes if notes and all(settled(note) for note in notes) else None
    return wait_until(ready, what=what)


def test_staff_progress_comes_in_front_of_the_next_rest_reply_exactly_once(stack):
    sender = new_sender()
    assert is_answer(stack.say(sender, "你好"))
    queue = stack_queue(stack)
    try:
        ticket = file_report(queue, sender, "rest")
        queue.set_status(ticket, "处理中", note=STAFF_NOTE)
        waiting = [note.text for note in notes_of(queue, sender)]
        assert any(ticket in text and "处理中" in text and STAFF_NOTE in text for text in waiting), waiting

        replies = stack.say(sender, "路灯怎么报修")
        assert [reply["text"] for reply in replies[:len(waiting)]] == waiting
        assert is_answer(replies[len(waiting):])
        assert {note.delivered_via for note in notes_of(queue, sender)} == {"reply"}

        again = stack.say(sender, "谢谢")
        assert is_answer(again) and not any(ticket in (reply.get("text") or "") for reply in again)

        queue.set_status(ticket, "已办结")
        [closed] = stack.say(sender, "你好")[:1]
        assert ticket in closed["text"] and "已办结" in closed["text"]
        assert [button["title"] for button in closed["buttons"]] == ["满意", "基本满意", "不满意"]
        assert all(button["payload"].startswith("/rate_report") and ticket in button["payload"]
                   for button in closed["buttons"])
    finally:
        queue.close()


def check_notes(stack, body) -> requests.Response:
    return requests.post(f"{stack.rasa_url}{WIDGET_NOTES_PATH}", json=body, timeout=10)


def test_the_widget_check_gives_a_signed_id_its_waiting_notes_once(stack):
    sender = stack.widget_sender()
    conversation = widget_ids.conversation_of(sender, stack.env["WIDGET_SECRET"])
    assert check_notes(stack, {"sender": sender}).json() == {"notes": []}
    queue = stack_queue(stack)
    try:
        with queue.writing() as session:
            notify(session, conversation, "widget", "您的留言已答复：电话 13812345678。", [("满意", "/rate_report")])
    finally:
        queue.close()

    reply = check_notes(stack, {"sender": sender})
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert reply.json() == {"notes": [{
        "recipient_id": conversation, "text": "您的留言已答复：电话 138****5678。",
        "buttons": [{"title": "满意", "payload": "/rate_report"}],
    }]}
    assert check_notes(stack, {"sender": sender}).json() == {"notes": []}


@pytest.mark.parametrize("body, status", [
    ({"sender": "forged.signature"}, 403),
    ({"sender": ""}, 400),
    ([], 400),
])
def test_the_widget_check_refuses_an_id_the_server_did_not_sign(stack, body, status):
    reply = check_notes(stack, body)
    assert reply.status_code == status
    assert "notes" not in reply.text
