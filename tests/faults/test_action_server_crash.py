"""The action server dies mid-conversation: residents hear "busy", never silence, and when it is back the
conversation goes on from where it was (the topic of a question, the fields of a half-filled report).
"""
import pytest

from bot.benchmarks.stack import reply_text
from bot.knowledge import answer_detail, load_knowledge
from bot.rasa.channels.busy import BUSY_TEXT
from bot.reporting import texts
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

TOPIC = "veterans_station"
FOLLOW_UP = "那在哪里？"
PROBLEM = "小区门口路灯坏了好几天了"
PLACE = "前悦社区南门口"


def test_a_follow_up_after_the_restart_is_about_the_same_topic(fault_stack):
    expected = answer_detail(load_knowledge(fault_stack.knowledge_dir), TOPIC, FOLLOW_UP).text
    sender = new_sender()
    assert fault_stack.say_text(sender, f"/ask_{TOPIC}")

    with fault_stack.action_server_down():
        assert reply_text(fault_stack.say(sender, FOLLOW_UP)) == BUSY_TEXT

    assert expected in fault_stack.say_text(sender, FOLLOW_UP)


def test_a_report_after_the_restart_goes_on_with_the_next_question(fault_stack):
    sender = new_sender()
    assert "「公共设施」" in fault_stack.say_text(sender, PROBLEM)
    assert texts.ASK_LOCATION in fault_stack.say_text(sender, "/affirm")

    with fault_stack.action_server_down():
        assert reply_text(fault_stack.say(sender, PLACE)) == BUSY_TEXT

    resumed = fault_stack.say_text(sender, PLACE)
    assert texts.ASK_PHONE in resumed
    assert texts.ASK_DESCRIPTION not in resumed and texts.ASK_LOCATION not in resumed
    summary = fault_stack.say_text(sender, "不留")
    assert texts.SUMMARY.format(category="公共设施", location=PLACE, description=PROBLEM,
                                phone=texts.PHONE_NONE) in summary


def test_a_turn_while_the_action_server_is_down_files_nothing(fault_stack):
    """The confirmation that met the dead action server is simply asked again; one report, one ticket."""
    sender = new_sender()
    fault_stack.say(sender, PROBLEM)
    fault_stack.say(sender, "/affirm")
    fault_stack.say(sender, PLACE)
    assert "请核对" in fault_stack.say_text(sender, "不留")

    with fault_stack.action_server_down():
        assert reply_text(fault_stack.say(sender, "/affirm")) == BUSY_TEXT
    assert fault_stack.queue.list_for_sender(sender) == []

    submitted = fault_stack.say_text(sender, "/affirm")
    [report] = fault_stack.queue.list_for_sender(sender)
    assert f"您的工单号是 {report.ticket_no}" in submitted
