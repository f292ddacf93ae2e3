"""What a REST (and widget) message costs before Rasa sees it, on the real channel over real HTTP in this process:
the address count, then the conversation's count and its notes in one trip off the event loop (bot/rasa/channels/
notes.py); a message over the conversation's limit or too long leaves the conversation's notes waiting."""
import asyncio
import uuid

import pytest
import requests
from sanic import Sanic

from bot import rate_limits
from bot.governance.notifications import NotificationBox, notify
from bot.governance.queue import open_queue
from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS
from bot.rasa.channels.rest import ResidentRestInput
from tests.core.serving import serving

NOTE = "您的留言工作人员已答复：请带户口本到社区服务站办理。"


@pytest.fixture
async def rest_url(monkeypatch, tmp_path):
    """ResidentRestInput with a conversation limit of 2 a minute, its notes on a SQLite queue in tmp_path; the bot
    answers every message with "好的"."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    for key, value in {"DATA_DIR": str(tmp_path), "DATABASE_URL": "", "REST_API_TOKEN": "",
                       "RATE_LIMIT_CONVERSATION_PER_MINUTE": "2", "RATE_LIMIT_ADDRESS_PER_MINUTE": "1000"}.items():
        monkeypatch.setenv(key, value)

    async def handle(message) -> None:
        await message.output_channel.send_text_message(message.sender_id, "好的")

    app = Sanic(f"rest_trips_{uuid.uuid4().hex[:8]}")
    app.blueprint(ResidentRestInput().blueprint(handle), url_prefix="/webhooks/rest")
    async with serving(app) as url:
        yield f"{url}/webhooks/rest/webhook"


@pytest.fixture
def trips(monkeypatch):
    """The functions sent off the event loop with asyncio.to_thread, in order."""
    sent = []
    to_thread = asyncio.to_thread

    async def counted(function, *args, **kwargs):
        sent.append(function)
        return await to_thread(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    return sent


async def say(url: str, sender: str, text: str = "你好"):
    reply = await asyncio.to_thread(requests.post, url, json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    return [message["text"] for message in reply.json()]


def server_trips(trips) -> list:
    # say() itself sends the request from a thread: every other trip is the server's.
    return [function.__name__ for function in trips if function is not requests.post]


def add_note(conversation: str) -> None:
    with open_queue().writing() as session:
        notify(session, conversation, "rest", NOTE)


async def test_a_message_leaves_the_event_loop_twice_the_address_then_the_conversation_with_its_notes(
        rest_url, trips):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    add_note(sender)

    assert await say(rest_url, sender) == [NOTE, "好的"]
    assert await say(rest_url, sender) == ["好的"]

    assert server_trips(trips) == ["allows", "_count_and_take"] * 2


async def test_a_message_over_the_conversations_limit_leaves_its_notes_waiting(rest_url, trips):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    assert await say(rest_url, sender) == ["好的"]
    assert await say(rest_url, sender) == ["好的"]
    add_note(sender)

    assert await say(rest_url, sender) == [rate_limits.TOO_MANY_MESSAGES_TEXT]

    assert server_trips(trips) == ["allows", "_count_and_take"] * 3
    assert [note.text for note in NotificationBox(open_queue()).take_for(sender)] == [NOTE]


async def test_a_message_too_long_leaves_its_notes_waiting(rest_url, trips):
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    add_note(sender)

    (refusal,) = await say(rest_url, sender, "长" * (MAX_MESSAGE_CHARS + 1))

    assert str(MAX_MESSAGE_CHARS) in refusal
    assert server_trips(trips) == ["allows", "_count_and_take"]
    assert await say(rest_url, sender) == [NOTE, "好的"]
