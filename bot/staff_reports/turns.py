"""What residents typed, read from the conversation store's events, with what the bot first said back.

Staff reports count questions, not every message: a button tap ("/ask_…") names its intent itself, and a message
sent while a form is open (a report's place or phone number, a question left for staff, a rating's comment)
answers the form. Both are marked here so that every report leaves them out the same way.
"""
import json
from dataclasses import dataclass
from typing import Dict, Iterator, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.conversation_store import events

# Events that end whatever form was open: Rasa starts a new session or the conversation over without one.
_RESETS = ("session_started", "restart")


@dataclass
class ResidentTurn:
    """One message a resident typed (as stored: numbers masked), how Rasa's NLU read it, and the bot's first reply."""

    sender_id: str
    timestamp: float
    text: str
    intent: str
    confidence: float
    parse_data: dict
    in_form: bool
    reply_text: str = ""


def resident_turns(connection: Connection, since: Optional[float] = None) -> Iterator[ResidentTurn]:
    """Every typed message (never a button tap) since the Unix time `since`, oldest first; a turn is yielded once
    its reply is known (the conversation's next bot message, or none before the resident's next message)."""
    query = (
        sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name, events.c.data)
        .where(events.c.type_name.in_(("user", "bot", "active_loop") + _RESETS))
        .order_by(events.c.id)
    )
    if since is not None:
        query = query.where(events.c.timestamp >= since)
    in_form: Dict[str, bool] = {}
    waiting: Dict[str, ResidentTurn] = {}
    for sender_id, type_name, timestamp, intent_name, data in connection.execute(query):
        event = _decoded(data)
        if type_name in _RESETS or type_name == "active_loop":
            in_form[sender_id] = type_name == "active_loop" and bool(event.get("name"))
            continue
        if type_name == "bot":
            turn = waiting.pop(sender_id, None)
            if turn is not None:
                turn.reply_text = str(event.get("text") or "")
                yield turn
            continue
        if sender_id in waiting:
            yield waiting.pop(sender_id)
        text = str(event.get("text") or "").strip()
        if not text or text.startswith("/"):
            continue
        parse_data = event.get("parse_data") or {}
        intent = parse_data.get("intent") or {}
        waiting[sender_id] = ResidentTurn(
            sender_id=sender_id,
            timestamp=timestamp or 0.0,
            text=text,
            intent=intent_name or intent.get("name") or "",
            confidence=float(intent.get("confidence") or 0.0),
            parse_data=parse_data,
            in_form=in_form.get(sender_id, False),
        )
    yield from sorted(waiting.values(), key=lambda turn: turn.timestamp)


def _decoded(data: Optional[str]) -> dict:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}
