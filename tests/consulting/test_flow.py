"""The consultation flow's decisions (bot/consulting/flow.py), without Rasa."""
import pytest

from bot.consulting import flow, texts
from bot.consulting.flow import ADDING, ATTEMPTS, CONTEXT, OFFERED, QUESTION, SNAPSHOT, ConsultState
from bot.reporting.form import FormMessage

EARLIER = [(True, "垃圾分类积分怎么兑换"), (False, "抱歉，前进街道的资料里没有这方面的内容"),
           (True, "我电话13812345678，能不能打给我"), (False, "抱歉……")]


def asking(step: str, **values) -> ConsultState:
    return ConsultState(asking=step, **values)


def said(text: str, intent: str = "nlu_fallback", confidence: float = 0.3) -> FormMessage:
    return FormMessage(text, intent, confidence)


# --- starting ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, carried", [
    ("转人工，我想问下小区什么时候通燃气", "我想问下小区什么时候通燃气"),
    ("我要留言：楼下健身器材坏了归谁修", "楼下健身器材坏了归谁修"),
    ("转人工", None),
    ("你好，转人工", None),
    ("能不能让真人来回答一下", None),
    ("补充一下：是前悦社区3幢", "是前悦社区3幢"),
    ("/request_human", None),
])
def test_a_request_may_already_carry_the_question(text, carried):
    assert flow.carried_question(text) == carried


@pytest.mark.parametrize("text, leads", [
    ("转人工，我想问下前悦社区的健身器材坏了归谁修", True),
    ("我要留言：楼下健身器材坏了归谁修", True),
    ("转人工", False),
    ("你是人工客服还是自动回复", False),
    ("健身器材坏了，转人工", False),
    ("补充一下：是前悦社区东门那几盏", False),
])
def test_a_request_said_before_the_question(text, leads):
    assert flow.leads_with_request(text) is leads


def test_a_request_first_thing_asks_the_question_and_has_nothing_to_attach():
    step = flow.start("转人工", "request_human", None, None, [])
    assert step.changes[QUESTION] is None and step.changes[CONTEXT] is False and step.changes[SNAPSHOT] is None
    assert step.replies == []


def test_a_request_after_an_unanswered_question_offers_it_and_keeps_the_turns_masked():
    step = flow.start("转人工", "request_human", "垃圾分类积分怎么兑换", None, EARLIER)
    assert step.changes[OFFERED] == "垃圾分类积分怎么兑换"
    assert step.changes[CONTEXT] is None
    snapshot = step.changes[SNAPSHOT]
    assert snapshot.startswith("居民：垃圾分类积分怎么兑换\n小助手：")
    assert "13812345678" not in snapshot and "138****5678" in snapshot


def test_a_question_carried_in_the_request_is_not_asked_again():
    step = flow.start("转人工，我想问下小区什么时候通燃气", "request_human", "别的问题", None, EARLIER)
    assert step.changes[QUESTION] == "我想问下小区什么时候通燃气" and step.changes[OFFERED] is None


def test_an_addition_goes_to_the_open_consultation_without_asking_to_attach():
    step = flow.start("补充一下：是前悦社区3幢", "add_to_consultation", None, "ZX20261130-0001", EARLIER)
    assert step.changes[ADDING] == "ZX20261130-0001"
    assert step.changes[QUESTION] == "是前悦社区3幢" and step.changes[CONTEXT] is False


def test_an_addition_with_nothing_open_becomes_a_new_question():
    step = flow.start("我再补充一点", "add_to_consultation", None, None, EARLIER)
    assert step.changes[ADDING] is None and step.changes[QUESTION] is None
    assert [reply.text for reply in step.replies] == [texts.NOTHING_OPEN]


# --- the question ---------------------------------------------------------------------------------------------


def test_the_offered_question_is_taken_with_a_yes_and_dropped_with_a_no():
    state = asking(QUESTION, offered="垃圾分类积分怎么兑换")
    assert flow.take(state, said("/affirm", "affirm", 1.0)).changes[QUESTION] == "垃圾分类积分怎么兑换"
    assert flow.take(state, said("对的", "affirm", 0.9)).changes[QUESTION] == "垃圾分类积分怎么兑换"
    no = flow.take(state, said("不是", "deny", 0.9))
    assert no.changes[OFFERED] is None and no.changes[QUESTION] is None
    typed = flow.take(state, said("我想问老年食堂周末开不开"))
    assert typed.changes[QUESTION] == "我想问老年食堂周末开不开"


def test_an_addition_may_be_short_but_not_empty():
    assert flow.take(asking(QUESTION, adding="ZX20261130-0001"), said("3幢")).changes[QUESTION] == "3幢"
    assert flow.take(asking(QUESTION, adding="ZX20261130-0001"), said("嗯")).changes[QUESTION] is None


def test_a_question_too_short_is_refused_and_asked_differently_after_two_tries():
    first = flow.take(asking(QUESTION), said("燃气"))
    assert first.changes == {QUESTION: None, ATTEMPTS: 1} and first.replies[0].text == texts.QUESTION_TOO_SHORT
    assert flow.ask(asking(QUESTION))[0].text == texts.ASK_QUESTION
    assert flow.ask(asking(QUESTION, attempts=2))[0].text == texts.ASK_QUESTION_AGAIN


@pytest.mark.parametrize("text, intent", [("取消", "cancel"), ("算了不问了", "deny"), ("/cancel", "cancel"),
                                          ("不用了", "cancel")])
def test_cancel_always_stops(text, intent):
    for step in (QUESTION, CONTEXT):
        if step == CONTEXT and text == "不用了":
            continue  # asked whether to attach the conversation, "不用了" is a no
        outcome = flow.take(asking(step), said(text, intent, 0.95))
        assert outcome.cancelled and outcome.replies[0].text == texts.CANCELLED


def test_a_long_question_that_mentions_cancelling_is_a_question():
    outcome = flow.take(asking(QUESTION), said("请问车位预约以后怎么取消，要去哪里办手续呢", "cancel", 0.7))
    assert not outcome.cancelled and outcome.changes[QUESTION].startswith("请问车位预约")


def test_an_old_button_is_not_taken_as_the_question():
    outcome = flow.take(asking(QUESTION), said("/report_problem", "report_problem", 1.0))
    assert outcome.changes == {QUESTION: None} and outcome.replies[0].text == texts.NOT_A_BUTTON_HERE


def test_an_emergency_gets_the_numbers_to_call_first():
    outcome = flow.take(asking(QUESTION), said("楼下着火了", "report_emergency", 1.0))
    assert "119" in outcome.replies[0].text and outcome.changes == {QUESTION: None}


# --- attaching the conversation -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, intent, attach", [
    ("/affirm", "affirm", True), ("附上吧", "nlu_fallback", True), ("好的", "affirm", True), ("可以", "affirm", True),
    ("/deny", "deny", False), ("不用附了", "nlu_fallback", False), ("不要", "deny", False), ("不用了", "cancel", False),
])
def test_attaching_is_a_yes_or_a_no_in_words_or_taps(text, intent, attach):
    outcome = flow.take(asking(CONTEXT), said(text, intent, 0.9))
    assert not outcome.cancelled and outcome.changes[CONTEXT] is attach


def test_a_topic_question_instead_of_the_yes_or_no_is_answered_and_the_step_asked_again():
    outcome = flow.take(asking(CONTEXT), said("老人免费午餐在哪吃", "ask_elderly_lunch", 0.9))
    assert outcome.answer_aside and outcome.changes == {CONTEXT: None}


def test_twice_neither_sends_the_question_without_the_conversation():
    first = flow.take(asking(CONTEXT), said("嗯……让我想想看"))
    assert first.changes == {CONTEXT: None, ATTEMPTS: 1} and first.replies[0].text == texts.CONTEXT_UNCLEAR
    second = flow.take(asking(CONTEXT, attempts=1), said("随便吧看着办"))
    assert second.changes[CONTEXT] is False and second.replies[0].text == texts.CONTEXT_TAKEN_AS_NO


def test_what_is_sent_is_masked_and_the_conversation_only_with_a_yes():
    state = ConsultState(question="我的电话13812345678，燃气什么时候通", context=True, snapshot="居民：你好")
    question, context = flow.sent_question(state)
    assert "13812345678" not in question and context == "居民：你好"
    assert flow.sent_question(ConsultState(question="燃气什么时候通", context=False, snapshot="居民：你好"))[1] == ""


# --- offering it ----------------------------------------------------------------------------------------------


def test_the_offer_comes_with_the_second_unanswered_question_in_a_row():
    reply = flow.Reply("抱歉，我答不上来。", [("反映问题", "/report_problem")])
    assert flow.with_offer(reply, 1) == reply
    offered = flow.with_offer(reply, 2)
    assert texts.OFFER_BUTTON in offered.buttons and texts.OFFER_AFTER_UNANSWERED in offered.text


def test_the_question_offered_is_the_one_just_left_unanswered_or_called_wrong():
    question = "垃圾分类积分怎么兑换"
    assert flow.question_to_offer(question, 1, [(question, "nlu_fallback")]) == question
    assert flow.question_to_offer(question, 0, [(question, "ask_eco_environment")]) is None
    assert flow.question_to_offer(question, 0, [("/deny", "deny"), (question, "ask_eco_environment")]) == question
    assert flow.question_to_offer(question, 1, [("你好", "greet"), (question, "nlu_fallback")]) is None
    assert flow.question_to_offer(None, 1, [("x", "greet")]) is None
