"""An intent as staff know it: the topic's title for a knowledge entry (with the intent, which training data and
the knowledge files name), else the conversation's name for it."""
from typing import Optional

from bot.console.insights_texts import INTENT_NAMES
from bot.knowledge import KnowledgeBase
from bot.knowledge.dialogue import INTENT_PREFIX


def topic_name(intent: str, knowledge: Optional[KnowledgeBase]) -> str:
    entry = knowledge.get(intent[len(INTENT_PREFIX):]) if knowledge and intent.startswith(INTENT_PREFIX) else None
    if entry is not None:
        return f"{entry.title}（{intent}）"
    name = INTENT_NAMES.get(intent)
    return f"{name}（{intent}）" if name else intent or "-"
