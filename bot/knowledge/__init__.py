"""The staff-edited knowledge base (`knowledge/*.yml`): loading, checking, hot reload and the replies built from it."""
from bot.knowledge.answers import answer, answer_detail, fallback_reply
from bot.knowledge.dialogue import Answered, Question, respond
from bot.knowledge.loader import KnowledgeBase, KnowledgeError, load_knowledge
from bot.knowledge.schema import ASPECTS, Entry, Fact, Source
from bot.knowledge.store import KnowledgeStore, shared_store
from bot.replies import Reply

__all__ = [
    "ASPECTS",
    "Answered",
    "Entry",
    "Fact",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeStore",
    "shared_store",
    "Question",
    "Reply",
    "Source",
    "answer",
    "answer_detail",
    "fallback_reply",
    "load_knowledge",
    "respond",
]
