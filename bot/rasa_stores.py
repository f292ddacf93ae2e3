"""The Rasa lock store named in endpoints.yml: Redis when REDIS_URL is set, else Rasa's in-memory store.

Several Rasa servers behind a load balancer must share the Redis store, so one conversation's turns never run at
the same time on two servers; a single server is served by the in-memory store, with no external service.
"""
from contextlib import contextmanager
from typing import Iterator, Optional, Text, Union
from urllib.parse import unquote, urlsplit

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

REDIS_SCHEMES = ("redis", "rediss")
# A conversation's ticket queue is held for a few milliseconds per update; these only bound a crashed holder.
MUTEX_SECONDS = 10


class LockStoreFromUrl:
    """Rasa builds a custom lock store as `Class(endpoint_config=...)`: this class builds the one `url:` asks for.

    (Rasa's own `type: redis` takes host, port and db rather than a URL, and cannot fall back to memory.)
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> Union[InMemoryLockStore, RedisLockStore]:
        url = ((endpoint_config.url if endpoint_config else None) or "").strip()
        return redis_lock_store(url) if url else InMemoryLockStore()


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with each change to a conversation's ticket queue made under a Redis mutex.

    Rasa reads the queue, changes it and writes it back in separate steps, so two servers taking a ticket at the
    same moment can both get the first one and run the same conversation at once (rasa#9213): a resident tapping
    "确认提交" twice would have both taps handled from the same state.
    """

    @contextmanager
    def _mutex(self, conversation_id: Text) -> Iterator[None]:
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
