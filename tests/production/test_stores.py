"""endpoints.yml picks the stores from the environment; they are built here exactly as `rasa run` builds them."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints, number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig

from bot.rasa.lock_store import AtomicRedisLockStore, LockStoreFromUrl, SQLiteLockStore, redis_lock_store
from bot.rasa.tracker_store import ConversationStore
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def endpoints_with(monkeypatch, tmp_path):
    """endpoints.yml read with these settings (and DATA_DIR = tmp_path)."""

    def read(**settings: str) -> AvailableEndpoints:
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        return AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))

    return read


def test_empty_urls_keep_the_embedded_defaults(endpoints_with, tmp_path):
    endpoints = endpoints_with(TRACKER_STORE_URL="", REDIS_URL="")

    tracker_store = TrackerStore.create(endpoints.tracker_store)
    lock_store = LockStore.create(endpoints.lock_store)

    assert isinstance(tracker_store, ConversationStore)
    assert tracker_store.engine.url.database == str(tmp_path / "tracker.db")
    assert isinstance(lock_store, SQLiteLockStore)
    assert (tmp_path / "locks.db").exists()


def test_without_a_path_or_url_the_lock_store_is_in_memory():
    assert type(LockStoreFromUrl(EndpointConfig())) is InMemoryLockStore


def test_the_embedded_lock_store_lets_rasa_run_several_workers(endpoints_with, monkeypatch):
    endpoints = endpoints_with(TRACKER_STORE_URL="", REDIS_URL="")
    monkeypatch.setenv("SANIC_WORKERS", "2")

    assert number_of_sanic_workers(endpoints.lock_store) == 2


def tickets_taken_at_the_same_moment(stores: List[LockStore]) -> List[int]:
    """Each store (a process's view of the shared locks) takes a ticket for one conversation at once."""
    all_ready = threading.Barrier(len(stores))

    def take_ticket(store: LockStore) -> int:
        all_ready.wait()
        return store.issue_ticket("resident-1")

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        return sorted(pool.map(take_ticket, stores))


def test_workers_taking_a_ticket_at_the_same_moment_get_different_tickets(tmp_path):
    workers = [SQLiteLockStore(str(tmp_path / "locks.db")) for _ in range(8)]

    assert tickets_taken_at_the_same_moment(workers) == list(range(len(workers)))


async def test_a_second_worker_waits_for_the_first_and_the_lock_is_gone_afterwards(tmp_path):
    first, second = (SQLiteLockStore(str(tmp_path / "locks.db")) for _ in range(2))
    order = []

    async def turn(store: SQLiteLockStore, name: str, seconds: float) -> None:
        async with store.lock("resident-1", wait_time_in_seconds=0.01):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    await asyncio.gather(turn(first, "first", 0.2), turn(second, "second", 0))

    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert first.get_lock("resident-1") is None and second.get_lock("resident-1") is None


async def test_urls_select_postgresql_and_redis(postgres, redis_url, endpoints_with):
    endpoints = endpoints_with(TRACKER_STORE_URL=postgres.create_database("stores"), REDIS_URL=redis_url)

    tracker_store = TrackerStore.create(endpoints.tracker_store)
    lock_store = LockStore.create(endpoints.lock_store)

    assert (tracker_store.engine.dialect.name, tracker_store.engine.url.database) == ("postgresql", "stores")
    assert isinstance(lock_store, AtomicRedisLockStore)
    async with lock_store.lock("resident-1"):
        tracker = await tracker_store.get_or_create_tracker("resident-1")
        await tracker_store.save(tracker)
    assert list(await tracker_store.keys()) == ["resident-1"]
    assert lock_store.get_lock("resident-1") is None


def test_servers_taking_a_ticket_at_the_same_moment_get_different_tickets(redis_url):
    servers = [redis_lock_store(redis_url) for _ in range(8)]

    assert tickets_taken_at_the_same_moment(servers) == list(range(len(servers)))


def test_a_malformed_redis_url_is_refused_by_name():
    with pytest.raises(ValueError, match="REDIS_URL must look like redis://host:port/db"):
        LockStoreFromUrl(EndpointConfig(url="localhost:6379"))
