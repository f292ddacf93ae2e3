"""Leaving a question for staff and rating a closed ticket through the running bot, as a REST client does it.

The stack is the real `python -m bot run`; the queue is opened on the stack's own governance.db to see what was
really stored.
"""
import pytest

from bot.benchmarks.stack import reply_text
from bot.consulting import texts
from bot.governance.consultations import ConsultationDesk
from bot.reporting.ticket import find_ticket_no
from tests.conftest import new_sender
from tests.reporting.test_report_stack import queue, report_until_summary, tap, wait_for_status  # noqa: F401

pytestmark = pytest.mark.stack


def test_a_question_left_for_staff_is_stored_masked_and_can_be_added_to(stack, queue):  # noqa: F811
    sender = new_sender()
    assert "答不上来" in stack.say_text(sender, "驾照到期了去哪换")
    offer = stack.say(sender, "都不是")
    offered = reply_text(tap(stack, sender, offer, "留言给工作人员"))
    assert "驾照到期了去哪换" in offered
    assert texts.ASK_CONTEXT in stack.say_text(sender, "对")
    sent = stack.say_text(sender, "附上")
    desk = ConsultationDesk(queue)
    stored = desk.latest_open_for(sender)
    assert stored and stored.number in sent and "答复会发到这里" in sent
    assert stored.question == "驾照到期了去哪换" and "居民：驾照到期了去哪换" in stored.context

    added = stack.say_text(sender, "补充一下：我的电话13812345678，驾照是C1的")
    assert texts.ADDED.format(number=stored.number).splitlines()[0] in added
    [(_, addition)] = desk.get(stored.number).additions
    assert "13812345678" not in addition and "驾照是C1的" in addition


def test_a_closed_ticket_rated_in_words_with_a_comment_after_dissatisfied(stack, queue):  # noqa: F811
    sender = new_sender()
    ticket_no = find_ticket_no(reply_text(tap(stack, sender, report_until_summary(stack, sender), "确认提交")))
    wait_for_status(queue, ticket_no, "已转派")
    queue.set_status(ticket_no, "已办结", "已更换灯泡")

    asked = stack.say_text(sender, "不太满意")
    assert texts.ASK_COMMENT in asked and ticket_no in asked
    thanked = stack.say_text(sender, "换了第二天又不亮了")
    assert texts.COMMENT_THANKS.format(ticket_no=ticket_no) in thanked
    view = queue.get(ticket_no)
    assert (view.satisfaction, view.revisit, view.satisfaction_comment) == ("不满意", True, "换了第二天又不亮了")

    # The button on the status message names the ticket: a resident who changes their mind taps another rating.
    tapped = stack.say_text(sender, '/rate_report{"ticket_no": "%s", "rating": "满意"}' % ticket_no)
    assert texts.RATING_THANKS["满意"].format(ticket_no=ticket_no) in tapped
    assert (queue.get(ticket_no).satisfaction, queue.get(ticket_no).revisit) == ("满意", False)
