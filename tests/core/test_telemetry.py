"""Rasa would send usage data to its makers abroad: every Rasa process the project starts runs with telemetry off,
even when the environment it was started from says otherwise."""
import os
import sys
from typing import Dict, List

import pytest

from bot import cli, run as bot_run, settings, training
from bot.rasa import server as rasa_server


@pytest.fixture
def new_process(monkeypatch, tmp_path):
    """A fresh command's view of the settings, started from a shell that asks for telemetry.

    The commands fill os.environ (the settings, ACTION_SERVER_URL): it is put back as it was afterwards, or the
    stacks later tests start would inherit this test's values."""
    saved = dict(os.environ)
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", "test-key")
    monkeypatch.setenv("WIDGET_SECRET", "test-secret")
    monkeypatch.delenv("EVENTS_BACKEND_URL", raising=False)
    monkeypatch.setattr(settings, "_loaded", False)
    yield
    os.environ.clear()
    os.environ.update(saved)


class Exited:
    """A started service that has already stopped: `python -m bot run` then stops everything and returns."""

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float = 0) -> int:
        return 0


def test_every_service_of_python_m_bot_run_runs_without_telemetry(new_process, monkeypatch):
    started: Dict[str, Dict[str, str]] = {}

    def popen(command: List[str], env: Dict[str, str], **kwargs) -> Exited:
        started[" ".join(command[1:4])] = env
        return Exited()

    monkeypatch.setattr(bot_run.subprocess, "Popen", popen)
    monkeypatch.setattr(bot_run, "_wait_ready", lambda *args: True)
    monkeypatch.setattr(bot_run.signal, "signal", lambda *args: None)

    assert bot_run.run() == 1

    assert len(started) == 5, started.keys()  # events backend, outbox worker, console, action server, Rasa
    assert {name: env.get("RASA_TELEMETRY_ENABLED") for name, env in started.items()} == {
        name: "false" for name in started}


def test_training_runs_rasa_without_telemetry(new_process, monkeypatch):
    calls = []

    def call(command: List[str], **kwargs) -> int:
        calls.append((command, dict(kwargs.get("env") or os.environ)))
        return 1  # a failed training writes no fingerprint

    monkeypatch.setattr(training.subprocess, "call", call)

    assert cli.main(["train", "--force"]) == 1

    [(command, env)] = calls
    assert command[1] == "train" and env["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_rasa_server_runs_without_telemetry(new_process, monkeypatch):
    """`python -m bot.rasa.server` (what `bot run` and the test stacks start) hands over to Rasa without it."""
    import rasa.__main__

    seen: Dict[str, str] = {}
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.update(os.environ))
    monkeypatch.setattr(rasa_server, "validate_replies_cheaply", lambda: None)
    monkeypatch.setattr(rasa_server, "pool_sqlite_conversations", lambda: None)
    monkeypatch.setattr(sys, "argv", ["bot/rasa/server.py", "run"])

    rasa_server.main()

    assert seen["RASA_TELEMETRY_ENABLED"] == "false"
