"""/dashboard: how the bot and the reports did over the last 30 days, as charts with their tables
(figures: bot/console/stats.py; drawing: bot/console/charts.py)."""
import html
from datetime import timedelta
from typing import List, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.console import charts, insights_texts as texts, stats, web
from bot.console.topics import topic_name
from bot.conversation_store import connect, default_db_url
from bot.governance.clock import now
from bot.governance.queue import open_queue
from bot.governance.statuses import CLOSED, DISSATISFIED, RATINGS, SATISFIED, STATUS_LABELS
from bot.knowledge import KnowledgeError, shared_store

STYLE = """
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap: 16px; }
.charts figure { margin: 0; }
.charts figcaption h2 { margin-top: 0; }
.charts details { margin-top: 8px; }
.charts summary { cursor: pointer; color: var(--accent); padding: 4px 0; }
"""


def dashboard_page(request: web.Request) -> web.Response:
    days = stats.last_days(now())
    span = len(days)
    notice = ""
    try:
        engine = connect(default_db_url())
        try:
            asked = stats.questions(engine, days)
        finally:
            engine.dispose()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        notice, asked = texts.CONVERSATIONS_UNREADABLE.format(reason=reason), None
    reports = stats.reports(open_queue(), days)
    figures = _question_charts(asked, span) + _report_charts(reports, span)
    intro = texts.DASHBOARD_INTRO.format(days=span, first=f"{days[0]:%Y-%m-%d}", last=f"{days[-1]:%Y-%m-%d}")
    body = (f"<h1>{texts.DASHBOARD_TITLE}</h1><p class=\"muted\">{html.escape(intro)}</p>"
            f'<div class="charts">{"".join(figures)}</div>')
    return web.html_page(request, texts.DASHBOARD_TITLE, body, style=STYLE, notice=notice,
                         notice_kind="error" if notice else "")


def _question_charts(asked: Optional[stats.Questions], span: int) -> List[str]:
    empty = texts.NO_DATA.format(days=span)
    if asked is None or not asked.total:
        return [charts.bars("per-day", texts.PER_DAY_TITLE, [], texts.PER_DAY_HEADERS, "", empty=empty)]
    busiest, most = max(asked.per_day, key=lambda item: item[1])
    per_day = charts.columns(
        "per-day", texts.PER_DAY_TITLE, [(f"{day:%m-%d}", count) for day, count in asked.per_day],
        texts.PER_DAY_HEADERS,
        texts.PER_DAY_SUMMARY.format(days=span, total=asked.total, day=f"{busiest:%m-%d}", count=most))
    outcomes = charts.shares(
        "outcomes", texts.OUTCOMES_TITLE,
        [(texts.OUTCOMES_ALL, [(texts.OUTCOME_LABELS[key], asked.outcomes[key]) for key in stats.OUTCOMES])],
        texts.OUTCOMES_SUMMARY.format(total=asked.total, **{key: asked.outcomes[key] for key in stats.OUTCOMES}),
        texts.OUTCOMES_GROUP, name_groups=False)
    try:
        knowledge = shared_store().current()
    except KnowledgeError:
        knowledge = None
    topics = [(topic_name(intent, knowledge), count) for intent, count in asked.topics]
    top = charts.bars("topics", texts.TOPICS_TITLE, topics, texts.TOPICS_HEADERS,
                      texts.TOPICS_SUMMARY.format(topic=topics[0][0], count=topics[0][1]) if topics else "",
                      empty=empty)
    return [per_day, outcomes, top]


def _report_charts(reports: stats.Reports, span: int) -> List[str]:
    empty = texts.NO_DATA.format(days=span)
    total = sum(count for _, count in reports.by_category)
    category, most = max(reports.by_category, key=lambda item: item[1])
    by_category = charts.bars(
        "categories", texts.CATEGORY_TITLE, reports.by_category if total else [], texts.CATEGORY_HEADERS,
        texts.CATEGORY_SUMMARY.format(days=span, total=total, category=category, count=most), empty=empty)
    closed = dict(reports.by_status).get(CLOSED, 0)
    by_status = charts.bars(
        "statuses", texts.STATUS_TITLE,
        [(STATUS_LABELS[status], count) for status, count in reports.by_status] if total else [],
        texts.STATUS_HEADERS, texts.STATUS_SUMMARY.format(closed=closed, open=total - closed), empty=empty)
    closing = charts.bars(
        "closing", texts.CLOSING_TITLE,
        [(name, _hours(result.median)) for name, result in reports.closing_by_category],
        texts.CLOSING_HEADERS,
        texts.CLOSING_SUMMARY.format(days=span, count=reports.closing.count, median=_duration(reports.closing.median)),
        value_text=lambda hours: texts.HOURS.format(hours=hours), empty=empty)
    rated = sum(group.total for group in reports.ratings)
    satisfaction = charts.shares(
        "satisfaction", texts.SATISFACTION_TITLE,
        [(group.category, [(rating, group.ratings[rating]) for rating in RATINGS]) for group in reports.ratings],
        texts.SATISFACTION_SUMMARY.format(
            days=span, total=rated, satisfied=sum(group.ratings[SATISFIED] for group in reports.ratings),
            dissatisfied=sum(group.ratings[DISSATISFIED] for group in reports.ratings)),
        texts.SATISFACTION_GROUP, empty=empty)
    return [by_category, by_status, closing, satisfaction]


def _hours(duration: Optional[timedelta]) -> float:
    return duration.total_seconds() / 3600 if duration else 0.0


def _duration(duration: Optional[timedelta]) -> str:
    if duration is None:
        return "-"
    hours = round(duration.total_seconds() / 3600)
    if hours < 24:
        return texts.DURATION_HOURS.format(hours=hours)
    return texts.DURATION.format(days=hours // 24, hours=hours % 24)


ROUTES = (
    web.Route("GET", "/dashboard", dashboard_page),
)
