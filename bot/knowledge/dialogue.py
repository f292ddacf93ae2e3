"""How a question is answered within a conversation: the topic just answered, follow-ups about it, a switch to
another topic, and a follow-up that came before any topic.

Residents ask "那在哪吃", "能服务多少人", "我妈88岁能不能吃" right after an answer, without naming the service
again. Such a question is about the current topic unless it names another one or is plainly about something
else; the classifier alone cannot tell, since the words that would name the topic are missing.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterator, Optional, Tuple

from bot.knowledge import texts
from bot.knowledge.answers import answer, answer_detail
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.questions import KINDS, bigrams, kinds_asked, names_a_place, subject_words
from bot.knowledge.schema import Entry
from bot.replies import Reply

INTENT_PREFIX = "ask_"
# A subject of at most this many characters ("吃", "上") is elliptical: it names nothing else.
ELLIPTICAL_SUBJECT = 1
# A village or community that this many entries speak of names none of them on its own.
SHARED_BY_MANY = 3
_VILLAGE_ENDINGS = ("村", "社区")


@dataclass(frozen=True)
class Question:
    """A resident's message as the classifier read it: its best intent and how sure it was of it."""

    text: str
    intent: str = ""
    confidence: float = 0.0


@dataclass(frozen=True)
class Answered:
    """What to say, the topic a next follow-up is about, and a follow-up still waiting for its service."""

    reply: Optional[Reply]
    topic: Optional[str]
    waiting: Optional[str] = None


def respond(knowledge: KnowledgeBase, question: Question, topic: Optional[str], waiting: Optional[str]) -> Answered:
    """Answer `question` given the current `topic` and a follow-up `waiting` for its service ("要钱吗" before any
    topic, answered with "请问您问的是哪项服务？"). `reply` None means: not a question the knowledge answers."""
    named = entries_named(knowledge, question.text)
    confident = _classified_entry(knowledge, question)
    if waiting:
        target = _choose(knowledge, question.text, named, confident)
        if target:
            return Answered(answer(knowledge, target, waiting), target)
    if topic in knowledge and _stays_on(knowledge[topic], question, named, confident):
        detail = answer_detail(knowledge, topic, question.text)
        # "孩子暑假没人带怎么办" about 春泥计划 is the topic asked again, better answered whole than as a gap.
        if detail and (detail.found or confident != topic or _names_nothing(question.text)):
            return Answered(Reply(detail.text), topic)
        if detail is None and related_to(knowledge[topic], question.text):
            # Words of the topic that no fact or field answers on their own: its answer is the best there is.
            return Answered(answer(knowledge, topic, question.text), topic)
    target = _choose(knowledge, question.text, named, confident)
    if target:
        return Answered(answer(knowledge, target, question.text), target)
    if topic not in knowledge and not waiting and kinds_asked(question.text) and _names_nothing(question.text):
        example = texts.WHICH_SERVICE_EXAMPLES[min(kinds_asked(question.text), key=KINDS.index)]
        return Answered(Reply(texts.WHICH_SERVICE.format(example=example)), None, question.text)
    return Answered(None, topic if topic in knowledge else None)


def entries_named(knowledge: KnowledgeBase, text: str) -> Dict[str, str]:
    """Entries whose title or one of whose keywords `text` contains, each with the longest such word; a word
    inside a longer one names nothing ("医院" in "省中医院"), and neither does a village many entries speak of
    (临江村 is where several services are)."""
    text = text or ""
    found = [(word, entry_id, text.find(word)) for word, entry_id in _vocabulary(knowledge) if word in text]
    found = [(word, entry_id, start) for word, entry_id, start in found if not _shared_by_many(knowledge, word)]
    named: Dict[str, str] = {}
    for word, entry_id, start in found:
        inside_longer = any(
            len(other) > len(word) and other_start <= start and start + len(word) <= other_start + len(other)
            for other, _, other_start in found
        )
        if not inside_longer and len(word) > len(named.get(entry_id, "")):
            named[entry_id] = word
    return named


def _stays_on(entry: Entry, question: Question, named: Dict[str, str], confident: Optional[str]) -> bool:
    """Whether `question` is about the current topic `entry`. Naming another entry moves on ("那公交呢"), unless
    the question asks a detail and the classifier does not back the other entry: "孩子上初中了还能去吗" about
    春泥计划 asks whether it applies, not about 前进初中."""
    others = set(named) - {entry.id}
    if not others:
        return _follows_up(entry, question, confident)
    if not kinds_asked(question.text) or confident in others:
        return False
    for word in named.values():
        question = Question(question.text.replace(word, ""), question.intent, question.confidence)
    return _follows_up(entry, question, confident)


def _follows_up(entry: Entry, question: Question, confident: Optional[str]) -> bool:
    """Whether `question` is about the topic `entry`: it fits it, or it asks a detail ("怎么申请住进去", "每天几点开")
    of nothing else: not a place or body of its own ("图书馆在哪里") nor an entry the classifier is sure of."""
    if fits_topic(entry, question.text):
        return True
    subject = subject_words(question.text)
    return bool(kinds_asked(question.text)) and confident in (None, entry.id) and not names_a_place(subject)


def fits_topic(entry: Entry, text: str) -> bool:
    """Whether what `text` is about could be `entry`: nothing but the asking ("要钱吗", "在哪吃"), or words the
    entry itself uses ("几张床位" for a centre with 床位). "孩子暑假没人带" does not fit 免费午餐."""
    subject = subject_words(text)
    return len(subject) <= ELLIPTICAL_SUBJECT or bool(bigrams(subject) & _words_of(entry))


def related_to(entry: Entry, text: str) -> bool:
    """Whether `text` shares any words with `entry`: the least a topic offered to an unsure resident must do."""
    return bool(bigrams(subject_words(text)) & _words_of(entry))


def _classified_entry(knowledge: KnowledgeBase, question: Question) -> Optional[str]:
    """The entry the classifier chose, when it chose one (below its threshold the intent is nlu_fallback)."""
    entry_id = question.intent[len(INTENT_PREFIX):] if question.intent.startswith(INTENT_PREFIX) else ""
    return entry_id if entry_id in knowledge else None


def _choose(knowledge: KnowledgeBase, text: str, named: Dict[str, str], classified: Optional[str]) -> Optional[str]:
    """The classifier's entry, unless the message names another one as the thing it asks about: Chinese puts that
    after 的 and what describes it ("前进初中那边的停车位" asks about parking, "前峰村的文化礼堂" about the hall).
    Without the classifier, the entry named as that thing, else the one named by the longest word."""
    head = _named_after_de(text, named)
    if classified and (classified not in named or head in (None, classified)):
        return classified
    if head:
        return head
    return max(named, key=lambda entry_id: len(named[entry_id])) if named else None


def _named_after_de(text: str, named: Dict[str, str]) -> Optional[str]:
    """The entry named after a 的 that follows another entry's name, if exactly one is."""
    heads = {
        entry_id
        for entry_id, word in named.items()
        for other, other_word in named.items()
        if other != entry_id and "的" in text[text.find(other_word) + len(other_word) : text.rfind(word)]
    }
    return heads.pop() if len(heads) == 1 else None


def _names_nothing(text: str) -> bool:
    """"要钱吗", "在哪吃": a follow-up that says what it asks but not about what."""
    return len(subject_words(text)) <= ELLIPTICAL_SUBJECT


def _shared_by_many(knowledge: KnowledgeBase, word: str) -> bool:
    """A village or community several entries speak of: where a service is, not which service."""
    return word.endswith(_VILLAGE_ENDINGS) and sum(word in _text_of(entry) for entry in knowledge) >= SHARED_BY_MANY


def _vocabulary(knowledge: KnowledgeBase) -> Iterator[Tuple[str, str]]:
    return ((word, entry.id) for entry in knowledge for word in (entry.title,) + entry.keywords)


@lru_cache(maxsize=512)
def _text_of(entry: Entry) -> str:
    facts = "".join(fact.says + "".join(fact.answers) for fact in entry.facts)
    return entry.title + "".join(entry.keywords) + entry.answer + facts


@lru_cache(maxsize=512)
def _words_of(entry: Entry) -> FrozenSet[str]:
    return bigrams(_text_of(entry))
