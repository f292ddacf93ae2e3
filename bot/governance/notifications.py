"""The notification outbox: what staff or the events backend did that a resident should hear about (an answer, a
status change), written in the same transaction as the change, and delivered once.

A note reaches the resident one of two ways, whichever comes first: a worker pushes it (WeChat's customer-service
API; `claim_pushes` / `pushed`), or the channel shows it with the resident's next message or the widget's check
(`take_for`). Both mark it delivered with a conditional UPDATE, so it is shown once even with several servers and
workers. Every text is masked before it is stored: a note never carries a phone or ID-card number.

Every message of every resident asks for notes, and almost none has any, so the database is asked only when the
conversation's mark in the short memory (bot/short_memory.py, shared by every process) changed since the
conversation last found nothing waiting. A note's writer changes the mark after its transaction commits; a look
that finds nothing undelivered records the mark it read before looking. So a note committed after that look
changed the mark after it was read, and the next message looks again. Where the memory lost a mark, was
unreachable, or a writer died between its commit and the mark, the database is asked at the latest once the
record of the last look expires (LOOK_AGAIN_SECONDS): a note may come a message or minutes late, never not at all.
Every process that writes notes (the outbox worker, the action server, `queue` commands) must therefore share the
Rasa server's short memory: the same DATA_DIR, or the same REDIS_URL.
"""
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, List, Optional, Tuple

from sqlalchemy import and_, bindparam, event, or_, select, update
from sqlalchemy.orm import Session

from bot import short_memory
from bot.governance.clock import now as utc_now
from bot.governance.models import Notification
from bot.personal_data.numbers import mask_personal_data

if TYPE_CHECKING:  # the queue writes notes itself (status changes), so it imports this module
    from bot.governance.queue import ReportQueue

logger = logging.getLogger(__name__)

PUSH, REPLY = "push", "reply"
# How long a look that found nothing is trusted; a mark outlives every look recorded before it was written, so a
# look recorded while a mark was missing has expired before that mark can go missing again by expiring.
LOOK_AGAIN_SECONDS = 300.0
MARK_SECONDS = 2 * LOOK_AGAIN_SECONDS
# session.info key: the conversations this session's transaction wrote notes for.
_NEW_NOTES = "conversations_with_new_notes"


@dataclass(frozen=True)
class Note:
    id: int
    conversation: str
    channel: str
    text: str
    buttons: Tuple[Tuple[str, str], ...]
    created_at: datetime


def notify(session: Session, conversation: str, channel: str, text: str,
           buttons: Iterable[Tuple[str, str]] = (), moment: Optional[datetime] = None) -> None:
    """Add a note for `conversation` inside the caller's write transaction: it is committed with the change it
    announces, or not at all. `moment` is the change's time (now by default)."""
    moment = moment or utc_now()
    session.add(Notification(
        conversation=conversation,
        channel=channel,
        text=mask_personal_data(text),
        buttons=json.dumps([[title, payload] for title, payload in buttons], ensure_ascii=False),
        created_at=moment,
        attempts=0,
        next_attempt_at=moment,
        last_error="",
    ))
    session.info.setdefault(_NEW_NOTES, set()).add(conversation)


@event.listens_for(Session, "after_commit")
def _mark_new_notes(session: Session) -> None:
    """Change the marks of the conversations a transaction wrote notes for, once it is committed (a savepoint's
    release is not the commit)."""
    if _NEW_NOTES not in session.info or session.in_nested_transaction():
        return
    for conversation in session.info.pop(_NEW_NOTES):
        try:
            short_memory.shared().keep(_keys(conversation)[0], secrets.token_hex(8), MARK_SECONDS)
        except Exception as error:  # the note is committed: it comes once the last look's record expires
            logger.warning("a new note's mark was not written (%s); it is shown within %d minutes",
                           type(error).__name__, LOOK_AGAIN_SECONDS // 60)


def _keys(conversation: str) -> Tuple[str, str]:
    """The conversation's mark, and the mark it had when the conversation last found no note waiting."""
    key = short_memory.digest(conversation)
    return f"notes:{key}", f"notes-looked:{key}"


def _last_look(conversation: str) -> Tuple[Optional[str], bool]:
    """The conversation's mark ("" for none), and whether it is the one of its last look that found nothing.
    (None, False) when the memory cannot be read."""
    try:
        mark, looked = short_memory.shared().recall(_keys(conversation))
    except Exception as error:
        logger.warning("notes marks not read (%s); the database is asked", type(error).__name__)
        return None, False
    mark = mark or ""
    return mark, looked == mark


def _record_look(conversation: str, mark: str) -> None:
    try:
        short_memory.shared().keep(_keys(conversation)[1], mark, LOOK_AGAIN_SECONDS)
    except Exception as error:  # the next message asks the database again
        logger.warning("a look for notes was not recorded (%s)", type(error).__name__)


_UNDELIVERED = select(Notification.claimed_until).where(
    Notification.conversation == bindparam("conversation"),
    Notification.delivered_at.is_(None),
)


class NotificationBox:
    """Notes on the governance database; each method is one short transaction, so one box serves many threads."""

    def __init__(self, queue: "ReportQueue"):
        self.queue = queue

    @classmethod
    def from_env(cls) -> "NotificationBox":
        from bot.governance.queue import open_queue

        return cls(open_queue())

    def take_for(self, conversation: str) -> List[Note]:
        """Every undelivered note of this conversation, oldest first, marked delivered by reply.

        A note a push worker holds right now is left to it (its push may already be on the wire); should the
        push fail, the note comes back here with the resident's next message. The database is asked only when the
        conversation's mark changed since it last found nothing (module docstring).
        """
        mark, nothing_since = _last_look(conversation)
        if nothing_since:
            return []
        now = self.queue.clock()
        waiting = and_(
            Notification.conversation == conversation,
            Notification.delivered_at.is_(None),
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        # One plain read, built once, for the messages that find nothing: no ORM session and no write lock.
        with self.queue.engine.connect() as connection:
            claims = connection.execute(_UNDELIVERED, {"conversation": conversation}).scalars().all()
        if not claims:
            if mark is not None:
                _record_look(conversation, mark)
            return []
        if all(claim is not None and claim >= now for claim in claims):  # all held by push workers
            return []
        with self.queue.writing() as session:
            candidates = session.scalars(
                select(Notification).where(waiting).order_by(Notification.created_at, Notification.id)
            ).all()
            taken = [note for note in candidates if _mark(session, note.id, waiting, now, REPLY)]
            return [_note(note) for note in taken]

    def claim_pushes(self, channel: str, limit: int, lease_seconds: float, worker_id: str) -> List[Note]:
        """Undelivered notes of `channel` due for a push, claimed by `worker_id` for `lease_seconds`.

        PostgreSQL: FOR UPDATE SKIP LOCKED lets workers pass over each other's rows; SQLite holds the write lock
        for the whole transaction. The conditional UPDATE takes a note only if still free on both.
        """
        now = self.queue.clock()
        due = and_(
            Notification.channel == channel,
            Notification.delivered_at.is_(None),
            Notification.next_attempt_at <= now,
            or_(Notification.claimed_by.is_(None), Notification.claimed_until < now),
        )
        with self.queue.writing() as session:
            candidates = session.scalars(
                select(Notification.id).where(due).order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit).with_for_update(skip_locked=True)
            ).all()
            claimed = [
                note_id for note_id in candidates
                if session.execute(
                    update(Notification).where(Notification.id == note_id, due)
                    .values(claimed_by=worker_id, claimed_until=now + timedelta(seconds=lease_seconds))
                    .execution_options(synchronize_session=False)
                ).rowcount == 1
            ]
            notes = session.scalars(
                select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)
            ).all()
            return [_note(note) for note in notes]

    def pushed(self, note_id: int, worker_id: str) -> bool:
        """The push went through: delivered. False if it had been delivered already (by reply, or by a worker
        whose claim ours replaced), or deleted on the resident's request. A push that went through counts even if
        `worker_id`'s lease ran out meanwhile: the resident has the message, so it must not be sent again."""
        now = self.queue.clock()
        with self.queue.writing() as session:
            delivered = _mark(session, note_id, Notification.delivered_at.is_(None), now, PUSH)
        return delivered

    def push_failed(self, note_id: int, error: str, retry_at: datetime) -> None:
        """The push failed: record why, release the claim, try again at `retry_at` (or with the next message)."""
        self._release(note_id, next_attempt_at=retry_at, attempts=Notification.attempts + 1, last_error=error)

    def push_deferred(self, note_id: int) -> None:
        """Not pushable now (WeChat's 48-hour window is closed): no more pushes, it waits for `take_for`."""
        self._release(note_id, next_attempt_at=None)

    def _release(self, note_id: int, **values) -> None:
        with self.queue.writing() as session:
            session.execute(
                update(Notification)
                .where(Notification.id == note_id, Notification.delivered_at.is_(None))
                .values(claimed_by=None, claimed_until=None, **values)
                .execution_options(synchronize_session=False)
            )


def _mark(session: Session, note_id: int, condition, now: datetime, via: str) -> bool:
    return session.execute(
        update(Notification)
        .where(Notification.id == note_id, condition)
        .values(delivered_at=now, delivered_via=via, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _note(row: Notification) -> Note:
    return Note(row.id, row.conversation, row.channel, row.text,
                tuple((title, payload) for title, payload in json.loads(row.buttons)), row.created_at)
