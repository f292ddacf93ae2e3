"""An intent as staff know it: the topic's title for a knowledge entry (with the intent, which training data and
the knowledge files name), the detail a follow-up asks about, else the conversation's name for it."""
from typing import Optional

from bot.console.insights_texts import FOLLOW_UP_NAME, INTENT_NAMES
from bot.knowledge import KnowledgeBase
from bot.knowledge.dialogue import INTENT_PREFIX
from bot.knowledge.texts import FIELD_LABELS


def topic_name(intent: str, knowledge: Optional[KnowledgeBase]) -> str:
    entry = knowledge.get(intent[len(INTENT_PREFIX):]) if knowledge and intent.startswith(INTENT_PREFIX) else None
    if entry is not None:
        return f"{entry.title}（{intent}）"
    aspect = FIELD_LABELS.get(intent[len(INTENT_PREFIX):]) if intent.startswith(INTENT_PREFIX) else None
    name = FOLLOW_UP_NAME.format(label=aspect) if aspect else INTENT_NAMES.get(intent)
    return f"{name}（{intent}）" if name else intent or "-"
