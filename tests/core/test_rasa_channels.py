"""Guards for the parts of Rasa's channel machinery the channels rely on, written against rasa 3.6.21.

Each test fails, in a second and without the stack, if Rasa stops going through what a channel overrides or reads:
the REST channel's `_extract_sender` and `_extract_message` (its request checks), the widget's take-over of the
route Rasa's REST blueprint names "health" and its `_extract_input_channel`, and the agent the WeChat channel finds
on `app.ctx.agent`. Requests go over ASGI to a Sanic app in this process, built by Rasa's own `register`.
"""
import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, List, Tuple

import pytest
import rasa.core.agent
import rasa.core.run
import rasa.telemetry
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.rasa.channels import wechat
from bot.rasa.channels.rest import BAD_REQUEST_TEXT, ResidentRestInput
from bot.rasa.channels.widget import BAD_SENDER_TEXT, REST_HEALTH, WidgetInput

ANSWER = "收到"


async def request(app: Sanic, method: str, path: str, body: Any = None) -> Tuple[int, Dict[str, str], bytes]:
    """One HTTP request to `app` over ASGI: status, headers (lower-case names) and body."""
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"rasa.test"), (b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("rasa.test", 80),
    }
    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    reply = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], {name.decode().lower(): value.decode() for name, value in start["headers"]}, reply


@pytest.fixture
async def app(monkeypatch):
    """The REST and widget channels registered as `rasa run` registers them; the agent answers every turn "收到"."""
    # Sanic 21.12 rewrites some of its own methods when an app starts; test mode lets a second app start too.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic("rasa_channels")
    register([ResidentRestInput(), WidgetInput()], app, "/webhooks/")
    app.ctx.handled = []

    async def handle_message(message: UserMessage) -> None:
        app.ctx.handled.append(message)
        await message.output_channel.send_text_message(message.sender_id, ANSWER)

    app.ctx.agent = SimpleNamespace(handle_message=handle_message)
    lifespan: "asyncio.Queue[Dict[str, str]]" = asyncio.Queue()
    await lifespan.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def lifespan_send(message: Dict[str, Any]) -> None:
        started.set()

    task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan.get, lifespan_send))
    await asyncio.wait_for(started.wait(), 10)
    yield app
    task.cancel()


async def test_the_widget_page_is_served_where_rest_has_its_health_check(app):
    status, headers, body = await request(app, "GET", "/webhooks/widget/")

    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "<title>前进小助手</title>" in body.decode("utf-8")


async def test_rasas_rest_health_check_is_still_there_under_the_name_the_widget_looks_for(app):
    status, _, body = await request(app, "GET", "/webhooks/rest/")

    assert status == 200 and json.loads(body) == {"status": "ok"}
    names = {route.name.rsplit(".", 1)[-1] for route in app.router.routes if route.path == "webhooks/rest"}
    assert names == {REST_HEALTH}


@pytest.mark.parametrize("body", [{"message": "你好"}, {"sender": "resident-1", "message": 5}, ["not", "an object"]])
async def test_rasa_reads_a_rest_message_through_the_channels_checks(app, body):
    status, _, reply = await request(app, "POST", "/webhooks/rest/webhook", body)

    assert (status, app.ctx.handled) == (400, [])
    assert json.loads(reply)["message"] == BAD_REQUEST_TEXT


async def test_a_rest_message_that_passes_the_checks_reaches_the_agent(app):
    status, _, reply = await request(app, "POST", "/webhooks/rest/webhook", {"sender": "resident-1", "message": "你好"})

    assert status == 200 and [message["text"] for message in json.loads(reply)] == [ANSWER]
    (message,) = app.ctx.handled
    assert (message.sender_id, message.text, message.input_channel) == ("resident-1", "你好", "rest")


async def test_rasa_takes_the_widgets_sender_check_and_channel_name(app):
    status, _, reply = await request(app, "POST", "/webhooks/widget/webhook", {"sender": "not ours!", "message": "你好"})
    assert status == 400 and json.loads(reply)["message"] == BAD_SENDER_TEXT

    body = {"sender": "a1b2c3d4e5f6", "message": "你好", "input_channel": "rest", "metadata": {"claims": "anything"}}
    status, _, _ = await request(app, "POST", "/webhooks/widget/webhook", body)

    assert status == 200
    (message,) = app.ctx.handled
    assert (message.sender_id, message.input_channel, message.metadata) == ("a1b2c3d4e5f6", "widget", None)


async def test_rasa_run_puts_the_agent_where_the_wechat_channel_reads_the_conversations(monkeypatch, tmp_path):
    """`rasa run` (serve_application) keeps its agent on `app.ctx.agent`; WeChat reads its tracker store there."""
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.rasa.channels.wechat.WeChatInput:\n  token: test-token\n", encoding="utf-8")
    agent = Agent(tracker_store=InMemoryTrackerStore(Domain.empty()))

    async def load_agent(**kwargs: Any) -> Agent:
        return agent

    started: List[Sanic] = []
    listeners: List[Tuple[str, Any]] = []
    register_listener = Sanic.register_listener

    def remember_listener(app: Sanic, listener: Any, event: str) -> Any:
        listeners.append((event, listener))
        return register_listener(app, listener, event)

    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.setattr(Sanic, "register_listener", remember_listener)
    monkeypatch.setattr(Sanic, "run", lambda app, **kwargs: started.append(app))
    monkeypatch.setattr(rasa.core.agent, "load_agent", load_agent)
    monkeypatch.setattr(rasa.telemetry, "track_server_start", lambda *args, **kwargs: None)

    rasa.core.run.serve_application(model_path="unused.tar.gz", credentials=str(credentials), enable_api=False)
    (app,) = started
    for event, listener in listeners:
        if event == "before_server_start":
            ran = listener(app, asyncio.get_running_loop())
            if asyncio.iscoroutine(ran):
                await ran

    history = wechat._history(SimpleNamespace(app=app))
    assert history is not None and history.tracker_store is agent.tracker_store
