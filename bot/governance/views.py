"""What residents and staff see of a report: plain frozen values, times in Asia/Shanghai, phone masked, and one
text where retention erased the resident's personal data."""
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Tuple

from bot.governance import clock
from bot.governance.messages import ERASED_BY_RETENTION
from bot.governance.models import Report
from bot.governance.statuses import label
from bot.personal_data.numbers import mask_personal_data

PENDING, DELIVERED, REJECTED = "pending", "delivered", "rejected"
DELIVERY_LABELS = {PENDING: "待转派", DELIVERED: "已转至云治前进", REJECTED: "被事件平台拒收，需人工处理"}


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    status_label: str
    note: str
    source: str
    at: datetime


@dataclass(frozen=True)
class ReportView:
    ticket_no: str
    category: str
    location: str
    description: str
    phone_masked: Optional[str]
    status: str
    status_label: str
    created_at: datetime
    updated_at: datetime
    history: Tuple[HistoryEntry, ...]
    # Hand-over to the events backend (for staff): one of PENDING, DELIVERED, REJECTED, and the last error.
    delivery: str
    delivery_error: str
    # The conversation that filed it: only that resident is shown its category and place by ticket number.
    sender_id: str
    channel: str = ""
    # The resident's rating once closed (满意 / 基本满意 / 不满意, or None), their comment, and the 回访 flag.
    satisfaction: Optional[str] = None
    satisfaction_comment: Optional[str] = None
    rated_at: Optional[datetime] = None
    revisit: bool = False
    # Photo tokens in the order sent (bot.photos.urls gives their addresses), a shared location, and how many other
    # residents follow this ticket.
    photos: Tuple[str, ...] = ()
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    followers: int = 0


def report_view(report: Report) -> ReportView:
    return ReportView(
        ticket_no=report.ticket_no,
        category=report.category,
        location=ERASED_BY_RETENTION if report.words_erased_at else report.location,
        description=ERASED_BY_RETENTION if report.words_erased_at else report.description,
        phone_masked=_phone(report),
        status=report.status,
        status_label=label(report.status),
        created_at=clock.local(report.created_at),
        updated_at=clock.local(report.updated_at),
        history=tuple(
            HistoryEntry(change.status, label(change.status), change.note, change.source, clock.local(change.at))
            for change in report.history
        ),
        delivery=_delivery(report),
        delivery_error=report.outbox.last_error if report.outbox else "",
        sender_id=report.sender_id,
        channel=report.channel,
        satisfaction=report.satisfaction,
        satisfaction_comment=report.satisfaction_comment,
        rated_at=clock.local(report.rated_at) if report.rated_at else None,
        revisit=bool(report.revisit),
        photos=tuple(photo.token for photo in report.photos),
        latitude=None if report.words_erased_at else report.latitude,
        longitude=None if report.words_erased_at else report.longitude,
        followers=len(report.followers),
    )


def _phone(report: Report) -> Optional[str]:
    if report.phone:
        return mask_personal_data(report.phone)
    return ERASED_BY_RETENTION if report.phone_erased_at else None


def _delivery(report: Report) -> str:
    if report.outbox is None or report.outbox.delivered_at is not None:
        return DELIVERED
    return REJECTED if report.outbox.rejected_at is not None else PENDING

