"""Shared fixtures: the real stack (`python -m bot run`) on free ports, with a fresh data directory.

Tests marked `stack` talk to it over HTTP exactly as a resident's client would. It is started once per test
session (the Rasa server takes ~30 s to load its model) and always stopped, even when tests fail.
"""
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import redis
import requests

from bot import short_memory
from bot.benchmarks.stack import LocalStack, StackError, free_port
from tests.databases import START_TIMEOUT as DATABASE_START_TIMEOUT, Postgres, postgres_cluster, unavailable
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS as WECHAT_TEST_CREDENTIALS, FakeWeChatAPI

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL = PROJECT_ROOT / "models" / "qianjin.tar.gz"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
# Debian's Chromium (`make system-test-deps` installs it with CJK fonts): nothing downloads a browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 330


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def wait_until_ready(name: str, process: subprocess.Popen, url: str, log_path: Path) -> None:
    """Poll `url` until it answers; fail with the end of the log if the process exits or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"{name} did not come up in {START_TIMEOUT}s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(encoding="utf-8", errors="replace")[-4000:]


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log_path: Path

    def wait_until_ready(self, url: str) -> None:
        wait_until_ready(self.name, self.process, url, self.log_path)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class Processes:
    """Servers a test starts itself, each logging to `<log_dir>/<name>.log`, stopped together (newest first).

    Use it as a context manager (`with Processes(tmp) as processes:`): they are stopped even when a test fails.
    """

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: List[Started] = []

    def start(self, name: str, command: List[str], env: Dict[str, str]) -> Started:
        log_path = self.log_dir / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(Started(name, process, log_path))
        return self.started[-1]

    def stop(self) -> None:
        for started in reversed(self.started):
            if started.process.poll() is None:
                started.process.send_signal(signal.SIGTERM)
        for started in reversed(self.started):
            try:
                started.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                started.process.kill()
                started.process.wait()
        self.started.clear()

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


@pytest.fixture(autouse=True)
def own_short_memory(tmp_path, monkeypatch) -> None:
    """Each test counts rate limits and remembers nonces in a memory of its own, never in DATA_DIR's, so that no
    test finds the limits spent by an earlier one."""
    monkeypatch.setattr(short_memory, "_shared", short_memory.SQLiteShortMemory(tmp_path / "short_memory.db"))


@pytest.fixture(scope="session")
def wechat_api() -> FakeWeChatAPI:
    """WeChat's API server as the stack's WeChat channel sees it (access tokens, customer-service messages)."""
    with FakeWeChatAPI(WECHAT_TEST_CREDENTIALS["WECHAT_APP_ID"], WECHAT_TEST_CREDENTIALS["WECHAT_APP_SECRET"]) as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory, wechat_api) -> Iterator[LocalStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `python -m bot train` (make test does) before the stack tests")
    # One more allowed origin: the widget tests serve "the street's website" from it.
    site_port = free_port()
    overrides = dict(KNOWLEDGE_DIR=str(PROJECT_ROOT / "knowledge"), WECHAT_API_BASE_URL=wechat_api.base_url,
                     WIDGET_TEST_ORIGIN_PORT=str(site_port), **WECHAT_TEST_CREDENTIALS)
    with LocalStack(data_dir=tmp_path_factory.mktemp("stack-data"), overrides=overrides) as stack:
        port = stack.env["RASA_PORT"]
        stack.env["CORS_ORIGINS"] = f"http://127.0.0.1:{port},http://localhost:{port},http://127.0.0.1:{site_port}"
        try:
            stack.start()
        except StackError as error:
            pytest.fail(str(error))
        yield stack


@pytest.fixture(scope="module")
def browser():
    """Chromium driven by Playwright, for one test module at a time: Playwright's sync API allows one instance per
    thread and keeps an event loop running while it lives, which would break later tests that run one of their
    own (the Rasa and conversation-store tests)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system-test-deps` installs chromium and fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests put their screenshots (not versioned): look at them."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One private PostgreSQL cluster for the session: the queue tests and the production profile use it."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_url(request) -> str:
    """One database in the session's cluster (or the server DATABASE_URL_TEST_PG names) for every test that runs on
    PostgreSQL too; each test takes a schema of its own in it (tests/governance/conftest.py database_url). Defined
    here once: a session fixture imported into two conftest files is two fixtures, and would create it twice."""
    return os.environ.get("DATABASE_URL_TEST_PG") or request.getfixturevalue("postgres").create_database("queue_tests")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A private Redis server (Debian's package, `make production-test-deps`) on a free loopback port, its data in a
    temporary directory: never a system service."""
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
        deadline = time.monotonic() + DATABASE_START_TIMEOUT
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
