"""WeChat residents' notes (staff answers, status changes: bot/governance/notifications.py) pushed through the
customer-service message API, by a thread of the outbox worker process (`python -m bot queue deliver`).

WeChat accepts such a message only within 48 hours of the resident's last message (the latest `user` event of
their conversation in the conversation store), and refuses it once they stopped following the account or were
sent too many since they last wrote: such a note is deferred, and the passive reply to the resident's next
message shows it (bot/rasa/channels/wechat.py). Other failures (network, WeChat busy) are retried with doubling
back-off. A note is claimed before it is sent, so two workers never send it together; one sent while the database
is unreachable is remembered and recorded once the database is back, not sent again (unless this process stops
before that: then it may be sent twice, never lost).
"""
import logging
import os
import random
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional, Set

import requests
from sqlalchemy import select
from sqlalchemy.engine import Engine
from wechatpy.exceptions import WeChatException

from bot import conversation_store, senders
from bot.governance.models import Notification
from bot.governance.notifications import Note, NotificationBox
from bot.governance.outbox import backoff
from bot.governance.queue import ReportQueue
from bot.wechat import api
from bot.wechat.api import CustomerServiceClient, describe
from bot.wechat.messages import note_text, split_text

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
# How long after a resident's last message WeChat accepts customer-service messages to them.
WINDOW = timedelta(hours=48)
# WeChat's refusals that only the resident's next message lifts: 45015 the 48 hours are over, 45047 too many
# messages since they last wrote, 43004 they no longer follow the account.
WINDOW_CLOSED_ERRORS = frozenset({45015, 45047, 43004})
BATCH_SIZE = 20


@dataclass
class PushSummary:
    pushed: int = 0
    deferred: int = 0
    retrying: int = 0

    def __bool__(self) -> bool:
        return bool(self.pushed or self.deferred or self.retrying)

    def __str__(self) -> str:
        return f"微信通知：已推送 {self.pushed} 条，等居民下次留言时显示 {self.deferred} 条，稍后重试 {self.retrying} 条"


class WeChatPusher:
    def __init__(
        self,
        box: NotificationBox,
        client: CustomerServiceClient,
        conversations: Engine,
        base_delay: float = 5,
        max_delay: float = 600,
        lease_seconds: Optional[float] = None,
        batch_size: int = BATCH_SIZE,
        worker_id: Optional[str] = None,
    ) -> None:
        self.box = box
        self.client = client
        self.conversations = conversations
        self.base_delay = base_delay
        self.max_delay = max_delay
        # Long enough for a whole batch of sends that each run into the client's timeout.
        default_lease = max(60.0, 2 * batch_size * api.TIMEOUT_SECONDS)
        self.lease_seconds = lease_seconds if lease_seconds is not None else default_lease
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Sent, but not yet recorded as pushed (the database was unreachable): recorded first thing next round.
        self._unrecorded: Set[int] = set()
        self._random = random.Random()

    @classmethod
    def from_env(cls, queue: ReportQueue) -> Optional["WeChatPusher"]:
        """A pusher with the account's credentials; None without WECHAT_APP_ID/WECHAT_APP_SECRET (notes then wait
        for the resident's next message)."""
        client = api.from_env()
        if client is None:
            return None
        return cls(NotificationBox(queue), client, conversation_store.connect(conversation_store.default_db_url()))

    def run_once(self) -> PushSummary:
        """Push every WeChat note that is due (one batch)."""
        summary = PushSummary()
        self._record_sent()
        for note in self.box.claim_pushes(CHANNEL, self.batch_size, self.lease_seconds, self.worker_id):
            self._push(note, summary)
        return summary

    def run_forever(self, stop_event: threading.Event, interval: float = 2) -> None:
        logger.info("WeChat notes pushed by %s", self.worker_id)
        while not stop_event.is_set():
            try:
                summary = self.run_once()
                if summary:
                    logger.info("%s", summary)
            except Exception:
                # The database may be briefly unreachable; the pusher must outlive that.
                logger.exception("WeChat push round failed; trying again in %s s", interval)
            stop_event.wait(interval)

    def _push(self, note: Note, summary: PushSummary) -> None:
        now = self.box.queue.clock()
        openid = senders.openid_of(note.conversation)
        last = conversation_store.last_user_message_at(self.conversations, note.conversation) if openid else None
        if last is None or now - last >= WINDOW:
            self._defer(note, summary, "no message from the resident in the last 48 hours")
            return
        try:
            for part in split_text(note_text(note.text, note.buttons)):
                self.client.send_text(openid, part)
        except (WeChatException, requests.RequestException) as error:
            if isinstance(error, WeChatException) and error.errcode in WINDOW_CLOSED_ERRORS:
                self._defer(note, summary, describe(error))
                return
            retry_at = now + backoff(self._attempts(note.id) + 1, self.base_delay, self.max_delay, self._random)
            self.box.push_failed(note.id, describe(error), retry_at)
            summary.retrying += 1
            logger.warning("WeChat note %d to %s not sent, retrying later: %s", note.id,
                           senders.for_log(note.conversation), describe(error))
            return
        self._unrecorded.add(note.id)
        summary.pushed += 1
        self._record_sent()

    def _defer(self, note: Note, summary: PushSummary, why: str) -> None:
        self.box.push_deferred(note.id)
        summary.deferred += 1
        logger.info("WeChat note %d to %s waits for the resident's next message: %s", note.id,
                    senders.for_log(note.conversation), why)

    def _record_sent(self) -> None:
        """Record the notes sent so far as pushed; raises (keeping them for later) while the database is down."""
        for note_id in sorted(self._unrecorded):
            if not self.box.pushed(note_id, self.worker_id):
                logger.info("WeChat note %d had been delivered already (shown with a reply)", note_id)
            self._unrecorded.discard(note_id)

    def _attempts(self, note_id: int) -> int:
        with self.box.queue.reading() as session:
            return session.scalar(select(Notification.attempts).where(Notification.id == note_id)) or 0


def started(queue: ReportQueue, stop_event: threading.Event) -> Optional[threading.Thread]:
    """The pusher running in a thread of its own until `stop_event`; None (and a log line saying why) without the
    account's credentials."""
    pusher = WeChatPusher.from_env(queue)
    if pusher is None:
        logger.info("WeChat notes are not pushed (no WECHAT_APP_ID/WECHAT_APP_SECRET): they are shown with the "
                    "resident's next message")
        return None
    thread = threading.Thread(target=pusher.run_forever, args=(stop_event,), name="wechat-push", daemon=True)
    thread.start()
    return thread
