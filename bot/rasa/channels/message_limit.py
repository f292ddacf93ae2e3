"""A message longer than any answer the bot accepts (a report's description) is answered without reaching Rasa.

Understanding 10,000 characters holds up every other resident's turn for seconds, 100,000 for minutes. Every
channel wraps its message handler here.
"""
from typing import Optional

from rasa.core.channels.channel import UserMessage

from bot.rasa.channels.busy import Handler
from bot.reporting.validation import DESCRIPTION_MAX

MAX_MESSAGE_CHARS = DESCRIPTION_MAX
TOO_LONG_TEXT = "您的消息有{length}个字，超过了{limit}字的上限。请精简到{limit}字以内再发给我。"


def too_long(message: UserMessage) -> Optional[str]:
    """The reply to a message over the limit; None for any other."""
    if len(message.text or "") > MAX_MESSAGE_CHARS:
        return TOO_LONG_TEXT.format(length=len(message.text), limit=MAX_MESSAGE_CHARS)
    return None


def refuse_too_long(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> None:
        refusal = too_long(message)
        if refusal is not None:
            await message.output_channel.send_text_message(message.sender_id, refusal)
            return
        await on_new_message(message)

    return handle
