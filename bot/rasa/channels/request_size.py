"""The largest request body any channel accepts: a resident's longest message (2,000 characters, as JSON escapes or
as WeChat's encrypted XML) fits with room to spare, while a 100 MB body (Sanic's default) is refused with 413
before it is read or parsed.

Every channel's blueprint goes through `cap_request_bodies`, which caps the whole Rasa server (its health check
too); Rasa's action server is a separate app and keeps Sanic's default, since it receives whole conversations.
One kind of route may take more: a streamed route marked with `larger_bodies(n)` (the widget's photo upload) is
capped at `n` instead, and answers a larger body itself (it reads its stream; past `n` the read fails).
"""
from typing import Callable, TypeVar

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS

MAX_REQUEST_BYTES = 16 * 1024
TOO_LARGE_TEXT = f"请求内容太大（上限{MAX_REQUEST_BYTES // 1024} KB），没有处理。请把消息精简到{MAX_MESSAGE_CHARS}字以内再发送。"
# Set on a route's handler by `larger_bodies`: the largest body that route reads.
ROUTE_CAP = "max_request_bytes"

Route = TypeVar("Route", bound=Callable)


def larger_bodies(max_bytes: int) -> Callable[[Route], Route]:
    """Let the streamed route (`stream=True`) this decorates read bodies of up to `max_bytes`; put it under the
    route decorator. Only a streamed route can: Sanic reads any other route's body before its handler runs."""

    def mark(handler: Route) -> Route:
        setattr(handler, ROUTE_CAP, max_bytes)
        return handler

    return mark


def cap_request_bodies(blueprint: Blueprint) -> Blueprint:
    """Refuse, with 413, any request body over MAX_REQUEST_BYTES on the server `blueprint` joins."""

    @blueprint.listener("before_server_start")
    async def cap_the_server(app: Sanic, loop: object) -> None:
        # sanic 21.12 reads REQUEST_MAX_SIZE for each new connection and refuses a larger Content-Length (or a
        # longer chunked body) on the first read, before any of it is read (guard: tests/core/test_request_size.py).
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES

    @blueprint.on_request
    async def cap_streamed_routes(request: Request) -> None:
        # sanic 21.12 lifts the cap for a streamed route (WeChat's webhook, the photo upload) before the request
        # middleware runs; put back the route's own, so that its first read refuses what is too large.
        # (Sanic's ASGI server, as in its test client, streams through an object without this cap.)
        current = getattr(request.stream, "request_max_size", None)
        if current is not None:
            cap = getattr(request.route.handler, ROUTE_CAP, MAX_REQUEST_BYTES)
            request.stream.request_max_size = min(current, cap)

    @blueprint.exception(PayloadTooLarge)
    async def too_large(request: Request, error: PayloadTooLarge) -> HTTPResponse:
        return response.text(TOO_LARGE_TEXT, status=413)

    return blueprint
