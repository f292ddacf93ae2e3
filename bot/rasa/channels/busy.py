"""A resident never gets silence: a turn that produced no reply is answered with a short "busy" message.

Rasa answers nothing when the action server is down (it logs the error and drops the action's events), and a
REST or WeChat client cannot tell silence from "still thinking". Every channel wraps its message handler here.
"""
import logging
from typing import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel

logger = logging.getLogger(__name__)

BUSY_TEXT = "系统繁忙，请稍后再试。"

Handler = Callable[[UserMessage], Awaitable[None]]


def answer_or_busy(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("turn failed for a message on channel %s", message.input_channel)
        output = message.output_channel
        # A streaming channel has already sent what it had; only a collected reply can be checked for silence.
        if isinstance(output, CollectingOutputChannel) and not isinstance(output, QueueOutputChannel):
            if not output.messages:
                await output.send_text_message(message.sender_id, BUSY_TEXT)

    return handle
