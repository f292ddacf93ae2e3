"""Residents' personal data leaving the governance queue: erased when its retention limit passes, or deleted with
the whole report when the resident asks (PIPL's right to deletion).

Retention erases the phone and the resident's own words (description, place) and keeps the rest (category,
status, dates, ticket number) for statistics; a report never closed keeps its words for staff, not its phone.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import case, delete, literal, select, update

from bot.governance.models import Report, UTCDateTime
from bot.governance.queue import ReportQueue
from bot.governance.statuses import CLOSED
from bot.governance.tickets import normalise_ticket
from bot.personal_data.limits import RetentionLimits


@dataclass(frozen=True)
class ForgottenReport:
    ticket_no: str
    backend_request_id: Optional[str]  # the event the backend holds a copy in, if it was handed on


def erase_expired(queue: ReportQueue, limits: RetentionLimits, now: datetime) -> Tuple[int, int]:
    """Apply the retention limits; returns (closed reports whose personal data was erased, open reports whose
    phone was erased). A closed report counts from its last status change, when it was closed."""
    with queue.writing() as session:
        closed = session.execute(
            update(Report)
            .where(Report.status == CLOSED, Report.updated_at < limits.closed_reports_before(now),
                   Report.words_erased_at.is_(None))
            .values(description="", location="", phone=None, words_erased_at=now,
                    phone_erased_at=case((Report.phone.is_not(None), literal(now, UTCDateTime)),
                                         else_=Report.phone_erased_at))
            .execution_options(synchronize_session=False)
        ).rowcount
        phones = session.execute(
            update(Report)
            .where(Report.status != CLOSED, Report.created_at < limits.open_reports_before(now),
                   Report.phone.is_not(None))
            .values(phone=None, phone_erased_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return closed, phones


def conversation_of(queue: ReportQueue, ticket_no: str) -> Optional[str]:
    """The conversation that filed this ticket (typed any way a resident might), or None."""
    wanted = normalise_ticket(ticket_no)
    if wanted is None:
        return None
    with queue.reading() as session:
        return session.scalars(select(Report.sender_id).where(Report.ticket_no == wanted)).one_or_none()


def reports_of(queue: ReportQueue, sender_id: str) -> List[ForgottenReport]:
    """Every report this conversation filed, oldest first."""
    with queue.reading() as session:
        rows = session.execute(
            select(Report.ticket_no, Report.backend_request_id).where(Report.sender_id == sender_id).order_by(Report.id)
        ).all()
    return [ForgottenReport(ticket_no, request_id) for ticket_no, request_id in rows]


def forget_sender(queue: ReportQueue, sender_id: str) -> List[ForgottenReport]:
    """Delete every report this conversation filed, with its history, delivery attempts and outbox entry; returns
    them (with the backend event each was handed on as, read in the same transaction)."""
    with queue.writing() as session:
        rows = session.execute(
            select(Report.id, Report.ticket_no, Report.backend_request_id)
            .where(Report.sender_id == sender_id).order_by(Report.id).with_for_update()
        ).all()
        if rows:
            # Row by row through the ORM would load each report's children; the foreign keys cascade instead.
            session.execute(delete(Report).where(Report.id.in_([row.id for row in rows]))
                            .execution_options(synchronize_session=False))
    return [ForgottenReport(row.ticket_no, row.backend_request_id) for row in rows]
