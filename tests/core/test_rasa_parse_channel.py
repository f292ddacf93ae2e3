"""The parse route the console's 试一试 box asks (`bot/rasa/channels/parse.py`), registered as `rasa run` registers
channels, over ASGI in this process: what it answers, its checks, and that it passes nothing to the conversations.
The stack test tests/console/test_console_insights_browser.py asks the real model through it."""
import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.rasa.channels.parse import BAD_REQUEST_TEXT, NOT_READY_TEXT, ParseInput
from bot.rasa.channels.rest import NO_TOKEN_TEXT
from tests.core.test_rasa_channels import request

PATH = "/webhooks/parse/webhook"
TOKEN = "test-rest-token-0123456789"
PARSED = {
    "text": "老年食堂在哪",
    "intent": {"name": "ask_elderly_lunch", "confidence": 0.93},
    "intent_ranking": [{"name": "ask_elderly_lunch", "confidence": 0.93}, {"name": "ask_where", "confidence": 0.04}],
    "entities": [],
}


async def parse_app(monkeypatch, name: str, token: str = "", ready: bool = True) -> Sanic:
    monkeypatch.setenv("REST_API_TOKEN", token)
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(name)
    app.ctx.parsed, app.ctx.handled = [], []

    async def parse_message(text: str) -> Dict[str, Any]:
        app.ctx.parsed.append(text)
        return PARSED

    async def handle_message(message: Any) -> None:
        app.ctx.handled.append(message)

    register([ParseInput()], app, "/webhooks/")
    app.ctx.agent = SimpleNamespace(parse_message=parse_message, handle_message=handle_message, is_ready=lambda: ready)
    lifespan: "asyncio.Queue[Dict[str, str]]" = asyncio.Queue()
    await lifespan.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def lifespan_send(message: Dict[str, Any]) -> None:
        started.set()

    app.ctx.lifespan = asyncio.ensure_future(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan.get, lifespan_send))
    await asyncio.wait_for(started.wait(), 10)
    return app


@pytest.fixture
async def apps() -> List[Sanic]:
    started: List[Sanic] = []
    yield started
    for app in started:
        app.ctx.lifespan.cancel()


async def test_answers_the_intent_and_ranking_and_starts_no_conversation(monkeypatch, apps):
    apps.append(app := await parse_app(monkeypatch, "parse_open"))

    status, headers, body = await request(app, "POST", PATH, {"text": " 老年食堂在哪 "})

    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "text": "老年食堂在哪",
        "intent": {"name": "ask_elderly_lunch", "confidence": 0.93},
        "intent_ranking": [{"name": "ask_elderly_lunch", "confidence": 0.93},
                           {"name": "ask_where", "confidence": 0.04}],
    }
    assert app.ctx.parsed == ["老年食堂在哪"] and app.ctx.handled == []


async def test_refuses_what_is_not_a_text_politely(monkeypatch, apps):
    apps.append(app := await parse_app(monkeypatch, "parse_bad"))

    for body in ({"text": ""}, {"text": 3}, ["老年食堂"], {"message": "老年食堂"}):
        status, _, reply = await request(app, "POST", PATH, body)
        assert (status, json.loads(reply)["message"]) == (400, BAD_REQUEST_TEXT)
    status, _, reply = await request(app, "POST", PATH, {"text": "问" * 6000})
    assert status == 400 and "超过了" in json.loads(reply)["message"]
    assert app.ctx.parsed == []


async def test_needs_the_rest_token_when_one_is_set(monkeypatch, apps):
    apps.append(app := await parse_app(monkeypatch, "parse_token", token=TOKEN))

    status, headers, reply = await request(app, "POST", PATH, {"text": "老年食堂在哪"})
    assert (status, json.loads(reply)["message"]) == (401, NO_TOKEN_TEXT)
    assert headers["www-authenticate"].startswith("Bearer")
    status, _, _ = await request(app, "POST", PATH, {"text": "老年食堂在哪"}, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and app.ctx.parsed == ["老年食堂在哪"]


async def test_says_so_while_the_model_loads(monkeypatch, apps):
    apps.append(app := await parse_app(monkeypatch, "parse_loading", ready=False))

    status, _, reply = await request(app, "POST", PATH, {"text": "老年食堂在哪"})

    assert (status, json.loads(reply)["message"]) == (503, NOT_READY_TEXT)
