"""Ticket numbers residents quote to check progress: QJ{YYYYMMDD}-{NNNN}, numbered per day in Asia/Shanghai."""
import re
import unicodedata
from datetime import date
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.governance.models import TicketCounter

PREFIX = "QJ"
_COMPACT = re.compile(rf"{PREFIX}([0-9]{{8}})([0-9]{{4,}})")
_SEPARATORS = re.compile(r"[\s\-_—–]+")


def format_ticket(day: date, number: int) -> str:
    return f"{PREFIX}{day:%Y%m%d}-{number:04d}"


def normalise_ticket(text: str) -> Optional[str]:
    """The ticket number in `text` as we store it, however it was typed ("qj20240501 0001", full-width), or None."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    match = _COMPACT.fullmatch(compact)
    return f"{PREFIX}{match.group(1)}-{match.group(2)}" if match else None


def next_ticket(session: Session, day: date) -> str:
    """Take the next number of `day` inside the caller's (writing) transaction.

    The counter row is updated in place, so concurrent writers queue on its row lock (PostgreSQL) or on the
    database write lock (SQLite) and each sees the number the previous one left; if the transaction rolls back,
    its number is given back with it.
    """
    key = f"{day:%Y%m%d}"
    if not _increment(session, key):
        try:
            with session.begin_nested():
                session.add(TicketCounter(day=key, last_no=1))
        except IntegrityError:
            # Another writer created today's counter first; it is ours to increment now.
            _increment(session, key)
    number = session.execute(select(TicketCounter.last_no).where(TicketCounter.day == key)).scalar_one()
    return format_ticket(day, number)


def _increment(session: Session, key: str) -> bool:
    result = session.execute(
        update(TicketCounter)
        .where(TicketCounter.day == key)
        .values(last_no=TicketCounter.last_no + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
