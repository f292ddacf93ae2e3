"""Low-confidence turns offer the likeliest topics by name, never raw intent names."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.core import ActionSuggestTopics
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT
from bot.suggestions import suggest_topics

KNOWLEDGE = load_knowledge(PROJECT_ROOT / "knowledge")


def test_offers_up_to_three_known_topics_and_a_way_out():
    ranking = [("nlu_fallback", 0.45), ("ask_elderly_lunch", 0.3), ("greet", 0.2), ("report_problem", 0.15),
               ("ask_parking", 0.1), ("ask_bus_lines", 0.06)]
    reply = suggest_topics(ranking, KNOWLEDGE)
    assert reply.buttons == [
        (KNOWLEDGE["elderly_lunch"].title, "/ask_elderly_lunch"),
        ("反映问题", "/report_problem"),
        (KNOWLEDGE["parking"].title, "/ask_parking"),
        ("都不是", "/deny"),
    ]
    assert reply.text.startswith("您是想问")


def test_nothing_likely_means_no_suggestion():
    assert suggest_topics([("nlu_fallback", 0.9), ("ask_parking", 0.01)], KNOWLEDGE) is None


def _tracker(ranking):
    message = {"text": "嗯那个啥", "intent": {"name": "nlu_fallback", "confidence": 0.4}, "intent_ranking": ranking}
    return Tracker("s1", {}, message, [], False, None, {}, "action_listen")


async def test_action_sends_buttons():
    dispatcher = CollectingDispatcher()
    await ActionSuggestTopics().run(dispatcher, _tracker([{"name": "ask_shared_ebikes", "confidence": 0.3}]), {})
    [message] = dispatcher.messages
    assert message["buttons"][0] == {"title": KNOWLEDGE["shared_ebikes"].title, "payload": "/ask_shared_ebikes"}


async def test_action_falls_back_to_cannot_help():
    dispatcher = CollectingDispatcher()
    await ActionSuggestTopics().run(dispatcher, _tracker([]), {})
    assert dispatcher.messages[0]["response"] == "utter_default"
