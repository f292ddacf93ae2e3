"""Satisfaction with a closed ticket: which rating a tap or typed words mean, and what the message after 不满意 is.

Residents tap 满意 / 基本满意 / 不满意 on the status message, or type "挺满意的", "还行", "没解决"; the comment
asked for after 不满意 may be skipped ("跳过"), or be another question altogether, which is answered instead.
"""
from enum import Enum
from typing import Optional

from bot.governance.statuses import DISSATISFIED, MOSTLY_SATISFIED, RATINGS, SATISFIED
from bot.knowledge.schema import RESERVED_IDS
from bot.reporting.ticket import find_ticket_no
from bot.reporting.turns import MIN_CONFIDENCE, looks_like_question
from bot.reporting.words import words_only

# Checked in this order: "不太满意" holds 满意, "还不错" holds 不.
_WORDS = (
    (DISSATISFIED, ("不满意", "不太满意", "不怎么满意", "不大满意", "没解决", "没有解决", "未解决", "没处理好", "没修好",
              "没人管", "没人来", "很差", "太差", "差评", "不行", "不好", "失望")),
    (MOSTLY_SATISFIED, ("基本满意", "还算满意", "比较满意", "还行", "还可以", "一般", "凑合", "马马虎虎", "过得去", "还好")),
    (SATISFIED, ("满意", "很好", "挺好", "非常好", "不错", "好评", "解决了", "修好了", "点赞", "赞")),
)
# "跳过", "不想说": no comment, in a short message.
_SKIP_WORDS = ("跳过", "不想说", "不说了", "没什么", "没有", "算了", "不用", "不了", "取消", "无", "没了", "就这样")
MAX_SKIP_CHARS = 6
FOLLOW_UP_INTENTS = frozenset("ask_" + name for name in RESERVED_IDS)


class CommentKind(str, Enum):
    COMMENT = "comment"
    SKIP = "skip"
    # Clearly another question: answered, and no comment is stored.
    QUESTION = "question"


def rating_meant(text: str, tapped: Optional[str] = None) -> Optional[str]:
    """The rating a button carried (`tapped`), else the one the words say; None if they say none."""
    if tapped in RATINGS:
        return tapped
    text = text or ""
    for rating, words in _WORDS:
        if any(word in text for word in words):
            return rating
    return None


def comment_kind(text: str, intent: str, confidence: float) -> CommentKind:
    """What the message after "可以说说哪里不满意吗？" is."""
    said = words_only(text)
    if text.startswith("/") or (len(said) <= MAX_SKIP_CHARS and any(word in said for word in _SKIP_WORDS)):
        return CommentKind.SKIP
    asks_a_topic = (
        intent.startswith("ask_")
        and intent not in FOLLOW_UP_INTENTS
        and confidence >= MIN_CONFIDENCE
        and looks_like_question(text)
    )
    return CommentKind.QUESTION if asks_a_topic or find_ticket_no(text) else CommentKind.COMMENT
