"""The figures behind the console's 运行情况 page, for the last days (Asia/Shanghai): what residents asked and how the
bot answered, read from the conversation store without Rasa; and the reports, their closing times and ratings,
read from the governance queue. Plain data here; the page draws it (bot/console/dashboard.py).

A question is a message a resident typed outside any form (`bot/staff_reports/turns.py`). How it went is read
from the bot's first reply: topics offered to choose from (the unsure reply), an admission that the bot does not
know (the not-understood replies), or else an answer.
"""
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from bot import settings
from bot.conversation_store import exists
from bot.governance.categories import CATEGORIES
from bot.governance.clock import day_start, local_day
from bot.governance.models import Report, StatusChange
from bot.governance.queue import ReportQueue
from bot.governance.statuses import CLOSED, STATUSES
from bot.knowledge import texts as knowledge_texts
from bot.staff_reports.satisfaction import RatingGroup, ratings_by_category
from bot.staff_reports.turns import resident_turns

DAYS = 30
TOP_TOPICS = 10
ANSWERED, OFFERED, NOT_UNDERSTOOD = "answered", "offered", "not_understood"
OUTCOMES = (ANSWERED, OFFERED, NOT_UNDERSTOOD)


def last_days(now: datetime, days: int = DAYS) -> List[date]:
    """The `days` local days up to and including today, oldest first."""
    today = local_day(now)
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


@dataclass(frozen=True)
class Questions:
    """What residents asked on each day, how each question went, and the topics (intents) asked most."""

    per_day: List[Tuple[date, int]]
    outcomes: Dict[str, int]
    topics: List[Tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.per_day)


def questions(engine: Engine, days: List[date]) -> Questions:
    """The questions asked on `days`; none when the store has not been written yet."""
    per_day: Counter = Counter()
    outcomes: Counter = Counter({outcome: 0 for outcome in OUTCOMES})
    topics: Counter = Counter()
    if exists(engine):
        since = day_start(days[0]).timestamp()
        with engine.connect() as connection:
            for turn in resident_turns(connection, since):
                if turn.in_form:
                    continue
                per_day[local_day(datetime.fromtimestamp(turn.timestamp, timezone.utc))] += 1
                outcomes[outcome_of(turn.reply_text)] += 1
                if turn.intent:
                    topics[turn.intent] += 1
    return Questions([(day, per_day[day]) for day in days], dict(outcomes), topics.most_common(TOP_TOPICS))


def outcome_of(reply_text: str) -> str:
    """How a question went, from the bot's first reply to it (no reply: not understood)."""
    if reply_text.startswith(knowledge_texts.SUGGEST):
        return OFFERED
    if not reply_text or reply_text.startswith(_not_understood_replies()):
        return NOT_UNDERSTOOD
    return ANSWERED


@lru_cache(maxsize=1)
def _not_understood_replies() -> Tuple[str, ...]:
    """The knowledge's replies for a question it cannot answer, and Rasa's own (utter_default in domain.yml)."""
    domain = yaml.safe_load((settings.PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    default = [variant["text"] for variant in domain["responses"].get("utter_default", []) if variant.get("text")]
    return (knowledge_texts.FALLBACK, knowledge_texts.OUTSIDE_WHAT_I_KNOW, *default)


@dataclass(frozen=True)
class Closing:
    """How long the reports closed in the period took from filing to 已办结: the median over `count` reports."""

    count: int
    median: Optional[timedelta]


@dataclass(frozen=True)
class Reports:
    """Reports filed in the period by category and by their status now; closing times; ratings given in it."""

    by_category: List[Tuple[str, int]]
    by_status: List[Tuple[str, int]]
    closing: Closing
    closing_by_category: List[Tuple[str, Closing]]
    ratings: List[RatingGroup]


def reports(queue: ReportQueue, days: List[date]) -> Reports:
    since = day_start(days[0])
    with queue.reading() as session:
        filed = session.execute(
            select(Report.category, Report.status).where(Report.created_at >= since)).all()
        closed = session.scalars(
            select(Report).options(selectinload(Report.history))
            .where(Report.history.any((StatusChange.status == CLOSED) & (StatusChange.at >= since)))
        ).all()
        durations: Dict[str, List[timedelta]] = {category: [] for category in CATEGORIES}
        for report in closed:
            # The first time it was closed: a report reopened and closed again took that long to be dealt with.
            closed_at = min(change.at for change in report.history if change.status == CLOSED)
            if closed_at >= since:
                durations[report.category].append(closed_at - report.created_at)
    categories = Counter(category for category, _ in filed)
    statuses = Counter(status for _, status in filed)
    every = [duration for category in CATEGORIES for duration in durations[category]]
    return Reports(
        by_category=[(category, categories[category]) for category in CATEGORIES],
        by_status=[(status, statuses[status]) for status in STATUSES],
        closing=_closing(every),
        closing_by_category=[(category, _closing(durations[category])) for category in CATEGORIES
                             if durations[category]],
        ratings=ratings_by_category(queue, since),
    )


def _closing(durations: List[timedelta]) -> Closing:
    return Closing(len(durations), statistics.median(durations) if durations else None)
