"""The report form driven by typing alone, without Rasa: state in, message in, changes and replies out.

`Resident` plays the form the way Rasa's form loop does: ask the first empty field, read the next message as
its answer, apply the changes; a message set `aside` is what the conversation rules would handle.
"""
from dataclasses import replace
from typing import List, Optional

import pytest

from bot.governance.categories import CATEGORIES
from bot.reporting import form, texts
from bot.reporting.fields import CATEGORY, CONFIRMED, DESCRIPTION, LOCATION, PHONE
from bot.reporting.form import ASKED, FormMessage, FormState

# How the classifier tends to read these words (the form must work whatever it says, see test_any_intent).
INTENTS = {"对": "affirm", "是的": "affirm", "嗯": "affirm", "好的": "affirm", "确认": "affirm", "不对": "deny"}


class Resident:
    def __init__(self, first: str, place: Optional[str] = None):
        step = form.start(first, place)
        self.state = replace(FormState(), **step.changes)
        self.said: List[str] = [reply.text for reply in step.replies]
        self.asked: List[str] = []
        self._ask()

    def _ask(self) -> None:
        asking = next((name for name in ASKED if getattr(self.state, name) is None), None)
        self.state = replace(self.state, asking=asking)
        if asking:
            self.asked.append("\n".join(reply.text for reply in form.ask(self.state)))

    def types(self, text: str, intent: str = "", confidence: float = 0.9) -> str:
        """The bot's replies to `text` (the form's own and its next question), joined."""
        step = form.take(self.state, FormMessage(text, intent or INTENTS.get(text, "nlu_fallback"), confidence))
        if step.aside:
            return "(aside)"
        self.state = replace(self.state, **step.changes)
        before = len(self.asked)
        self._ask()
        return "\n".join([reply.text for reply in step.replies] + self.asked[before:])

    @property
    def done(self) -> bool:
        return self.state.confirmed is True


def test_a_whole_report_typed():
    resident = Resident("小区门口路灯坏了好几天了")
    assert "「公共设施」" in resident.asked[-1]
    assert texts.ASK_LOCATION in resident.types("对")
    assert texts.ASK_PHONE in resident.types("前悦社区南门口")
    summary = resident.types("不留")
    assert "地点：前悦社区南门口" in summary and "类别：公共设施" in summary
    resident.types("确认")
    assert resident.done


@pytest.mark.parametrize("yes", ["对", "是的", "嗯", "没错", "好的", "可以", "对的", "是的吧"])
def test_any_yes_word_confirms_the_guess(yes):
    resident = Resident("楼下垃圾好几天没人清")
    resident.types(yes, intent="nlu_fallback", confidence=0.3)
    assert resident.state.category == "环境卫生"


@pytest.mark.parametrize(
    "words, category",
    [("交通", "交通停车"), ("安全", "安全隐患"), ("消防", "安全隐患"), ("卫生", "环境卫生"), ("其它", "其他"),
     ("交通方面的吧", "交通停车"), ("应该算纠纷", "矛盾纠纷"), ("设施", "公共设施")],
)
def test_a_category_in_free_words(words, category):
    resident = Resident("我要反映问题")
    resident.types("有个事情一直没人管，大家都很烦")
    resident.types(words)
    assert resident.state.category == category


def test_a_blocked_fire_lane_gets_a_guess_with_the_runner_up():
    resident = Resident("小区里有人乱停车堵住消防通道")
    assert "「交通停车」" in resident.asked[-1] and "「安全隐患」" in resident.asked[-1]
    resident.types("安全")
    assert resident.state.category == "安全隐患"


def test_the_category_step_never_loops():
    resident = Resident("我要反映问题")
    resident.types("就是那个事情你懂的吧")
    replies = [resident.types(text) for text in ("啥意思", "看不懂", "随便你吧吧吧啊")]
    assert "取消" in replies[1]
    assert resident.state.category is not None
    assert len(set(resident.asked)) == len(resident.asked) or all(resident.asked.count(q) <= 2 for q in resident.asked)


@pytest.mark.parametrize("step", [DESCRIPTION, LOCATION, PHONE, CONFIRMED])
def test_after_two_failed_tries_a_way_forward_that_mentions_cancel(step):
    resident = Resident("小区门口路灯坏了好几天了", place=None)
    answers = {DESCRIPTION: None, CATEGORY: "对", LOCATION: "前悦社区南门口", PHONE: "不留"}
    bad = {DESCRIPTION: "嗯", LOCATION: "对", PHONE: "12345", CONFIRMED: "啊哈哈哈"}
    for name in (CATEGORY, LOCATION, PHONE):
        if name == step:
            break
        resident.types(answers[name])
    if step == DESCRIPTION:
        resident = Resident("我要反映问题")
    first, second, third = (resident.types(bad[step]) for _ in range(3))
    assert "取消" not in first.replace(texts.STOP_HINT, "")
    assert "取消" in second and "取消" in third and third != second


@pytest.mark.parametrize(
    "not_a_place",
    ["对", "是的", "嗯", "好的", "可以", "不是", "提交吧", "确认", "取消吧", "修改", "下一步", "交通", "交通停车", "环境卫生",
     "其他", "谢谢", "你好", "好的谢谢", "", "   ", "。", "不知道"],
)
def test_a_place_must_look_like_a_place(not_a_place):
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    reply = resident.types(not_a_place)
    if reply == "(aside)":  # 取消吧 is handled by the cancel rule
        return
    assert resident.state.location is None, reply
    assert "比如" in reply


def test_a_correction_at_the_summary_applies_the_new_value():
    resident = Resident("小区门口路灯坏了好几天了")
    for text in ("对", "前悦社区南门口", "13812345678"):
        resident.types(text)
    reply = resident.types("地点错了，是前新社区西门", intent="correct_field")
    assert resident.state.location == "前新社区西门"
    assert "地点：前新社区西门" in reply
    reply = resident.types("电话改成13900001111", intent="correct_field")
    assert resident.state.phone == "13900001111" and "13900001111" not in reply
    reply = resident.types("类别应该是环境卫生", intent="nlu_fallback", confidence=0.3)
    assert resident.state.category == "环境卫生" and "类别：环境卫生" in reply


def test_a_correction_without_a_value_asks_again():
    resident = Resident("小区门口路灯坏了好几天了")
    for text in ("对", "前悦社区南门口", "不留"):
        resident.types(text)
    reply = resident.types("地点写错了", intent="correct_field")
    assert resident.state.location is None and texts.ASK_LOCATION in reply


def test_an_old_category_button_fills_nothing_where_another_field_is_asked():
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    reply = resident.types(texts.category_button("交通停车")[1], intent="inform_category", confidence=1.0)
    assert resident.state.location is None and resident.state.category == "公共设施"
    assert texts.OLD_BUTTON in reply


def test_a_category_button_where_the_category_is_asked():
    resident = Resident("我要反映问题")
    resident.types("有个事情一直没人管，大家都很烦")
    resident.types(texts.category_button("矛盾纠纷")[1], intent="inform_category", confidence=1.0)
    assert resident.state.category == "矛盾纠纷"


@pytest.mark.parametrize("text, intent", [("算了不报了", "cancel"), ("免费午餐在哪里吃？", "ask_elderly_lunch"),
                                          ("查询工单", "check_ticket")])
def test_what_is_not_an_answer_steps_aside(text, intent):
    resident = Resident("小区门口路灯坏了好几天了")
    assert resident.types(text, intent=intent) == "(aside)"


def test_every_category_can_be_named():
    for category in CATEGORIES:
        resident = Resident("我要反映问题")
        resident.types("有个事情一直没人管，大家都很烦")
        resident.types(category)
        assert resident.state.category == category


def test_asking_for_a_person_while_reporting_says_how_and_asks_again():
    state = FormState(description="路灯坏了", category="公共设施", asking="location")
    step = form.take(state, FormMessage("转人工", "request_human", 0.95))
    assert step.changes["location"] is None and [reply.text for reply in step.replies] == [texts.PERSON_IN_FORM]
