"""The audit log: who did what to which ticket or account, and when; kept in the governance database.

Every change made in the console, and every account change made with `python -m bot staff`, is recorded here,
as are sign-ins (failed ones too) and each time a resident's full phone number is shown. Details are masked:
the log never holds a resident's number. Entries are kept RETENTION_AUDIT_DAYS: the daily retention sweep
(bot/personal_data/retention.py) deletes older ones.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, select

from bot.console.texts import ACTION_LABELS
from bot.governance import clock
from bot.governance.models import STAFF_NAME_LENGTH, AuditEntry
from bot.governance.queue import ReportQueue, open_queue
from bot.personal_data.numbers import mask_personal_data

ACTION_LENGTH = 32
TARGET_LENGTH = 64
DETAIL_LENGTH = 500


@dataclass(frozen=True)
class AuditView:
    at: datetime  # Asia/Shanghai
    account: str
    action: str
    target: str
    detail: str


def record(account: str, action: str, target: str = "", detail: str = "",
           queue: Optional[ReportQueue] = None) -> None:
    """Write one entry: `account` did `action` (one of ACTION_LABELS, so the log can name it) to `target` (a
    ticket, an account name); `detail` is masked."""
    if action not in ACTION_LABELS:
        raise ValueError(f"no label for audit action {action!r}: add it to bot/console/texts.py ACTION_LABELS")
    queue = queue or open_queue()
    with queue.writing() as session:
        session.add(AuditEntry(
            at=queue.clock(),
            account=mask_personal_data(account or "")[:STAFF_NAME_LENGTH],
            action=action[:ACTION_LENGTH],
            target=mask_personal_data(target or "")[:TARGET_LENGTH],
            detail=mask_personal_data(detail or "")[:DETAIL_LENGTH],
        ))


def entries(offset: int = 0, limit: int = 50, queue: Optional[ReportQueue] = None) -> Tuple[List[AuditView], int]:
    """A page of the log, newest first, and how many entries there are in all."""
    queue = queue or open_queue()
    with queue.reading() as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry))
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                               .offset(offset).limit(limit))
        return [AuditView(clock.local(row.at), row.account, row.action, row.target, row.detail) for row in rows], total


def delete_before(before: datetime, queue: ReportQueue) -> int:
    """Delete the entries made before `before` (retention); returns how many."""
    with queue.writing() as session:
        return session.execute(delete(AuditEntry).where(AuditEntry.at < before)
                               .execution_options(synchronize_session=False)).rowcount
