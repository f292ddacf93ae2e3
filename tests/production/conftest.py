"""A private Redis server for the production-profile tests, always stopped at the end (their PostgreSQL cluster
is tests/conftest.py's `postgres`). It runs from Debian's package (`make production-test-deps`), with its data
in a temporary directory and listening on a free loopback port, so it never touches a system service.
"""
import os
import shutil
import time
from typing import Iterator

import pytest
import redis

from tests.conftest import Processes, free_port
from tests.databases import START_TIMEOUT, unavailable


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        unavailable("Redis is not installed (no redis-server on PATH)")
    directory = tmp_path_factory.mktemp("redis")
    port = free_port()
    with Processes(directory) as processes:
        started = processes.start(
            "redis-server",
            [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
             "--dir", str(directory)],
            dict(os.environ),
        )
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if started.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start:\n{started.log()}")
                time.sleep(0.2)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
