"""When the bot is unsure what a resident means, offer the likeliest topics instead of guessing or giving up."""
from typing import Iterable, List, Optional, Tuple

from bot.knowledge import KnowledgeBase, Reply

MAX_SUGGESTIONS = 3
MIN_CONFIDENCE = 0.05
NONE_OF_THESE = ("都不是", "/deny")
# Intents that are not knowledge entries but are worth offering by name.
SERVICE_TITLES = {
    "report_problem": "反映问题",
    "check_ticket": "查询工单进度",
    "ask_capabilities": "我能问些什么",
}


def _title(intent: str, knowledge: KnowledgeBase) -> str:
    if intent.startswith("ask_") and intent[len("ask_"):] in knowledge:
        return knowledge[intent[len("ask_"):]].title
    return SERVICE_TITLES.get(intent, "")


def suggest_topics(ranking: Iterable[Tuple[str, float]], knowledge: KnowledgeBase) -> Optional[Reply]:
    """`ranking` is the classifier's (intent, confidence) list, best first; None when nothing is likely."""
    buttons: List[Tuple[str, str]] = []
    for intent, confidence in ranking:
        title = _title(intent, knowledge)
        if title and confidence >= MIN_CONFIDENCE and len(buttons) < MAX_SUGGESTIONS:
            buttons.append((title, f"/{intent}"))
    if not buttons:
        return None
    return Reply("您是想问下面哪一项？请点选，或者换个说法再问我。", buttons + [NONE_OF_THESE])
