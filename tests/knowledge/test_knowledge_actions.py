"""The knowledge actions, run the way the action server runs them (rasa_sdk's ActionExecutor)."""
import logging
import shutil

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor

import actions.knowledge
from bot.knowledge import KnowledgeStore
from tests.knowledge.knowledge_paths import FIXTURES

LUNCH_ANSWER = "2023年6月起，前进街道推出“老有康养”优享工程服务项目，为辖区90周岁以上的老人送上免费午餐。"
LUNCH_SOURCE = "（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年6月）"
FALLBACK = "抱歉，这个问题我暂时还答不上来。您可以换个说法再问，或者直接咨询您所在的村（社区）或前进街道办事处。"


@pytest.fixture
def executor(monkeypatch):
    monkeypatch.setattr(actions.knowledge, "store", KnowledgeStore(FIXTURES))
    executor = ActionExecutor()
    executor.register_package("actions.knowledge")
    return executor


async def run(executor, intent, text, topic=None, waiting=None, ranking=()):
    """Run action_answer_question for a resident's message; returns (messages, events) as sent back to Rasa."""
    response = await executor.run(
        {
            "next_action": "action_answer_question",
            "sender_id": "resident-1",
            "tracker": {
                "sender_id": "resident-1",
                "slots": {"topic": topic, "waiting_question": waiting},
                "latest_message": {
                    "text": text,
                    "intent": {"name": intent, "confidence": 0.93},
                    "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking],
                    "entities": [],
                },
                "events": [],
                "latest_action_name": "action_listen",
            },
            "domain": {},
        }
    )
    return [(m["text"], m["buttons"]) for m in response["responses"]], response["events"]


def slots(topic, waiting=None):
    return [SlotSet("topic", topic), SlotSet("waiting_question", waiting)]


def remembered(events):
    """The topic and a waiting follow-up, of all the slots the action sets (it also counts unanswered questions)."""
    return [event for event in events if event["name"] in ("topic", "waiting_question")]


async def test_answers_the_topic_and_remembers_it(executor):
    messages, events = await run(executor, "ask_elderly_lunch", "九十岁老人免费午餐")

    assert messages == [
        (
            f"{LUNCH_ANSWER}\n{LUNCH_SOURCE}",
            [
                {"title": "居家养老服务中心", "payload": "/ask_elderly_day_care"},
                {"title": "临江村退伍军人服务站", "payload": "/ask_veterans_station"},
            ],
        )
    ]
    assert remembered(events) == slots("elderly_lunch")


async def test_answers_a_detail_asked_in_the_same_message(executor):
    messages, events = await run(executor, "ask_elderly_lunch", "90岁老人免费午餐在哪里吃")

    assert messages[0][0] == (
        f"{LUNCH_ANSWER}\n{LUNCH_SOURCE}\n\n"
        "文件里没有写「90周岁以上老人免费午餐」的地点。建议直接咨询您所在的村（社区）或前进街道办事处。"
    )
    assert remembered(events) == slots("elderly_lunch")


async def test_intent_without_an_entry_is_treated_as_unsure(executor):
    messages, events = await run(executor, "ask_swimming_pool", "游泳池在哪")

    assert messages[0][0].startswith("抱歉，前进街道的资料里没有这方面的内容")
    assert remembered(events) == slots(None)


async def test_follow_up_about_the_current_topic_whatever_the_intent(executor):
    for intent in ("ask_where", "nlu_fallback", "ask_middle_school"):
        messages, events = await run(executor, intent, "在哪里", topic="veterans_station")

        assert messages == [
            ("关于「临江村退伍军人服务站」的地点：临江村\n（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年8月）", [])
        ]
        assert remembered(events) == slots("veterans_station")


async def test_follow_up_the_documents_do_not_answer(executor):
    messages, _ = await run(executor, "ask_contact", "电话多少", topic="elderly_lunch")

    assert messages[0][0].startswith(
        "文件里没有写「90周岁以上老人免费午餐」的联系电话。建议直接咨询您所在的村（社区）或前进街道办事处。"
    )


@pytest.mark.parametrize("topic", [None, "entry_removed_since"])
async def test_follow_up_without_a_known_topic_asks_which_service_then_answers_it(executor, topic):
    messages, events = await run(executor, "ask_fee", "收费吗", topic=topic)

    assert messages == [("请问您问的是哪项服务？请把服务名称告诉我，例如“托幼班收费吗”。", [])]
    assert remembered(events) == slots(None, "收费吗")

    messages, events = await run(executor, "ask_elderly_lunch", "免费午餐", waiting="收费吗")
    assert messages[0][0].endswith("关于「90周岁以上老人免费午餐」的收费情况：免费")
    assert remembered(events) == slots("elderly_lunch")


async def test_follow_up_naming_an_unknown_service_without_a_topic_is_outside_what_the_bot_knows(executor):
    messages, events = await run(executor, "ask_where", "图书馆在哪里", topic=None)

    assert messages[0][0].startswith("抱歉，前进街道的资料里没有这方面的内容")
    assert [title for title, _ in [(b["title"], b) for b in messages[0][1]]] == ["反映问题", "我能问些什么"]
    assert remembered(events) == slots(None)


async def test_knowledge_that_never_loaded_gets_the_fallback(monkeypatch, tmp_path, caplog):
    shutil.copytree(FIXTURES, tmp_path / "knowledge")
    (tmp_path / "knowledge" / "sources.yml").unlink()
    monkeypatch.setattr(actions.knowledge, "store", KnowledgeStore(tmp_path / "knowledge"))
    executor = ActionExecutor()
    executor.register_package("actions.knowledge")

    for intent in ("ask_elderly_lunch", "ask_where"):
        messages, events = await run(executor, intent, "免费午餐", topic="elderly_lunch")
        assert messages == [(FALLBACK, [])]
        assert events == []
    assert any(r.levelno == logging.ERROR and "sources.yml" in r.getMessage() for r in caplog.records)
