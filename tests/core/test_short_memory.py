"""The memory of nonces and message counts that every process on a machine (or, with Redis, every machine) shares."""
import multiprocessing
import time

import pytest

from bot.short_memory import RedisShortMemory, SQLiteShortMemory


@pytest.fixture(params=["sqlite", "redis"])
def memory(request, tmp_path):
    if request.param == "redis":
        return RedisShortMemory(request.getfixturevalue("redis_url"))
    return SQLiteShortMemory(tmp_path / "short_memory.db")


def test_a_key_is_new_once_and_then_says_what_it_kept(memory):
    key = f"nonce-{time.time()}"
    assert memory.remember(key, "first", 60) is None
    assert memory.remember(key, "second", 60) == "first"


def test_a_kept_key_is_forgotten_when_it_expires(memory):
    key = f"nonce-{time.time()}"
    assert memory.remember(key, "first", 0.2) is None
    time.sleep(0.3)
    assert memory.remember(key, "again", 60) is None


def test_counts_grow_within_a_window_and_start_again_in_the_next(memory):
    key = f"address-{time.time()}"
    window = 0.5
    time.sleep(window - time.time() % window + 0.01)  # the start of a window
    assert [memory.count(key, window) for _ in range(3)] == [1, 2, 3]
    time.sleep(window)
    assert memory.count(key, window) == 1


def test_a_kept_value_replaces_the_one_before_and_is_recalled_until_it_expires(memory):
    first, second = f"mark-{time.time()}", f"look-{time.time()}"
    memory.keep(first, "a", 60)
    memory.keep(first, "b", 0.3)
    memory.keep(second, "c", 60)
    assert memory.recall([first, second, "never-kept"]) == ["b", "c", None]
    time.sleep(0.4)
    assert memory.recall([first, second]) == [None, "c"]


def _count_many(path, key, times):
    memory = SQLiteShortMemory(path)
    for _ in range(times):
        memory.count(key, 3600)


def test_processes_counting_at_once_lose_no_count(tmp_path):
    path = tmp_path / "short_memory.db"
    workers = [multiprocessing.Process(target=_count_many, args=(path, "busy", 50)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert SQLiteShortMemory(path).count("busy", 3600) == 201
