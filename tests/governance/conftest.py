"""Governance fixtures: a fresh queue database per test, on SQLite and on PostgreSQL (the session's private
cluster, or the server DATABASE_URL_TEST_PG names), and the bundled events backend on a free loopback port."""
import uuid
from itertools import count
from typing import Optional

import pytest
import requests
import sqlalchemy
from sqlalchemy.engine import make_url

from bot.events_backend import EventsBackendServer, serve
from bot.governance import ReportDraft, ReportQueue
from bot.governance.open311 import Open311Client

API_KEY = "test-api-key"
_keys = count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test gets its own schema on PostgreSQL, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'governance.db'}"
        return
    pg_url = request.getfixturevalue("postgres_url")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(pg_url, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def queue(database_url):
    queue = ReportQueue.from_url(database_url)
    yield queue
    queue.close()


@pytest.fixture
def backend(tmp_path):
    server = serve(0, tmp_path / "events_backend.db", api_key=API_KEY, allow_faults=True)
    yield server
    server.shutdown()


@pytest.fixture
def client(backend):
    return Open311Client(backend.url, API_KEY, timeout=1.0)


def set_fault(server: EventsBackendServer, mode: str, delay: Optional[float] = None) -> None:
    form = {"api_key": API_KEY, "mode": mode, **({"delay": str(delay)} if delay is not None else {})}
    requests.post(f"{server.url}/_faults", data=form, timeout=5).raise_for_status()


def move_event(server: EventsBackendServer, request_id: str, status: str, note: str = "") -> None:
    """What a 云治前进 staff member does: move the event along at the backend."""
    reply = requests.post(f"{server.url}/requests/{request_id}/status",
                          data={"api_key": API_KEY, "status": status, "note": note}, timeout=5)
    reply.raise_for_status()


def draft(**fields) -> ReportDraft:
    values = dict(
        sender_id="resident-1",
        category="安全隐患",
        location="前进街道前悦社区3幢楼道",
        description="楼道里堆满了纸箱，挡住了消防通道。",
        phone="13812345678",
        channel="rest",
        idempotency_key=f"key-{next(_keys)}-{uuid.uuid4().hex[:6]}",
    )
    values.update(fields)
    return ReportDraft(**values)
