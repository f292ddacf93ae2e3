"""A report's status codes, their Chinese labels, and where a status change may come from."""
from typing import Dict

from bot.governance import messages
from bot.governance.errors import InvalidStatus

RECEIVED = "received"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
CLOSED = "closed"

# The one place a status gets its Chinese name; the order is the order a report moves through.
STATUS_LABELS: Dict[str, str] = {
    RECEIVED: "已受理",
    DISPATCHED: "已转派",
    IN_PROGRESS: "处理中",
    CLOSED: "已办结",
}
STATUSES = tuple(STATUS_LABELS)

SOURCES = ("bot", "backend", "staff")


def label(status: str) -> str:
    return STATUS_LABELS[status]


def rank(status: str) -> int:
    """How far along a report with this status is (received = 0)."""
    return STATUSES.index(status)


def parse_status(text: str) -> str:
    """The status code for an English code or a Chinese label, as staff type either."""
    wanted = (text or "").strip()
    for code, chinese in STATUS_LABELS.items():
        if wanted.lower() == code or wanted == chinese:
            return code
    choices = "、".join(f"{chinese}（{code}）" for code, chinese in STATUS_LABELS.items())
    raise InvalidStatus(messages.UNKNOWN_STATUS.format(wanted=wanted, choices=choices))


# How a resident may rate a closed report; the last one flags it for a return visit (回访).
SATISFIED, MOSTLY_SATISFIED, DISSATISFIED = "满意", "基本满意", "不满意"
RATINGS = (SATISFIED, MOSTLY_SATISFIED, DISSATISFIED)
