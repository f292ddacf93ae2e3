"""The running bot over the REST channel, as a resident's client sees it."""
import sqlite3
from contextlib import closing

import pytest
import requests

from bot.benchmarks.stack import reply_text
from tests.conftest import new_sender
from tests.reporting.test_report_stack import stored_conversation

pytestmark = pytest.mark.stack

# How the conversation store keeps a message the resident sent (one event per message).
USER_TURN = '"event": "user"'


def test_greeting_in_chinese(stack):
    reply = stack.say_text(new_sender(), "你好")
    assert "前进小助手" in reply


def test_out_of_scope_is_polite(stack):
    reply = stack.say_text(new_sender(), "帮我订机票")
    assert "抱歉" in reply and "答不上来" in reply and "村（社区）或前进街道办事处" in reply


def test_capabilities_come_with_buttons(stack):
    messages = stack.say(new_sender(), "你能做什么")
    buttons = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "反映问题" in buttons and "90岁以上老人免费午餐" in buttons


def test_empty_and_huge_messages_get_an_answer(stack):
    sender = new_sender()
    assert stack.say(sender, "")
    assert stack.say(sender, "路" * 2_500)  # too long, within the 16 KB body cap
    assert "前进小助手" in stack.say_text(sender, "你好")


def test_what_the_client_claims_about_itself_is_not_stored(stack):
    """Rasa's REST channel would store the body's metadata with the message, and take its channel name (which the
    events backend gets with a report) from the body."""
    sender = new_sender()
    body = {"sender": sender, "message": "你好", "input_channel": "claimed-channel-7f3a",
            "metadata": {"claimed": "metadata-7f3a"}}
    reply = requests.post(stack.webhook_url, json=body, timeout=30)
    assert reply.status_code == 200 and "前进小助手" in reply_text(reply.json())
    stored = stored_conversation(stack, sender)
    assert USER_TURN in stored
    assert "claimed-channel-7f3a" not in stored and "metadata-7f3a" not in stored
    assert '"input_channel": "rest"' in stored


@pytest.mark.parametrize("sender", ["wechat:oABCDEFGHIJKLMNOPQRSTUVWXYZ0", "widget:abcdefghijklmnopqrstuvwx",
                                    "erased:0123456789abcdef"])
def test_a_rest_client_cannot_speak_in_a_wechat_or_widget_or_erased_conversation(stack, sender):
    reply = requests.post(stack.webhook_url, json={"sender": sender, "message": "我的工单"}, timeout=30)
    assert reply.status_code == 403 and "wechat:" in reply.json()["message"]
    assert stored_conversation(stack, sender) == ""


def test_conversations_and_their_locks_are_sqlite_files_in_wal_mode(stack):
    """WAL lets the Rasa server's workers write while others read; `bot/rasa/server.py` opens the store so."""
    stack.say_text(new_sender(), "你好")
    for name in ("tracker.db", "locks.db"):
        with closing(sqlite3.connect(stack.data_dir / name)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal", name


def test_restart_drops_a_half_filled_report(stack):
    """/restart is handled by the rule policy (config.yml uses a subclass of Rasa's RulePolicy)."""
    sender = new_sender()
    stack.say(sender, "小区门口路灯坏了好几天了")
    stack.say(sender, "/restart")
    assert "前进小助手" in stack.say_text(sender, "你好")


def listening_addresses(port: int) -> set:
    """The local addresses of TCP sockets listening on `port`, from /proc/net/tcp and tcp6 (in the kernel's hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


def test_the_action_server_which_has_no_login_listens_on_the_loopback_only(stack):
    assert listening_addresses(int(stack.env["ACTION_SERVER_PORT"])) == {"0100007F"}
