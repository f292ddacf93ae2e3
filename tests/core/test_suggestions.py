"""Unsure turns offer only topics the message could be about, by name; otherwise an honest way forward."""
from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT
from bot.suggestions import unsure_reply

KNOWLEDGE = load_knowledge(PROJECT_ROOT / "knowledge")
OUTSIDE = "抱歉，前进街道的资料里没有这方面的内容"


def test_offers_up_to_three_related_topics_and_a_way_out():
    ranking = [("nlu_fallback", 0.45), ("ask_elderly_lunch", 0.3), ("greet", 0.2), ("report_problem", 0.15),
               ("ask_parking", 0.1), ("ask_bus_lines", 0.06)]
    reply = unsure_reply(ranking, KNOWLEDGE, "老人吃饭的地方停车方便吗，路灯坏了")
    assert reply.buttons == [
        (KNOWLEDGE["elderly_lunch"].title, "/ask_elderly_lunch"),
        ("反映问题", "/report_problem"),
        (KNOWLEDGE["parking"].title, "/ask_parking"),
        ("都不是", "/deny"),
    ]
    assert reply.text.startswith("您是想问")


def test_unrelated_topics_are_not_offered():
    ranking = [
        ("nlu_fallback", 0.45), ("ask_gov_self_service", 0.3), ("ask_project_1510", 0.2), ("report_problem", 0.1),
    ]
    for text in ("帮我查下天气", "那个啥", "我想办个护照"):
        reply = unsure_reply(ranking, KNOWLEDGE, text)
        assert reply.text.startswith(OUTSIDE), text
        assert reply.buttons == [("反映问题", "/report_problem"), ("我能问些什么", "/ask_capabilities")]


def test_nothing_likely_says_what_the_resident_can_do():
    reply = unsure_reply([("nlu_fallback", 0.9), ("ask_parking", 0.01)], KNOWLEDGE, "停车")
    assert reply.text.startswith(OUTSIDE)
    assert "反映问题" in reply.text and "村（社区）或前进街道办事处" in reply.text


def test_ticket_look_up_offered_only_when_the_message_speaks_of_one():
    ranking = [("check_ticket", 0.3)]
    assert unsure_reply(ranking, KNOWLEDGE, "我那个工单咋样了").buttons[0] == ("查询工单进度", "/check_ticket")
    assert unsure_reply(ranking, KNOWLEDGE, "你好啊").text.startswith(OUTSIDE)
