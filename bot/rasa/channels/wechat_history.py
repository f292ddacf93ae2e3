"""What a WeChat conversation already holds, read from Rasa's tracker store, which every Rasa process shares.

WeChat delivers a message again when it got no reply within five seconds, and with several Sanic workers or
servers the retry may reach a process that never saw the first delivery. A resident's "2" may likewise reach a
process other than the one that listed the options. Both answers are in the conversation itself (`wechat:<openid>`):
each message is stored with its WeChat key (`UserUttered.message_id`), followed by the bot's messages that answered
it.
"""
import logging
from typing import Any, Dict, List, Optional, Sequence

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, Event, UserUttered

logger = logging.getLogger(__name__)

Message = Dict[str, Any]


def bot_message(event: BotUttered) -> Message:
    """A stored bot message as Rasa's collecting channel gives it: text plus buttons, image, ..."""
    message: Message = {key: value for key, value in (event.data or {}).items() if value}
    if event.text:
        message["text"] = event.text
    return message


def _answer(events: Sequence[Event]) -> List[Message]:
    """The bot's messages from the start of `events` up to the resident's next message."""
    answer = []
    for event in events:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            answer.append(bot_message(event))
    return answer


class ConversationHistory:
    def __init__(self, tracker_store: TrackerStore) -> None:
        self.tracker_store = tracker_store

    async def _events(self, conversation: str) -> List[Event]:
        """The conversation so far; empty when it cannot be read, so the message is handled as a new one."""
        try:
            tracker = await self.tracker_store.retrieve(conversation)
        except Exception as error:  # the store's own errors vary by database; the turn must not depend on this
            logger.warning("could not read the conversation of a WeChat message: %s", type(error).__name__)
            return []
        return list(tracker.events) if tracker else []

    async def answer_to(self, conversation: str, message_key: str) -> Optional[List[Message]]:
        """The bot's messages that answered the resident's message `message_key`; None if no turn has had it."""
        events = await self._events(conversation)
        for index, event in enumerate(events):
            if isinstance(event, UserUttered) and event.message_id == message_key:
                return _answer(events[index + 1:])
        return None

    async def last_buttons(self, conversation: str) -> List[Dict[str, Any]]:
        """The buttons of the bot's messages since the resident's latest message, in the order they were listed."""
        events = await self._events(conversation)
        latest = max((index for index, event in enumerate(events) if isinstance(event, UserUttered)), default=-1)
        return [button for message in _answer(events[latest + 1:]) for button in message.get("buttons") or []]
