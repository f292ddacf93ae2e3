"""WeChat's side of the channel tests: signed requests to the running stack, and what reached Rasa."""
import json
import sqlite3
import sys
from typing import List

import pytest

from bot.benchmarks.stack import LocalStack
from tests.conftest import Processes, free_port
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS
from tests.wechat.wechat_server import WeChatServer


def _server(base_url: str) -> WeChatServer:
    return WeChatServer(
        f"{base_url}/webhooks/wechat/webhook",
        token=TEST_CREDENTIALS["WECHAT_TOKEN"],
        encoding_aes_key=TEST_CREDENTIALS["WECHAT_ENCODING_AES_KEY"],
        app_id=TEST_CREDENTIALS["WECHAT_APP_ID"],
    )


@pytest.fixture(scope="session")
def wechat(stack: LocalStack) -> WeChatServer:
    """WeChat's server, calling the stack's WeChat channel."""
    return _server(stack.rasa_url)


def user_turns(stack: LocalStack, openid: str) -> List[str]:
    """What the resident said, as recorded in the stack's tracker store (one row per turn)."""
    with sqlite3.connect(stack.data_dir / "tracker.db") as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (openid,)
        ).fetchall()
    return [json.loads(data).get("text") for (data,) in rows]


def _second_channel(stack: LocalStack, tmp_path_factory, name: str, *options: str):
    port = free_port()
    with Processes(tmp_path_factory.mktemp(name)) as processes:
        started = processes.start(
            name,
            [sys.executable, "-m", "tests.wechat.second_channel", "--port", str(port), "--rasa-url", stack.rasa_url,
             *options],
            stack.env,
        )
        started.wait_until_ready(f"http://127.0.0.1:{port}/webhooks/wechat/")
        yield _server(f"http://127.0.0.1:{port}"), started


@pytest.fixture(scope="module")
def late_channel(stack: LocalStack, tmp_path_factory):
    """A second channel instance whose reply deadline every turn misses, so all answers go out late."""
    yield from _second_channel(
        stack, tmp_path_factory, "wechat-late", "--reply-deadline", "0.01", "--turn-delay", "0.5"
    )


@pytest.fixture(scope="module")
def other_process(stack: LocalStack, tmp_path_factory):
    """The same channel in another process that shares the stack's conversations, as a second Sanic worker or
    Rasa server does: WeChat's next delivery may reach it instead of the stack."""
    yield from _second_channel(
        stack, tmp_path_factory, "wechat-other", "--tracker-db", str(stack.data_dir / "tracker.db")
    )


@pytest.fixture(scope="module")
def unconfigured_channel(stack: LocalStack, tmp_path_factory):
    """A second channel instance started with an empty WECHAT_TOKEN."""
    yield from _second_channel(stack, tmp_path_factory, "wechat-unconfigured", "--token", "")
