"""ReportQueue: where residents' reports are kept, numbered, looked up and moved along.

Every method opens its own short session, so one queue can be shared by threads. Submitting writes the report,
its first status and its outbox entry in one transaction: a report is never stored without being handed on.
"""
import json
import logging
import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from bot.governance import db, messages
from bot.governance.clock import Moment, end_of, local_day, now as utc_now, start_of
from bot.governance.drafts import ReportDraft, validate
from bot.governance.errors import InvalidRating, NotRejected, UnknownTicket
from bot.governance.models import OutboxEntry, Photo, Report, ReportFollower, StatusChange
from bot.governance.notifications import notify
from bot.governance.statuses import CLOSED, DISSATISFIED, RATINGS, RECEIVED, SOURCES, label, parse_status
from bot.governance.tickets import next_ticket, normalise_ticket
from bot.governance.views import ReportView, report_view
from bot.personal_data.numbers import mask_personal_data

logger = logging.getLogger(__name__)


class ReportQueue:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utc_now):
        self.engine = engine
        self.clock = clock
        self._reader = sessionmaker(engine, future=True, expire_on_commit=False)
        self._writer = sessionmaker(db.writer(engine), future=True, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> "ReportQueue":
        """A queue on `url`, its schema brought up to date first."""
        engine = db.create_engine(url)
        db.upgrade_engine(engine)
        return cls(engine)

    @classmethod
    def from_env(cls) -> "ReportQueue":
        return cls.from_url(db.database_url())

    def close(self) -> None:
        self.engine.dispose()

    def reading(self) -> Session:
        """A session for reads (`with queue.reading() as session:`)."""
        return self._reader()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session inside a write transaction, committed when the block ends without an exception."""
        with self._writer() as session, session.begin():
            yield session

    def submit(self, draft: ReportDraft) -> ReportView:
        """Store a new report, or return the one already stored under the same idempotency key."""
        validate(draft)
        try:
            with self.writing() as session:
                report = _by_key(session, draft.idempotency_key) or self._add(session, draft)
                return report_view(report)
        except IntegrityError:
            # A concurrent submit with the same key committed first (PostgreSQL lets both reach INSERT).
            with self.reading() as session:
                report = _by_key(session, draft.idempotency_key)
                if report is None:
                    raise
                return report_view(report)

    def get(self, ticket_no: str) -> Optional[ReportView]:
        """The report with this ticket number, typed any way a resident might (lowercase, spaces), or None."""
        wanted = normalise_ticket(ticket_no)
        if wanted is None:
            return None
        with self.reading() as session:
            report = _by_ticket(session, wanted)
            return report_view(report) if report else None

    def list_for_sender(self, sender_id: str, limit: int = 5) -> List[ReportView]:
        """This resident's latest reports, newest first."""
        query = _reports().where(Report.sender_id == sender_id)
        return self._views(query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit))

    def list(
        self,
        status: Optional[str] = None,
        since: Optional[Moment] = None,
        until: Optional[Moment] = None,
        limit: int = 50,
    ) -> List[ReportView]:
        """Reports newest first; `since`/`until` are days (Asia/Shanghai, both included) or aware datetimes."""
        query = _reports()
        if status:
            query = query.where(Report.status == parse_status(status))
        if since is not None:
            query = query.where(Report.created_at >= start_of(since))
        if until is not None:
            query = query.where(Report.created_at < end_of(until))
        return self._views(query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit))

    def page(self, conditions: Sequence[Any], offset: int, limit: int) -> Tuple[List[ReportView], int]:
        """One page of the reports matching every SQL condition in `conditions`, newest first, and how many match
        in all (the console's filtered lists)."""
        with self.reading() as session:
            total = session.scalar(select(func.count(Report.id)).where(*conditions))
            query = _reports().where(*conditions).order_by(Report.created_at.desc(), Report.id.desc())
            return [report_view(report) for report in session.scalars(query.offset(offset).limit(limit))], total

    def set_status(self, ticket_no: str, status: str, note: str = "", source: str = "staff") -> ReportView:
        """Move a report to `status` (a code or its Chinese label) and record who did it and why."""
        code = parse_status(status)
        if source not in SOURCES:
            raise ValueError(f"unknown status source {source!r}; expected one of {SOURCES}")
        with self.writing() as session:
            report = _by_ticket(session, normalise_ticket(ticket_no) or ticket_no)
            if report is None:
                raise UnknownTicket(messages.UNKNOWN_TICKET.format(ticket_no=ticket_no.strip()))
            record_status(report, code, note, source, self.clock())
            session.flush()
            logger.info("report %s is now %s (by %s)", report.ticket_no, code, source)
            return report_view(report)

    def resend(self, ticket_no: str) -> ReportView:
        """Hand a report the events backend refused to the outbox again, once staff have fixed the cause."""
        with self.writing() as session:
            report = _by_ticket(session, normalise_ticket(ticket_no) or ticket_no)
            if report is None:
                raise UnknownTicket(messages.UNKNOWN_TICKET.format(ticket_no=ticket_no.strip()))
            entry = report.outbox
            if entry is None or entry.delivered_at is not None:
                raise NotRejected(messages.ALREADY_DELIVERED.format(ticket_no=report.ticket_no))
            if entry.rejected_at is None:
                raise NotRejected(messages.WAITING_FOR_DELIVERY.format(ticket_no=report.ticket_no))
            entry.rejected_at = None
            entry.next_attempt_at = self.clock()
            session.flush()
            logger.info("report %s queued again for the events backend (rejected: %s)", report.ticket_no,
                        entry.last_error)
            return report_view(report)

    def follow(self, ticket_no: str, conversation: str, channel: str) -> ReportView:
        """Let `conversation` (on `channel`) hear of this ticket's status changes, as its filer does: a resident who
        reported the same problem follows it instead of filing it again. Following twice, or one's own ticket,
        changes nothing."""
        try:
            with self.writing() as session:
                report = _by_ticket(session, normalise_ticket(ticket_no) or ticket_no)
                if report is None:
                    raise UnknownTicket(messages.UNKNOWN_TICKET.format(ticket_no=ticket_no.strip()))
                known = {report.sender_id} | {follower.conversation for follower in report.followers}
                if conversation not in known:
                    report.followers.append(
                        ReportFollower(conversation=conversation, channel=channel, created_at=self.clock())
                    )
                    session.flush()
                    logger.info("report %s has a new follower (%d in all)", report.ticket_no, len(report.followers))
                return report_view(report)
        except IntegrityError:
            # The same conversation followed it in a concurrent request (a double tap): it follows once.
            view = self.get(ticket_no)
            if view is None:
                raise
            return view

    def rate(self, sender_id: str, rating: str, ticket_no: Optional[str] = None) -> Optional[ReportView]:
        """Store the resident's rating of a closed report: the ticket named, or else this conversation's latest
        closed report not yet rated. Only the conversation that filed it may rate it, and may change its mind;
        不满意 flags the report for a return visit (回访), another rating clears that flag.

        None when there is nothing to rate (no such ticket of theirs, not closed yet); InvalidRating for a rating
        that is not one of RATINGS.
        """
        rating = (rating or "").strip()
        if rating not in RATINGS:
            raise InvalidRating(messages.UNKNOWN_RATING)
        with self.writing() as session:
            report = self._closed_of(session, sender_id, ticket_no)
            if report is None:
                return None
            report.satisfaction = rating
            report.rated_at = self.clock()
            report.revisit = rating == DISSATISFIED
            session.flush()
            logger.info("report %s rated %s", report.ticket_no, rating)
            return report_view(report)

    def comment_on_rating(self, sender_id: str, ticket_no: str, text: str) -> Optional[ReportView]:
        """Keep what the resident said about their rating (masked) on the rated ticket; None if they have not
        rated that ticket of theirs, or said nothing."""
        text = mask_personal_data((text or "").strip())
        if not text:
            return None
        with self.writing() as session:
            report = self._closed_of(session, sender_id, ticket_no)
            if report is None or report.satisfaction is None:
                return None
            report.satisfaction_comment = text
            session.flush()
            return report_view(report)

    def _closed_of(self, session: Session, sender_id: str, ticket_no: Optional[str]) -> Optional[Report]:
        query = _reports().where(Report.sender_id == sender_id, Report.status == CLOSED)
        if ticket_no is not None:
            wanted = normalise_ticket(ticket_no)
            if wanted is None:
                return None
            query = query.where(Report.ticket_no == wanted)
        else:
            query = query.where(Report.satisfaction.is_(None)).order_by(Report.updated_at.desc(), Report.id.desc())
        return session.scalars(query.limit(1)).one_or_none()

    def _add(self, session: Session, draft: ReportDraft) -> Report:
        moment = self.clock()
        report = Report(
            ticket_no=next_ticket(session, local_day(moment)),
            idempotency_key=draft.idempotency_key,
            sender_id=draft.sender_id,
            channel=draft.channel,
            category=draft.category,
            location=draft.location,
            description=draft.description,
            phone=draft.phone if draft.phone and draft.phone.strip() else None,
            status=RECEIVED,
            created_at=moment,
            updated_at=moment,
            latitude=draft.latitude,
            longitude=draft.longitude,
        )
        _attach_photos(session, report, draft)
        report.history.append(StatusChange(status=RECEIVED, note="", source="bot", at=moment))
        report.outbox = OutboxEntry(created_at=moment, next_attempt_at=moment, attempts=0, last_error="")
        session.add(report)
        session.flush()
        logger.info("report %s received (%s, via %s)", report.ticket_no, report.category, report.channel)
        return report

    def _views(self, query) -> List[ReportView]:
        with self.reading() as session:
            return [report_view(report) for report in session.scalars(query)]


def _attach_photos(session: Session, report: Report, draft: ReportDraft) -> None:
    """The draft's photos, in the order sent: only those this conversation sent and no report has taken yet (a
    token from elsewhere attaches nothing)."""
    if not draft.photos:
        return
    pending = select(Photo).where(
        Photo.token.in_(draft.photos), Photo.conversation == draft.sender_id, Photo.report_id.is_(None)
    )
    by_token = {photo.token: photo for photo in session.scalars(pending)}
    for position, photo in enumerate(by_token[token] for token in draft.photos if token in by_token):
        photo.position = position
        report.photos.append(photo)


def record_status(report: Report, status: str, note: str, source: str, moment: datetime) -> None:
    """Set the report's status, append the matching history entry and the note that tells the resident (the caller
    commits all three together).

    Residents are told their number is kept only while the problem is handled: closing masks it, in the phone
    field and wherever they wrote it into the description or the place.
    """
    if status == CLOSED:
        if report.phone:
            report.phone = mask_personal_data(report.phone)
        report.description = mask_personal_data(report.description)
        report.location = mask_personal_data(report.location)
    report.status = status
    report.updated_at = moment
    report.history.append(StatusChange(status=status, note=note or "", source=source, at=moment))
    _tell_resident(report, status, note, moment)


def _tell_resident(report: Report, status: str, note: str, moment: datetime) -> None:
    """The status change, as a note to the conversation that filed the report and to each that follows it (in the
    same transaction); on 已办结 it asks the filer for a rating, with one button per rating."""
    session = object_session(report)
    explained = [messages.STATUS_NOTE.format(note=note.strip())] if note and note.strip() else []
    lines = [messages.STATUS_CHANGED.format(ticket_no=report.ticket_no, status=label(status)), *explained]
    buttons = ()
    if status == CLOSED:
        lines.append(messages.SATISFACTION_QUESTION)
        buttons = tuple((rating, rating_payload(report.ticket_no, rating)) for rating in RATINGS)
    notify(session, report.sender_id, report.channel, "\n".join(lines), buttons, moment)
    followed = [messages.FOLLOWED_STATUS_CHANGED.format(ticket_no=report.ticket_no, status=label(status)), *explained]
    for follower in report.followers:
        notify(session, follower.conversation, follower.channel, "\n".join(followed), (), moment)


def rating_payload(ticket_no: str, rating: str) -> str:
    """The button payload a resident's rating comes back as (the conversation side's `rate_report` intent)."""
    return "/rate_report" + json.dumps({"ticket_no": ticket_no, "rating": rating}, ensure_ascii=False)


def _reports():
    return select(Report).options(
        selectinload(Report.history), selectinload(Report.outbox), selectinload(Report.photos),
        selectinload(Report.followers),
    )


def _by_key(session: Session, key: str) -> Optional[Report]:
    return session.scalars(_reports().where(Report.idempotency_key == key)).one_or_none()


def _by_ticket(session: Session, ticket_no: str) -> Optional[Report]:
    return session.scalars(_reports().where(Report.ticket_no == ticket_no)).one_or_none()


_opened: Dict[str, ReportQueue] = {}
_opened_lock = threading.Lock()


def open_queue() -> ReportQueue:
    """The process-wide queue on DATABASE_URL, created (and its schema upgraded) on first use; one per database,
    so a process whose DATABASE_URL changes (tests) gets the queue on the new one."""
    url = db.database_url()
    with _opened_lock:
        if url not in _opened:
            _opened[url] = ReportQueue.from_url(url)
        return _opened[url]
