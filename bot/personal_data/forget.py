"""`privacy forget`: delete one resident's data on their request (PIPL's right to deletion), everywhere we keep
it: their conversation, their reports (with history, delivery attempts and outbox entry), the photos they sent
(files and rows), their questions for staff (consultations), the notifications written for them, and the bundled
events backend's copies. An external 云治前进 keeps its copies until its staff delete them: we name the events.

The backend's copies go first: should it be unreachable, nothing is deleted and the command can simply be run
again. A report handed on while we delete is caught by the outbox worker, which deletes the new event too.
"""
import logging
from dataclasses import dataclass, field
from typing import List, Optional

from sqlalchemy.engine import Engine

from bot import conversation_store
from bot.governance import erasure
from bot.governance.erasure import ForgottenReport
from bot.governance.open311 import BackendError, Open311Client
from bot.governance.queue import ReportQueue
from bot.governance.tickets import normalise_consultation, normalise_ticket
from bot.photos.store import PhotoStore
from bot.senders import for_log

logger = logging.getLogger(__name__)


class NotFound(Exception):
    """Neither a ticket number we issued nor a conversation we hold."""


@dataclass(frozen=True)
class Plan:
    conversation: str
    events: int
    reports: List[ForgottenReport]
    consultations: List[str] = field(default_factory=list)
    photos: int = 0


@dataclass
class Forgotten:
    conversation: str
    events: int = 0
    reports: List[ForgottenReport] = field(default_factory=list)
    backend_deleted: List[str] = field(default_factory=list)  # events deleted in the bundled backend
    backend_left: List[str] = field(default_factory=list)  # events the backend's staff must delete
    consultations: List[str] = field(default_factory=list)
    notifications: int = 0
    photos: int = 0


class Forgetting:
    """`backend`: a client of the bundled events backend, which deletes on request; None for an external one."""

    def __init__(self, queue: ReportQueue, conversations: Engine, backend: Optional[Open311Client],
                 photos: PhotoStore):
        self.queue = queue
        self.conversations = conversations
        self.backend = backend
        self.photos = photos

    def conversation_of(self, wanted: str) -> str:
        """The conversation a ticket or consultation number came from, or the conversation id itself; NotFound
        otherwise."""
        wanted = wanted.strip()
        if normalise_ticket(wanted) or normalise_consultation(wanted):
            conversation = erasure.conversation_of(self.queue, wanted)
            if conversation is not None:
                return conversation
        if (erasure.reports_of(self.queue, wanted) or erasure.consultations_of(self.queue, wanted)
                or self.photos.count_of_conversation(wanted)
                or conversation_store.count_events(self.conversations, wanted)):
            return wanted
        raise NotFound(wanted)

    def plan(self, conversation: str) -> Plan:
        return Plan(conversation, conversation_store.count_events(self.conversations, conversation),
                    erasure.reports_of(self.queue, conversation), erasure.consultations_of(self.queue, conversation),
                    self.photos.count_of_conversation(conversation))

    def forget(self, conversation: str) -> Forgotten:
        """Delete everything of this conversation; BackendError (nothing deleted) if the bundled backend is down."""
        done = Forgotten(conversation)
        known = [report.backend_request_id for report in erasure.reports_of(self.queue, conversation)
                 if report.backend_request_id]
        if self.backend is not None:
            for request_id in known:
                self._delete_event(request_id, done)
        # Every photo it sent, filed with a report or not (files, then rows).
        done.photos = self.photos.delete_of_conversation(conversation)
        done.reports = erasure.forget_sender(self.queue, conversation)
        done.consultations, done.notifications = erasure.forget_messages(self.queue, conversation)
        for report in done.reports:
            request_id = report.backend_request_id
            if not request_id or request_id in done.backend_deleted:
                continue
            if self.backend is None:
                done.backend_left.append(request_id)
                continue
            try:  # handed on between the first round of deletions and now
                self._delete_event(request_id, done)
            except BackendError:
                done.backend_left.append(request_id)
        done.events = conversation_store.delete_conversation(self.conversations, conversation)
        logger.info("forgot conversation %s on request: %d events, %d reports, %d photos, %d consultations, "
                    "%d notifications, %d backend events deleted, %d left to the backend's staff",
                    for_log(conversation), done.events, len(done.reports), done.photos, len(done.consultations),
                    done.notifications, len(done.backend_deleted), len(done.backend_left))
        return done

    def _delete_event(self, request_id: str, done: Forgotten) -> None:
        self.backend.delete(request_id)  # False (already gone) is as good as deleted
        done.backend_deleted.append(request_id)
