"""Numbers residents quote, numbered per day in Asia/Shanghai: a report's ticket QJ{YYYYMMDD}-{NNNN} and a
consultation's ZX{YYYYMMDD}-{NNNN} (咨询), each with its own counter."""
import re
import unicodedata
from datetime import date
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.governance.models import ConsultationCounter, TicketCounter

PREFIX = "QJ"
CONSULTATION_PREFIX = "ZX"
_SEPARATORS = re.compile(r"[\s\-_—–]+")


def format_ticket(day: date, number: int, prefix: str = PREFIX) -> str:
    return f"{prefix}{day:%Y%m%d}-{number:04d}"


def normalise_ticket(text: str, prefix: str = PREFIX) -> Optional[str]:
    """The ticket number in `text` as we store it, however it was typed ("qj20240501 0001", full-width), or None."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    match = re.fullmatch(rf"{prefix}([0-9]{{8}})([0-9]{{4,}})", compact)
    return f"{prefix}{match.group(1)}-{match.group(2)}" if match else None


def normalise_consultation(text: str) -> Optional[str]:
    """A consultation number as we store it, however it was typed, or None."""
    return normalise_ticket(text, CONSULTATION_PREFIX)


def next_consultation(session: Session, day: date) -> str:
    """Take the next consultation number of `day`, as `next_ticket` does for reports."""
    return format_ticket(day, _next_number(session, ConsultationCounter, day), CONSULTATION_PREFIX)


def next_ticket(session: Session, day: date) -> str:
    """Take the next ticket number of `day` inside the caller's (writing) transaction.

    The counter row is updated in place, so concurrent writers queue on its row lock (PostgreSQL) or on the
    database write lock (SQLite) and each sees the number the previous one left; if the transaction rolls back,
    its number is given back with it.
    """
    return format_ticket(day, _next_number(session, TicketCounter, day))


def _next_number(session: Session, counter, day: date) -> int:
    key = f"{day:%Y%m%d}"
    if not _increment(session, counter, key):
        try:
            with session.begin_nested():
                session.add(counter(day=key, last_no=1))
        except IntegrityError:
            # Another writer created today's counter first; it is ours to increment now.
            _increment(session, counter, key)
    return session.execute(select(counter.last_no).where(counter.day == key)).scalar_one()


def _increment(session: Session, counter, key: str) -> bool:
    result = session.execute(
        update(counter)
        .where(counter.day == key)
        .values(last_no=counter.last_no + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
