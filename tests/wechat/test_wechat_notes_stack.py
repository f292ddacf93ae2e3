"""Notes to a WeChat resident on the running stack: within 48 hours of their last message the stack's worker pushes
each one through (the fake of) WeChat's customer-service API exactly once; past that it waits, and the passive
reply to the resident's next message carries it."""
import sqlite3
import time

import pytest

from bot import senders
from tests.e2e.test_notes_stack import STAFF_NOTE, file_report, notes_of, settled_notes, stack_queue
from tests.e2e.test_person_behind_the_bot import NUMBER, QUESTION, staff_answer
from tests.wechat.wechat_server import new_openid, text_xml

pytestmark = pytest.mark.stack

GREETING = "前进小助手"


def test_a_note_reaches_a_wechat_resident_once_through_the_customer_service_api(wechat, wechat_api, stack):
    openid = new_openid()
    conversation = senders.wechat_conversation(openid)
    assert GREETING in wechat.reply_text(wechat.post(text_xml(openid, "你好")))
    before = len(wechat_api.messages_to(openid))
    queue = stack_queue(stack)
    try:
        ticket = file_report(queue, conversation, "wechat")
        queue.set_status(ticket, "处理中", note=STAFF_NOTE)
        delivered = settled_notes(queue, conversation, lambda note: note.delivered_at, "every note pushed")
        time.sleep(5)  # more rounds of the worker: nothing is sent again

        sent = [message.content for message in wechat_api.messages_to(openid)[before:]]
        assert sent == [note.text for note in delivered]
        assert {note.delivered_via for note in notes_of(queue, conversation)} == {"push"}
        assert any(STAFF_NOTE in text and ticket in text for text in sent)
        # The resident's next message is answered without the notes again.
        assert ticket not in wechat.reply_text(wechat.post(text_xml(openid, "谢谢")))
    finally:
        queue.close()


def test_after_48_hours_a_note_waits_for_the_residents_next_message(wechat, wechat_api, stack):
    openid = new_openid()
    conversation = senders.wechat_conversation(openid)
    assert GREETING in wechat.reply_text(wechat.post(text_xml(openid, "你好")))
    # The resident last wrote two days and an hour ago.
    with sqlite3.connect(stack.data_dir / "tracker.db") as tracker:
        tracker.execute("UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?", (49 * 3600, conversation))
    before = len(wechat_api.messages_to(openid))
    queue = stack_queue(stack)
    try:
        ticket = file_report(queue, conversation, "wechat")
        queue.set_status(ticket, "处理中", note=STAFF_NOTE)
        waiting = settled_notes(queue, conversation, lambda note: note.next_attempt_at is None, "every note deferred")
        assert wechat_api.messages_to(openid)[before:] == []

        reply = wechat.reply_text(wechat.post(text_xml(openid, "路灯怎么报修")))
        texts = [note.text for note in waiting]
        assert reply.startswith("\n\n".join(texts)), reply
        assert len(reply) > len("\n\n".join(texts)) + 10  # and the bot's answer after them
        assert {note.delivered_via for note in notes_of(queue, conversation)} == {"reply"}
        assert ticket not in wechat.reply_text(wechat.post(text_xml(openid, "谢谢")))
        assert wechat_api.messages_to(openid)[before:] == []
    finally:
        queue.close()


def test_a_question_left_on_wechat_is_answered_through_the_customer_service_api_once(wechat, wechat_api, stack):
    openid = new_openid()
    conversation = senders.wechat_conversation(openid)
    wechat.reply_text(wechat.post(text_xml(openid, "转人工")))
    [number] = NUMBER.findall(wechat.reply_text(wechat.post(text_xml(openid, QUESTION))))
    before = len(wechat_api.messages_to(openid))

    staff_answer(stack, number)

    queue = stack_queue(stack)
    try:
        settled_notes(queue, conversation, lambda note: note.delivered_at, "the answer pushed")
        sent = [message.content for message in wechat_api.messages_to(openid)[before:]]
        assert len(sent) == 1 and number in sent[0] and "138****5678" in sent[0], sent
        assert {note.delivered_via for note in notes_of(queue, conversation)} == {"push"}
    finally:
        queue.close()
    assert number not in wechat.reply_text(wechat.post(text_xml(openid, "谢谢")))
