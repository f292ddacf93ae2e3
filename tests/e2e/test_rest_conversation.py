"""The running bot over the REST channel, as a resident's client sees it."""
import pytest

from tests.conftest import new_sender

pytestmark = pytest.mark.stack


def test_greeting_in_chinese(stack):
    reply = stack.say_text(new_sender(), "你好")
    assert "前进小助手" in reply


def test_out_of_scope_is_polite(stack):
    reply = stack.say_text(new_sender(), "帮我订机票")
    assert "抱歉" in reply and "帮不上" in reply


def test_capabilities_come_with_buttons(stack):
    messages = stack.say(new_sender(), "你能做什么")
    buttons = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "反映问题" in buttons and "90岁以上老人免费午餐" in buttons


def test_empty_and_huge_messages_get_an_answer(stack):
    sender = new_sender()
    assert stack.say(sender, "")
    assert stack.say(sender, "路" * 100_000)
    assert "前进小助手" in stack.say_text(sender, "你好")
