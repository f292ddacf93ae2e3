"""ConsultationDesk: questions residents leave for the street's staff (转人工 / 留言), and staff's answers.

A consultation has its own number (ZX{YYYYMMDD}-{NNNN}), kept apart from problem reports and never handed to the
events backend. Residents' words are masked when stored. An answer is given once (a second one is refused with
AlreadyAnswered, so a resident never receives two different answers), and it reaches the resident through a
note written in the same transaction.
"""
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.governance import clock, messages
from bot.governance.errors import AlreadyAnswered, InvalidConsultation, UnknownConsultation
from bot.governance.models import CHANNEL_LENGTH, KEY_LENGTH, Consultation, ConsultationAddition
from bot.governance.notifications import notify
from bot.governance.queue import ReportQueue, open_queue
from bot.governance.tickets import next_consultation, normalise_consultation
from bot.personal_data.numbers import mask_personal_data

logger = logging.getLogger(__name__)

OPEN, ANSWERED = "open", "answered"
STATUS_LABELS = {OPEN: "待答复", ANSWERED: "已答复"}  # staff may type either the code or the label
MAX_QUESTION = 1000  # a question, an addition or an answer
MAX_CONTEXT = 4000  # the last few turns, which the bot gathers: a longer context keeps its end
STAFF_LENGTH = 64


@dataclass(frozen=True)
class ConsultationView:
    """A consultation as staff and the resident see it; times in Asia/Shanghai."""

    number: str
    sender_id: str
    channel: str
    question: str
    context: str
    created_at: datetime
    additions: Tuple[Tuple[datetime, str], ...]
    answer: Optional[str]
    answered_by: Optional[str]
    answered_at: Optional[datetime]

    @property
    def status(self) -> str:
        return OPEN if self.answered_at is None else ANSWERED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class ConsultationDesk:
    def __init__(self, queue: ReportQueue):
        self.queue = queue

    @classmethod
    def from_env(cls) -> "ConsultationDesk":
        return cls(open_queue())

    def open(self, sender_id: str, channel: str, question: str, context: str = "") -> ConsultationView:
        """Store a new question, numbered; `context` (the last turns) only with the resident's agreement."""
        question = _words(question, messages.QUESTION_EMPTY, MAX_QUESTION)
        context = mask_personal_data((context or "").strip())[-MAX_CONTEXT:]  # the latest turns matter most
        if not (sender_id or "").strip() or len(sender_id) > KEY_LENGTH or not channel or len(channel) > CHANNEL_LENGTH:
            raise InvalidConsultation(messages.ORIGIN_UNKNOWN)
        moment = self.queue.clock()
        with self.queue.writing() as session:
            consultation = Consultation(
                number=next_consultation(session, clock.local_day(moment)),
                sender_id=sender_id,
                channel=channel,
                question=question,
                context=context,
                created_at=moment,
            )
            session.add(consultation)
            session.flush()
            logger.info("consultation %s left (via %s)", consultation.number, channel)
            return _view(consultation)

    def add(self, number: str, sender_id: str, text: str) -> ConsultationView:
        """Add to a question not yet answered; only the conversation that asked it may."""
        text = _words(text, messages.QUESTION_EMPTY, MAX_QUESTION)
        with self.queue.writing() as session:
            consultation = _by_number(session, number)
            if consultation is None or consultation.sender_id != sender_id:
                raise UnknownConsultation(messages.UNKNOWN_CONSULTATION.format(number=number.strip()))
            if consultation.answered_at is not None:
                raise AlreadyAnswered(messages.ADDITION_TO_ANSWERED.format(number=consultation.number))
            consultation.additions.append(ConsultationAddition(text=text, at=self.queue.clock()))
            session.flush()
            return _view(consultation)

    def latest_open_for(self, sender_id: str) -> Optional[ConsultationView]:
        """This conversation's newest question still waiting for an answer, or None."""
        with self.queue.reading() as session:
            consultation = session.scalars(
                _consultations().where(Consultation.sender_id == sender_id, Consultation.answered_at.is_(None))
                .order_by(Consultation.created_at.desc(), Consultation.id.desc()).limit(1)
            ).one_or_none()
            return _view(consultation) if consultation else None

    def get(self, number: str) -> Optional[ConsultationView]:
        """The consultation with this number, typed any way (lowercase, spaces), or None."""
        with self.queue.reading() as session:
            consultation = _by_number(session, number)
            return _view(consultation) if consultation else None

    def list(self, status: Optional[str] = None, since: Optional[clock.Moment] = None,
             until: Optional[clock.Moment] = None, limit: int = 50) -> List[ConsultationView]:
        """Consultations newest first; `status` OPEN or ANSWERED; `since`/`until` days (both included) or aware
        datetimes."""
        query = _consultations()
        if status == OPEN:
            query = query.where(Consultation.answered_at.is_(None))
        elif status == ANSWERED:
            query = query.where(Consultation.answered_at.is_not(None))
        elif status is not None:
            raise ValueError(f"unknown consultation status {status!r}; expected {OPEN!r} or {ANSWERED!r}")
        if since is not None:
            query = query.where(Consultation.created_at >= clock.start_of(since))
        if until is not None:
            query = query.where(Consultation.created_at < clock.end_of(until))
        with self.queue.reading() as session:
            rows = session.scalars(query.order_by(Consultation.created_at.desc(), Consultation.id.desc()).limit(limit))
            return [_view(consultation) for consultation in rows]

    def answer(self, number: str, text: str, staff: str) -> ConsultationView:
        """Store staff's answer with who and when, and (same transaction) the note that brings it to the resident.

        An answer is final: answering again raises AlreadyAnswered, naming who answered and when.
        """
        text = _words(text, messages.ANSWER_EMPTY, MAX_QUESTION, mask=False)
        staff = (staff or "").strip()[:STAFF_LENGTH] or "工作人员"
        moment = self.queue.clock()
        with self.queue.writing() as session:
            consultation = _by_number(session, number, for_update=True)
            if consultation is None:
                raise UnknownConsultation(messages.UNKNOWN_CONSULTATION.format(number=number.strip()))
            if consultation.answered_at is not None:
                raise AlreadyAnswered(messages.ALREADY_ANSWERED.format(
                    number=consultation.number, staff=consultation.answered_by,
                    at=clock.local(consultation.answered_at)))
            consultation.answer = text
            consultation.answered_by = staff
            consultation.answered_at = moment
            notify(session, consultation.sender_id, consultation.channel,
                   answer_message(consultation.number, text), moment=moment)
            session.flush()
            logger.info("consultation %s answered", consultation.number)
            return _view(consultation)


def answer_message(number: str, answer: str) -> str:
    """What the resident receives for an answer (the note masks its numbers)."""
    return messages.CONSULTATION_ANSWERED.format(number=number, answer=answer)


def _words(text: str, empty: str, limit: int, mask: bool = True) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidConsultation(empty)
    if len(text) > limit:
        raise InvalidConsultation(messages.QUESTION_TOO_LONG.format(length=len(text), limit=limit))
    if "\x00" in text:
        raise InvalidConsultation(messages.UNSTORABLE_CHARACTER)
    return mask_personal_data(text) if mask else text


def _consultations():
    return select(Consultation).options(selectinload(Consultation.additions))


def _by_number(session: Session, number: str, for_update: bool = False) -> Optional[Consultation]:
    wanted = normalise_consultation(number)
    if wanted is None:
        return None
    query = _consultations().where(Consultation.number == wanted)
    return session.scalars(query.with_for_update() if for_update else query).one_or_none()


def _view(consultation: Consultation) -> ConsultationView:
    erased = consultation.words_erased_at is not None
    return ConsultationView(
        number=consultation.number,
        sender_id=consultation.sender_id,
        channel=consultation.channel,
        question=messages.ERASED_BY_RETENTION if erased else consultation.question,
        context="" if erased else consultation.context,
        created_at=clock.local(consultation.created_at),
        additions=tuple((clock.local(addition.at), addition.text) for addition in consultation.additions),
        answer=consultation.answer,
        answered_by=consultation.answered_by,
        answered_at=clock.local(consultation.answered_at) if consultation.answered_at else None,
    )

