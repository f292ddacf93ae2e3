"""The load runner against a small real HTTP server that answers like the REST channel."""
import time

import pytest

from bot.benchmarks.load import run_cell
from bot.benchmarks.questions import Question
from bot.benchmarks.scenarios import KnowledgeVisit, Step
from bot.benchmarks.stack import reply_text
from bot.rasa.channels.busy import BUSY_TEXT
from tests.benchmarks.rest_server import RestServer

QUESTIONS = [Question("老年餐", "elderly_lunch"), Question("日托", "elderly_day_care")]


def ok(sender, message):
    return 200, [{"text": f"收到：{message}", "buttons": [{"title": "是的", "payload": "/affirm"}]}]


class TwoSteps:
    """Type something, then press 是的: like the report form's first two turns."""

    name = "two-steps"

    def steps(self, resident, visit):
        return [
            Step("type", "路灯坏了"),
            Step("press", button="是的", expect=lambda messages: "/affirm" in reply_text(messages)),
        ]


def test_a_cell_stops_at_its_request_budget():
    with RestServer(ok) as server:
        cell = run_cell(server.url, KnowledgeVisit(QUESTIONS, questions_per_visit=2), residents=3,
                        max_requests=10, max_seconds=30)
    assert len(cell.turns) == len(server.turns) == 10
    assert len(cell.answered) == 10 and cell.failures == {}
    assert cell.answers_per_second > 0 and cell.latency_ms(50) > 0


def test_a_cell_stops_at_its_time_budget():
    with RestServer(ok, delay=0.1) as server:
        started = time.monotonic()
        cell = run_cell(server.url, KnowledgeVisit(QUESTIONS), residents=2, max_requests=1000, max_seconds=0.5)
    assert time.monotonic() - started < 2
    assert 2 <= len(cell.turns) <= 14


def test_every_resident_and_visit_has_its_own_sender():
    with RestServer(ok) as server:
        run_cell(server.url, KnowledgeVisit(QUESTIONS, questions_per_visit=2), residents=2, max_requests=8,
                 max_seconds=30)
    senders = [sender for sender, _ in server.turns]
    # Two residents x two visits of two questions each.
    assert len(set(senders)) == 4 and all(senders.count(s) == 2 for s in set(senders))


def test_a_button_sends_its_payload():
    with RestServer(ok) as server:
        cell = run_cell(server.url, TwoSteps(), residents=1, max_requests=2, max_seconds=30)
    assert [message for _, message in server.turns] == ["路灯坏了", "/affirm"]
    assert [t.step for t in cell.answered] == ["type", "press"]


def busy(sender, message):
    return 200, [{"text": BUSY_TEXT}]


def broken(sender, message):
    return 500, {"error": "boom"}


def silent(sender, message):
    return 200, []


@pytest.mark.parametrize("answer, failure", [(busy, "busy or empty reply"), (silent, "busy or empty reply"),
                                             (broken, "HTTP 500")])
def test_busy_empty_and_error_replies_are_failures_and_end_the_visit(answer, failure):
    with RestServer(answer) as server:
        cell = run_cell(server.url, TwoSteps(), residents=1, max_requests=3, max_seconds=30)
    assert cell.answered == [] and cell.failures == {failure: 3}
    assert [message for _, message in server.turns] == ["路灯坏了"] * 3
    assert cell.latency_ms(50) is None and cell.answers_per_second == 0


def test_an_unexpected_reply_is_a_failure():
    def no_button(sender, message):
        return 200, [{"text": "好的"}]

    with RestServer(no_button) as server:
        cell = run_cell(server.url, TwoSteps(), residents=1, max_requests=2, max_seconds=30)
    assert [t.step for t in cell.answered] == ["type"] and cell.failures == {"no button 是的": 1}
