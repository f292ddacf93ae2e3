"""Notes waiting for a resident (staff answers, status changes: bot/governance/notifications.py) on the chat
channels: in front of the bot's replies to the resident's next message (REST, the widget, WeChat's passive reply),
and whenever the widget's page checks.

Taking them reads the short memory and now and then the database, so it runs off the event loop; when the
database is unreachable the resident still gets the bot's answer, and the notes stay for the next message.
"""
import asyncio
import logging
from typing import Any, Dict, List, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel

from bot import rate_limits, senders
from bot.governance.notifications import Note, NotificationBox
from bot.rasa.channels.busy import Handler
from bot.rasa.channels.message_limit import too_long

logger = logging.getLogger(__name__)


def _take(conversation: str) -> List[Note]:
    """The conversation's undelivered notes, now marked shown; none when the database cannot be reached."""
    try:
        # The process's queue is opened on first use: a database down while the server starts does not stop it.
        return NotificationBox.from_env().take_for(conversation)
    except Exception as error:
        logger.warning("notes for %s not read, they wait for the next message: %s",
                       senders.for_log(conversation), type(error).__name__)
        return []


async def waiting_notes(conversation: str) -> List[Note]:
    return await asyncio.to_thread(_take, conversation)


def as_replies(conversation: str, notes: List[Note]) -> List[Dict[str, Any]]:
    """Notes as the bot's messages of the REST channel's JSON: text, and buttons when there are any."""
    replies: List[Dict[str, Any]] = []
    for note in notes:
        reply: Dict[str, Any] = {"recipient_id": conversation, "text": note.text}
        if note.buttons:
            reply["buttons"] = [{"title": title, "payload": payload} for title, payload in note.buttons]
        replies.append(reply)
    return replies


def _count_and_take(limit: rate_limits.Limit, conversation: str, wants_notes: bool) -> Tuple[bool, List[Note]]:
    if not limit.allows(conversation):
        return False, []
    return True, _take(conversation) if wants_notes else []


def limited_with_notes_first(on_new_message: Handler) -> Handler:
    """The conversation's rate limit (rate_limit.py), the length limit (message_limit.py), then the conversation's
    waiting notes in front of the bot's replies to a message.

    The count and the notes are read in one trip off the event loop, since every message makes it. A message
    over either limit gets its polite reply and leaves the notes waiting.
    A collected reply gets them added in front once the turn is over, so that a turn that said nothing is still
    answered "busy" (busy.py); a streamed one (`?stream=true`) gets them sent before the turn starts.
    rasa 3.6.21's REST webhook answers with the collector's `messages` once the handler returns, and streams a
    QueueOutputChannel as it is written (guard: tests/core/test_rasa_notes.py).
    """
    limit = rate_limits.per_conversation()

    async def handle(message: UserMessage) -> None:
        refusal = too_long(message)
        allowed, taken = await asyncio.to_thread(_count_and_take, limit, message.sender_id, refusal is None)
        output = message.output_channel
        if not allowed:
            await output.send_text_message(message.sender_id, rate_limits.TOO_MANY_MESSAGES_TEXT)
            return
        if refusal is not None:
            await output.send_text_message(message.sender_id, refusal)
            return
        notes = as_replies(message.sender_id, taken)
        if not notes:
            await on_new_message(message)
        elif isinstance(output, CollectingOutputChannel) and not isinstance(output, QueueOutputChannel):
            await on_new_message(message)
            output.messages[:0] = notes
        else:
            for note in notes:
                await output.send_text_with_buttons(message.sender_id, note["text"], note.get("buttons", []))
            await on_new_message(message)

    return handle
