"""One Rasa turn per WeChat message, however often WeChat delivers it.

WeChat waits five seconds for a passive reply, then sends the same message again, up to three times. A retry must
not start a second turn (a resident would answer a form question twice); it gets the first turn's reply once
that is ready. When no request can carry the answer in time, it goes out later, exactly once, through whatever
`send_later` does (the customer-service message API).
"""
import asyncio
import logging
import time
from collections import OrderedDict
from typing import Awaitable, Callable, List, Optional

logger = logging.getLogger(__name__)

Parts = List[str]
# WeChat's retries come within about 15 s; a message is remembered much longer than that.
REMEMBER_SECONDS = 300
MAX_REMEMBERED_TURNS = 10_000


class Turn:
    """A running or finished turn, and which way its answer reaches the resident."""

    def __init__(self, answer: Awaitable[Parts], send_later: Callable[[Parts, bool], None]) -> None:
        """`send_later(parts, after_passive_reply)` delivers what no passive reply carries."""
        self.started = time.monotonic()
        self._task = asyncio.ensure_future(answer)
        self._send_later = send_later
        self._passive = False
        self._late = False

    async def passive_reply(self, wait_seconds: float) -> Optional[str]:
        """The text for this request's passive reply, or None when the answer goes out later instead.

        Parts of an answer that do not fit into one passive reply are handed to `send_later` once.
        """
        if not self._late:
            await asyncio.wait({self._task}, timeout=wait_seconds)
        if self._late:
            return None
        if not self._task.done():
            self._late = True
            self._task.add_done_callback(self._finished_late)
            return None
        parts = self._task.result()
        if not self._passive:
            self._passive = True
            if parts[1:]:
                self._send_later(parts[1:], True)
        return parts[0]

    def _finished_late(self, task: "asyncio.Future[Parts]") -> None:
        if task.cancelled():
            return
        if task.exception() is not None:
            logger.error("a late WeChat turn failed: %r", task.exception())
            return
        self._send_later(task.result(), False)


class Turns:
    """Turns by message key (MsgId, or sender and time for events), remembered for WeChat's retry window."""

    def __init__(self) -> None:
        self._turns: "OrderedDict[str, Turn]" = OrderedDict()

    def has(self, key: str) -> bool:
        """Whether this process has a turn for `key`, running or recently finished."""
        self._forget_old()
        return key in self._turns

    def get_or_start(self, key: str, start: Callable[[], Turn]) -> Turn:
        self._forget_old()
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = start()
        return turn

    def _forget_old(self) -> None:
        now = time.monotonic()
        while self._turns:
            key, oldest = next(iter(self._turns.items()))
            if len(self._turns) < MAX_REMEMBERED_TURNS and now - oldest.started < REMEMBER_SECONDS:
                return
            del self._turns[key]
