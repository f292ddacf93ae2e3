"""Shared fixtures: the real stack (`python -m bot run`) on free ports, with a fresh data directory.

Tests marked `stack` talk to it over HTTP exactly as a resident's client would. It is started once per test
session (the Rasa server takes ~30 s to load its model) and always stopped, even when tests fail.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL = PROJECT_ROOT / "models" / "qianjin.tar.gz"
START_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    env: Dict[str, str]
    data_dir: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False, default=None)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def events_backend_url(self) -> str:
        return f"http://127.0.0.1:{self.env['EVENTS_BACKEND_PORT']}"

    def say(self, sender: str, text: str, timeout: float = 30) -> List[dict]:
        """One resident turn over the REST channel; returns the bot's messages."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout,
        )
        reply.raise_for_status()
        return reply.json()

    def say_text(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def _wait_until_up(stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise RuntimeError(f"`python -m bot run` exited with {stack.process.returncode}:\n{stack.log()[-4000:]}")
        try:
            if requests.get(f"{stack.rasa_url}/webhooks/rest/", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"stack did not come up in {START_TIMEOUT}s:\n{stack.log()[-4000:]}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `python -m bot train` (make test does) before the stack tests")
    data_dir = tmp_path_factory.mktemp("stack-data")
    env = dict(os.environ)
    env.update(
        RASA_HOST="127.0.0.1",
        RASA_PORT=str(free_port()),
        ACTION_SERVER_PORT=str(free_port()),
        EVENTS_BACKEND_PORT=str(free_port()),
        EVENTS_BACKEND_URL="",
        DATA_DIR=str(data_dir),
        TRACKER_STORE_URL="",
        DATABASE_URL="",
        KNOWLEDGE_DIR=str(PROJECT_ROOT / "knowledge"),
    )
    env["CORS_ORIGINS"] = f"http://127.0.0.1:{env['RASA_PORT']},http://localhost:{env['RASA_PORT']}"
    log_path = data_dir / "stack.log"
    stack = Stack(env=env, data_dir=data_dir, log_path=log_path)
    with open(log_path, "wb") as log:
        stack.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(stack)
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.process.send_signal(signal.SIGTERM)
            try:
                stack.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stack.process.kill()
                stack.process.wait()
