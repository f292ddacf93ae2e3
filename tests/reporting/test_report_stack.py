"""Reporting a problem and checking tickets through the running bot, as a resident's REST client does it.

The stack is the real `python -m bot run` (trained model, action server, outbox worker, bundled events backend);
the queue is opened on the stack's own governance.db to see what was really stored.
"""
import itertools
import sqlite3
import time
from contextlib import closing
from typing import Dict, List

import pytest

from bot.benchmarks.stack import reply_text
from bot.governance import ReportQueue
from bot.reporting import texts
from bot.reporting.ticket import find_ticket_no
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

DELIVERY_TIMEOUT = 20
_lamp_posts = itertools.count(1)


def a_place() -> str:
    """A place no other test reports a problem at: the same problem at the same place is offered as already
    reported (bot/governance/duplicates.py), and the session's stack keeps every report."""
    return f"前悦社区南门口{next(_lamp_posts)}号灯杆"


@pytest.fixture
def queue(stack):
    opened = ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")
    yield opened
    opened.close()


def tap(stack, sender: str, messages: List[Dict], title: str) -> List[Dict]:
    """Press the button called `title` in the bot's last reply."""
    payloads = {b["title"]: b["payload"] for m in messages for b in m.get("buttons") or []}
    assert title in payloads, f"no button {title!r} in {messages}"
    return stack.say(sender, payloads[title])


def report_until_summary(stack, sender: str, phone: str = "不留") -> List[Dict]:
    """路灯坏了 -> 是的 -> a place of its own -> phone: the reply is the summary with its three buttons."""
    reply = stack.say(sender, "小区门口路灯坏了好几天了")
    assert "公共设施" in reply_text(reply)
    reply = tap(stack, sender, reply, "是的")
    assert texts.ASK_LOCATION in reply_text(reply)
    reply = stack.say(sender, a_place())
    assert texts.PRIVACY_NOTICE in reply_text(reply)
    reply = stack.say(sender, phone)
    assert "请核对" in reply_text(reply)
    return reply


def wait_for_status(queue: ReportQueue, ticket_no: str, label: str):
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        view = queue.get(ticket_no)
        if view.status_label == label or time.monotonic() > deadline:
            return view
        time.sleep(0.5)


def test_full_report_then_forwarded_then_looked_up(stack, queue):
    sender, place = new_sender(), a_place()
    first = stack.say(sender, "小区门口路灯坏了好几天了")
    assert "「公共设施」" in reply_text(first)
    assert [b["title"] for m in first for b in m.get("buttons") or []] == ["是的", "换一个类别"]
    assert "问题在什么地方" in reply_text(tap(stack, sender, first, "是的"))
    assert "回电" in reply_text(stack.say(sender, place))
    summary = stack.say(sender, "不留")
    assert "小区门口路灯坏了好几天了" in reply_text(summary) and texts.PHONE_NONE in reply_text(summary)

    reply = reply_text(tap(stack, sender, summary, "确认提交"))
    ticket_no = find_ticket_no(reply)
    assert ticket_no and f"您的工单号是 {ticket_no}" in reply and f"查询 {ticket_no}" in reply

    [view] = queue.list_for_sender(sender)
    assert (view.ticket_no, view.category, view.location, view.description, view.phone_masked) == (
        ticket_no, "公共设施", place, "小区门口路灯坏了好几天了", None)
    assert wait_for_status(queue, ticket_no, "已转派").status_label == "已转派"

    status = stack.say_text(sender, f"查询 {ticket_no}")
    assert ticket_no in status and "已转派" in status and "公共设施" in status and place in status


def test_saying_where_instead_of_confirming_the_category_keeps_the_guess(stack):
    sender = new_sender()
    assert "「环境卫生」" in stack.say_text(sender, "家门口有人乱倒垃圾")

    assert texts.PRIVACY_NOTICE in stack.say_text(sender, "在前进村三组")

    summary = stack.say_text(sender, "不留")
    assert "类别：环境卫生" in summary and "地点：在前进村三组" in summary


def test_a_place_given_while_the_category_is_asked_is_kept(stack):
    sender = new_sender()
    asked = stack.say(sender, "我们这边有个情况好久了一直没人管")
    assert texts.ASK_CATEGORY in reply_text(asked)

    noted = stack.say(sender, "前峰村22组")
    assert texts.PLACE_NOTED in reply_text(noted)

    assert texts.PRIVACY_NOTICE in reply_text(tap(stack, sender, noted, "交通停车"))
    summary = stack.say_text(sender, "不留")
    assert "类别：交通停车" in summary and "地点：前峰村22组" in summary


def test_confirm_sent_twice_files_one_report(stack, queue):
    sender = new_sender()
    summary = report_until_summary(stack, sender)
    first = reply_text(tap(stack, sender, summary, "确认提交"))
    second = reply_text(tap(stack, sender, summary, "确认提交"))
    ticket_no = find_ticket_no(first)
    assert ticket_no and find_ticket_no(second) == ticket_no
    assert len(queue.list_for_sender(sender)) == 1


def test_cancel_midway_files_nothing(stack, queue):
    sender = new_sender()
    assert texts.ASK_DESCRIPTION in stack.say_text(sender, "我要反映问题")
    assert "「环境卫生」" in stack.say_text(sender, "楼下垃圾堆了好几天没人清理，臭得很")
    assert texts.CANCELLED in stack.say_text(sender, "算了，不报了")
    assert queue.list_for_sender(sender) == []
    assert texts.NO_TICKETS in stack.say_text(sender, "我的工单怎么样了")


def test_wrong_location_is_corrected_and_the_phone_stays_masked(stack, queue):
    sender = new_sender()
    summary = report_until_summary(stack, sender, phone="138 1234 5678")
    assert "138****5678" in reply_text(summary) and "13812345678" not in reply_text(summary).replace(" ", "")
    again = stack.say_text(sender, "地点写错了")
    assert texts.ASK_LOCATION in again
    summary = stack.say(sender, "三丰村村委会东边路口")
    assert "三丰村村委会东边路口" in reply_text(summary) and "确认提交" in str(summary)
    reply = reply_text(tap(stack, sender, summary, "确认提交"))
    assert "138****5678" in reply and "13812345678" not in reply
    [view] = queue.list_for_sender(sender)
    assert view.location == "三丰村村委会东边路口" and view.phone_masked == "138****5678"


def stored_conversation(stack, sender: str) -> str:
    """Everything the conversation store holds of this conversation, as stored."""
    with closing(sqlite3.connect(stack.data_dir / "tracker.db")) as db:
        return "\n".join(data for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))


def test_once_the_report_is_filed_the_conversation_keeps_no_phone_number(stack, queue):
    sender = new_sender()
    summary = report_until_summary(stack, sender, phone="13812345678")
    assert "13812345678" in stored_conversation(stack, sender)  # needed until the report is filed

    ticket_no = find_ticket_no(reply_text(tap(stack, sender, summary, "确认提交")))

    assert ticket_no and "13812345678" not in stored_conversation(stack, sender)
    assert "138****5678" in stored_conversation(stack, sender)
    assert wait_for_status(queue, ticket_no, "已转派").phone_masked == "138****5678"
    with closing(sqlite3.connect(stack.data_dir / "governance.db")) as db:
        assert db.execute("SELECT phone FROM reports WHERE ticket_no = ?", (ticket_no,)).fetchone() == ("13812345678",)


def test_numbers_in_a_question_and_in_a_cancelled_report_are_stored_masked(stack, queue):
    sender = new_sender()
    stack.say(sender, "我的电话1381 234 5678，身份证330102199001011234，老年卡怎么办")
    stored = stored_conversation(stack, sender)
    assert "138****5678" in stored and not any(n in stored for n in ("234 5678", "330102199001011234"))

    summary = report_until_summary(stack, sender, phone="0571 8765 4321")
    assert "0571-87654321" in stored_conversation(stack, sender)  # the form still needs it
    assert texts.CANCELLED in reply_text(tap(stack, sender, summary, "取消"))

    stored = stored_conversation(stack, sender)
    assert "0571-****4321" in stored and not any(n in stored for n in ("87654321", "8765 4321"))
    assert queue.list_for_sender(sender) == []


def test_unrelated_question_mid_form_is_answered_and_the_form_resumes(stack, queue):
    sender = new_sender()
    stack.say(sender, "小区门口路灯坏了好几天了")
    stack.say(sender, "/affirm")
    reply = stack.say_text(sender, "对了，90岁以上老人免费午餐怎么领？")
    assert "90周岁以上" in reply
    assert reply.rstrip().endswith(texts.ASK_LOCATION)
    assert texts.PRIVACY_NOTICE in stack.say_text(sender, a_place())


def test_thanks_where_the_place_is_asked_is_not_taken_for_the_place(stack, queue):
    sender, place = new_sender(), a_place()
    asked = tap(stack, sender, stack.say(sender, "小区门口路灯坏了好几天了"), "是的")
    assert texts.ASK_LOCATION in reply_text(asked)

    assert texts.ASK_LOCATION in reply_text(stack.say(sender, "好的谢谢"))
    assert texts.PRIVACY_NOTICE in reply_text(stack.say(sender, place))
    summary = stack.say(sender, "不留")
    tap(stack, sender, summary, "确认提交")

    [view] = queue.list_for_sender(sender)
    assert view.location == place


def test_a_problem_the_bot_was_unsure_of_is_kept_when_the_resident_taps_report(stack, queue):
    sender = new_sender()
    unsure = stack.say(sender, "化粪池满了")
    assert "您是想问" in reply_text(unsure) or "答不上来" in reply_text(unsure)

    started = reply_text(tap(stack, sender, unsure, "反映问题"))

    assert texts.START_WITH_DESCRIPTION in started and texts.ASK_DESCRIPTION not in started


def test_emergency_gets_the_number_first(stack):
    messages = stack.say(new_sender(), "楼下着火了")
    assert "119" in messages[0]["text"]
    assert any(b["payload"] == "/report_problem" for m in messages for b in m.get("buttons") or [])


def test_emergency_mid_form_gets_the_number_first_and_the_form_goes_on(stack):
    sender = new_sender()
    stack.say(sender, "小区门口路灯坏了好几天了")
    stack.say(sender, "/affirm")
    messages = stack.say(sender, "楼道里有人晕倒了")
    assert "120" in messages[0]["text"]
    assert reply_text(messages).rstrip().endswith(texts.ASK_LOCATION)


def test_bad_phone_is_asked_again_politely(stack):
    sender = new_sender()
    stack.say(sender, "小区门口路灯坏了好几天了")
    stack.say(sender, "/affirm")
    stack.say(sender, a_place())
    assert texts.PHONE_INVALID in stack.say_text(sender, "12345")
    assert "138****5678" in stack.say_text(sender, "13812345678")


def test_a_2400_character_description_gets_a_polite_message(stack):
    sender = new_sender()
    stack.say(sender, "我要反映问题")
    reply = stack.say_text(sender, "路灯不亮" * 600)
    assert "精简" in reply and "2000" in reply
    assert "「公共设施」" in stack.say_text(sender, "小区门口路灯坏了好几天了")


def test_emoji_and_sql_looking_text_are_stored_verbatim(stack, queue):
    sender = new_sender()
    description = "路灯坏了😡😡 '; DROP TABLE reports;--"
    location = "3幢🏠 \" OR 1=1 --"
    stack.say(sender, "我要反映问题")
    stack.say(sender, description)
    stack.say(sender, "公共设施")
    stack.say(sender, location)
    summary = stack.say(sender, "不留")
    ticket_no = find_ticket_no(reply_text(tap(stack, sender, summary, "确认提交")))
    view = queue.get(ticket_no)
    assert (view.description, view.location) == (description, location)


# Typed where the place is asked, none of these may become a report's place (取消 would cancel, as it should).
NOT_PLACES = ("对", "是的", "嗯", "没错", "好的", "可以", "不是", "不对", "提交吧", "确认", "确认提交", "修改", "下一步",
              "交通", "交通停车", "安全隐患", "环境卫生", "其他", "谢谢", "你好", "好的谢谢", "。", "？", "不知道")


def test_no_report_is_ever_filed_with_a_place_that_is_no_place(stack, queue):
    sender, place = new_sender(), a_place()
    stack.say(sender, "小区门口路灯坏了好几天了")
    assert texts.ASK_LOCATION in stack.say_text(sender, "对")
    replies = []
    for word in NOT_PLACES:
        reply = stack.say_text(sender, word)
        assert texts.PRIVACY_NOTICE not in reply and "工单号" not in reply, (word, reply)
        replies.append(reply)
    assert all("取消" in reply for reply in replies[2:])
    assert texts.PRIVACY_NOTICE in stack.say_text(sender, place)
    summary = stack.say(sender, "不留")
    assert f"地点：{place}" in reply_text(summary)
    tap(stack, sender, summary, "确认提交")
    [view] = queue.list_for_sender(sender)
    assert view.location == place
