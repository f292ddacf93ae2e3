"""OutboxWorker: hands stored reports to the events backend and brings their progress back.

Delivery is at-least-once from our side and exactly-once at the backend: a worker claims an outbox entry for a
while (`lease`) before sending it, so two workers never send the same report at the same time; if a worker dies
after sending but before recording it, the claim expires and another worker sends the report again, which the
backend files under the same event because it de-duplicates by ticket number.

The worker also applies retention (bot/personal_data/retention.py) at start and then daily, and copes with a
report deleted on its resident's request while it was being handed on.
"""
import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, List, Optional, Tuple

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from bot.governance.clock import local
from bot.governance.models import DeliveryAttempt, OutboxEntry, Report
from bot.governance.open311 import BackendError, BackendRejected, BackendUnavailable, Open311Client
from bot.governance.queue import ReportQueue, record_status
from bot.governance.statuses import DISPATCHED, IN_PROGRESS, RECEIVED, rank

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
RETENTION_INTERVAL_SECONDS = 24 * 3600.0
# A sweep that failed (the conversation store unreachable, say) is tried again this much later.
RETENTION_RETRY_SECONDS = 3600.0


def backoff(attempt: int, base_delay: float, max_delay: float, rng: random.Random) -> timedelta:
    """Wait before try number `attempt + 1`: doubling from base_delay up to max_delay, with jitter so that things
    that failed together (reports, notes to residents) do not all come back together."""
    ceiling = min(max_delay, base_delay * 2 ** min(attempt - 1, 32))
    return timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class Outgoing:
    """A claimed outbox entry, with the report fields the backend needs."""

    outbox_id: int
    report_id: int
    attempts: int
    ticket_no: str
    category: str
    location: str
    description: str
    phone: Optional[str]
    channel: str
    latitude: Optional[float]
    longitude: Optional[float]
    photos: Tuple[Tuple[str, str], ...]  # (token, content type), first photo first


@dataclass
class DeliverySummary:
    delivered: List[str] = field(default_factory=list)
    retrying: List[str] = field(default_factory=list)
    rejected: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retrying or self.rejected)

    def __str__(self) -> str:
        return f"已转派 {len(self.delivered)} 件，稍后重试 {len(self.retrying)} 件，被拒收 {len(self.rejected)} 件"


@dataclass
class RefreshSummary:
    checked: int = 0
    changed: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"查询 {self.checked} 件，状态更新 {len(self.changed)} 件，查询失败 {len(self.failed)} 件"


class OutboxWorker:
    def __init__(
        self,
        queue: ReportQueue,
        client: Open311Client,
        base_delay: float = 2,
        max_delay: float = 300,
        lease: Optional[float] = None,
        batch_size: int = BATCH_SIZE,
        worker_id: Optional[str] = None,
        retention: Optional[Callable[[datetime], object]] = None,
        retention_interval: float = RETENTION_INTERVAL_SECONDS,
    ):
        self.queue = queue
        self.client = client
        self.retention = retention
        self.retention_interval = retention_interval
        self.base_delay = base_delay
        self.max_delay = max_delay
        # Long enough for a whole batch of sends that each run into the client's timeout.
        self.lease = timedelta(seconds=lease if lease is not None else max(60.0, 2 * batch_size * client.timeout))
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._random = random.Random()

    def run_once(self, now: Optional[datetime] = None) -> DeliverySummary:
        """Send every report that is due (one batch), and record how each send went."""
        now = now or self.queue.clock()
        summary = DeliverySummary()
        for item in self.claim(now):
            try:
                request_id = self.client.create(item)
            except BackendRejected as error:
                self._record_rejection(item, now, error)
                summary.rejected.append(item.ticket_no)
            except BackendUnavailable as error:
                retry_at = now + self.backoff(item.attempts + 1)
                self._record_failure(item, now, error, retry_at)
                summary.retrying.append(item.ticket_no)
            else:
                self._record_delivery(item, now, request_id)
                summary.delivered.append(item.ticket_no)
        return summary

    def claim(self, now: datetime) -> List[Outgoing]:
        """Mark due entries as ours until now + lease, and return them.

        PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent workers pass over each other's rows. SQLite ignores
        it, but there every write transaction holds the database lock (see `db.writer`). On both, the
        conditional UPDATE takes an entry only if it is still unclaimed or its claim has expired.
        """
        due = and_(
            OutboxEntry.delivered_at.is_(None),
            OutboxEntry.rejected_at.is_(None),
            OutboxEntry.next_attempt_at <= now,
            or_(OutboxEntry.claimed_by.is_(None), OutboxEntry.claimed_until < now),
        )
        with self.queue.writing() as session:
            candidates = session.scalars(
                select(OutboxEntry.id)
                .where(due)
                .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = [
                entry_id for entry_id in candidates
                if session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.id == entry_id, due)
                    .values(claimed_by=self.worker_id, claimed_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                ).rowcount == 1
            ]
            rows = session.execute(
                select(OutboxEntry, Report).join(Report).where(OutboxEntry.id.in_(claimed)).order_by(OutboxEntry.id)
                .options(selectinload(Report.photos))
            ).all()
            return [
                Outgoing(entry.id, report.id, entry.attempts, report.ticket_no, report.category, report.location,
                         report.description, report.phone, report.channel, report.latitude, report.longitude,
                         tuple((photo.token, photo.content_type) for photo in report.photos))
                for entry, report in rows
            ]

    def backoff(self, attempt: int) -> timedelta:
        return backoff(attempt, self.base_delay, self.max_delay, self._random)

    def refresh_statuses(self) -> RefreshSummary:
        """Ask the backend about every handed-on report not yet closed, and record any progress."""
        with self.queue.reading() as session:
            open_reports = session.execute(
                select(Report.ticket_no, Report.backend_request_id)
                .where(Report.status.in_((DISPATCHED, IN_PROGRESS)), Report.backend_request_id.is_not(None))
                .order_by(Report.id)
            ).all()
        summary = RefreshSummary(checked=len(open_reports))
        for ticket_no, request_id in open_reports:
            try:
                remote = self.client.status(request_id)
            except BackendError as error:
                logger.warning("could not refresh %s: %s", ticket_no, error)
                summary.failed.append(ticket_no)
                continue
            if self._record_progress(ticket_no, remote.status, remote.note):
                summary.changed.append(ticket_no)
        return summary

    def run_forever(self, stop_event: threading.Event, interval: float = 2, refresh_interval: float = 30) -> None:
        """Deliver every `interval` seconds and refresh statuses every `refresh_interval`, apply retention at start
        and every `retention_interval`, until `stop_event`."""
        last_refresh = None
        next_sweep = time.monotonic()
        logger.info("outbox worker %s delivering to %s", self.worker_id, self.client.base_url)
        while not stop_event.is_set():
            if self.retention is not None and time.monotonic() >= next_sweep:
                next_sweep = self._sweep()
            try:
                delivered = self.run_once()
                if delivered:
                    logger.info("%s", delivered)
                if last_refresh is None or time.monotonic() - last_refresh >= refresh_interval:
                    last_refresh = time.monotonic()
                    refreshed = self.refresh_statuses()
                    if refreshed.changed or refreshed.failed:
                        logger.info("%s", refreshed)
            except Exception:
                # The database may be briefly unreachable; the worker must outlive that.
                logger.exception("outbox round failed; trying again in %s s", interval)
            stop_event.wait(interval)

    def _sweep(self) -> float:
        """Apply retention once; returns when (time.monotonic) to apply it next."""
        try:
            self.retention(self.queue.clock())
        except Exception:
            logger.exception("retention sweep failed; trying again in %s s", RETENTION_RETRY_SECONDS)
            return time.monotonic() + RETENTION_RETRY_SECONDS
        return time.monotonic() + self.retention_interval

    def _record_delivery(self, item: Outgoing, now: datetime, request_id: str) -> None:
        with self.queue.writing() as session:
            entry = session.get(OutboxEntry, item.outbox_id)
            if entry is None:
                report = None  # deleted on its resident's request meanwhile
            elif entry.delivered_at is not None:
                session.add(DeliveryAttempt(report_id=item.report_id, at=now, ok=True, error=""))
                return  # our claim expired and another worker recorded the same backend event
            else:
                session.add(DeliveryAttempt(report_id=item.report_id, at=now, ok=True, error=""))
                entry.delivered_at = now
                entry.attempts += 1
                entry.claimed_by = entry.claimed_until = None
                entry.last_error = ""
                report = entry.report
                report.backend_request_id = request_id
                if report.status == RECEIVED:
                    record_status(report, DISPATCHED, f"已转交云治前进平台（事件编号 {request_id}）", "bot", now)
        if report is None:
            return self._forget_sent(item, request_id)
        logger.info("report %s handed on as event %s", item.ticket_no, request_id)

    def _forget_sent(self, item: Outgoing, request_id: str) -> None:
        """The report was deleted on its resident's request while we handed it on: delete the backend's copy too."""
        try:
            self.client.delete(request_id)
        except BackendError as error:
            logger.error("report %s was deleted on request while being handed on; ask the events backend to delete "
                         "event %s (%s)", item.ticket_no, request_id, error)
        else:
            logger.info("report %s was deleted on request while being handed on; event %s deleted too",
                        item.ticket_no, request_id)

    def _record_failure(self, item: Outgoing, now: datetime, error: BackendError, retry_at: datetime) -> None:
        self._record_unsent(item, now, error, next_attempt_at=retry_at)
        logger.warning("report %s not handed on (try %d), retrying at %s: %s",
                       item.ticket_no, item.attempts + 1, f"{local(retry_at):%Y-%m-%d %H:%M:%S}", error)

    def _record_rejection(self, item: Outgoing, now: datetime, error: BackendError) -> None:
        self._record_unsent(item, now, error, rejected_at=now)
        logger.error("report %s rejected by the events backend, needs staff: %s", item.ticket_no, error)

    def _record_unsent(self, item: Outgoing, now: datetime, error: BackendError,
                       next_attempt_at: Optional[datetime] = None, rejected_at: Optional[datetime] = None) -> None:
        """One more try that did not hand the report on: retried at `next_attempt_at`, or `rejected_at` for good."""
        outcome = {"rejected_at": rejected_at} if rejected_at else {"next_attempt_at": next_attempt_at}
        with self.queue.writing() as session:
            if session.get(OutboxEntry, item.outbox_id) is None:
                return  # deleted on its resident's request meanwhile: nothing left to record
            session.add(DeliveryAttempt(report_id=item.report_id, at=now, ok=False, http_status=error.http_status,
                                        error=str(error), next_attempt_at=next_attempt_at))
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == item.outbox_id, OutboxEntry.delivered_at.is_(None))
                .values(attempts=OutboxEntry.attempts + 1, last_error=str(error), claimed_by=None, claimed_until=None,
                        **outcome)
                .execution_options(synchronize_session=False)
            )

    def _record_progress(self, ticket_no: str, status: str, note: str) -> bool:
        """Record a status the backend reports, if it is further along than ours (never backwards)."""
        with self.queue.writing() as session:
            report = session.scalars(select(Report).where(Report.ticket_no == ticket_no)).one_or_none()
            if report is None or rank(status) <= rank(report.status):  # None: deleted on request meanwhile
                return False
            record_status(report, status, note, "backend", self.queue.clock())
        logger.info("report %s is now %s (from the events backend)", ticket_no, status)
        return True
