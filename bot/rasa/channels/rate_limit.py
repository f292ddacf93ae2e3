"""The rate limits of `bot/rate_limits.py` on the channels: a message over a limit is answered with a polite reply
and does not reach Rasa.

Every channel counts each message per conversation: WeChat wraps its message handler in `limit_per_conversation`,
REST and the widget count it with their notes (`notes.py`, one trip off the event loop). REST and the widget, which
residents' own devices reach, also count every request that is not a GET (a message, a new widget conversation) per
client address with `limit_per_address`; WeChat does not, since all its requests come from WeChat's servers.
"""
import asyncio
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rate_limits
from bot.rasa.channels.busy import Handler

READS = ("GET", "HEAD", "OPTIONS")


def limit_per_conversation(on_new_message: Handler) -> Handler:
    limit = rate_limits.per_conversation()

    async def handle(message: UserMessage) -> None:
        # The shared memory may be a SQLite file other processes write: count off the event loop.
        if not await asyncio.to_thread(limit.allows, message.sender_id):
            await message.output_channel.send_text_message(message.sender_id, rate_limits.TOO_MANY_MESSAGES_TEXT)
            return
        await on_new_message(message)

    return handle


def limit_per_address(blueprint: Blueprint) -> Blueprint:
    """Answer the requests of `blueprint` over the address limit with the polite reply, as the bot's one message."""
    limit = rate_limits.per_address()
    proxies = rate_limits.trusted_proxies()

    @blueprint.on_request
    async def count_the_address(request: Request) -> Optional[HTTPResponse]:
        if request.method in READS:
            return None
        address = rate_limits.client_address(request.ip, request.headers.getall("x-forwarded-for", []), proxies)
        if await asyncio.to_thread(limit.allows, rate_limits.address_key(address)):
            return None
        return response.json(_bot_says(request, rate_limits.TOO_MANY_MESSAGES_TEXT))

    return blueprint


def _bot_says(request: Request, text: str) -> List[Dict[str, Any]]:
    """`text` as the REST channel answers a message: a list of the bot's messages to the sender."""
    try:
        body = request.json
    except InvalidUsage:
        body = None
    sender = body.get("sender") if isinstance(body, dict) else None
    return [{"recipient_id": sender if isinstance(sender, str) else "", "text": text}]
