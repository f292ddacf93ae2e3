"""What the servers must remember for minutes or hours only, shared by every process that answers residents: WeChat
nonces already used, how many messages a conversation or an address sent lately (rate limits), and whether a
conversation got notes since it last looked (bot/governance/notifications.py).

Redis when REDIS_URL is set (several machines), else a SQLite file in DATA_DIR that every process of this machine
opens (the Sanic workers of the Rasa server, the action server). Entries expire by themselves.
"""
import hashlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import List, Optional, Protocol, Sequence

from bot import settings, sqlite

FILE_NAME = "short_memory.db"
# Expired SQLite rows are swept once every so many writes.
SWEEP_EVERY = 500


class ShortMemory(Protocol):
    def remember(self, key: str, value: str, seconds: float) -> Optional[str]:
        """Keep `value` under `key` for `seconds` unless `key` is already kept: returns the value kept before (None
        when `key` is new)."""

    def count(self, key: str, seconds: float) -> int:
        """One more under `key` in the current window of `seconds`; returns how many so far in that window."""

    def keep(self, key: str, value: str, seconds: float) -> None:
        """Keep `value` under `key` for `seconds`, replacing whatever was kept."""

    def recall(self, keys: Sequence[str]) -> List[Optional[str]]:
        """What is kept under each of `keys` (None where nothing is, or it expired), in one read."""


def digest(key: str) -> str:
    """What the memory keeps instead of an address or a conversation id (an openid): they are personal data, and
    a quiet server sweeps its expired entries only now and then."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class SQLiteShortMemory:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._mutex = threading.Lock()
        self._writes = 0
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        sqlite.tune(self._db)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS short_memory "
            "(key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL NOT NULL)"
        )

    def remember(self, key: str, value: str, seconds: float) -> Optional[str]:
        now = time.time()
        with self._transaction():
            row = self._db.execute(
                "SELECT value FROM short_memory WHERE key = ? AND expires > ?", (key, now)
            ).fetchone()
            if row:
                return row[0]
            self._db.execute("INSERT OR REPLACE INTO short_memory VALUES (?, ?, ?)", (key, value, now + seconds))
        return None

    def count(self, key: str, seconds: float) -> int:
        window = int(time.time() // seconds)
        # One statement, atomic on its own: every message of every resident counts here, so no transaction of
        # several statements. A window's key is new when the window starts, so expired counts are never read.
        with self._mutex:
            self._sweep_now_and_then()
            (count,) = self._db.execute(
                "INSERT INTO short_memory VALUES (?, '1', ?) ON CONFLICT (key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value",
                (f"{key}@{window}", (window + 1) * seconds),
            ).fetchone()
        return int(count)

    def keep(self, key: str, value: str, seconds: float) -> None:
        with self._mutex:
            self._sweep_now_and_then()
            self._db.execute("INSERT OR REPLACE INTO short_memory VALUES (?, ?, ?)",
                             (key, value, time.time() + seconds))

    def recall(self, keys: Sequence[str]) -> List[Optional[str]]:
        marks = ", ".join("?" * len(keys))
        with self._mutex:
            kept = dict(self._db.execute(
                f"SELECT key, value FROM short_memory WHERE key IN ({marks}) AND expires > ?", (*keys, time.time())
            ).fetchall())
        return [kept.get(key) for key in keys]

    def _transaction(self) -> "_Transaction":
        return _Transaction(self)

    def _sweep_now_and_then(self) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            self._db.execute("DELETE FROM short_memory WHERE expires <= ?", (time.time(),))


class _Transaction:
    """One write transaction (BEGIN IMMEDIATE), so two processes counting at once both count."""

    def __init__(self, memory: SQLiteShortMemory) -> None:
        self.memory = memory

    def __enter__(self) -> None:
        self.memory._mutex.acquire()
        self.memory._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, error, trace) -> None:
        try:
            if kind is None:
                self.memory._sweep_now_and_then()
                self.memory._db.execute("COMMIT")
            else:
                self.memory._db.execute("ROLLBACK")
        finally:
            self.memory._mutex.release()


class RedisShortMemory:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def remember(self, key: str, value: str, seconds: float) -> Optional[str]:
        name = f"short_memory:{key}"
        if self._redis.set(name, value, nx=True, px=max(1, int(seconds * 1000))):
            return None
        kept = self._redis.get(name)
        # Expired between the two calls: it is new after all.
        return kept.decode("utf-8") if kept is not None else self.remember(key, value, seconds)

    def count(self, key: str, seconds: float) -> int:
        window = int(time.time() // seconds)
        name = f"short_memory:{key}@{window}"
        pipeline = self._redis.pipeline()
        pipeline.incr(name)
        pipeline.expireat(name, int((window + 1) * seconds) + 1)
        return int(pipeline.execute()[0])

    def keep(self, key: str, value: str, seconds: float) -> None:
        self._redis.set(f"short_memory:{key}", value, px=max(1, int(seconds * 1000)))

    def recall(self, keys: Sequence[str]) -> List[Optional[str]]:
        return [None if kept is None else kept.decode("utf-8")
                for kept in self._redis.mget([f"short_memory:{key}" for key in keys])]


_shared: Optional[ShortMemory] = None


def shared() -> ShortMemory:
    """This process's handle on the memory its settings name (made on first use)."""
    global _shared
    if _shared is None:
        url = settings.get("REDIS_URL").strip()
        _shared = RedisShortMemory(url) if url else SQLiteShortMemory(settings.data_dir() / FILE_NAME)
    return _shared
