"""The rate limits in the running bot, on a stack of its own with low limits (the shared stack's are out of reach,
bot/benchmarks/stack.py): 3 messages a minute per conversation on REST, the widget and WeChat, 2 ticket look-ups by
number an hour, 40 requests a minute per address on REST and the widget. Over a limit the resident gets the polite
reply and the message does not reach the bot. Recovery when the window ends: tests/core/test_rate_limit_channels.py.

Windows are the clock's minutes and hours, so a test sends until it is refused, at most twice the limit and one:
within a minute at most one window ends, so one window gets more than the limit.
"""
import sqlite3
import time
import uuid
from contextlib import closing
from typing import Callable, Iterator, List

import pytest
import requests

from bot import senders
from bot.benchmarks.stack import REST_PATH, WIDGET_PATH, LocalStack, StackError, reply_text
from bot.rate_limits import TOO_MANY_MESSAGES_TEXT, TOO_MANY_TICKET_LOOKUPS_TEXT
from bot.reporting import texts
from tests.conftest import new_sender
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS as WECHAT_TEST_CREDENTIALS
from tests.wechat.wechat_server import WeChatServer, new_openid, text_xml

pytestmark = pytest.mark.stack

PER_CONVERSATION = 3
PER_ADDRESS = 40
TICKET_LOOKUPS = 2
GREETING = "前进小助手"
UNKNOWN_TICKET = "QJ20261122-0099"


@pytest.fixture(scope="module")
def limited(tmp_path_factory, wechat_api) -> Iterator[LocalStack]:
    overrides = dict(
        RATE_LIMIT_CONVERSATION_PER_MINUTE=str(PER_CONVERSATION),
        RATE_LIMIT_ADDRESS_PER_MINUTE=str(PER_ADDRESS),
        RATE_LIMIT_TICKET_LOOKUPS_PER_HOUR=str(TICKET_LOOKUPS),
        WECHAT_API_BASE_URL=wechat_api.base_url,
        **WECHAT_TEST_CREDENTIALS,
    )
    with LocalStack(data_dir=tmp_path_factory.mktemp("limited-stack"), overrides=overrides) as stack:
        try:
            stack.start()
        except StackError as error:
            pytest.fail(str(error))
        yield stack


def until_refused(say: Callable[[], str], limit: int, refusal: str = TOO_MANY_MESSAGES_TEXT) -> List[str]:
    replies: List[str] = []
    while len(replies) <= 2 * limit and refusal not in replies:
        replies.append(say())
    return replies


def user_turns(stack: LocalStack, conversation: str) -> int:
    with closing(sqlite3.connect(stack.data_dir / "tracker.db")) as db:
        return db.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (conversation,)
        ).fetchone()[0]


def assert_refused_after_answers(replies: List[str]) -> None:
    assert replies[-1] == TOO_MANY_MESSAGES_TEXT, replies
    assert len(replies) > PER_CONVERSATION and all(GREETING in reply for reply in replies[:-1]), replies


def test_a_rest_conversation_over_its_limit_is_answered_politely_without_reaching_the_bot(limited):
    sender = new_sender()
    replies = until_refused(lambda: limited.say_text(sender, "你好"), PER_CONVERSATION)
    assert_refused_after_answers(replies)
    assert user_turns(limited, sender) == len(replies) - 1
    assert GREETING in limited.say_text(new_sender(), "你好"), "another conversation is not held back"


def test_a_widget_conversation_over_its_limit_is_answered_politely(limited):
    sender = limited.widget_sender()
    replies = until_refused(lambda: reply_text(limited.say(sender, "你好", path=WIDGET_PATH)), PER_CONVERSATION)
    assert_refused_after_answers(replies)


def test_a_wechat_conversation_over_its_limit_is_answered_politely_without_reaching_the_bot(limited):
    wechat = WeChatServer(
        f"{limited.rasa_url}/webhooks/wechat/webhook",
        token=WECHAT_TEST_CREDENTIALS["WECHAT_TOKEN"],
        encoding_aes_key=WECHAT_TEST_CREDENTIALS["WECHAT_ENCODING_AES_KEY"],
        app_id=WECHAT_TEST_CREDENTIALS["WECHAT_APP_ID"],
    )
    openid = new_openid()
    replies = until_refused(lambda: wechat.reply_text(wechat.post(text_xml(openid, "你好"))), PER_CONVERSATION)
    assert_refused_after_answers(replies)
    assert user_turns(limited, senders.wechat_conversation(openid)) == len(replies) - 1


def test_ticket_look_ups_by_number_over_the_limit_are_answered_politely(limited):
    if time.time() % 3600 > 3600 - 30:  # the hour's window must not end in the middle
        time.sleep(3600 - time.time() % 3600 + 1)
    sender = new_sender()
    replies = [limited.say_text(sender, f"查询 {UNKNOWN_TICKET}") for _ in range(TICKET_LOOKUPS + 1)]
    not_found = texts.TICKET_NOT_FOUND.format(ticket_no=UNKNOWN_TICKET)
    assert replies == [not_found] * TICKET_LOOKUPS + [TOO_MANY_TICKET_LOOKUPS_TEXT]


def test_an_address_over_its_limit_is_refused_whatever_x_forwarded_for_it_claims(limited):
    """Last in this file: it spends the address's minute. Requests the channel refuses (no message) count too."""

    def post(**headers: str) -> str:
        reply = requests.post(limited.rasa_url + REST_PATH, json={"sender": new_sender()}, headers=headers,
                              timeout=30)
        return reply_text(reply.json()) if reply.status_code == 200 else f"HTTP {reply.status_code}"

    while True:
        replies = until_refused(post, PER_ADDRESS)
        assert replies[0] == "HTTP 400" and replies[-1] == TOO_MANY_MESSAGES_TEXT, replies
        refused_in = int(time.time() // 60)
        forged = post(**{"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}"})
        if int(time.time() // 60) == refused_in:
            break  # else the minute ended in between: spend the next one
    assert forged == TOO_MANY_MESSAGES_TEXT
