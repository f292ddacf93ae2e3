"""A Sanic app served over real HTTP on a free loopback port by the test's own event loop; its `before_server_start`
listeners run before the first request, as under `rasa run`.

Sanic 21.12 refuses a second app of the same name, and rewrites its request handling on every start, unless in
test mode: set `Sanic.test_mode` (monkeypatch) before making the app.
"""
import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sanic import Sanic

from bot.benchmarks.stack import free_port


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """Serve `app` while the block runs; yields its base URL. Requests must not block the loop (use to_thread)."""
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
        for connection in list(server.connections):
            connection.close_if_idle()
        await asyncio.sleep(0.1)  # the connections' tasks end while the loop still runs
