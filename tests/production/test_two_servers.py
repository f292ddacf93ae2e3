"""A resident's turns land on either of two Rasa processes, and the conversation must not notice.

Two set-ups: two Rasa servers behind a (pretend) load balancer, sharing a PostgreSQL tracker store and a Redis
lock store, with reports on PostgreSQL; and the embedded default with two Sanic workers (`SANIC_WORKERS=2`),
sharing SQLite files, where the kernel hands each request to either worker. One action server serves both.
"""
import json
import os
import secrets
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterator, List

import pytest
import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore

from bot import settings
from bot.benchmarks.stack import LocalStack, reply_text, say
from bot.governance import ReportQueue, ReportView
from bot.rasa import server as rasa_server
from bot.reporting import texts
from bot.reporting.summary import render_submitted
from tests.conftest import MODEL, PROJECT_ROOT, Processes, free_port, new_sender

pytestmark = pytest.mark.stack

REPLY_TIMEOUT = 90
PROBLEM = "小区门口路灯坏了好几天了"
# Each test's lamp is another one: the same lamp at the same place would be offered as already reported.
PLACES = {"alternating": "前悦社区3幢楼下", "both": "前悦社区5幢楼下"}
AFFIRM = "/affirm"
NO_PHONE = "不留"


def payloads(messages: List[dict]) -> List[str]:
    return [button["payload"] for message in messages for button in message.get("buttons", [])]


@dataclass
class TwoServers:
    rasa_urls: List[str]
    tracker_store_url: str
    database_url: str

    def say(self, server: int, sender: str, text: str) -> List[dict]:
        """One resident turn through server 0 or 1; returns the bot's messages."""
        return say(self.rasa_urls[server], sender, text, REPLY_TIMEOUT)

    def say_text(self, server: int, sender: str, text: str) -> str:
        return reply_text(self.say(server, sender, text))

    def user_messages(self, sender: str) -> List[str]:
        """What the resident said, in order, as the shared tracker store recorded it."""
        engine = sqlalchemy.create_engine(self.tracker_store_url)
        event = SQLTrackerStore.SQLEvent
        query = (
            sqlalchemy.select(event.data)
            .where(event.sender_id == sender, event.type_name == "user")
            .order_by(event.id)
        )
        try:
            with engine.connect() as connection:
                return [json.loads(data)["text"] for data in connection.execute(query).scalars()]
        finally:
            engine.dispose()


@pytest.fixture(scope="module", params=["two servers, PostgreSQL and Redis", "two workers, SQLite"])
def two_servers(request, tmp_path_factory) -> Iterator[TwoServers]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `python -m bot train` (make test does) before the stack tests")
    if request.param == "two workers, SQLite":
        yield from _two_workers()
    else:
        yield from _two_servers(request.getfixturevalue("postgres"), request.getfixturevalue("redis_url"),
                                tmp_path_factory)


def _two_workers() -> Iterator[TwoServers]:
    """`python -m bot run` on the embedded defaults, its Rasa server with two Sanic workers on one port."""
    with LocalStack(workers=2) as stack:
        stack.start()
        yield TwoServers(
            rasa_urls=[stack.rasa_url, stack.rasa_url],
            tracker_store_url=f"sqlite:///{stack.data_dir / 'tracker.db'}",
            database_url=f"sqlite:///{stack.data_dir / 'governance.db'}",
        )


def _two_servers(postgres, redis_url, tmp_path_factory) -> Iterator[TwoServers]:
    data_dir = tmp_path_factory.mktemp("two-servers")
    events_backend_port, action_server_port = free_port(), free_port()
    rasa_ports = [free_port(), free_port()]
    env = {**settings.defaults(), **os.environ}
    env.update(
        DATA_DIR=str(data_dir),
        KNOWLEDGE_DIR=str(PROJECT_ROOT / "knowledge"),
        ACTION_SERVER_HOST="127.0.0.1",
        ACTION_SERVER_PORT=str(action_server_port),
        ACTION_SERVER_URL="",
        EVENTS_BACKEND_PORT=str(events_backend_port),
        EVENTS_BACKEND_URL=f"http://127.0.0.1:{events_backend_port}",
        EVENTS_BACKEND_API_KEY=secrets.token_urlsafe(24),
        TRACKER_STORE_URL=postgres.create_database("conversations"),
        DATABASE_URL=postgres.create_database("governance"),
        REDIS_URL=redis_url,
    )
    python = sys.executable
    with Processes(data_dir) as processes:
        backend = processes.start(
            "events-backend",
            [python, "-m", "bot", "events-backend", "--port", str(events_backend_port),
             "--db", str(data_dir / "events_backend.db")],
            env,
        )
        action_server = processes.start(
            "action-server", [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_server_port)],
            {**env, "SANIC_HOST": "127.0.0.1"},
        )
        backend.wait_until_ready(f"{env['EVENTS_BACKEND_URL']}/services.json?api_key={env['EVENTS_BACKEND_API_KEY']}")
        action_server.wait_until_ready(f"http://127.0.0.1:{action_server_port}/health")
        # One after the other: loading a model takes most of the CPU, and each must come up within START_TIMEOUT.
        for name, port in zip("ab", rasa_ports):
            server = processes.start(
                f"rasa-{name}",
                rasa_server.command("run", "--model", str(MODEL), "--interface", "127.0.0.1", "--port", str(port),
                                    "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"),
                env,
            )
            server.wait_until_ready(f"http://127.0.0.1:{port}/webhooks/rest/")
        yield TwoServers(
            rasa_urls=[f"http://127.0.0.1:{port}" for port in rasa_ports],
            tracker_store_url=env["TRACKER_STORE_URL"],
            database_url=env["DATABASE_URL"],
        )


@pytest.fixture
def queue(two_servers) -> Iterator[ReportQueue]:
    queue = ReportQueue.from_url(two_servers.database_url)
    yield queue
    queue.close()


def test_a_follow_up_on_the_other_server_knows_the_topic(two_servers):
    sender = new_sender()

    first = two_servers.say_text(0, sender, "/ask_veterans_station")
    follow_up = two_servers.say_text(1, sender, "那在哪里？")

    assert "108名退伍军人" in first
    assert "关于「临江村退伍军人服务站」的地点：临江村" in follow_up


def fill_in_report(two_servers: TwoServers, sender: str, place: str) -> List[dict]:
    """Report PROBLEM at `place` up to the summary, each turn on the other server; returns the summary messages."""
    started = two_servers.say(0, sender, PROBLEM)
    assert texts.ASK_CATEGORY_GUESS.format(category="公共设施") in reply_text(started)
    assert AFFIRM in payloads(started)

    asked_place = two_servers.say(1, sender, AFFIRM)
    assert texts.ASK_LOCATION in reply_text(asked_place)

    asked_phone = two_servers.say(0, sender, place)
    assert texts.ASK_PHONE in reply_text(asked_phone)

    summary = two_servers.say(1, sender, NO_PHONE)
    expected = texts.SUMMARY.format(category="公共设施", location=place, description=PROBLEM, phone=texts.PHONE_NONE)
    assert expected in reply_text(summary)
    assert AFFIRM in payloads(summary)
    return summary


def the_one_report(queue: ReportQueue, sender: str, place: str) -> ReportView:
    reports = queue.list_for_sender(sender)
    assert len(reports) == 1, [r.ticket_no for r in reports]
    report = reports[0]
    assert (report.category, report.location, report.description) == ("公共设施", place, PROBLEM)
    assert report.phone_masked is None
    return report


def test_a_report_filled_in_on_alternating_servers_files_one_report(two_servers, queue):
    sender, place = new_sender(), PLACES["alternating"]
    fill_in_report(two_servers, sender, place)

    submitted = two_servers.say_text(0, sender, AFFIRM)

    report = the_one_report(queue, sender, place)
    assert submitted == render_submitted(report)
    assert two_servers.user_messages(sender) == [PROBLEM, AFFIRM, place, NO_PHONE, AFFIRM]


def test_the_same_confirmation_sent_to_both_servers_at_once_files_one_report(two_servers, queue):
    sender, place = new_sender(), PLACES["both"]
    fill_in_report(two_servers, sender, place)
    both_ready = threading.Barrier(2)

    def confirm(server: int) -> str:
        both_ready.wait()
        return two_servers.say_text(server, sender, AFFIRM)

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(confirm, [0, 1]))

    report = the_one_report(queue, sender, place)
    # The Redis lock runs the two turns one after the other, so the second sees the first one's submission.
    already = texts.ALREADY_SUBMITTED.format(ticket_no=report.ticket_no)
    assert sorted(replies) == sorted([render_submitted(report), already])
    assert two_servers.user_messages(sender) == [PROBLEM, AFFIRM, place, NO_PHONE, AFFIRM, AFFIRM]
