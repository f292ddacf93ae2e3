"""Where accepted photos are kept: a file `<token>.<ext>` in PHOTO_DIR (default DATA_DIR/photos) and a row in the
governance database's `photos` table, pending (no report) until the report it came with is filed.

A file is written whole under a temporary name, then renamed, so a reader never sees half a photo; its row is
written after it, so a row always has its file. Deleting goes the other way: files first, then rows, so that a
failure leaves a row to delete again rather than a file nobody knows of. Several Rasa servers share photos when
PHOTO_DIR is on shared storage (the same mount on each machine) and they share the database.
"""
import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.sql.elements import ColumnElement

from bot import settings
from bot.governance.models import Photo, Report
from bot.governance.queue import ReportQueue, open_queue
from bot.photos.images import CleanPhoto, cleaned
from bot.photos.urls import EXTENSIONS
from bot.senders import for_log

logger = logging.getLogger(__name__)

# A photo sent but never filed with a report (the resident stopped, or sent it outside a report) goes after a day.
PENDING_FOR = timedelta(days=1)
TOKEN_BYTES = 24
CONTENT_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}
# A photo's file name: secrets.token_urlsafe(TOKEN_BYTES) (32 characters of the URL-safe base64 alphabet), ".",
# one of our extensions.
NAME_PATTERN = re.compile(r"([A-Za-z0-9_-]{32})\.(" + "|".join(CONTENT_TYPES) + ")")


@dataclass(frozen=True)
class StoredPhoto:
    token: str
    content_type: str
    size: int
    width: int
    height: int


def photo_dir() -> Path:
    """PHOTO_DIR (relative paths from the project root), or else DATA_DIR/photos; created when missing."""
    directory = settings.path("PHOTO_DIR") if settings.get("PHOTO_DIR").strip() else settings.data_dir() / "photos"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def served_file(directory: Path, name: str) -> Optional[Tuple[Path, str]]:
    """The file (and its content type) a photo URL's last part names, or None. The name must be a token of our
    alphabet and length with one of our extensions, so nothing else is ever joined into a path."""
    match = NAME_PATTERN.fullmatch(name)
    if match is None:
        return None
    path = directory / name
    return (path, CONTENT_TYPES[match.group(2)]) if path.is_file() else None


class PhotoStore:
    """Photos on `queue`'s database and in `directory`; each method is one short transaction, for any thread."""

    def __init__(self, queue: ReportQueue, directory: Path):
        self.queue = queue
        self.directory = directory

    @classmethod
    def from_env(cls, queue: Optional[ReportQueue] = None) -> "PhotoStore":
        """On `queue`, or the process's queue (opened on first use), and PHOTO_DIR."""
        return cls(queue or open_queue(), photo_dir())

    def accept(self, conversation: str, data: bytes) -> StoredPhoto:
        """Check, clean and keep the photo `conversation` sent, pending; PhotoRejected (with the reason for the
        resident) when it is not one we take."""
        photo = cleaned(data)
        stored = StoredPhoto(secrets.token_urlsafe(TOKEN_BYTES), photo.format.content_type, len(photo.data),
                             photo.width, photo.height)
        path = self.path(stored.token, stored.content_type)
        self._write(path, photo)
        try:
            with self.queue.writing() as session:
                session.add(Photo(token=stored.token, conversation=conversation, content_type=stored.content_type,
                                  size=stored.size, width=stored.width, height=stored.height,
                                  created_at=self.queue.clock()))
        except Exception:
            path.unlink(missing_ok=True)
            raise
        logger.info("photo accepted from %s: %s, %d bytes, %d×%d", for_log(conversation), stored.content_type,
                    stored.size, stored.width, stored.height)
        return stored

    def path(self, token: str, content_type: str) -> Path:
        return self.directory / f"{token}.{EXTENSIONS[content_type]}"

    def _write(self, path: Path, photo: CleanPhoto) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(photo.data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delete_of_conversation(self, conversation: str) -> int:
        """Every photo this conversation sent, filed or not; returns how many."""
        return self._delete(Photo.conversation == conversation)

    def delete_of_erased_reports(self) -> int:
        """The photos of every report whose resident's words retention erased: they go with the words."""
        erased = select(Report.id).where(Report.words_erased_at.is_not(None))
        return self._delete(Photo.report_id.in_(erased))

    def delete_pending(self, now: datetime) -> int:
        """Photos no report took within PENDING_FOR of being sent."""
        return self._delete(Photo.report_id.is_(None), Photo.created_at < now - PENDING_FOR)

    def _delete(self, *which: ColumnElement) -> int:
        with self.queue.reading() as session:
            rows = session.execute(select(Photo.id, Photo.token, Photo.content_type).where(*which)).all()
        if not rows:
            return 0
        for row in rows:
            self.path(row.token, row.content_type).unlink(missing_ok=True)
        with self.queue.writing() as session:
            session.execute(delete(Photo).where(Photo.id.in_([row.id for row in rows]))
                            .execution_options(synchronize_session=False))
        return len(rows)

    def count_of_conversation(self, conversation: str) -> int:
        """How many photos this conversation sent that are still kept."""
        with self.queue.reading() as session:
            return session.scalar(select(func.count()).select_from(Photo).where(Photo.conversation == conversation))
