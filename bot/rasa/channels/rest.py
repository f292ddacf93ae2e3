"""The REST channel for trusted integrations (`POST /webhooks/rest/webhook`), and what it shares with the web
widget: strict request checks, a "busy" answer instead of silence, and nothing the client claims about itself.

A body that is not `{"sender": "<text>", "message": "<text>"}` gets a 400 with a Chinese explanation: Rasa's own
REST channel answers a non-object body with a 500, a non-text message with silence, and files every request
without a sender under one shared conversation ("default"), where residents would see each other's tickets.
A message longer than any answer the bot accepts is answered without reaching Rasa (`message_limit.py`). The
body's `metadata` and `input_channel`, which Rasa would store with every message and pass on as the channel's
name to the events backend, are ignored. Notes waiting for the conversation (staff answers, status changes) come
in front of the bot's replies (`notes.py`).

REST itself: with REST_API_TOKEN set, every request needs `Authorization: Bearer <token>` (else 401); a sender id
naming a WeChat or widget conversation is refused with 403, so that a REST client cannot speak in one.
"""
import hmac
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import Forbidden, InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import senders, settings
from bot.rasa.channels.busy import Handler, answer_or_busy
from bot.rasa.channels.notes import limited_with_notes_first
from bot.rasa.channels.rate_limit import limit_per_address
from bot.rasa.channels.request_size import cap_request_bodies

# Rasa's SQL tracker store keeps sender ids in a VARCHAR(255).
MAX_SENDER_CHARS = 255
BAD_REQUEST_TEXT = '请求格式不正确：请发送 JSON 对象 {"sender": "对话编号（255个字符以内）", "message": "文字"}。'
NO_TOKEN_TEXT = "未授权：请在请求头中带上正确的接口令牌（Authorization: Bearer <令牌>）。"
OTHER_CHANNEL_TEXT = ("对话编号不能以 wechat:、widget: 或 erased: 开头，这些编号属于微信和网页聊天的对话或已按保存期限"
                      "删除的记录，请换一个编号。")


def _body(request: Request) -> Dict[Text, Any]:
    try:
        body = request.json
    except InvalidUsage:  # not JSON at all; Sanic's own message is English
        raise InvalidUsage(BAD_REQUEST_TEXT) from None
    if not isinstance(body, dict):
        raise InvalidUsage(BAD_REQUEST_TEXT)
    return body


def carries_token(request: Request, token: str) -> bool:
    """The request's `Authorization: Bearer …` is `token`, compared in constant time."""
    scheme, _, given = (request.headers.get("Authorization") or "").strip().partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


class ChatInput(RestInput):
    """Rasa's REST channel with the checks every JSON chat channel needs; `conversation_of` names the conversation.

    _extract_sender, _extract_message, _extract_input_channel and get_metadata override RestInput internals of
    rasa 3.6.21, which its webhook calls for every message (guards: tests/core/test_rasa_channels.py).
    """

    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(BAD_REQUEST_TEXT)
        return self.conversation_of(sender)

    def conversation_of(self, sender: str) -> str:
        """The conversation a client's sender id speaks in; raises a Sanic HTTP exception to refuse it."""
        raise NotImplementedError

    def _extract_message(self, request: Request) -> Text:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage(BAD_REQUEST_TEXT)
        return message

    def _extract_input_channel(self, request: Request) -> Text:
        # The events backend learns the channel from this name: the channel says it, never the client.
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        # Nothing the client claims is stored with the conversation.
        return None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        chat = super().blueprint(limited_with_notes_first(answer_or_busy(on_new_message)))
        return cap_request_bodies(limit_per_address(chat))


class ResidentRestInput(ChatInput):
    """The REST channel: any sender id but another channel's, behind REST_API_TOKEN when one is set."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def conversation_of(self, sender: str) -> str:
        if senders.claims_another_channel(sender):
            raise Forbidden(OTHER_CHANNEL_TEXT)
        return sender

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        rest = super().blueprint(on_new_message)
        token = settings.get("REST_API_TOKEN").strip()
        if token:

            @rest.on_request
            async def require_token(request: Request) -> Optional[HTTPResponse]:
                if carries_token(request, token):
                    return None
                # Built here, not raised as Unauthorized: sanic 21.12 drops an exception's headers from JSON errors.
                return response.json({"status": 401, "message": NO_TOKEN_TEXT}, status=401,
                                     headers={"WWW-Authenticate": 'Bearer realm="qianjin-rest"'})

        return rest
