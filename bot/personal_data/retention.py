"""Retention: what the outbox worker deletes at start and then daily (the bundled events backend sweeps its own
copies the same way, bot/events_backend/store.py).

- conversations whose last message is older than RETENTION_CONVERSATION_DAYS, every event of them (this is also
  where `report unanswered` reads residents' questions, so they go with them);
- a closed report's phone and the resident's words, RETENTION_CLOSED_REPORT_DAYS after closing, when the
  conversation ids naming the resident (its sender's, its followers', its photos') become digests;
- the phone of a report never closed, RETENTION_OPEN_REPORT_DAYS after filing;
- an answered consultation's question, context and additions, RETENTION_CLOSED_REPORT_DAYS after the answer
  (its number, dates and staff's answer stay; its sender becomes a digest);
- notifications, RETENTION_CONVERSATION_DAYS after they were delivered (or written, if never delivered);
- photos (file and row, bot/photos/store.py): a report's with the resident's words, and a photo no report took a
  day after it was sent;
- the staff console's audit log entries, RETENTION_AUDIT_DAYS after they were made;
- masked, not deleted: the call-back number of a report form left unfinished, once its session has expired.
"""
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from bot import conversation_store
from bot.console import audit
from bot.governance import erasure
from bot.governance.queue import ReportQueue
from bot.personal_data.limits import RetentionLimits
from bot.photos.store import PhotoStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionSummary:
    conversations: int
    closed_reports: int
    open_report_phones: int
    answered_consultations: int = 0
    notifications: int = 0
    photos: int = 0
    audit_entries: int = 0

    def __str__(self) -> str:
        return (f"删除对话 {self.conversations} 段，删除已办结工单的个人信息 {self.closed_reports} 件，"
                f"删除长期未办结工单的电话 {self.open_report_phones} 件，删除已答复留言的居民原话 "
                f"{self.answered_consultations} 条，删除过期通知 {self.notifications} 条，删除照片 {self.photos} 张，"
                f"删除过期审计日志 {self.audit_entries} 条")


class Retention:
    """One sweep per call: `Retention(queue, limits, tracker_db_url, photos)(now)`; without `photos`, photo files
    are not swept."""

    def __init__(self, queue: ReportQueue, limits: RetentionLimits, tracker_db_url: str,
                 photos: Optional[PhotoStore] = None):
        self.queue = queue
        self.limits = limits
        self.tracker_db_url = tracker_db_url
        self.photos = photos

    @classmethod
    def from_env(cls, queue: ReportQueue) -> "Retention":
        return cls(queue, RetentionLimits.from_env(), conversation_store.default_db_url(), PhotoStore.from_env(queue))

    def __call__(self, now: datetime) -> RetentionSummary:
        engine = conversation_store.connect(self.tracker_db_url)
        try:
            conversations = conversation_store.delete_idle(engine, self.limits.conversations_before(now))
            abandoned = conversation_store.mask_abandoned_phones(engine, now - conversation_store.session_expiry())
        finally:
            engine.dispose()
        closed, phones = erasure.erase_expired(self.queue, self.limits, now)
        consultations, notifications = erasure.erase_expired_messages(self.queue, self.limits, now)
        photos = 0
        if self.photos is not None:
            photos = self.photos.delete_of_erased_reports() + self.photos.delete_pending(now)
        audit_entries = audit.delete_before(self.limits.audit_entries_before(now), self.queue)
        summary = RetentionSummary(conversations, closed, phones, consultations, notifications, photos, audit_entries)
        logger.info("retention: deleted %d conversations, erased the personal data of %d closed reports and the "
                    "phone of %d open ones, the words of %d answered consultations, deleted %d notifications, "
                    "%d photos and %d audit log entries; masked %d phones of abandoned report forms", conversations,
                    closed, phones, consultations, notifications, photos, audit_entries, abandoned)
        return summary
