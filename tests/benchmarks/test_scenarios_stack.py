"""The benchmark's residents against the real running bot: its scenarios must still be conversations that work."""
import pytest

from bot.benchmarks.accuracy import bot_accuracy
from bot.benchmarks.load import run_cell
from bot.benchmarks.questions import load_questions
from bot.benchmarks.scenarios import FollowUpVisit, KnowledgeVisit, ReportVisit
from bot.benchmarks.stack import REST_PATH
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.stack


def test_the_report_visit_files_a_report_turn_by_turn(stack):
    cell = run_cell(stack.rasa_url + REST_PATH, ReportVisit(), residents=1, max_requests=5, max_seconds=120)
    assert cell.failures == {}
    assert [t.step for t in cell.answered] == [
        "describe problem", "confirm category", "give location", "decline phone", "confirm submit"]


def test_knowledge_visits_are_answered(stack):
    cell = run_cell(stack.rasa_url + REST_PATH, KnowledgeVisit(load_questions()), residents=2, max_requests=4,
                    max_seconds=120)
    assert cell.failures == {} and len(cell.answered) == 4


def test_held_out_questions_are_asked_and_scored(stack):
    questions = load_questions()[:4]
    accuracy = bot_accuracy(stack.rasa_url + REST_PATH, load_knowledge(PROJECT_ROOT / "knowledge"), questions,
                            max_seconds=120)
    assert accuracy.asked == 4


def test_follow_up_visits_are_answered_from_the_topic(stack):
    visits = FollowUpVisit(load_knowledge(PROJECT_ROOT / "knowledge"))
    cell = run_cell(stack.rasa_url + REST_PATH, visits, residents=2, max_requests=10, max_seconds=120)
    assert cell.failures == {} and len(cell.answered) == 10
