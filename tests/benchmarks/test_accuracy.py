from bot.benchmarks.accuracy import NOT_ASKED, answered_entry, baseline_accuracy, bot_accuracy, score
from bot.benchmarks.questions import Question
from bot.knowledge import load_knowledge
from tests.benchmarks.rest_server import RestServer
from tests.knowledge.knowledge_paths import FIXTURES

KNOWLEDGE = load_knowledge(FIXTURES)
LUNCH, DAY_CARE = KNOWLEDGE["elderly_lunch"], KNOWLEDGE["elderly_day_care"]
QUESTIONS = [Question("老年餐在哪吃", "elderly_lunch"), Question("日托几点开门", "elderly_day_care"),
             Question("今天天气怎么样", "elderly_lunch")]


def test_score_tallies_right_wrong_and_no_answer():
    accuracy = score(QUESTIONS, ["elderly_lunch", "elderly_lunch", None])
    assert (accuracy.correct, accuracy.wrong, accuracy.no_answer, accuracy.asked) == (1, 1, 1, 3)
    assert accuracy.rate == 1 / 3


def test_questions_not_asked_are_left_out_of_the_rate():
    accuracy = score(QUESTIONS, ["elderly_lunch", NOT_ASKED, NOT_ASKED])
    assert accuracy.asked == 1 and accuracy.questions == 3 and accuracy.rate == 1.0


def test_a_reply_is_the_entry_whose_answer_it_contains():
    assert answered_entry(KNOWLEDGE, f"{DAY_CARE.answer}\n（来源：……）") == "elderly_day_care"
    assert answered_entry(KNOWLEDGE, "抱歉，这个问题我暂时还答不上来。") is None


def test_the_baseline_answers_from_keywords():
    accuracy = baseline_accuracy(KNOWLEDGE, QUESTIONS)
    assert (accuracy.correct, accuracy.wrong, accuracy.no_answer) == (2, 0, 1)


def test_the_bot_is_scored_on_what_it_replies():
    def always_lunch(sender, message):
        return 200, [{"text": f"{LUNCH.answer}\n（来源：……）"}]

    with RestServer(always_lunch) as server:
        accuracy = bot_accuracy(server.url, KNOWLEDGE, QUESTIONS, max_seconds=30)
    assert (accuracy.correct, accuracy.wrong, accuracy.no_answer) == (2, 1, 0)
    # Each question comes from a new resident.
    assert len({sender for sender, _ in server.turns}) == 3


def test_a_failed_request_is_no_answer():
    with RestServer(lambda sender, message: (500, {})) as server:
        accuracy = bot_accuracy(server.url, KNOWLEDGE, QUESTIONS, max_seconds=30)
    assert accuracy.no_answer == 3 and accuracy.correct == 0
