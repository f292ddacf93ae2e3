"""Find the ticket number a resident quotes ("查询 qj20261122 0007") in whatever else they wrote."""
import re
import unicodedata
from typing import Optional

from bot.governance.tickets import normalise_ticket

_TICKET = re.compile(r"QJ[\s\-_—–]*\d{8}[\s\-_—–]*\d{4,}", re.IGNORECASE)


def find_ticket_no(text: str) -> Optional[str]:
    """The first ticket number in `text`, as stored ("QJ20261122-0007"), or None."""
    match = _TICKET.search(unicodedata.normalize("NFKC", text or ""))
    return normalise_ticket(match.group(0)) if match else None
