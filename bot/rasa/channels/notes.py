"""Notes waiting for a resident (staff answers, status changes: bot/governance/notifications.py) on the chat
channels: in front of the bot's replies to the resident's next message (REST, the widget, WeChat's passive reply),
and whenever the widget's page checks.

Taking them is a database transaction, so it runs off the event loop; when the database is unreachable the
resident still gets the bot's answer, and the notes stay for the next message.
"""
import asyncio
import logging
from typing import Any, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel

from bot import senders
from bot.governance.notifications import Note, NotificationBox
from bot.rasa.channels.busy import Handler

logger = logging.getLogger(__name__)


def _take(conversation: str) -> List[Note]:
    # The process's queue is opened on first use: a database down while the server starts does not stop it.
    return NotificationBox.from_env().take_for(conversation)


async def waiting_notes(conversation: str) -> List[Note]:
    """The conversation's undelivered notes, now marked shown; none when the database cannot be reached."""
    try:
        return await asyncio.to_thread(_take, conversation)
    except Exception as error:
        logger.warning("notes for %s not read, they wait for the next message: %s",
                       senders.for_log(conversation), type(error).__name__)
        return []


def as_replies(conversation: str, notes: List[Note]) -> List[Dict[str, Any]]:
    """Notes as the bot's messages of the REST channel's JSON: text, and buttons when there are any."""
    replies: List[Dict[str, Any]] = []
    for note in notes:
        reply: Dict[str, Any] = {"recipient_id": conversation, "text": note.text}
        if note.buttons:
            reply["buttons"] = [{"title": title, "payload": payload} for title, payload in note.buttons]
        replies.append(reply)
    return replies


def notes_first(on_new_message: Handler) -> Handler:
    """Put the conversation's waiting notes in front of the bot's replies to a message.

    A collected reply gets them added in front once the turn is over, so that a turn that said nothing is still
    answered "busy" (busy.py); a streamed one (`?stream=true`) gets them sent before the turn starts.
    rasa 3.6.21's REST webhook answers with the collector's `messages` once the handler returns, and streams a
    QueueOutputChannel as it is written (guard: tests/core/test_rasa_notes.py).
    """

    async def handle(message: UserMessage) -> None:
        notes = as_replies(message.sender_id, await waiting_notes(message.sender_id))
        output = message.output_channel
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
