"""What a virtual resident says to the bot: a few knowledge questions, or one problem report from start to end.

A visit is a list of steps; each step is sent only if the previous reply was what a resident expects, so a
broken conversation is counted as a failure instead of being timed as if it had worked. Every visit uses a
new sender id, so no conversation grows longer than a real one would.
"""
import itertools
import random
from dataclasses import dataclass
from typing import Callable, List, Sequence

from bot.benchmarks.questions import Question
from bot.benchmarks.stack import is_answer, reply_text
from bot.knowledge import KnowledgeBase, texts as knowledge_texts
from bot.reporting import texts
from bot.reporting.ticket import find_ticket_no

Expectation = Callable[[List[dict]], bool]


@dataclass(frozen=True)
class Step:
    """One turn: type `text`, or press the button titled `button` in the previous reply."""

    name: str
    text: str = ""
    button: str = ""
    expect: Expectation = is_answer


def _says(fragment: str) -> Expectation:
    return lambda messages: fragment in reply_text(messages)


class KnowledgeVisit:
    """A resident asks `questions_per_visit` held-out questions in a row; any real answer counts as answered."""

    name = "knowledge"

    def __init__(self, questions: Sequence[Question], questions_per_visit: int = 5) -> None:
        if not questions:
            raise ValueError("no questions to ask")
        self.questions = list(questions)
        self.questions_per_visit = questions_per_visit

    def steps(self, resident: int, visit: int) -> List[Step]:
        # Residents start at different places in the list, so concurrent residents ask different things.
        start = resident * 101 + visit * self.questions_per_visit
        return [
            Step(self.name, self.questions[(start + i) % len(self.questions)].text)
            for i in range(self.questions_per_visit)
        ]


def _answers_from_the_topic(messages: List[dict]) -> bool:
    """A follow-up answered from the topic: neither silence nor "答不上来"."""
    return is_answer(messages) and knowledge_texts.OUTSIDE_WHAT_I_KNOW not in reply_text(messages)


class FollowUpVisit:
    """A resident asks about a topic by name, then follow-ups that do not name it ("能服务多少人"), taken from
    the entry's facts: as many turns as a knowledge visit, so that the two compare side by side."""

    name = "follow-up"

    def __init__(self, knowledge: KnowledgeBase, turns_per_visit: int = 5) -> None:
        self.visits = [
            [entry.title] + [fact.answers[0] for fact in entry.facts][: turns_per_visit - 1]
            for entry in knowledge
            if len(entry.facts) >= turns_per_visit - 1
        ]
        if not self.visits:
            raise ValueError(f"no entry has {turns_per_visit - 1} facts to ask about")

    def steps(self, resident: int, visit: int) -> List[Step]:
        topic, *follow_ups = self.visits[(resident * 7 + visit) % len(self.visits)]
        return [Step(self.name, topic)] + [Step(self.name, text, expect=_answers_from_the_topic) for text in follow_ups]


REPORT_DESCRIPTION = "小区门口路灯坏了好几天了"
REPORT_CATEGORY = "公共设施"
# Each visit's lamp is another one, in every run on the same bot (numbered from a random start), and none of the
# tests' lamps: the same lamp at the same place would be offered as already reported.
REPORT_LOCATION = "前悦社区北门口{lamp}号灯杆"
DECLINE_PHONE = "不留"


class ReportVisit:
    """A resident reports a broken street lamp: describe, confirm the category, place, no phone, submit."""

    name = "report"

    def __init__(self) -> None:
        self._lamps = itertools.count(random.SystemRandom().randrange(1, 1_000_000) * 1000)

    def steps(self, resident: int, visit: int) -> List[Step]:
        place = REPORT_LOCATION.format(lamp=next(self._lamps))
        return [
            Step("describe problem", REPORT_DESCRIPTION, expect=_says(f"「{REPORT_CATEGORY}」")),
            Step("confirm category", button=texts.CATEGORY_GUESS_BUTTONS[0][0], expect=_says(texts.ASK_LOCATION)),
            Step("give location", place, expect=_says(texts.PRIVACY_NOTICE)),
            Step("decline phone", DECLINE_PHONE, expect=_says(texts.SUMMARY.split("\n")[0])),
            Step("confirm submit", button=texts.CONFIRM_BUTTONS[0][0],
                 expect=lambda messages: find_ticket_no(reply_text(messages)) is not None),
        ]
