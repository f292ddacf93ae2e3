"""Finding reports and consultations for the console's lists: the filters the `queue list` command has (status,
days) and those a screen needs on top (category, 回访, words or a number, pages).

Only the numbers of one page are selected here; each is then read with the queue's own `get`, so a list shows
exactly what `queue show` shows.
"""
from dataclasses import dataclass
from datetime import date
from typing import List, Optional, Tuple

from sqlalchemy import func, or_, select

from bot.governance import clock
from bot.governance.consultations import ANSWERED, OPEN, ConsultationDesk, ConsultationView
from bot.governance.models import Consultation, Report
from bot.governance.queue import ReportQueue
from bot.governance.tickets import normalise_consultation, normalise_ticket
from bot.governance.views import ReportView

MAX_WORDS = 100


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to; None / empty means "any"."""

    status: Optional[str] = None
    category: Optional[str] = None
    since: Optional[date] = None
    until: Optional[date] = None
    revisit: bool = False
    words: str = ""


def find_reports(queue: ReportQueue, filters: Filters, offset: int, limit: int) -> Tuple[List[ReportView], int]:
    """One page of the reports that match, newest first, and how many match in all."""
    conditions = []
    if filters.status:
        conditions.append(Report.status == filters.status)
    if filters.category:
        conditions.append(Report.category == filters.category)
    if filters.revisit:
        conditions.append(Report.revisit.is_(True))
    conditions += _days(Report.created_at, filters)
    if filters.words:
        ticket = normalise_ticket(filters.words)
        conditions.append(Report.ticket_no == ticket if ticket else or_(
            *(_contains(column, filters.words) for column in (Report.description, Report.location))))
    return queue.page(conditions, offset, limit)


def find_consultations(queue: ReportQueue, filters: Filters, offset: int,
                       limit: int) -> Tuple[List[ConsultationView], int]:
    """One page of the consultations that match, newest first, and how many match in all."""
    conditions = []
    if filters.status == OPEN:
        conditions.append(Consultation.answered_at.is_(None))
    elif filters.status == ANSWERED:
        conditions.append(Consultation.answered_at.is_not(None))
    conditions += _days(Consultation.created_at, filters)
    if filters.words:
        number = normalise_consultation(filters.words)
        conditions.append(Consultation.number == number if number else or_(
            *(_contains(column, filters.words) for column in (Consultation.question, Consultation.answer))))
    with queue.reading() as session:
        total = session.scalar(select(func.count(Consultation.id)).where(*conditions))
        numbers = list(session.scalars(
            select(Consultation.number).where(*conditions)
            .order_by(Consultation.created_at.desc(), Consultation.id.desc()).offset(offset).limit(limit)))
    desk = ConsultationDesk(queue)
    return [view for view in map(desk.get, numbers) if view is not None], total


def _days(column, filters: Filters) -> list:
    conditions = []
    if filters.since is not None:
        conditions.append(column >= clock.start_of(filters.since))
    if filters.until is not None:
        conditions.append(column < clock.end_of(filters.until))
    return conditions


def _contains(column, words: str):
    """`column` contains `words` as typed (% and _ are literal characters, not wildcards)."""
    escaped = words[:MAX_WORDS].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
