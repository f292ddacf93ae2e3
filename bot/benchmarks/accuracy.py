"""Does the resident get the right entry? The running bot and the keyword baseline, on the same questions.

A bot reply counts as that entry's answer when it contains the entry's `answer` text (how the knowledge
action renders it); a reply with no entry's answer (fallback, suggestion buttons) is "no answer".
"""
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Optional, Sequence

import requests

from bot.benchmarks.keyword_baseline import KeywordBaseline
from bot.benchmarks.questions import Question
from bot.benchmarks.stack import reply_text
from bot.knowledge import KnowledgeBase

REQUEST_TIMEOUT_SECONDS = 30
WORKERS = 4
# Given instead of an entry id for a question left out when time ran out.
NOT_ASKED = "<not asked>"


@dataclass(frozen=True)
class Accuracy:
    questions: int
    correct: int = 0
    wrong: int = 0
    no_answer: int = 0

    @property
    def asked(self) -> int:
        return self.correct + self.wrong + self.no_answer

    @property
    def rate(self) -> float:
        return self.correct / self.asked if self.asked else 0.0


def score(questions: Sequence[Question], given: Sequence[Optional[str]]) -> Accuracy:
    """Tally the entry id given for each question: None is no answer, NOT_ASKED leaves it out."""
    correct = wrong = no_answer = 0
    for question, entry_id in zip(questions, given):
        if entry_id == NOT_ASKED:
            continue
        if entry_id is None:
            no_answer += 1
        elif entry_id == question.entry_id:
            correct += 1
        else:
            wrong += 1
    return Accuracy(len(questions), correct, wrong, no_answer)


def baseline_accuracy(knowledge: KnowledgeBase, questions: Sequence[Question]) -> Accuracy:
    baseline = KeywordBaseline(knowledge)
    return score(questions, [baseline.answer(question.text) for question in questions])


def answered_entry(knowledge: KnowledgeBase, text: str) -> Optional[str]:
    """The id of the entry whose answer the reply contains; the longest answer if several do."""
    found = [entry for entry in knowledge if entry.answer and entry.answer in text]
    return max(found, key=lambda entry: len(entry.answer)).id if found else None


def bot_accuracy(webhook_url: str, knowledge: KnowledgeBase, questions: Sequence[Question],
                 max_seconds: float) -> Accuracy:
    """Ask every question as a new resident, a few at a time; a failed request is no answer, and questions
    still waiting when `max_seconds` have passed are not asked."""
    deadline = time.monotonic() + max_seconds
    run_id = uuid.uuid4().hex[:8]

    def ask(number: int) -> Optional[str]:
        if time.monotonic() >= deadline:
            return NOT_ASKED
        try:
            response = requests.post(
                webhook_url,
                json={"sender": f"bench-{run_id}-accuracy-{number}", "message": questions[number].text},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
            response.raise_for_status()
            return answered_entry(knowledge, reply_text(response.json()))
        except (requests.RequestException, ValueError):
            return None

    with ThreadPoolExecutor(WORKERS) as pool:
        return score(questions, list(pool.map(ask, range(len(questions)))))
