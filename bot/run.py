"""`python -m bot run`: start everything a resident needs, on the embedded defaults, and stop it all together.

Processes: the bundled events backend (only when EVENTS_BACKEND_URL is unset), the outbox worker that hands
reports to it, the action server, the Rasa server with the REST, web widget and WeChat channels, and the staff
console (bot/console/).
Ctrl-C (or SIGTERM) stops every one of them; if one dies, the others are stopped too.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlencode

import requests

from bot import settings
from bot.console import server as console_server
from bot.rasa import server as rasa_server
from bot.settings import PROJECT_ROOT
from bot.training import model_path

# Made on first start when not configured, before any process that shares them starts.
SECRETS = ("EVENTS_BACKEND_API_KEY", "WIDGET_SECRET")
STOP_GRACE_SECONDS = 10
READY_TIMEOUT_SECONDS = 300


@dataclass
class Service:
    name: str
    command: List[str]
    ready_url: Optional[str] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None


def services(env: Dict[str, str]) -> List[Service]:
    python = sys.executable
    host, rasa_port = env["RASA_HOST"], env["RASA_PORT"]
    planned = []
    if not env.get("EVENTS_BACKEND_URL"):
        port = env["EVENTS_BACKEND_PORT"]
        env["EVENTS_BACKEND_URL"] = f"http://127.0.0.1:{port}"
        planned.append(Service(
            "events-backend",
            [python, "-m", "bot", "events-backend", "--port", port,
             "--db", str(Path(env["DATA_DIR"]) / "events_backend.db")],
            # Every route of the backend needs the key, its readiness too.
            f"http://127.0.0.1:{port}/services.json?{urlencode({'api_key': env['EVENTS_BACKEND_API_KEY']})}",
        ))
    planned += [
        Service("outbox-worker", [python, "-m", "bot", "queue", "deliver"]),
        Service("console", [python, "-m", "bot", "console"], f"{console_url()}login"),
        Service(
            "action-server",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", env["ACTION_SERVER_PORT"]],
            settings.action_server_health_url(env),
            # rasa_sdk listens on SANIC_HOST, on every interface when it is unset.
            extra_env={"SANIC_HOST": env["ACTION_SERVER_HOST"]},
        ),
        Service(
            "rasa",
            rasa_server.command(
                "run", "--model", str(model_path()), "--interface", host, "--port", rasa_port,
                "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--cors", *settings.cors_origins(),
            ),
            f"http://{host}:{rasa_port}/",
        ),
    ]
    return planned


def console_url() -> str:
    host, port = console_server.address()
    return f"http://{settings.reachable(host)}:{port}/"


def _wait_ready(service: Service, deadline: float, stop: threading.Event) -> bool:
    while time.monotonic() < deadline and not stop.is_set():
        if service.process.poll() is not None:
            return False
        try:
            if requests.get(service.ready_url, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        stop.wait(0.5)
    return False


def _stop(running: List[Service]) -> None:
    for service in reversed(running):
        if service.process.poll() is None:
            service.process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for service in reversed(running):
        try:
            service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()


def run() -> int:
    settings.load()
    if not model_path().exists():
        print("没有找到训练好的模型：请先运行 `make run`（会自动训练）或 `python -m bot train`。", file=sys.stderr)
        return 1
    settings.data_dir()
    for name in SECRETS:
        settings.secret(name)
    env = dict(os.environ)
    planned = services(env)
    running: List[Service] = []
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        for service in planned:
            # Children ignore the terminal's Ctrl-C: we stop them in order, so none is killed mid-write.
            service.process = subprocess.Popen(
                service.command, cwd=PROJECT_ROOT, env={**env, **service.extra_env}, start_new_session=True
            )
            running.append(service)
            if service.ready_url and not _wait_ready(service, time.monotonic() + READY_TIMEOUT_SECONDS, stop):
                if not stop.is_set():
                    print(f"{service.name} did not start; stopping everything.", file=sys.stderr)
                return 0 if stop.is_set() else 1
        print(
            f"前进小助手已启动：网页聊天 http://{env['RASA_HOST']}:{env['RASA_PORT']}/webhooks/widget/ ，"
            f"REST 接口 POST http://{env['RASA_HOST']}:{env['RASA_PORT']}/webhooks/rest/webhook ，"
            f"工作人员工作台 {console_url()} 。按 Ctrl-C 停止。",
            flush=True,
        )
        while not stop.wait(0.5):
            dead = [s for s in running if s.process.poll() is not None]
            if dead:
                print(f"{dead[0].name} stopped unexpectedly; stopping everything.", file=sys.stderr)
                return 1
        return 0
    finally:
        _stop(running)


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="start the bot, action server, widget and local events backend")
    parser.set_defaults(handler=lambda args: run())
