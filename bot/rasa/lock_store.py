"""The Rasa lock store named in endpoints.yml: Redis when REDIS_URL is set, else a SQLite file on this machine.

One conversation's turns must never run at the same time, whichever process has them. Several Rasa servers behind
a load balancer share the Redis store; the Sanic workers of one server (SANIC_WORKERS) share the SQLite file, with
no external service.
"""
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Text, Union
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import sqlite

REDIS_SCHEMES = ("redis", "rediss")
# A conversation's ticket queue is held for a few milliseconds per update; these only bound a crashed holder.
MUTEX_SECONDS = 10


class LockStoreFromUrl:
    """Rasa builds a custom lock store as `Class(endpoint_config=...)`: this class builds the one `url:` asks for,
    or with no `url:` the SQLite one at `path:` (in memory with neither, for a single process).

    (Rasa's own `type: redis` takes host, port and db rather than a URL, and has no file-based fallback.)
    """

    # Written against rasa 3.6.21, which builds a custom lock store as `Class(endpoint_config=...)` and accepts only a
    # class there (guards: test_empty_urls_keep_the_embedded_defaults, test_urls_select_postgresql_and_redis).
    def __new__(
        cls, endpoint_config: Optional[EndpointConfig] = None
    ) -> Union[InMemoryLockStore, RedisLockStore, "SQLiteLockStore"]:
        url = ((endpoint_config.url if endpoint_config else None) or "").strip()
        path = ((endpoint_config.kwargs.get("path") if endpoint_config else None) or "").strip()
        if url:
            return redis_lock_store(url)
        return SQLiteLockStore(path) if path else InMemoryLockStore()


class SQLiteLockStore(LockStore):
    """Conversation locks in a SQLite file, shared by every process on this machine that opens it.

    Each change to a conversation's ticket queue is one write transaction (BEGIN IMMEDIATE), so two processes
    taking a ticket at the same moment queue up instead of both getting the first one.
    """

    def __init__(self, path: Text) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Rasa calls the lock store from its event loop only; the mutex covers any other thread all the same.
        self._mutex = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        sqlite.tune(self._db)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS conversation_locks (conversation_id TEXT PRIMARY KEY, lock TEXT NOT NULL)"
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._mutex:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        with self._mutex:
            row = self._db.execute(
                "SELECT lock FROM conversation_locks WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    def save_lock(self, lock: TicketLock) -> None:
        with self._mutex:
            self._db.execute(
                "INSERT OR REPLACE INTO conversation_locks (conversation_id, lock) VALUES (?, ?)",
                (lock.conversation_id, lock.dumps()),
            )

    def delete_lock(self, conversation_id: Text) -> None:
        with self._mutex:
            deleted = self._db.execute(
                "DELETE FROM conversation_locks WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
        # Rasa 3.6.21's own log line, LockStore._log_deletion
        # (guard: test_a_second_worker_waits_for_the_first_and_the_lock_is_gone_afterwards).
        self._log_deletion(conversation_id, deleted > 0)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._transaction():
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._transaction():
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._transaction():
            super().cleanup(conversation_id, ticket_number)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with each change to a conversation's ticket queue made under a Redis mutex.

    Rasa reads the queue, changes it and writes it back in separate steps, so two servers taking a ticket at the
    same moment can both get the first one and run the same conversation at once (rasa#9213): a resident tapping
    "确认提交" twice would have both taps handled from the same state.
    """

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
        # RedisLockStore's client and key prefix as of rasa 3.6.21
        # (guard: test_servers_taking_a_ticket_at_the_same_moment_get_different_tickets).
        with self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_SECONDS, blocking_timeout=MUTEX_SECONDS
        ):
            yield

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


def redis_lock_store(url: Text) -> AtomicRedisLockStore:
    """The lock store on `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or not parts.hostname:
        raise ValueError(f"REDIS_URL must look like redis://host:port/db, not {url!r}")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"REDIS_URL must end with a database number (redis://host:port/0), not {url!r}")
    return AtomicRedisLockStore(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(db or 0),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
    )
