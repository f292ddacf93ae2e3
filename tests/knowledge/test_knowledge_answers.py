"""Replies give the answer with its source, and say plainly when the documents do not give a detail."""
import re

import pytest

from bot.knowledge import ASPECTS, Reply, answer, answer_detail, load_knowledge
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
    reply = answer(knowledge, "elderly_lunch", "90岁老人免费午餐在哪里吃")

    assert reply.text == (
        "2023年6月起，前进街道推出“老有康养”优享工程服务项目，为辖区90周岁以上的老人送上免费午餐。\n"
        + SOURCE_2023
        + "\n\n文件里没有写「90周岁以上老人免费午餐」的地点。"
        + ASK_LOCALLY
    )


def test_a_missing_detail_the_answer_already_names_is_not_said_twice():
    real = load_knowledge(REAL_KNOWLEDGE)
    lunch = real["elderly_lunch"]
    assert "在哪里吃、几点开饭，文件里没有写" in lunch.answer and not (lunch.where or lunch.hours or lunch.contact)
    plain = answer(real, "elderly_lunch").text

    assert answer(real, "elderly_lunch", "免费午餐在哪里吃").text == plain
    assert answer(real, "elderly_lunch", "免费午餐几点开饭").text == plain
    assert answer(real, "elderly_lunch", "免费午餐的电话").text == (
        plain + "\n\n文件里没有写「90周岁以上老人免费午餐」的联系电话。" + ASK_LOCALLY
    )


def test_a_fact_the_answer_already_gives_is_not_repeated(knowledge):
    assert answer(knowledge, "elderly_day_care", "居家养老服务中心有几张床位").text == answer(knowledge, "elderly_day_care").text


def test_field_given_by_the_documents(knowledge):
    assert answer_detail(knowledge, "veterans_station", "在哪里") == (
        "关于「临江村退伍军人服务站」的地点：临江村\n"
        "（来源：前进街道2023年工作回顾与2024年工作思路，截至2023年8月）",
        True,
    )
    assert answer_detail(knowledge, "elderly_lunch", "要钱吗").text.startswith("关于「90周岁以上老人免费午餐」的收费情况：免费\n")


@pytest.mark.parametrize(
    "question, expected",
    [
        ("几张床位", "关于「居家养老服务中心」：中心设有日间托养床位20个。"),
        ("里面床位多不多", "关于「居家养老服务中心」：中心设有日间托养床位20个。"),
        ("能托几个老人", "关于「居家养老服务中心」：中心设有日间托养床位20个。"),
        ("有多大", "关于「居家养老服务中心」：中心占地1000平方米。"),
        ("占地呢", "关于「居家养老服务中心」：中心占地1000平方米。"),
    ],
)
def test_a_follow_up_finds_the_fact_that_answers_it(knowledge, question, expected):
    detail = answer_detail(knowledge, "elderly_day_care", question)
    assert detail.text.split("\n")[0] == expected and detail.found


@pytest.mark.parametrize(
    "question, expected",
    [
        ("在哪里", "文件里没有写「居家养老服务中心」的地点。"),
        ("谁可以去", "文件里没有写「居家养老服务中心」对哪些人开放、要什么条件。"),
        ("电话多少", "文件里没有写「居家养老服务中心」的联系电话。"),
        ("几点开门", "文件里没有写「居家养老服务中心」的开放或服务时间。"),
        ("收费吗", "文件里没有写「居家养老服务中心」的收费情况。"),
        ("怎么申请", "文件里没有写「居家养老服务中心」的申请办理方式。"),
        ("要带什么证件", "文件里没有写「居家养老服务中心」需要带哪些证件和材料。"),
        ("什么时候建的", "文件里没有写「居家养老服务中心」的相关时间。"),
    ],
)
def test_a_detail_the_documents_do_not_give_points_to_the_community(knowledge, question, expected):
    detail = answer_detail(knowledge, "elderly_day_care", question)
    assert detail.text.split("\n")[0] == expected + ASK_LOCALLY
    assert not detail.found


def test_a_question_asking_no_detail_is_no_follow_up(knowledge):
    assert answer_detail(knowledge, "elderly_day_care", "好的") is None


def test_what_it_is_repeats_the_answer(knowledge):
    assert answer_detail(knowledge, "middle_school", "是干啥的").text.startswith("关于「前进初中」：前进初中一期工程于2023年6月竣工。")


@pytest.mark.skipif(not REAL_KNOWLEDGE.is_dir(), reason="knowledge/ not written yet")
def test_real_knowledge_replies_never_invent_details():
    """Every figure in a reply comes from the entry itself; a detail the documents lack adds no number at all."""
    knowledge = load_knowledge(REAL_KNOWLEDGE)
    questions = ["在哪里", "谁可以去", "电话多少", "几点开门", "要钱吗", "怎么申请", "要带什么", "有多少", "有多大", "什么时候"]
    for entry in knowledge:
        reply = answer(knowledge, entry.id)
        assert entry.key_fact in reply.text
        assert len(reply.buttons) <= 3
        own_text = entry.title + entry.answer + "".join(fact.says for fact in entry.facts) + "".join(
            getattr(entry, aspect) for aspect in ASPECTS
        )
        for question in questions:
            detail = answer_detail(knowledge, entry.id, question)
            for number in re.findall(r"\d+(?:\.\d+)?", detail.text.split("\n（来源")[0]):
                assert number in own_text, (entry.id, question, detail.text)
            if not detail.found:
                assert ASK_LOCALLY in detail.text
