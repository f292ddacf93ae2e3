"""Danger happening now, ticket numbers and a request for a person said first override whatever the classifier
guessed; a mere risk does not."""
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu import CertainIntent


def _parsed(text, intent="greet", confidence=0.6):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    return message


def test_violence_in_progress_becomes_an_emergency():
    [message] = CertainIntent().process([_parsed("有人被打得流血了")])
    assert message.get("intent") == {"name": "report_emergency", "confidence": 1.0}
    assert [r["name"] for r in message.get("intent_ranking")] == ["report_emergency", "greet"]


def test_a_fire_risk_is_left_to_the_classifier():
    [message] = CertainIntent().process([_parsed("楼道堆满杂物有火灾隐患", "report_problem", 0.9)])
    assert message.get("intent")["name"] == "report_problem"


def test_a_ticket_number_asks_about_that_ticket():
    [message] = CertainIntent().process([_parsed("麻烦看看 QJ20261210-0004 办得怎么样", "thank", 0.48)])
    assert message.get("intent") == {"name": "check_ticket", "confidence": 1.0}


def test_a_request_for_a_person_said_before_the_question_asks_for_a_person():
    [message] = CertainIntent().process([_parsed("转人工，前悦社区的健身器材坏了归谁修", "report_problem", 0.7)])
    assert message.get("intent") == {"name": "request_human", "confidence": 1.0}


def test_a_question_about_whether_this_is_a_person_is_left_to_the_classifier():
    [message] = CertainIntent().process([_parsed("你是人工客服还是自动回复", "bot_challenge", 0.8)])
    assert message.get("intent")["name"] == "bot_challenge"
    [message] = CertainIntent().process([_parsed("转人工", "request_human", 0.9)])
    assert message.get("intent") == {"name": "request_human", "confidence": 0.9}
