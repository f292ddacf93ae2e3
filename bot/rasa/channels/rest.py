"""The REST channel residents' clients use (`POST /webhooks/rest/webhook`), answering "busy" instead of silence.

A body that is not `{"sender": "<text>", "message": "<text>"}` gets a 400 with a Chinese explanation: Rasa's own
REST channel answers a non-object body with a 500, a non-text message with silence, and files every request
without a sender under one shared conversation ("default"), where residents would see each other's tickets.
A message longer than any answer the bot accepts is answered without reaching Rasa (`message_limit.py`).
"""
from typing import Any, Dict, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.rasa.channels.busy import Handler, answer_or_busy
from bot.rasa.channels.message_limit import refuse_too_long

# Rasa's SQL tracker store keeps sender ids in a VARCHAR(255).
MAX_SENDER_CHARS = 255
BAD_REQUEST_TEXT = '请求格式不正确：请发送 JSON 对象 {"sender": "对话编号（255个字符以内）", "message": "文字"}。'


def _body(request: Request) -> Dict[Text, Any]:
    try:
        body = request.json
    except InvalidUsage:  # not JSON at all; Sanic's own message is English
        raise InvalidUsage(BAD_REQUEST_TEXT) from None
    if not isinstance(body, dict):
        raise InvalidUsage(BAD_REQUEST_TEXT)
    return body


class ResidentRestInput(RestInput):
    # _extract_sender and _extract_message override RestInput internals of rasa 3.6.21, which its webhook calls for
    # every message (guards: tests/core/test_rasa_channels.py).
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(BAD_REQUEST_TEXT)
        return sender

    def _extract_message(self, request: Request) -> Text:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage(BAD_REQUEST_TEXT)
        return message

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(refuse_too_long(answer_or_busy(on_new_message)))
