"""The governance queue: residents' problem reports, their ticket numbers and their progress.

A report enters our database first (so nothing a resident said is lost) and the outbox worker then hands it
on to the 云治前进 events backend over Open311 GeoReport v2.
"""
from bot.governance.drafts import ReportDraft
from bot.governance.errors import GovernanceError, InvalidReport, InvalidStatus, UnknownTicket
from bot.governance.queue import ReportQueue, open_queue
from bot.governance.views import HistoryEntry, ReportView

__all__ = [
    "GovernanceError",
    "HistoryEntry",
    "InvalidReport",
    "InvalidStatus",
    "ReportDraft",
    "ReportQueue",
    "ReportView",
    "UnknownTicket",
    "open_queue",
]
