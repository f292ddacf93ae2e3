"""Residents' personal data leaving the governance queue: erased when its retention limit passes, or deleted with
the whole report when the resident asks (PIPL's right to deletion).

Retention erases the phone and the resident's own words (description, place, rating comment) and keeps the rest
(category, status, rating, dates, ticket number) for statistics; a report never closed keeps its words for staff,
not its phone. An answered consultation loses the resident's words (question, context, additions) as a closed
report does, and keeps its number, dates and staff's answer; notifications go with the conversation they were
written for, RETENTION_CONVERSATION_DAYS after they were delivered (or written, if never delivered). A report's
photos go with its words: they are files as well as rows, so bot/photos/store.py deletes them, right after these
erasures (bot/personal_data/retention.py) and with the conversation on request (bot/personal_data/forget.py).

With the words goes the conversation id that names the resident (`wechat:<openid>`): the report's sender, its
followers and its photos, and an answered consultation's sender, become `senders.erased_conversation` digests. The
resident no longer finds such a ticket among theirs (nor can rate it); its number still finds it.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import and_, bindparam, case, delete, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.governance.models import (
    Consultation,
    ConsultationAddition,
    Notification,
    Photo,
    Report,
    ReportFollower,
    UTCDateTime,
)
from bot.governance.queue import ReportQueue
from bot.governance.statuses import CLOSED
from bot.governance.tickets import normalise_consultation, normalise_ticket
from bot.personal_data.limits import RetentionLimits
from bot.senders import ERASED_PREFIX, erased_conversation


@dataclass(frozen=True)
class ForgottenReport:
    ticket_no: str
    backend_request_id: Optional[str]  # the event the backend holds a copy in, if it was handed on


def erase_expired(queue: ReportQueue, limits: RetentionLimits, now: datetime) -> Tuple[int, int]:
    """Apply the retention limits; returns (closed reports whose personal data was erased, open reports whose
    phone was erased). A closed report counts from its last status change, when it was closed."""
    with queue.writing() as session:
        due = list(session.scalars(
            select(Report.id).where(Report.status == CLOSED, Report.updated_at < limits.closed_reports_before(now),
                                    Report.words_erased_at.is_(None)).with_for_update()))
        closed = session.execute(
            update(Report)
            .where(Report.id.in_(due))
            .values(description="", location="", phone=None, satisfaction_comment=None, words_erased_at=now,
                    phone_erased_at=case((Report.phone.is_not(None), literal(now, UTCDateTime)),
                                         else_=Report.phone_erased_at))
            .execution_options(synchronize_session=False)
        ).rowcount
        for column, owner in ((Report.sender_id, Report.id), (ReportFollower.conversation, ReportFollower.report_id),
                              (Photo.conversation, Photo.report_id)):
            _pseudonymise(session, column, owner.in_(due))
        phones = session.execute(
            update(Report)
            .where(Report.status != CLOSED, Report.created_at < limits.open_reports_before(now),
                   Report.phone.is_not(None))
            .values(phone=None, phone_erased_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return closed, phones


def erase_expired_messages(queue: ReportQueue, limits: RetentionLimits, now: datetime) -> Tuple[int, int]:
    """Apply the retention limits to consultations and notifications; returns (answered consultations whose
    resident's words were erased, notifications deleted)."""
    with queue.writing() as session:
        due = list(session.scalars(
            select(Consultation.id).where(Consultation.answered_at < limits.closed_reports_before(now),
                                          Consultation.words_erased_at.is_(None)).with_for_update()))
        session.execute(delete(ConsultationAddition).where(ConsultationAddition.consultation_id.in_(due))
                        .execution_options(synchronize_session=False))
        consultations = session.execute(
            update(Consultation).where(Consultation.id.in_(due)).values(question="", context="", words_erased_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        _pseudonymise(session, Consultation.sender_id, Consultation.id.in_(due))
        before = limits.conversations_before(now)
        notifications = session.execute(
            delete(Notification).where(or_(Notification.delivered_at < before,
                                           and_(Notification.delivered_at.is_(None), Notification.created_at < before)))
            .execution_options(synchronize_session=False)
        ).rowcount
    return consultations, notifications


def _pseudonymise(session: Session, column, which) -> None:
    """Put `erased_conversation` digests in place of the conversation ids in `column` of the rows `which` picks."""
    table = column.class_.__table__
    rows = session.execute(select(table.c.id, column).where(which, ~column.startswith(ERASED_PREFIX))).all()
    if rows:
        session.connection().execute(
            table.update().where(table.c.id == bindparam("row_id")).values({column.key: bindparam("digest")}),
            [{"row_id": row_id, "digest": erased_conversation(conversation)} for row_id, conversation in rows])


def conversation_of(queue: ReportQueue, number: str) -> Optional[str]:
    """The conversation that filed this ticket, or left this consultation (typed any way), or None."""
    ticket, consultation = normalise_ticket(number), normalise_consultation(number)
    if ticket is None and consultation is None:
        return None
    query = (select(Report.sender_id).where(Report.ticket_no == ticket) if ticket
             else select(Consultation.sender_id).where(Consultation.number == consultation))
    with queue.reading() as session:
        return session.scalars(query).one_or_none()


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


def consultations_of(queue: ReportQueue, sender_id: str) -> List[str]:
    """The numbers of every consultation this conversation left, oldest first."""
    with queue.reading() as session:
        return list(session.scalars(select(Consultation.number).where(Consultation.sender_id == sender_id)
                                    .order_by(Consultation.id)))


def forget_messages(queue: ReportQueue, sender_id: str) -> Tuple[List[str], int]:
    """Delete every consultation this conversation left (with its additions), every notification written for it and
    its following of other residents' tickets; returns (the consultations' numbers, how many notifications)."""
    with queue.writing() as session:
        numbers = list(session.scalars(select(Consultation.number).where(Consultation.sender_id == sender_id)
                                       .order_by(Consultation.id).with_for_update()))
        session.execute(delete(Consultation).where(Consultation.sender_id == sender_id)
                        .execution_options(synchronize_session=False))
        notifications = session.execute(delete(Notification).where(Notification.conversation == sender_id)
                                        .execution_options(synchronize_session=False)).rowcount
        session.execute(delete(ReportFollower).where(ReportFollower.conversation == sender_id)
                        .execution_options(synchronize_session=False))
    return numbers, notifications
