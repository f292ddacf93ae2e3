"""The rate limits on a real channel: Rasa's REST channel wrapped as the project's channels wrap theirs
(`bot/rasa/channels/rate_limit.py`), served over real HTTP in this process, with low limits and a 2-second
"minute". Over a limit the resident gets the polite reply and the message does not reach the bot; when the window
ends it is answered again; X-Forwarded-For counts only from a trusted proxy.
"""
import asyncio
import time
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Dict, Optional

import pytest
import requests
from rasa.core.channels.channel import UserMessage, register
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Sanic

from bot import rate_limits
from bot.rasa.channels.busy import Handler
from bot.rasa.channels.rate_limit import limit_per_address, limit_per_conversation
from tests.core.serving import serving

ANSWER = "收到"
WINDOW_SECONDS = 2.0
POLITE = rate_limits.TOO_MANY_MESSAGES_TEXT


class LimitedRest(RestInput):
    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return limit_per_address(super().blueprint(limit_per_conversation(on_new_message)))


@pytest.fixture
async def serve(monkeypatch):
    """`await serve(conversation=…, address=…, trusted_proxies=…)`: the channel with those limits (0 = none) on a
    server; the app, with its URL in `app.ctx.url` and the senders whose messages reached the bot in
    `app.ctx.handled`."""
    monkeypatch.setattr(rate_limits, "MINUTE", WINDOW_SECONDS)
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with AsyncExitStack() as running:

        async def start(conversation: int = 0, address: int = 0, trusted_proxies: str = "") -> Sanic:
            monkeypatch.setenv("RATE_LIMIT_CONVERSATION_PER_MINUTE", str(conversation))
            monkeypatch.setenv("RATE_LIMIT_ADDRESS_PER_MINUTE", str(address))
            monkeypatch.setenv("TRUSTED_PROXIES", trusted_proxies)
            app = Sanic("rate_limited_rest")
            register([LimitedRest()], app, "/webhooks/")  # the channel reads its limits here
            app.ctx.handled = []

            async def handle_message(message: UserMessage) -> None:
                app.ctx.handled.append(message.sender_id)
                await message.output_channel.send_text_message(message.sender_id, ANSWER)

            app.ctx.agent = SimpleNamespace(handle_message=handle_message)
            app.ctx.url = await running.enter_async_context(serving(app))
            return app

        yield start


def say(url: str, sender: str, text: str = "你好", forwarded_for: Optional[str] = None) -> str:
    headers: Dict[str, str] = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    return "".join(message.get("text", "") for message in reply.json())


async def said(app: Sanic, sender: str, forwarded_for: Optional[str] = None) -> str:
    return await asyncio.to_thread(say, app.ctx.url, sender, "你好", forwarded_for)


async def start_of_a_window() -> None:
    await asyncio.sleep(WINDOW_SECONDS - time.time() % WINDOW_SECONDS + 0.01)


async def test_a_conversation_over_its_limit_is_answered_politely_and_again_after_the_window(serve):
    app = await serve(conversation=3)
    await start_of_a_window()
    assert [await said(app, "resident-1") for _ in range(4)] == [ANSWER, ANSWER, ANSWER, POLITE]
    assert app.ctx.handled == ["resident-1"] * 3, "the message over the limit did not reach the bot"
    assert await said(app, "resident-2") == ANSWER, "another conversation is not held back"
    await start_of_a_window()
    assert await said(app, "resident-1") == ANSWER


async def test_an_address_over_its_limit_is_answered_politely_and_again_after_the_window(serve):
    app = await serve(address=3)
    await start_of_a_window()
    replies = [await said(app, f"resident-{number}") for number in range(4)]
    assert replies == [ANSWER, ANSWER, ANSWER, POLITE]
    assert app.ctx.handled == ["resident-0", "resident-1", "resident-2"]
    health = await asyncio.to_thread(requests.get, f"{app.ctx.url}/webhooks/rest/", timeout=10)
    assert health.status_code == 200, "reading (GET) is not counted nor refused"
    await start_of_a_window()
    assert await said(app, "resident-4") == ANSWER


async def test_the_polite_reply_is_the_bots_message_to_the_sender(serve):
    app = await serve(address=1)
    await start_of_a_window()
    await said(app, "resident-1")
    reply = await asyncio.to_thread(requests.post, f"{app.ctx.url}/webhooks/rest/webhook",
                                    json={"sender": "resident-2", "message": "你好"}, timeout=10)
    assert reply.json() == [{"recipient_id": "resident-2", "text": POLITE}]


async def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_change_the_address(serve):
    app = await serve(address=2)
    await start_of_a_window()
    replies = [await said(app, f"resident-{n}", forwarded_for=f"203.0.113.{n}") for n in range(3)]
    assert replies == [ANSWER, ANSWER, POLITE]


async def test_behind_a_trusted_proxy_each_client_address_has_its_own_count(serve):
    app = await serve(address=2, trusted_proxies="127.0.0.1")
    await start_of_a_window()
    assert [await said(app, f"resident-{n}", forwarded_for=f"203.0.113.{n}") for n in range(4)] == [ANSWER] * 4
    same_client = [await said(app, f"other-{n}", forwarded_for="1.2.3.4, 198.51.100.9") for n in range(3)]
    assert same_client == [ANSWER, ANSWER, POLITE]
