"""`python -m bot run` started on free loopback ports with its own data directory, and stopped again; and the
one client that talks to it as a resident would.

The benchmark and the tests use it alike: they measure and check exactly what residents get from `make run`
(same command, same processes), on the embedded defaults (SQLite, bundled events backend) whatever `.env` says,
so it never writes to a real database.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import requests

from bot.rasa.channels.busy import BUSY_TEXT
from bot.settings import PROJECT_ROOT

REST_PATH = "/webhooks/rest/webhook"
WIDGET_PATH = "/webhooks/widget/webhook"
WIDGET_CONVERSATION_PATH = "/webhooks/widget/conversation"
START_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 30
POLL_SECONDS = 0.25
FIRST_MESSAGE = "你好"


class StackError(Exception):
    """The stack did not start; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reply_text(messages: List[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def say(rasa_url: str, sender: str, text: str, timeout: float = 30, path: str = REST_PATH) -> List[dict]:
    """One resident turn over the REST channel of the Rasa server at `rasa_url` (or the web widget's, `path=
    WIDGET_PATH`, as a sender from `widget_sender`); returns the bot's messages."""
    reply = requests.post(f"{rasa_url}{path}", json={"sender": sender, "message": text}, timeout=timeout)
    reply.raise_for_status()
    return reply.json()


def widget_sender(rasa_url: str, timeout: float = 10) -> str:
    """A new conversation id of the web widget, issued and signed by the Rasa server at `rasa_url`, as the chat
    page gets one: the widget's webhook refuses any other."""
    reply = requests.post(f"{rasa_url}{WIDGET_CONVERSATION_PATH}", timeout=timeout)
    reply.raise_for_status()
    return reply.json()["sender"]


def is_answer(messages: List[dict]) -> bool:
    """A real reply: something was said, and it is not the "system busy" stand-in for silence."""
    return bool(messages) and BUSY_TEXT not in reply_text(messages)


@dataclass(frozen=True)
class ProcessMemory:
    pid: int
    command: str
    rss_kb: int
    peak_rss_kb: int


# The tests' and the benchmark's residents all come from this machine's one address, and type at machine speed (one
# test sends 26 messages in a conversation within seconds): on a stack for them both message limits are counted, so
# their cost is measured, but never reached. tests/e2e/test_rate_limits_stack.py checks the limits themselves.
UNREACHED_MESSAGE_LIMITS = {"RATE_LIMIT_CONVERSATION_PER_MINUTE": "1000000", "RATE_LIMIT_ADDRESS_PER_MINUTE": "1000000"}


class LocalStack:
    """Use as a context manager: `with LocalStack() as stack:`; everything it started is stopped on exit."""

    def __init__(self, keep_log: Optional[Path] = None, workers: int = 1, data_dir: Optional[Path] = None,
                 overrides: Optional[Dict[str, str]] = None) -> None:
        """`keep_log`: where to copy the servers' log when the stack stops; `workers`: Sanic workers of the Rasa
        server (SANIC_WORKERS); `data_dir`: where it keeps its data (default: a temporary directory removed at
        the end); `overrides`: settings that differ from the embedded defaults (tests: a fake WeChat API)."""
        self.keep_log = keep_log
        self._data_dir = None if data_dir else tempfile.TemporaryDirectory(prefix="qianjin-stack-")
        self.data_dir = data_dir or Path(self._data_dir.name)
        self.log_path = self.data_dir / "stack.log"
        self.process: Optional[subprocess.Popen] = None
        self.cold_start_seconds: Optional[float] = None
        self._seen_pids: Dict[int, str] = {}
        rasa_port = free_port()
        self.env = dict(os.environ)
        self.env.update(
            RASA_HOST="127.0.0.1",
            RASA_PORT=str(rasa_port),
            ACTION_SERVER_HOST="127.0.0.1",
            ACTION_SERVER_PORT=str(free_port()),
            ACTION_SERVER_URL="",  # the action server this stack starts, whatever the environment names
            EVENTS_BACKEND_PORT=str(free_port()),
            EVENTS_BACKEND_URL="",
            CONSOLE_HOST="127.0.0.1",
            CONSOLE_PORT=str(free_port()),
            DATA_DIR=str(self.data_dir),
            TRACKER_STORE_URL="",
            REDIS_URL="",
            DATABASE_URL="",
            WECHAT_TOKEN="",
            SANIC_WORKERS=str(workers),
            CORS_ORIGINS=f"http://127.0.0.1:{rasa_port}",
            EVENTS_BACKEND_API_KEY=secrets.token_urlsafe(24),
            WIDGET_SECRET=secrets.token_urlsafe(32),
            REST_API_TOKEN="",
            **UNREACHED_MESSAGE_LIMITS,
        )
        self.env.update(overrides or {})

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"

    @property
    def webhook_url(self) -> str:
        return f"{self.rasa_url}{REST_PATH}"

    @property
    def events_backend_url(self) -> str:
        return f"http://127.0.0.1:{self.env['EVENTS_BACKEND_PORT']}"

    def say(self, sender: str, text: str, timeout: float = 30, path: str = REST_PATH) -> List[dict]:
        return say(self.rasa_url, sender, text, timeout, path)

    def widget_sender(self) -> str:
        return widget_sender(self.rasa_url)

    def say_text(self, sender: str, text: str) -> str:
        return reply_text(self.say(sender, text))

    def start(self) -> float:
        """Launch `python -m bot run`; return the seconds until its first real answer over REST."""
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = started + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"`python -m bot run` exited with {self.process.returncode}:\n{self.log_tail()}")
            self._remember_processes()
            try:
                reply = requests.post(self.webhook_url, json={"sender": "bench-cold-start", "message": FIRST_MESSAGE},
                                      timeout=30)
                if reply.ok and is_answer(reply.json()):
                    self.cold_start_seconds = time.monotonic() - started
                    self._remember_processes()
                    return self.cold_start_seconds
            except (requests.RequestException, ValueError):
                pass
            time.sleep(POLL_SECONDS)
        raise StackError(f"no answer within {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def memory(self) -> List[ProcessMemory]:
        """Resident memory of the run process and every process under it, now and at its peak."""
        self._remember_processes()
        measured = []
        for pid, command in self._seen_pids.items():
            status = _status(pid)
            if "VmRSS" in status:
                measured.append(ProcessMemory(pid, command, status["VmRSS"], status.get("VmHWM", status["VmRSS"])))
        return measured

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self._remember_processes()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # `bot run` stops its children itself; this only catches ones it could not (it was killed).
        for pid, command in self._seen_pids.items():
            if pid != getattr(self.process, "pid", None) and _command(pid) == command:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.keep_log is not None and self.log_path.exists():
            self.keep_log.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_path, self.keep_log)
        if self._data_dir is not None:
            self._data_dir.cleanup()

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log()[-chars:]

    def _remember_processes(self) -> None:
        if self.process is None:
            return
        # Refreshed every time: a child seen between fork and exec still shows its parent's command.
        for pid in _descendants(self.process.pid, include_self=True):
            self._seen_pids[pid] = _command(pid) or self._seen_pids.get(pid, "?")

    def __enter__(self) -> "LocalStack":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _descendants(root: int, include_self: bool = False) -> List[int]:
    """`root` and the processes under it, from the parent pid each /proc/<pid>/stat names."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may itself contain spaces or parentheses.
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found if include_self else found[1:]


def _status(pid: int) -> Dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...); empty when the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    figures = {}
    for line in lines:
        key, _, value = line.partition(":")
        if value.strip().endswith(" kB"):
            figures[key] = int(value.split()[0])
    return figures


def _command(pid: int) -> str:
    """A short name for the process: its command words before the first option, e.g. "bot queue deliver"."""
    try:
        argv = [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    except OSError:
        return ""
    if argv and Path(argv[0]).name.startswith("python"):
        argv = argv[1:]
        while argv and argv[0].startswith("-") and argv[0] != "-m":  # interpreter flags such as -u
            argv = argv[1:]
        argv = argv[1:] if argv[:1] == ["-m"] else argv
    words = []
    for arg in argv:
        if arg.startswith("-"):
            break
        words.append(Path(arg).name if not words else arg)
    return " ".join(words) or "?"
