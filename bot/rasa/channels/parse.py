"""What the running model makes of a text, without a conversation: `POST /webhooks/parse/webhook {"text": "..."}`
answers `{"text", "intent": {"name", "confidence"}, "intent_ranking": [...]}`.

The staff console's 试一试 box asks here, so that staff see what the bot residents talk to would understand, and
nothing is stored: Rasa's `Agent.parse_message` parses with an empty tracker of its own and saves none. Rasa's
HTTP API (`--enable-api`) would answer the same, but it also lets its caller read and change every conversation;
this route does only this. It says no more than the REST channel's replies do, so it is guarded like REST:
REST_API_TOKEN when one is set, the per-address rate limit, the request size cap and the message length limit.
"""
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from bot.rasa.channels.rate_limit import limit_per_address
from bot.rasa.channels.request_size import cap_request_bodies
from bot.rasa.channels.rest import NO_TOKEN_TEXT, carries_token

BAD_REQUEST_TEXT = '请求格式不正确：请发送 JSON 对象 {"text": "要试的问题"}。'
NOT_READY_TEXT = "模型还在加载，请稍后再试。"
RANKED = 10


class ParseInput(InputChannel):
    """Registered in credentials.yml like a channel; it passes nothing on to the conversation handler."""

    @classmethod
    def name(cls) -> Text:
        return "parse"

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Blueprint:
        parse = Blueprint("parse", __name__)
        token = settings.get("REST_API_TOKEN").strip()

        @parse.route("/webhook", methods=["POST"])
        async def parse_text(request: Request) -> HTTPResponse:
            if token and not carries_token(request, token):
                return response.json({"status": 401, "message": NO_TOKEN_TEXT}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="qianjin-rest"'})
            text = _text(request)
            if text is None:
                return response.json({"status": 400, "message": BAD_REQUEST_TEXT}, status=400)
            if len(text) > MAX_MESSAGE_CHARS:
                message = TOO_LONG_TEXT.format(length=len(text), limit=MAX_MESSAGE_CHARS)
                return response.json({"status": 400, "message": message}, status=400)
            # rasa 3.6.21 keeps its agent on app.ctx.agent, as WeChat relies on (guard: test_rasa_channels.py)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"status": 503, "message": NOT_READY_TEXT}, status=503)
            parsed = await agent.parse_message(text)
            return response.json({
                "text": text,
                "intent": _intent(parsed.get("intent")),
                "intent_ranking": [_intent(item) for item in (parsed.get("intent_ranking") or [])[:RANKED]],
            })

        return cap_request_bodies(limit_per_address(parse))


def _text(request: Request) -> Optional[str]:
    try:
        body = request.json
    except InvalidUsage:
        return None
    text = body.get("text") if isinstance(body, dict) else None
    return text.strip() if isinstance(text, str) and text.strip() else None


def _intent(intent: Any) -> dict:
    intent = intent if isinstance(intent, dict) else {}
    return {"name": str(intent.get("name") or ""), "confidence": float(intent.get("confidence") or 0.0)}
