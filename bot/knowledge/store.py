"""The knowledge base a running server answers from, reloaded within seconds after staff save a file.

A broken edit never takes answers away: the last good version keeps serving and the problems go to the
log (once per distinct problem), so staff can run `python -m bot knowledge check` and fix them.
"""
import logging
import threading
import time
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from bot import settings
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, knowledge_files, load_knowledge

logger = logging.getLogger(__name__)

DEFAULT_CHECK_INTERVAL = 2.0


class KnowledgeStore:
    """Holds the last good `KnowledgeBase` of a directory; safe to share between threads."""

    def __init__(self, directory: Union[str, Path], check_interval: float = DEFAULT_CHECK_INTERVAL) -> None:
        self.directory = Path(directory)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._knowledge: Optional[KnowledgeBase] = None
        self._checked_at: Optional[float] = None
        self._seen_fingerprint: Optional[Tuple] = None
        self._error: Optional[KnowledgeError] = None
        self._logged_error: Optional[str] = None

    @classmethod
    def from_env(cls) -> "KnowledgeStore":
        """The store for `KNOWLEDGE_DIR` (default `knowledge`, relative to the project root)."""
        return cls(settings.path("KNOWLEDGE_DIR"))

    def current(self) -> KnowledgeBase:
        """The newest valid knowledge; raises `KnowledgeError` only if no version has ever been valid."""
        with self._lock:
            now = time.monotonic()
            if self._checked_at is None or now - self._checked_at >= self.check_interval:
                self._checked_at = now
                self._reload_if_changed()
            if self._knowledge is None:
                raise self._error
            return self._knowledge

    def _reload_if_changed(self) -> None:
        fingerprint = self._fingerprint()
        if fingerprint == self._seen_fingerprint:
            return
        self._seen_fingerprint = fingerprint
        try:
            knowledge = load_knowledge(self.directory)
        except KnowledgeError as error:
            self._error = error
            self._log_once(error)
            return
        self._knowledge, self._error, self._logged_error = knowledge, None, None
        logger.info("Loaded %d knowledge entries from %s", len(knowledge), self.directory)

    def _fingerprint(self) -> Tuple:
        """Name, modification time and size of every knowledge file: any save changes it."""
        stats = []
        for path in knowledge_files(self.directory):
            try:
                stat = path.stat()
            except OSError:
                stats.append((path.name, None, None))
            else:
                stats.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(stats)

    def _log_once(self, error: KnowledgeError) -> None:
        if str(error) == self._logged_error:
            return
        self._logged_error = str(error)
        if self._knowledge is None:
            logger.error("Knowledge in %s cannot be loaded:\n%s", self.directory, error)
        else:
            logger.error(
                "Knowledge in %s has problems; still serving the last good version:\n%s", self.directory, error
            )


_shared: Dict[Path, KnowledgeStore] = {}
_shared_lock = threading.Lock()


def shared_store() -> KnowledgeStore:
    """This process's store of KNOWLEDGE_DIR, kept between look-ups so that files are read again only after a save
    and a broken save still leaves the last good version; one per directory (tests change the setting)."""
    directory = settings.path("KNOWLEDGE_DIR")
    with _shared_lock:
        if directory not in _shared:
            _shared[directory] = KnowledgeStore(directory)
        return _shared[directory]
