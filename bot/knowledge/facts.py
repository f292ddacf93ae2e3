"""Which of an entry's facts answers a follow-up question: "里面有几张床位" finds "中心设有日间托养床位20个".

A fact answers the kinds of question listed under its `answers` (bot/knowledge/questions.py). Among those, the
one sharing most words with the question wins; a question that asks no kind at all ("床位呢") is matched on
shared words alone.
"""
import re
from typing import Callable, FrozenSet, List, NamedTuple, Sequence, Tuple

from bot.knowledge.questions import HOW_MANY, SIZE, WHEN, bigrams, kinds_asked, subject_words
from bot.knowledge.schema import Entry, Fact

MAX_FACTS = 2
# Shared character pairs a question must have with a fact when the kinds asked do not match ("充电的有吗": 充电).
MIN_WORDS_WITHOUT_KIND = 1


# Sentences of an entry's answer that give a figure answer "how many", "how big" and "since when" on their own.
_SENTENCE_KINDS = (
    (SIZE, re.compile(r"\d\s*(平方米|平方公里|亩|公里)")),
    (WHEN, re.compile(r"\d{4}年|\d+月|以来")),
    (HOW_MANY, re.compile(r"\d+(?:\.\d+)?(?![\d.]|年|月|日|号)")),
)


class Answering(NamedTuple):
    """The facts that answer a question, best first, and which of the kinds it asked they answer."""

    facts: List[Fact]
    kinds: FrozenSet[str]


def facts_answering(entry: Entry, question: str) -> Answering:
    """The best fact for `question` (and a second one that fits as well); no facts when none fits.

    Without a fact that fits, a sentence of the answer that gives the figure asked for ("能服务多少人": "它为辖区
    108名退伍军人提供…") is the fact: the answer is what the documents say, even where no one listed its facts."""
    listed = _best(entry.facts, question, _kinds_answered)
    return listed if listed.facts else _best(_sentences(entry), question, _sentence_kinds)


def _best(facts: Sequence[Fact], question: str, kinds_of: Callable[[Fact], FrozenSet[str]]) -> Answering:
    asked = kinds_asked(question)
    about = bigrams(subject_words(question))
    scored: List[Tuple[float, int, Fact]] = []
    for position, fact in enumerate(facts):
        fits_kind = bool(asked & kinds_of(fact))
        shared = max((len(about & bigrams(subject_words(phrase))) for phrase in fact.answers), default=0)
        shared_with_text = len(about & bigrams(fact.says))
        if not fits_kind and max(shared, shared_with_text) < MIN_WORDS_WITHOUT_KIND:
            continue
        scored.append((3 * fits_kind + shared + 0.5 * shared_with_text, -position, fact))
    if not scored:
        return Answering([], frozenset())
    scored.sort(key=lambda item: item[:2], reverse=True)
    best = [fact for score, _, fact in scored[:MAX_FACTS] if score == scored[0][0]]
    return Answering(best, asked & frozenset().union(*(kinds_of(fact) for fact in best)))


def _kinds_answered(fact: Fact) -> FrozenSet[str]:
    return frozenset().union(*(kinds_asked(phrase) for phrase in fact.answers))


def _sentences(entry: Entry) -> List[Fact]:
    return [Fact(says=sentence + "。", answers=()) for sentence in re.split(r"[。！？]", entry.answer) if sentence]


def _sentence_kinds(fact: Fact) -> FrozenSet[str]:
    """The kinds a sentence of the answer answers, by the figures it gives."""
    return frozenset(kind for kind, pattern in _SENTENCE_KINDS if pattern.search(fact.says))
