"""Guards for the parts of Rasa's channel machinery the channels rely on, written against rasa 3.6.21.

Each test fails, in a second and without the stack, if Rasa stops going through what a channel overrides or reads:
the REST channel's `_extract_sender` and `_extract_message` (its request checks), `_extract_input_channel` and
`get_metadata` (what the client may not claim), the widget's take-over of the route Rasa's REST blueprint names
"health", the agent the WeChat channel finds on `app.ctx.agent`, and the photo links' route that `PhotoFiles` puts at
the server's root through its `url_prefix`. Requests go over ASGI to a Sanic app in this
process, built by Rasa's own `register`; the REST channel's token is checked the same way.
"""
import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

import pytest
import rasa.core.agent
import rasa.core.run
import rasa.telemetry
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage, register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot import senders, widget_ids
from bot.rasa.channels import wechat
from bot.rasa.channels.photos import PhotoFiles
from bot.rasa.channels.rest import BAD_REQUEST_TEXT, NO_TOKEN_TEXT, OTHER_CHANNEL_TEXT, ResidentRestInput
from bot.rasa.channels.widget import REFUSED_SENDER_TEXT, REST_HEALTH, WidgetInput

ANSWER = "收到"
WIDGET_SECRET = "test-widget-secret"
REST_TOKEN = "test-rest-token-0123456789"


async def request(app: Sanic, method: str, path: str, body: Any = None,
                  headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """One HTTP request to `app` over ASGI: status, headers (lower-case names) and body."""
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    path, _, query = path.partition("?")
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    sent_headers = [(b"host", b"rasa.test"), (b"content-type", b"application/json"),
                    (b"content-length", b"%d" % len(data))]
    sent_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": sent_headers,
        "client": ("127.0.0.1", 50000), "server": ("rasa.test", 80),
    }
    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    reply = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], {name.decode().lower(): value.decode() for name, value in start["headers"]}, reply


@pytest.fixture
async def app(monkeypatch):
    """The REST and widget channels registered as `rasa run` registers them; the agent answers every turn "收到"."""
    async for started in channels_app(monkeypatch, rest_token=""):
        yield started


@pytest.fixture
async def app_with_token(monkeypatch):
    """The same, with REST_API_TOKEN set."""
    async for started in channels_app(monkeypatch, rest_token=REST_TOKEN):
        yield started


async def channels_app(monkeypatch, rest_token: str):
    # The channels read their settings from the environment when built; never the project's .env.
    monkeypatch.setenv("WIDGET_SECRET", WIDGET_SECRET)
    monkeypatch.setenv("REST_API_TOKEN", rest_token)
    # Sanic 21.12 rewrites some of its own methods when an app starts; test mode lets a second app start too.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"rasa_channels_{'token' if rest_token else 'open'}")
    register([ResidentRestInput(), WidgetInput()], app, "/webhooks/")
    app.ctx.handled = []

    async def handle_message(message: UserMessage) -> None:
        app.ctx.handled.append(message)
        await message.output_channel.send_text_message(message.sender_id, ANSWER)

    app.ctx.agent = SimpleNamespace(handle_message=handle_message)
    async for started in running(app):
        yield started


async def running(app: Sanic):
    """`app` started over ASGI (its listeners run) while the caller uses it."""
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


@pytest.mark.parametrize("sender", ["a1b2c3d4e5f6", "oABCDEFGHIJKLMNOPQRSTUVWXYZ0", "widget:a1b2c3d4e5f6"])
async def test_rasa_takes_the_widgets_sender_check(app, sender):
    status, _, reply = await request(app, "POST", "/webhooks/widget/webhook", {"sender": sender, "message": "你好"})

    assert (status, app.ctx.handled) == (403, [])
    assert json.loads(reply)["message"] == REFUSED_SENDER_TEXT


@pytest.mark.parametrize("channel", ["rest", "widget"])
async def test_rasa_takes_the_channel_name_from_the_channel_and_no_metadata_from_the_client(app, channel):
    sender = widget_ids.issue(WIDGET_SECRET) if channel == "widget" else "crm-42"
    other = "widget" if channel == "rest" else "rest"
    body = {"sender": sender, "message": "你好", "input_channel": other, "metadata": {"claims": "anything"}}
    status, _, _ = await request(app, "POST", f"/webhooks/{channel}/webhook", body)

    assert status == 200
    (message,) = app.ctx.handled
    conversation = widget_ids.conversation_of(sender, WIDGET_SECRET) if channel == "widget" else sender
    assert (message.sender_id, message.input_channel, message.metadata) == (conversation, channel, None)


async def test_the_widget_issues_ids_its_webhook_takes_as_widget_conversations(app):
    status, headers, reply = await request(app, "POST", "/webhooks/widget/conversation")
    assert status == 200 and headers["cache-control"] == "no-store"
    sender = json.loads(reply)["sender"]

    status, _, _ = await request(app, "POST", "/webhooks/widget/webhook", {"sender": sender, "message": "你好"})

    assert status == 200
    (message,) = app.ctx.handled
    assert message.sender_id == senders.widget_conversation(sender.split(".")[0])


@pytest.mark.parametrize("sender", ["wechat:oABC123", "widget:a1b2c3d4e5f6", " WeChat:oABC123"])
async def test_a_rest_client_cannot_speak_in_another_channels_conversation(app, sender):
    status, _, reply = await request(app, "POST", "/webhooks/rest/webhook", {"sender": sender, "message": "你好"})

    assert (status, app.ctx.handled) == (403, [])
    assert json.loads(reply)["message"] == OTHER_CHANNEL_TEXT


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {REST_TOKEN}", f"Bearer {REST_TOKEN}x",
                                           "Bearer", "Bearer 令牌"])
@pytest.mark.parametrize("stream", [False, True])
async def test_with_a_rest_token_set_rest_needs_it(app_with_token, authorization, stream):
    headers = {"Authorization": authorization} if authorization else {}
    path = "/webhooks/rest/webhook" + ("?stream=true" if stream else "")
    status, reply_headers, reply = await request(app_with_token, "POST", path,
                                                 {"sender": "crm-42", "message": "你好"}, headers)

    assert (status, app_with_token.ctx.handled) == (401, [])
    assert reply_headers["www-authenticate"].startswith("Bearer")
    assert json.loads(reply)["message"] == NO_TOKEN_TEXT


async def test_with_a_rest_token_set_rest_answers_who_has_it_and_the_widget_stays_open(app_with_token):
    status, _, reply = await request(app_with_token, "POST", "/webhooks/rest/webhook",
                                     {"sender": "crm-42", "message": "你好"}, {"Authorization": f"Bearer {REST_TOKEN}"})
    assert status == 200 and [message["text"] for message in json.loads(reply)] == [ANSWER]

    sender = widget_ids.issue(WIDGET_SECRET)
    status, _, reply = await request(app_with_token, "POST", "/webhooks/widget/webhook",
                                     {"sender": sender, "message": "你好"})
    assert status == 200 and [message["text"] for message in json.loads(reply)] == [ANSWER]


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


async def test_rasa_mounts_the_photo_files_at_the_servers_root(monkeypatch, tmp_path):
    monkeypatch.setenv("PHOTO_DIR", str(tmp_path))
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic("rasa_channels_photos")
    register([PhotoFiles()], app, "/webhooks/")
    name = "A" * 32 + ".png"
    (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n")

    async for started in running(app):
        status, headers, body = await request(started, "GET", f"/photos/{name}")
        assert (status, headers["content-type"], body) == (200, "image/png", b"\x89PNG\r\n\x1a\n")
        assert (await request(started, "GET", f"/webhooks/photos/{name}"))[0] == 404
