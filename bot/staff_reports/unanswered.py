"""What residents asked that the bot could not answer, read from the Rasa tracker store (SQL).

A resident's message counts as unanswered when Rasa classified it as `nlu_fallback` or `out_of_scope`, or
when the intent confidence was below the threshold. Button taps and answers to a form (a report's place or
phone number, a question left for staff) are not questions (`turns.py`). Identical questions (ignoring spacing)
are counted together, most frequent first, so staff see which knowledge entries or training examples to add.
Phone and ID numbers are masked, and control characters removed, before anything is shown.
"""
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.staff_reports.turns import ResidentTurn, resident_turns
from bot.terminal import for_staff

DEFAULT_THRESHOLD = 0.6
DEFAULT_LIMIT = 20
FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope")
_SPACE_BETWEEN_CHINESE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")

class TrackerStoreError(Exception):
    """The conversation database cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class UnansweredQuestion:
    """One question as residents typed it (phones masked), how often, and what the bot guessed it meant."""

    text: str
    count: int
    last_seen: datetime
    guess: str
    confidence: float


def find_unanswered(
    db_url: str, threshold: float = DEFAULT_THRESHOLD, limit: Optional[int] = DEFAULT_LIMIT
) -> List[UnansweredQuestion]:
    """The most frequent unanswered questions, most frequent (then most recent) first."""
    engine = _engine(db_url)
    groups: Dict[str, List[Tuple[float, str, float]]] = {}
    try:
        if not sa.inspect(engine).has_table("events"):
            raise TrackerStoreError(f"数据库 {_shown(engine.url)} 里没有 events 表（还没有任何对话记录？）")
        with engine.connect() as connection:
            for turn in resident_turns(connection):
                question = _unanswered(turn, threshold)
                if question is not None:
                    text, guess, confidence = question
                    groups.setdefault(text, []).append((turn.timestamp, guess, confidence))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise TrackerStoreError(f"无法读取对话记录数据库 {_shown(engine.url)}：{reason}") from error
    finally:
        engine.dispose()
    questions = [_summary(text, seen) for text, seen in groups.items()]
    questions.sort(key=lambda q: (-q.count, -q.last_seen.timestamp(), q.text))
    return questions[:limit] if limit is not None else questions


def format_report(questions: List[UnansweredQuestion]) -> str:
    """A plain-text table for the terminal; the question comes last because Chinese text has no fixed width."""
    if not questions:
        return "没有未答出的问题。"
    lines = [f"未答出的问题（{len(questions)} 种，按次数排序）：", "次数  最近一次          可能的意图（置信度）             问题"]
    for question in questions:
        guess = f"{question.guess} ({question.confidence:.2f})" if question.guess else "-"
        lines.append(f"{question.count:>4}  {question.last_seen:%Y-%m-%d %H:%M}  {guess:<32} {question.text}")
    return "\n".join(lines)


def _engine(db_url: str) -> sa.engine.Engine:
    try:
        url = make_url(db_url)
    except ArgumentError as error:
        raise TrackerStoreError(f"数据库地址格式不对：{db_url}") from error
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():
            raise TrackerStoreError(f"找不到对话记录数据库 {url.database}（还没有对话？可用 --db 指定）")
    try:
        return sa.create_engine(url, hide_parameters=True)  # no resident's words in error messages
    except (ArgumentError, ImportError) as error:
        raise TrackerStoreError(f"无法使用数据库地址 {_shown(url)}：{error}") from error


def is_unsure(turn: ResidentTurn, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether the classifier could not tell what `turn` meant: a fallback intent, or too little confidence."""
    return turn.intent in FALLBACK_INTENTS or turn.confidence < threshold


def _unanswered(turn: ResidentTurn, threshold: float) -> Optional[Tuple[str, str, float]]:
    """(masked text, likeliest real intent, its confidence) if this question went unanswered, else None."""
    if turn.in_form or not is_unsure(turn, threshold):
        return None
    guess, guess_confidence = _best_guess(turn.parse_data)
    return for_staff(normalised(turn.text)), guess, guess_confidence


def normalised(text: str) -> str:
    """Spacing does not change a question: runs collapse to one space, none is kept between Chinese characters."""
    return _SPACE_BETWEEN_CHINESE.sub("", " ".join(text.split()))


def _best_guess(parse_data: dict) -> Tuple[str, float]:
    """The highest-ranked intent that is not a fallback (Rasa ranks nlu_fallback first when it triggers)."""
    ranking = list(parse_data.get("intent_ranking") or []) + [parse_data.get("intent") or {}]
    for intent in ranking:
        if intent.get("name") and intent["name"] not in FALLBACK_INTENTS:
            return intent["name"], float(intent.get("confidence") or 0.0)
    return "", 0.0


def _summary(text: str, seen: List[Tuple[float, str, float]]) -> UnansweredQuestion:
    timestamp, guess, confidence = max(seen, key=lambda item: item[0])
    return UnansweredQuestion(text, len(seen), datetime.fromtimestamp(timestamp), guess, confidence)


def _shown(url: sa.engine.URL) -> str:
    return url.render_as_string(hide_password=True)
