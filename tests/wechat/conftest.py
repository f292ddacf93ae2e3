"""WeChat's side of the channel tests: signed requests to the running stack, and what reached Rasa."""
import asyncio
import json
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from typing import List

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot import senders
from bot.benchmarks.stack import LocalStack
from bot.rasa.channels.wechat import WeChatInput
from tests.conftest import Processes, free_port
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS
from tests.wechat.wechat_server import WeChatServer


def _server(base_url: str, safe: bool = True) -> WeChatServer:
    return WeChatServer(
        f"{base_url}/webhooks/wechat/webhook",
        token=TEST_CREDENTIALS["WECHAT_TOKEN"],
        encoding_aes_key=TEST_CREDENTIALS["WECHAT_ENCODING_AES_KEY"],
        app_id=TEST_CREDENTIALS["WECHAT_APP_ID"],
        safe=safe,
    )


@pytest.fixture(scope="session")
def wechat(stack: LocalStack) -> WeChatServer:
    """WeChat's server, calling the stack's WeChat channel (safe mode, as its AES key is set)."""
    return _server(stack.rasa_url)


def user_turns(stack: LocalStack, openid: str) -> List[str]:
    """What the resident said, as recorded in the stack's tracker store (one row per turn) under the resident's
    WeChat conversation."""
    with sqlite3.connect(stack.data_dir / "tracker.db") as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (senders.wechat_conversation(openid),),
        ).fetchall()
    return [json.loads(data).get("text") for (data,) in rows]


def _second_channel(stack: LocalStack, tmp_path_factory, name: str, *options: str, safe: bool = True):
    port = free_port()
    with Processes(tmp_path_factory.mktemp(name)) as processes:
        started = processes.start(
            name, [sys.executable, "-m", "tests.wechat.second_channel", "--port", str(port), *options], stack.env
        )
        started.wait_until_ready(f"http://127.0.0.1:{port}/webhooks/wechat/")
        yield _server(f"http://127.0.0.1:{port}", safe), started


@pytest.fixture(scope="module")
def late_channel(stack: LocalStack, tmp_path_factory):
    """A second channel instance whose reply deadline every turn misses, so all answers go out late."""
    yield from _second_channel(
        stack, tmp_path_factory, "wechat-late", "--reply-deadline", "0.01", "--turn-delay", "0.5"
    )


@pytest.fixture(scope="module")
def other_process(stack: LocalStack, tmp_path_factory):
    """The same channel in another Rasa server that shares the stack's conversations and short memory: WeChat's
    next delivery may reach it instead of the stack."""
    yield from _second_channel(stack, tmp_path_factory, "wechat-other")


@pytest.fixture(scope="module")
def plaintext_channel(stack: LocalStack, tmp_path_factory):
    """The channel of an account without safe mode (no WECHAT_ENCODING_AES_KEY): messages come in plaintext."""
    yield from _second_channel(stack, tmp_path_factory, "wechat-plaintext", "--encoding-aes-key", "", safe=False)


@pytest.fixture(scope="module")
def unconfigured_channel(stack: LocalStack, tmp_path_factory):
    """A second channel instance started with an empty WECHAT_TOKEN."""
    yield from _second_channel(stack, tmp_path_factory, "wechat-unconfigured", "--token", "")


@dataclass
class ChannelInProcess:
    """The channel served from this test process (so that caplog sees its log), answering every message with
    `answer`, after `delay` seconds; `senders` lists the Rasa sender ids it was handed, `texts` the messages."""

    wechat: WeChatServer
    answer: str = "好的"
    delay: float = 0
    senders: List[str] = field(default_factory=list)
    texts: List[str] = field(default_factory=list)

    async def handle(self, message: UserMessage) -> None:
        self.senders.append(message.sender_id)
        self.texts.append(message.text)
        await asyncio.sleep(self.delay)
        await message.output_channel.send_text_message(message.sender_id, self.answer)


@pytest.fixture(params=["safe"])
async def channel_in_process(request, monkeypatch, wechat_api):
    """A `WeChatInput` with the test account's credentials on a real HTTP server in this process (with the test's
    own short memory, tests/conftest.py); its late answers go to the fake WeChat API. Parametrize with "plaintext"
    (indirect) for an account without an EncodingAESKey."""
    safe = request.param == "safe"
    channel = WeChatInput(
        token=TEST_CREDENTIALS["WECHAT_TOKEN"],
        app_id=TEST_CREDENTIALS["WECHAT_APP_ID"],
        app_secret=TEST_CREDENTIALS["WECHAT_APP_SECRET"],
        encoding_aes_key=TEST_CREDENTIALS["WECHAT_ENCODING_AES_KEY"] if safe else "",
        api_base_url=wechat_api.base_url,
        reply_deadline_seconds=0.5,
    )
    port = free_port()
    served = ChannelInProcess(_server(f"http://127.0.0.1:{port}", safe))
    # Sanic 21.12 rewrites its request handling on every start, which only test mode lets happen more than once.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"wechat_in_process_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(served.handle), url_prefix="/webhooks/wechat")
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    yield served
    server.close()
    await server.wait_closed()
    for connection in list(server.connections):
        connection.close_if_idle()
    await asyncio.sleep(0.1)  # the connections' tasks end while the loop still runs
