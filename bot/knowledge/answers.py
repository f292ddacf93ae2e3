"""The text residents read: an entry's answer with its source, and any detail a question asks about it.

A detail comes from the entry's facts or fields; the rule for "does it apply to me" from its `eligibility`.
Where the documents are silent the reply says "文件里没有写" and points to the 村（社区） or 前进街道办事处;
nothing here ever makes up a phone number, address, time, fee or rule.
"""
import re
from typing import List, NamedTuple, Optional

from bot.knowledge import texts
from bot.knowledge.eligibility import asks_about_own_case, eligibility_reply
from bot.knowledge.facts import facts_answering
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.questions import KINDS, OFFERS, WHAT, bigrams, kinds_asked
from bot.knowledge.schema import ASPECTS, Entry
from bot.replies import Reply

MAX_BUTTONS = 3
# A fact whose figures and most of whose character pairs are in the answer already would only repeat it.
REPEATS_ANSWER = 0.6
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def answer(knowledge: KnowledgeBase, entry_id: str, question: str = "") -> Reply:
    """The entry's answer and source, related topics as buttons, and any detail `question` also asks."""
    entry = knowledge[entry_id]
    parts = [f"{entry.answer}\n{source_line(entry)}"]
    detail = _detail(entry, question, answer_shown=True)
    if detail.text:
        parts.append(detail.text)
    buttons = [(knowledge[related].title, f"/ask_{related}") for related in entry.related[:MAX_BUTTONS]]
    return Reply("\n\n".join(parts), buttons)


def answer_detail(knowledge: KnowledgeBase, entry_id: str, question: str) -> Optional["Detail"]:
    """A follow-up such as "几张床位" about the topic `entry_id`; None when it asks nothing about a topic."""
    entry = knowledge[entry_id]
    detail = _detail(entry, question, answer_shown=False)
    if not detail.text and WHAT in kinds_asked(question):
        detail = Detail(texts.DETAIL_GIVEN.format(title=entry.title, text=entry.answer), found=True)
    if not detail.text:
        return None
    return Detail(f"{detail.text}\n{source_line(entry)}", detail.found)


def fallback_reply() -> Reply:
    """When the knowledge cannot answer at all (knowledge unavailable, no entry for an intent)."""
    return Reply(texts.FALLBACK)


def source_line(entry: Entry) -> str:
    """E.g. （来源：前进街道2023年工作回顾与2024年工作思路，截至2023年6月）; plans are not "as of" a date.

    A staff answer says so, with the day it was given, so residents can tell it from the documents.
    """
    as_of = entry.source.as_of
    if not entry.source.from_staff and not as_of.endswith("计划") and not as_of.startswith("截至"):
        as_of = f"截至{as_of}"
    return f"（来源：{entry.source.title}，{as_of}）"


class Detail(NamedTuple):
    """A reply about one detail of an entry; `found` is False when all it says is what the documents lack."""

    text: str
    found: bool


def _detail(entry: Entry, question: str, answer_shown: bool) -> Detail:
    """What `question` asks about `entry` beyond its answer: the rule, facts, fields, or what the documents lack."""
    question = _without_names(entry, question)
    asked = kinds_asked(question)
    parts: List[str] = []
    found = False
    if "eligibility" in asked or asks_about_own_case(question):
        parts.append(eligibility_reply(entry, question))
        found = bool(entry.eligibility)
        asked -= {"eligibility"}
    facts, answered = facts_answering(entry, question)
    if found and not asked:
        # "我妈88岁能不能吃" is answered by the rule; a fact would only say it again.
        facts = []
    # A fact about the thing asked answers "is there …" too ("有没有床位": 床位20个).
    asked -= answered | ({OFFERS} if facts else set())
    new_facts = [fact for fact in facts if not (answer_shown and _repeats(fact.says, entry))]
    if new_facts:
        found = True
        parts.insert(0, texts.DETAIL_GIVEN.format(title=entry.title, text="".join(fact.says for fact in new_facts)))
    missing = []
    for kind in (kind for kind in KINDS if kind in asked and kind != WHAT):
        value = getattr(entry, kind, "") if kind in ASPECTS else ""
        if value:
            found = True
            parts.append(texts.DETAIL_FIELD.format(title=entry.title, label=texts.FIELD_LABELS[kind], value=value))
        elif not (answer_shown and _answer_says_missing(entry, kind)):
            missing.append(texts.DETAIL_MISSING.format(title=entry.title, label=texts.MISSING_LABELS[kind]))
    if missing and not any(part.endswith(texts.ASK_LOCALLY) for part in parts):
        missing[-1] += texts.ASK_LOCALLY
    return Detail("\n".join(parts + missing), found)


def _repeats(says: str, entry: Entry) -> bool:
    pairs = bigrams(says)
    figures_shown = all(figure in entry.answer for figure in _FIGURE.findall(says))
    return figures_shown and len(pairs & bigrams(entry.answer)) >= REPEATS_ANSWER * len(pairs)


def _without_names(entry: Entry, question: str) -> str:
    """The question without the entry's own name: "免费午餐在哪里吃" asks where, not about fees."""
    for word in sorted((entry.title,) + entry.keywords, key=len, reverse=True):
        question = question.replace(word, "")
    return question


def _answer_says_missing(entry: Entry, kind: str) -> bool:
    """Whether the answer itself already says the documents lack `kind` (e.g. "在哪里吃、几点开饭，文件里没有写")."""
    clauses = re.split(r"[。；！？\n]", entry.answer)
    return any("没有" in clause and kind in kinds_asked(clause) for clause in clauses)
