"""The REST channel on a real HTTP server in this process, its notes on PostgreSQL behind a gate the test closes:
waiting notes come in front of the bot's replies, collected or streamed (they rely on how rasa 3.6.21's REST
webhook hands out its output channel); while the database is unreachable the resident still gets the bot's
answer, and the note comes with the first answer after it is back, once."""
import asyncio
import json
import uuid

import pytest
import requests
from sanic import Sanic

from bot.governance import ReportQueue
from bot.governance.notifications import notify
from bot.rasa.channels.rest import ResidentRestInput
from tests.conftest import free_port
from tests.tcp_gate import TcpGate

NOTE = "您的留言（编号 ZX20261130-0001）工作人员已答复：\n请带户口本到社区服务站办理。"


@pytest.fixture
def gated_database(postgres, monkeypatch):
    """DATABASE_URL on PostgreSQL behind a gate: (queue, gate)."""
    database = f"notes_{uuid.uuid4().hex[:10]}"
    postgres.create_database(database)
    with TcpGate(postgres.port) as gate:
        url = f"postgresql://qianjin@127.0.0.1:{gate.port}/{database}"
        monkeypatch.setenv("DATABASE_URL", url)
        queue = ReportQueue.from_url(url)
        try:
            yield queue, gate
        finally:
            queue.close()


@pytest.fixture
async def rest_url(monkeypatch):
    """ResidentRestInput served from this process; the bot answers every message with "好的"."""

    async def handle(message) -> None:
        await message.output_channel.send_text_message(message.sender_id, "好的")

    # Sanic 21.12 rewrites its request handling on every start, which only test mode lets happen more than once.
    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.setenv("REST_API_TOKEN", "")
    app = Sanic(f"rest_in_process_{uuid.uuid4().hex[:8]}")
    app.blueprint(ResidentRestInput().blueprint(handle), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    server.close()
    await server.wait_closed()
    for connection in list(server.connections):
        connection.close_if_idle()
    await asyncio.sleep(0.1)


async def say(url: str, sender: str, text: str, stream: bool = False):
    reply = await asyncio.to_thread(requests.post, url + ("?stream=true" if stream else ""),
                                    json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    messages = [json.loads(line) for line in reply.text.splitlines()] if stream else reply.json()
    return [message["text"] for message in messages]


async def test_notes_come_first_in_a_streamed_answer_too(gated_database, rest_url):
    queue, _ = gated_database
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    with queue.writing() as session:
        notify(session, sender, "rest", NOTE)
    assert await say(rest_url, sender, "你好", stream=True) == [NOTE, "好的"]
    assert await say(rest_url, sender, "你好", stream=True) == ["好的"]


async def test_with_the_database_down_the_answer_comes_and_the_note_waits(gated_database, rest_url):
    queue, gate = gated_database
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    with queue.writing() as session:
        notify(session, sender, "rest", NOTE)
    gate.close()

    assert await say(rest_url, sender, "你好") == ["好的"]

    gate.open()
    assert await say(rest_url, sender, "你好") == [NOTE, "好的"]
    assert await say(rest_url, sender, "你好") == ["好的"]
