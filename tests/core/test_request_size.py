"""Guards for the request-size cap (`bot/rasa/channels/request_size.py`), written against sanic 21.12: a blueprint
that goes through `cap_request_bodies` caps every route of the server it joins, streamed ones too, and a body over
the cap is answered 413 before it is read; a streamed route marked with `larger_bodies` has its own, larger cap
and leaves the others' alone. Real HTTP to a Sanic server in this process.
"""
import asyncio
import socket
from typing import List

import pytest
import requests
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from bot.rasa.channels.request_size import MAX_REQUEST_BYTES, TOO_LARGE_TEXT, cap_request_bodies, larger_bodies
from tests.core.serving import serving

MEGABYTE = 1 << 20
LARGER = MEGABYTE


@pytest.fixture
async def server(monkeypatch):
    """A channel-like blueprint with a plain and a streamed route, and a route of the app itself (as Rasa's
    health check is); `read` lists the body sizes the handlers got."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic("request_size")
    channel = Blueprint("channel", url_prefix="/webhooks/test")
    app.ctx.read: List[int] = []

    @channel.route("/plain", methods=["POST"])
    async def plain(request: Request):
        app.ctx.read.append(len(request.body))
        return response.text("ok")

    async def read_stream(request: Request):
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                break
            size += len(chunk)
        app.ctx.read.append(size)
        return response.text("ok")

    channel.route("/streamed", methods=["POST"], stream=True)(read_stream)

    @channel.route("/larger", methods=["POST"], stream=True)
    @larger_bodies(LARGER)
    async def larger(request: Request):
        return await read_stream(request)

    @app.route("/", methods=["POST"])
    async def root(request: Request):
        app.ctx.read.append(len(request.body))
        return response.text("ok")

    app.blueprint(cap_request_bodies(channel))
    async with serving(app) as url:
        app.ctx.url = url
        yield app


def post(url: str, data) -> requests.Response:
    return requests.post(url, data=data, timeout=30)


def chunks(total: int, size: int = 10_000):
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


@pytest.mark.parametrize("path", ["/webhooks/test/plain", "/webhooks/test/streamed", "/"])
async def test_a_body_up_to_the_cap_is_read(server, path):
    reply = await asyncio.to_thread(post, server.ctx.url + path, b"x" * MAX_REQUEST_BYTES)
    assert reply.status_code == 200
    assert server.ctx.read == [MAX_REQUEST_BYTES]


@pytest.mark.parametrize("path", ["/webhooks/test/plain", "/webhooks/test/streamed", "/"])
@pytest.mark.parametrize("size", [MAX_REQUEST_BYTES + 1, MEGABYTE])
async def test_a_larger_body_is_refused_with_413(server, path, size):
    reply = await asyncio.to_thread(post, server.ctx.url + path, b"x" * size)
    assert reply.status_code == 413
    assert server.ctx.read == []
    if path != "/":  # the channel's routes explain it in Chinese; the app's own answer Sanic's default page
        assert reply.text == TOO_LARGE_TEXT


@pytest.mark.parametrize("path", ["/webhooks/test/plain", "/webhooks/test/streamed"])
async def test_a_chunked_body_is_refused_once_it_passes_the_cap(server, path):
    reply = await asyncio.to_thread(post, server.ctx.url + path, chunks(MEGABYTE))
    assert reply.status_code == 413
    assert server.ctx.read == []


def _declare_a_megabyte_and_send_little(url: str, path: str) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {MEGABYTE}\r\n\r\n".encode() + b"x" * 100
        )
        return connection.recv(4096)


@pytest.mark.parametrize("path", ["/webhooks/test/plain", "/webhooks/test/streamed"])
async def test_the_refusal_comes_before_the_body_is_read(server, path):
    """The server answers as soon as it sees the declared length: it does not wait for a megabyte to arrive."""
    answer = await asyncio.to_thread(_declare_a_megabyte_and_send_little, server.ctx.url, path)
    assert answer.startswith(b"HTTP/1.1 413")


async def test_the_server_answers_normally_after_refusing(server):
    await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/plain", b"x" * MEGABYTE)
    reply = await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/plain", b"hello")
    assert reply.status_code == 200 and server.ctx.read == [5]


@pytest.mark.parametrize("size", [MAX_REQUEST_BYTES + 1, LARGER])
async def test_a_route_marked_larger_reads_bodies_up_to_its_own_cap(server, size):
    reply = await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/larger", b"x" * size)
    assert reply.status_code == 200
    assert server.ctx.read == [size]


@pytest.mark.parametrize("data", [b"x" * (LARGER + 1), chunks(LARGER + 10_000)], ids=["declared", "chunked"])
async def test_a_route_marked_larger_refuses_what_passes_its_cap(server, data):
    reply = await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/larger", data)
    assert reply.status_code == 413
    assert server.ctx.read == []


async def test_the_larger_cap_of_one_route_leaves_the_others_at_the_cap(server):
    await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/larger", b"x" * LARGER)
    reply = await asyncio.to_thread(post, server.ctx.url + "/webhooks/test/streamed", b"x" * (MAX_REQUEST_BYTES + 1))
    assert reply.status_code == 413 and server.ctx.read == [LARGER]
