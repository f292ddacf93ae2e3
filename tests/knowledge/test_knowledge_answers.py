"""Replies give the answer with its source, and say plainly when the documents do not give a detail."""
import re

import pytest

from bot.knowledge import ASPECTS, Reply, answer, answer_aspect, detect_aspect, load_knowledge, no_topic_reply
from bot.knowledge.answers import FALLBACK_TEXT
from tests.knowledge.knowledge_paths import FIXTURES, REAL_KNOWLEDGE

SOURCE_2023 = "（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年6月）"
ASK_LOCALLY = "建议直接咨询您所在的村（社区）或前进街道办事处。"


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(FIXTURES)


def test_answer_has_text_source_line_and_related_buttons(knowledge):
    reply = answer(knowledge, "elderly_lunch")

    assert reply == Reply(
        "2023年6月起，前进街道推出“老有康养”优享工程服务项目，为辖区90周岁以上的老人送上免费午餐。\n" + SOURCE_2023,
        [("居家养老服务中心", "/ask_elderly_day_care"), ("临江村退伍军人服务站", "/ask_veterans_station")],
    )


def test_source_line_of_the_2021_article(knowledge):
    assert answer(knowledge, "elderly_day_care").text.endswith("（来源：《做优产城融合 抓实共富共享》，截至2021年）")


def test_plans_are_not_dated_as_of(knowledge):
    assert answer(knowledge, "street_overview").text.endswith(
        "（来源：前进街道2023年工作回顾与2024年工作思路，2024年计划）"
    )


def test_at_most_three_related_buttons(knowledge):
    assert answer(knowledge, "veterans_station").buttons == [
        ("90周岁以上老人免费午餐", "/ask_elderly_lunch"),
        ("居家养老服务中心", "/ask_elderly_day_care"),
        ("前进街道概况", "/ask_street_overview"),
    ]


def test_answer_with_a_question_about_the_place(knowledge):
    reply = answer(knowledge, "elderly_lunch", detect_aspect("90岁老人免费午餐在哪里吃"))

    assert reply.text == (
        "2023年6月起，前进街道推出“老有康养”优享工程服务项目，为辖区90周岁以上的老人送上免费午餐。\n"
        + SOURCE_2023
        + "\n\n资料里没有「90周岁以上老人免费午餐」的具体地点。"
        + ASK_LOCALLY
    )


def test_a_missing_detail_the_answer_already_names_is_not_said_twice():
    real = load_knowledge(REAL_KNOWLEDGE)
    lunch = real["elderly_lunch"]
    assert "在哪里吃、几点开饭，文件里没有写" in lunch.answer and not (lunch.where or lunch.hours or lunch.contact)
    plain = answer(real, "elderly_lunch").text

    assert answer(real, "elderly_lunch", detect_aspect("免费午餐在哪里吃")).text == plain
    assert answer(real, "elderly_lunch", detect_aspect("免费午餐几点开饭")).text == plain
    assert answer(real, "elderly_lunch", detect_aspect("免费午餐的电话")).text == (
        plain + "\n\n资料里没有「90周岁以上老人免费午餐」的联系电话。" + ASK_LOCALLY
    )


def test_aspect_given_by_the_documents(knowledge):
    assert answer_aspect(knowledge, "veterans_station", "where") == Reply(
        "关于「临江村退伍军人服务站」的地点：临江村\n"
        "（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年8月）"
    )
    assert answer_aspect(knowledge, "elderly_lunch", "fee").text.startswith("关于「90周岁以上老人免费午餐」的收费情况：免费\n")


@pytest.mark.parametrize(
    "aspect, expected",
    [
        ("where", "资料里没有「居家养老服务中心」的具体地点。"),
        ("eligibility", "资料里没有写明「居家养老服务中心」的享受条件。"),
        ("contact", "资料里没有「居家养老服务中心」的联系电话。"),
        ("hours", "资料里没有「居家养老服务中心」的开放或服务时间。"),
        ("fee", "资料里没有写明「居家养老服务中心」是否收费。"),
        ("how_to_apply", "资料里没有写明「居家养老服务中心」怎么申请办理。"),
    ],
)
def test_aspect_the_documents_do_not_give_points_to_the_community(knowledge, aspect, expected):
    assert answer_aspect(knowledge, "elderly_day_care", aspect) == Reply(expected + ASK_LOCALLY)


def test_unknown_aspect_is_a_programming_error(knowledge):
    with pytest.raises(ValueError):
        answer_aspect(knowledge, "elderly_lunch", "parking")


@pytest.mark.skipif(not REAL_KNOWLEDGE.is_dir(), reason="knowledge/ not written yet")
def test_real_knowledge_replies_never_invent_details():
    """Every figure in a reply comes from the entry itself; empty details add no number at all."""
    knowledge = load_knowledge(REAL_KNOWLEDGE)
    for entry in knowledge:
        reply = answer(knowledge, entry.id)
        assert entry.key_fact in reply.text
        assert len(reply.buttons) <= 3
        for aspect in ASPECTS:
            text = answer_aspect(knowledge, entry.id, aspect).text
            if getattr(entry, aspect):
                assert getattr(entry, aspect) in text
            else:
                assert not re.search(r"\d", text.replace(entry.title, "")), text
                assert text.endswith(ASK_LOCALLY)


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("90岁老人免费午餐在哪里吃", "where"),
        ("居家养老服务中心地址", "where"),
        ("在哪里报名", "where"),
        ("需要什么条件", "eligibility"),
        ("申请条件是什么", "eligibility"),
        ("谁可以去", "eligibility"),
        ("我能不能享受", "eligibility"),
        ("电话多少", "contact"),
        ("联系谁", "contact"),
        ("几点开门", "hours"),
        ("什么时间开放", "hours"),
        ("收费吗", "fee"),
        ("多少钱", "fee"),
        ("午餐免费吗", "fee"),
        ("费用怎么算", "fee"),
        ("怎么申请", "how_to_apply"),
        ("春泥计划怎么报名", "how_to_apply"),
        ("去哪办理", "where"),
        ("要怎么办理", "how_to_apply"),
        ("这个怎么弄", "how_to_apply"),
        ("90岁老人免费午餐", None),
        ("居家养老服务中心", None),
        ("", None),
    ],
)
def test_detect_aspect(text, aspect):
    assert detect_aspect(text) == aspect


@pytest.mark.parametrize("aspect", ASPECTS)
def test_follow_up_without_a_topic_asks_which_service(aspect):
    reply = no_topic_reply(aspect)

    assert reply.text.startswith("请问您想了解哪项服务的")
    assert reply.buttons == []


@pytest.mark.parametrize("text", ["在哪里", "你们电话多少", "那个几点开门呀", "收费吗？", "要怎么申请", "有没有什么条件"])
def test_a_bare_follow_up_without_a_topic_asks_which_service(text):
    assert no_topic_reply(detect_aspect(text), text).text.startswith("请问您想了解哪项服务的")


@pytest.mark.parametrize("text", ["图书馆在哪里", "低保怎么申请", "街道办几点上班", "游泳馆收费吗"])
def test_a_follow_up_naming_a_service_the_knowledge_lacks_gets_the_fallback(text):
    assert no_topic_reply(detect_aspect(text), text) == Reply(FALLBACK_TEXT)


def test_no_topic_reply_wording():
    assert no_topic_reply("where").text == "请问您想了解哪项服务的地点？请把服务名称一起告诉我，例如“老人免费午餐在哪里”。"
