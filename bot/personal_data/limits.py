"""How long residents' personal data is kept (RETENTION_* settings), read once by each process that applies it."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import settings

# The outbox worker and the bundled events backend sweep at start and then once a day.
SWEEP_INTERVAL_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class RetentionLimits:
    conversation_days: int  # a conversation is deleted this long after its last message
    closed_report_days: int  # a closed report's phone and the resident's words are erased this long after closing
    open_report_days: int  # a report never closed loses its phone this long after filing
    audit_days: int = 365  # an entry of the staff console's audit log is deleted this long after it was made

    @classmethod
    def from_env(cls) -> "RetentionLimits":
        return cls(*(retention_days(key) for key in (
            "RETENTION_CONVERSATION_DAYS", "RETENTION_CLOSED_REPORT_DAYS", "RETENTION_OPEN_REPORT_DAYS",
            "RETENTION_AUDIT_DAYS")))

    def conversations_before(self, now: datetime) -> datetime:
        return now - timedelta(days=self.conversation_days)

    def closed_reports_before(self, now: datetime) -> datetime:
        return now - timedelta(days=self.closed_report_days)

    def open_reports_before(self, now: datetime) -> datetime:
        return now - timedelta(days=self.open_report_days)

    def audit_entries_before(self, now: datetime) -> datetime:
        return now - timedelta(days=self.audit_days)


def retention_days(key: str) -> int:
    """A RETENTION_* setting: a whole number of days, 1 or more (the web widget reads its history's here too)."""
    value = settings.get(key).strip()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{key} must be a whole number of days (1 or more), not {value!r}")
    return int(value)
