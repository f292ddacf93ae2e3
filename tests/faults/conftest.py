"""A stack the fault tests take apart: each server is started here, so a test can kill one and start it again.

Unlike the session `stack` (one `python -m bot run`), this one runs the Rasa server, the action server and the
outbox worker as separate processes, the events backend inside the test process with faults allowed, and a
copy of knowledge/ that tests may break. Started once for the folder; always stopped, even when tests fail.
"""
import os
import secrets
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from bot import settings
from bot.benchmarks.stack import UNREACHED_MESSAGE_LIMITS, reply_text, say
from bot.events_backend import EventsBackendServer, serve
from bot.governance import ReportQueue
from bot.rasa import server as rasa_server
from bot.reporting import texts
from bot.reporting.ticket import find_ticket_no
from tests.conftest import MODEL, PROJECT_ROOT, Processes, Started, free_port

# Short, so that a "slow" backend (3 s) is slower than the worker's patience.
EVENTS_BACKEND_TIMEOUT = 1


@dataclass
class FaultStack:
    env: Dict[str, str]
    processes: Processes
    action_server: Started
    backend: EventsBackendServer
    knowledge_dir: Path
    queue: ReportQueue

    def say(self, sender: str, text: str) -> List[dict]:
        return say(f"http://127.0.0.1:{self.env['RASA_PORT']}", sender, text)

    def say_text(self, sender: str, text: str) -> str:
        return reply_text(self.say(sender, text))

    @property
    def action_server_url(self) -> str:
        return f"http://127.0.0.1:{self.env['ACTION_SERVER_PORT']}"

    @contextmanager
    def action_server_down(self) -> Iterator[None]:
        """Kill the action server (SIGKILL, as a crash); start a new one on the same port when the block ends."""
        self.action_server.process.kill()
        self.action_server.process.wait()
        try:
            yield
        finally:
            self.action_server = start_action_server(self.processes, self.env)
            self.action_server.wait_until_ready(f"{self.action_server_url}/health")

    def set_backend_fault(self, mode: str, delay: float = 3) -> None:
        reply = requests.post(f"{self.backend.url}/_faults", timeout=5,
                              data={"api_key": self.env["EVENTS_BACKEND_API_KEY"], "mode": mode, "delay": delay})
        assert reply.json()["mode"] == mode, reply.text


def start_action_server(processes: Processes, env: Dict[str, str]) -> Started:
    number = sum(started.name.startswith("action-server") for started in processes.started) + 1
    return processes.start(
        f"action-server-{number}",
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", env["ACTION_SERVER_PORT"]],
        {**env, "SANIC_HOST": "127.0.0.1"},
    )


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory) -> Iterator[FaultStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `python -m bot train` (make test does) before the stack tests")
    data_dir = tmp_path_factory.mktemp("fault-stack")
    knowledge_dir = data_dir / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge_dir)
    # A key of its own: never the project's .env (where settings.secret would write one).
    env = {**settings.defaults(), **os.environ, "EVENTS_BACKEND_API_KEY": secrets.token_urlsafe(24)}
    backend = serve(0, data_dir / "events_backend.db", api_key=env["EVENTS_BACKEND_API_KEY"], allow_faults=True)
    env.update(
        RASA_HOST="127.0.0.1",
        RASA_PORT=str(free_port()),
        ACTION_SERVER_HOST="127.0.0.1",
        ACTION_SERVER_PORT=str(free_port()),
        ACTION_SERVER_URL="",
        EVENTS_BACKEND_URL=backend.url,
        EVENTS_BACKEND_TIMEOUT=str(EVENTS_BACKEND_TIMEOUT),
        DATA_DIR=str(data_dir),
        KNOWLEDGE_DIR=str(knowledge_dir),
        TRACKER_STORE_URL="",
        REDIS_URL="",
        DATABASE_URL="",
        WECHAT_TOKEN="",
        **UNREACHED_MESSAGE_LIMITS,
    )
    queue = None
    try:
        with Processes(data_dir) as processes:
            action_server = start_action_server(processes, env)
            processes.start("outbox-worker", [sys.executable, "-m", "bot", "queue", "deliver"], env)
            rasa = processes.start(
                "rasa",
                rasa_server.command(
                    "run", "--model", str(MODEL), "--interface", "127.0.0.1", "--port", env["RASA_PORT"],
                    "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
                ),
                env,
            )
            action_server.wait_until_ready(f"http://127.0.0.1:{env['ACTION_SERVER_PORT']}/health")
            rasa.wait_until_ready(f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/")
            queue = ReportQueue.from_url(f"sqlite:///{data_dir / 'governance.db'}")
            yield FaultStack(
                env=env,
                processes=processes,
                action_server=action_server,
                backend=backend,
                knowledge_dir=knowledge_dir,
                queue=queue,
            )
    finally:
        if queue is not None:
            queue.close()
        backend.shutdown()


def file_report(fault_stack: FaultStack, sender: str, problem: str, place: str, phone: str = "不留") -> str:
    """Report `problem` through the REST conversation, up to the confirmation; returns the ticket number."""
    assert "「公共设施」" in fault_stack.say_text(sender, problem)
    assert texts.ASK_LOCATION in fault_stack.say_text(sender, "/affirm")
    assert texts.ASK_PHONE in fault_stack.say_text(sender, place)
    assert "请核对" in fault_stack.say_text(sender, phone)
    submitted = fault_stack.say_text(sender, "/affirm")
    ticket_no = find_ticket_no(submitted)
    assert ticket_no and f"您的工单号是 {ticket_no}" in submitted, submitted
    return ticket_no


def wait_for(condition, timeout: float, what: str, interval: float = 0.5):
    """Poll `condition()` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(interval)
