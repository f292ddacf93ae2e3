"""The staff-edited knowledge base (`knowledge/*.yml`): loading, checking, hot reload and the replies built from it."""
from bot.knowledge.answers import Reply, answer, answer_aspect, detect_aspect, fallback_reply, no_topic_reply
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from bot.knowledge.schema import ASPECTS, Entry, Source
from bot.knowledge.store import KnowledgeStore

__all__ = [
    "ASPECTS",
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeStore",
    "Reply",
    "Source",
    "answer",
    "answer_aspect",
    "detect_aspect",
    "fallback_reply",
    "load_knowledge",
    "no_topic_reply",
]
