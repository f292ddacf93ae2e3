"""A question within a conversation: follow-ups about the topic just answered, switches, and no topic yet."""
import pytest

from bot.knowledge import Question, load_knowledge, respond
from bot.knowledge.dialogue import entries_named
from bot.knowledge.eligibility import age_in, eligibility_reply
from bot.knowledge.questions import kinds_asked, subject_words
from tests.knowledge.knowledge_paths import REAL_KNOWLEDGE

KNOWLEDGE = load_knowledge(REAL_KNOWLEDGE)


def converse(*turns):
    """Each turn is (text, intent); returns the replies' texts and the topic after each."""
    topic = waiting = None
    said = []
    for text, intent in turns:
        answered = respond(KNOWLEDGE, Question(text, intent, 0.9 if intent else 0.3), topic, waiting)
        topic, waiting = answered.topic, answered.waiting
        said.append((answered.reply.text if answered.reply else None, topic))
    return said


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("能服务多少人", {"how_many"}),
        ("里面有几张床位", {"how_many"}),
        ("有多大", {"size"}),
        ("什么时候建的", {"when"}),
        ("在哪吃", {"where"}),
        ("要钱吗", {"fee"}),
        ("电话多少", {"contact"}),
        ("要带什么证件", {"what_to_bring"}),
        ("几岁能上", {"eligibility"}),
        ("是给什么家庭的", {"eligibility"}),
        ("是干啥的", {"what"}),
        ("那公交呢", set()),
        ("好的谢谢", set()),
    ],
)
def test_what_a_question_asks(text, kinds):
    assert kinds_asked(text) == kinds


def test_subject_is_what_is_left_of_the_asking():
    assert subject_words("里面有几张床位") == "床位"
    assert subject_words("要钱吗") == ""


@pytest.mark.parametrize("text, age", [("我妈88岁能不能吃", 88), ("我爸九十一了", 91), ("奶奶一百零二岁", 102), ("要钱吗", None)])
def test_age_in_a_question(text, age):
    assert age_in(text) == age


def test_eligibility_compares_an_age_with_the_stated_rule():
    lunch = KNOWLEDGE["elderly_lunch"]
    below = eligibility_reply(lunch, "我妈88岁能不能吃")
    assert "文件写的是：辖区90周岁以上老人" in below and "88岁还不到90周岁" in below
    assert "达到" in eligibility_reply(lunch, "我爸91了可以去吃吗")
    assert "没有写户籍" in eligibility_reply(lunch, "我不是本地户口能不能去")


def test_eligibility_where_the_documents_state_no_rule():
    reply = eligibility_reply(KNOWLEDGE["elderly_day_care"], "我能去吗")
    assert reply.startswith("文件里没有写「居家养老服务中心」对哪些人开放") and "街道办事处" in reply


def test_a_follow_up_is_about_the_topic_just_answered():
    said = converse(("退伍军人服务站是干啥的", "ask_veterans_station"), ("能服务多少人", "nlu_fallback"))
    assert "108" in said[1][0] and said[1][1] == "veterans_station"


def test_a_follow_up_the_classifier_put_elsewhere_stays_with_the_topic():
    said = converse(("90岁老人吃饭免费吗", "ask_elderly_lunch"), ("我妈88岁能不能吃", "ask_gov_self_service"))
    assert "88岁还不到90周岁" in said[1][0] and said[1][1] == "elderly_lunch"


def test_naming_another_topic_switches():
    said = converse(("90岁老人吃饭免费吗", "ask_elderly_lunch"), ("那公交呢", "nlu_fallback"))
    assert said[1][1] == "bus_lines"


def test_a_question_about_something_else_is_no_follow_up():
    said = converse(("90岁老人吃饭免费吗", "ask_elderly_lunch"), ("图书馆在哪里", "nlu_fallback"))
    assert said[1] == (None, "elderly_lunch")


def test_a_follow_up_before_any_topic_asks_which_service_once():
    said = converse(("要钱吗", "ask_fee"), ("托幼班", "ask_nursery_class"))
    assert said[0][0].startswith("请问您问的是哪项服务") and said[0][1] is None
    assert said[1][1] == "nursery_class"
    assert converse(("要钱吗", "ask_fee"), ("收费吗", "ask_fee"))[1][0] is None


def test_of_two_topics_named_the_one_that_speaks_of_both_wins():
    said = converse(("前进初中那边的停车位", "ask_middle_school"))
    assert said[0][1] == "parking" and "341" in said[0][0]


def test_a_word_inside_a_longer_name_names_nothing():
    assert entries_named(KNOWLEDGE, "省中医院专家会来坐诊吗") == {"tcm_experts": "省中医院"}


def test_a_detail_that_mentions_another_entry_in_passing_stays_with_the_topic():
    said = converse(("春泥计划是啥", "ask_spring_mud"), ("孩子上了初中还可以参加吗", "nlu_fallback"))
    assert said[1][1] == "spring_mud"


@pytest.mark.parametrize(
    "question, missing",
    [("下回啥时候", "下一次的安排"), ("能量血压不", "有没有这项服务")],
)
def test_what_the_documents_cannot_say(question, missing):
    said = converse(("健康小屋在哪", "ask_health_hut"), (question, "nlu_fallback"))
    assert f"「前悦社区健康小屋」{missing}" in said[1][0] and "街道办事处" in said[1][0]


def test_the_thing_asked_about_comes_after_de_and_the_classifier_is_kept_otherwise():
    said = converse(("我们前峰村的文化礼堂平时都有啥活动", "nlu_fallback"))
    assert said[0][1] == "cultural_auditoriums"
    long_question = "我婆婆想看中医，听说省中医院跟咱们街道合作了，有专家下来看病，是真的吗"
    assert converse((long_question, "ask_tcm_experts"))[0][1] == "tcm_experts"


def test_a_village_many_entries_speak_of_names_none_of_them():
    assert entries_named(KNOWLEDGE, "三丰村整治提升村") == {}


def test_which_day_asks_for_the_service_hours():
    assert kinds_asked("一般哪天来") == {"hours"} and kinds_asked("星期几开门") == {"hours"}
