"""When the bot is unsure what a resident means: offer the topics the message could plausibly be about, or say
honestly that it is outside what the bot knows and what the resident can do next."""
from typing import Iterable, List, Tuple

from bot.knowledge import KnowledgeBase, Reply, texts
from bot.knowledge.dialogue import related_to
from bot.reporting.category import guess_category
from bot.reporting.ticket import find_ticket_no

MAX_SUGGESTIONS = 3
MIN_CONFIDENCE = 0.05
# A problem report is offered when the words name a kind of problem, or the classifier leans that way this much.
LIKELY_REPORT = 0.2
# Intents that are not knowledge entries but are worth offering by name, and when they are plausible.
REPORT_PROBLEM, CHECK_TICKET = "report_problem", "check_ticket"
SERVICE_TITLES = {REPORT_PROBLEM: "反映问题", CHECK_TICKET: "查询工单进度"}
_TICKET_WORDS = ("工单", "进度", "查询", "办得怎么样", "处理得怎么样")


def unsure_reply(ranking: Iterable[Tuple[str, float]], knowledge: KnowledgeBase, text: str) -> Reply:
    """`ranking` is the classifier's (intent, confidence) list, best first."""
    buttons: List[Tuple[str, str]] = []
    for intent, confidence in ranking:
        if (
            confidence >= MIN_CONFIDENCE
            and len(buttons) < MAX_SUGGESTIONS
            and _plausible(intent, confidence, knowledge, text)
        ):
            buttons.append((_title(intent, knowledge), f"/{intent}"))
    if not buttons:
        return Reply(texts.OUTSIDE_WHAT_I_KNOW, list(texts.OUTSIDE_BUTTONS))
    return Reply(texts.SUGGEST, buttons + [texts.NONE_OF_THESE])


def _title(intent: str, knowledge: KnowledgeBase) -> str:
    entry = knowledge.get(intent[len("ask_"):]) if intent.startswith("ask_") else None
    return entry.title if entry else SERVICE_TITLES.get(intent, "")


def _plausible(intent: str, confidence: float, knowledge: KnowledgeBase, text: str) -> bool:
    """Only a topic that shares words with the message: "天气" is offered nothing, "化粪池满了" 反映问题."""
    if intent == REPORT_PROBLEM:
        return guess_category(text).category is not None or confidence >= LIKELY_REPORT
    if intent == CHECK_TICKET:
        return bool(find_ticket_no(text)) or any(word in text for word in _TICKET_WORDS)
    entry = knowledge.get(intent[len("ask_"):]) if intent.startswith("ask_") else None
    return entry is not None and related_to(entry, text)
