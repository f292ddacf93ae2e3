"""The report form's photo step, shared locations and the same problem already reported, without Rasa: state in,
message in, changes and replies out, on the channel the resident writes from."""
import json
from dataclasses import replace
from typing import Dict, List, Optional

import pytest

from bot.photos.payloads import location_shared, photo_attached, photo_refused
from bot.reporting import duplicate, form, texts
from bot.reporting.attachments import ends_photo_step, shared_place
from bot.reporting.form import FormMessage, FormState
from bot.reporting.turns import TurnKind, read_turn

INTENTS = {"对": "affirm", "好的": "affirm", "确认": "affirm", "不用了": "cancel"}
LAMP_OFFER = {"ticket_no": "QJ20261130-0001", "category": "公共设施", "status": "已受理",
              "place": "前悦社区3幢楼下，找139****5678", "filed_here": False}


def payload_message(text: str) -> FormMessage:
    """A channel's payload as Rasa's payload syntax hands it on: the intent, and its JSON as entities."""
    intent, _, entities = text[1:].partition("{")
    values = json.loads("{" + entities)
    return FormMessage(text, intent, 1.0, photo_token=values.get("photo_token"),
                       photo_error=values.get("photo_error"), latitude=values.get("latitude"),
                       longitude=values.get("longitude"), place_label=values.get("place_label"))


class Resident:
    """Plays the form as Rasa's form loop and the actions do, on `channel`, with `found` as the open report of the
    same problem (or none); `place` is the place the NLU recognised in the first message, from the words `said`."""

    def __init__(self, first: str, channel: str = "widget", found: Optional[Dict] = None,
                 place: Optional[str] = None, said: Optional[str] = None):
        self.lookups: List[tuple] = []
        self.found = found
        message = FormMessage(first, "report_problem", 0.9, place, place_said=said)
        step = form.start(first, place, channel=channel, message=message, lookup=self.lookup)
        self.state = replace(FormState(channel=channel), **step.changes)
        self.said = [reply.text for reply in step.replies]
        self.ended = False
        self.asked: List[str] = []
        self._ask()

    def lookup(self, category, place, latitude, longitude):
        self.lookups.append((category, place, latitude, longitude))
        return self.found

    def _ask(self) -> None:
        asking = form.next_asked(self.state)
        self.state = replace(self.state, asking=asking)
        if asking and not self.ended:
            self.asked.append("\n".join(reply.text for reply in form.ask(self.state)))

    def types(self, text: str, intent: str = "", confidence: float = 0.9, place: Optional[str] = None,
              said: Optional[str] = None) -> str:
        message = payload_message(text) if text.startswith("/") else FormMessage(
            text, intent or INTENTS.get(text, "nlu_fallback"), confidence, place, place_said=said)
        step = form.take(self.state, message, self.lookup)
        if step.aside:
            return "(aside)"
        self.state = replace(self.state, **step.changes)
        self.ended = step.ends
        before = len(self.asked)
        self._ask()
        return "\n".join([reply.text for reply in step.replies] + self.asked[before:])


def at_photo_step(channel: str = "widget") -> Resident:
    resident = Resident("小区门口路灯坏了好几天了", channel)
    resident.types("对")
    resident.types("前悦社区3幢楼下")
    return resident


ASK_PHOTO = texts.ASK_PHOTO.format(limit=3)


# --- the photo step -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["rest", "", "unknown"])
def test_a_channel_that_cannot_send_photos_is_never_asked_for_one(channel):
    resident = Resident("小区门口路灯坏了好几天了", channel)
    resident.types("对")
    assert texts.ASK_PHONE in resident.types("前悦社区3幢楼下")
    resident.types("不留")
    resident.types("确认")
    assert resident.state.confirmed is True
    assert not any("照片" in question for question in resident.asked)


@pytest.mark.parametrize("channel", ["wechat", "widget"])
def test_after_the_place_a_photo_is_asked_once_with_a_skip_button(channel):
    resident = Resident("小区门口路灯坏了好几天了", channel)
    resident.types("对")
    resident.types("前悦社区3幢楼下")
    (question,) = form.ask(resident.state)
    assert question.text == ASK_PHOTO and question.buttons == [("没有照片", "没有照片")]
    assert texts.ASK_PHONE in resident.types("没有照片")
    assert sum(ASK_PHOTO in asked for asked in resident.asked) == 1


@pytest.mark.parametrize("skip", ["没有", "没有照片", "没拍", "没拍照片", "不用", "不用了", "跳过", "不需要", "没有哦",
                                  "不方便拍", "好了"])
def test_typed_words_end_the_photo_step(skip):
    resident = at_photo_step()
    assert texts.ASK_PHONE in resident.types(skip)
    assert resident.state.photos_done is True and resident.state.photos == ()


@pytest.mark.parametrize("words", ["好的", "可以", "前悦社区", "稍等"])
def test_words_that_do_not_end_the_photo_step(words):
    assert not ends_photo_step(words)


def test_no_photo_is_not_cancel_at_the_photo_step_whatever_the_classifier_says():
    assert read_turn("不用了", "cancel", 0.95, "photos_done") is TurnKind.ANSWER
    assert read_turn("不用了", "cancel", 0.95, "location") is TurnKind.CANCEL
    assert read_turn("取消", "cancel", 0.95, "photos_done") is TurnKind.CANCEL


def test_two_photos_then_done_and_the_summary_counts_them():
    resident = at_photo_step()
    first = resident.types(photo_attached("tok-1"))
    assert texts.PHOTO_RECEIVED.format(count=1) in first and "还可以再发2张" in first
    assert "还可以再发1张" in resident.types(photo_attached("tok-2"))
    assert texts.ASK_PHONE in resident.types("就这些")
    summary = resident.types("不留")
    assert "照片：2张" in summary
    assert resident.state.photos == ("tok-1", "tok-2")


def test_a_refused_photo_is_explained_nothing_is_kept_and_the_form_goes_on():
    resident = at_photo_step()
    reply = resident.types(photo_refused("抱歉，这张照片超过了10MB，没能收下。"))
    assert reply.startswith("抱歉，这张照片超过了10MB") and ASK_PHOTO in reply
    assert resident.state.photos == ()
    assert texts.ASK_PHONE in resident.types("没有了")


def test_the_third_photo_ends_the_step_and_a_fourth_is_politely_refused():
    resident = at_photo_step()
    resident.types(photo_attached("tok-1"))
    resident.types(photo_attached("tok-2"))
    third = resident.types(photo_attached("tok-3"))
    assert "3张照片都收到了" in third and texts.ASK_PHONE in third
    fourth = resident.types(photo_attached("tok-4"))
    assert texts.PHOTO_OVER_LIMIT.format(limit=3) in fourth and texts.ASK_PHONE in fourth
    assert resident.state.photos == ("tok-1", "tok-2", "tok-3")


def test_the_same_photo_message_twice_is_kept_once():
    resident = at_photo_step()
    resident.types(photo_attached("tok-1"))
    resident.types(photo_attached("tok-1"))
    assert resident.state.photos == ("tok-1",)


def test_a_photo_sent_at_another_step_is_kept_and_that_question_comes_again():
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    reply = resident.types(photo_attached("tok-1"))
    assert texts.PHOTO_RECEIVED.format(count=1) in reply and texts.ASK_LOCATION in reply
    later = resident.types("前悦社区3幢楼下")
    assert "已收到1张照片" in later and ASK_PHOTO not in later
    resident.types("好了")
    resident.types("不留")
    assert "照片：2张" in resident.types(photo_attached("tok-2"))  # at the summary: shown again with both


def test_a_photo_with_no_report_open_starts_one_that_keeps_it():
    step = form.start(photo_attached("tok-1"), channel="wechat", message=payload_message(photo_attached("tok-1")))
    assert step.changes["photos"] == ("tok-1",)
    assert [reply.text for reply in step.replies] == [texts.PHOTO_RECEIVED.format(count=1)]
    assert "description" not in step.changes


@pytest.mark.parametrize("channel, expected", [("widget", texts.PHOTO_HOW.format(limit=3)),
                                               ("rest", texts.PHOTO_NOT_ON_CHANNEL)])
def test_typing_about_a_photo_says_how_to_send_one_or_that_this_channel_cannot(channel, expected):
    step = form.start("我拍了照片", channel=channel, message=FormMessage("我拍了照片", "attach_photo", 0.9))
    assert [reply.text for reply in step.replies] == [expected]
    assert "description" not in step.changes


def test_yes_at_the_photo_step_is_told_to_send_it_and_a_second_unclear_answer_moves_on():
    resident = at_photo_step()
    assert texts.PHOTO_HOW.format(limit=3) in resident.types("好的")
    reply = resident.types("嗯嗯")
    assert texts.PHOTO_STEP_LEFT in reply and texts.ASK_PHONE in reply


# --- shared locations ---------------------------------------------------------------------------------------------


def test_a_shared_location_fills_the_place_with_its_label_and_keeps_the_coordinates():
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    reply = resident.types(location_shared(30.2875, 120.3512, "前悦社区3幢"))
    assert "地点记为「前悦社区3幢」" in reply and ASK_PHOTO in reply
    assert (resident.state.location, resident.state.latitude, resident.state.longitude) == (
        "前悦社区3幢", 30.2875, 120.3512)


def test_without_a_label_the_place_is_worded_from_the_coordinates():
    assert shared_place(30.28, 120.35, "").place == "共享的位置（纬度30.2800，经度120.3500）"
    assert shared_place("30.28", "120.35", "  ").latitude == 30.28


@pytest.mark.parametrize("latitude, longitude", [(95, 120), (30, 200), (None, 120), ("北纬30", 120), (True, 120),
                                                 (float("nan"), 120)])
def test_coordinates_that_are_no_position_are_refused_and_the_place_asked_again(latitude, longitude):
    assert shared_place(latitude, longitude) is None
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    text = '/share_location' + json.dumps({"latitude": latitude, "longitude": longitude, "place_label": ""})
    reply = resident.types(text)
    assert texts.LOCATION_UNREADABLE in reply and texts.ASK_LOCATION in reply
    assert resident.state.location is None


def test_a_location_shared_at_any_step_fills_the_place_and_the_question_comes_again():
    resident = Resident("小区门口路灯坏了好几天了")
    reply = resident.types(location_shared(30.2875, 120.3512, ""))
    assert "共享的位置" in reply and "「公共设施」" in reply
    resident.types("对")
    assert ASK_PHOTO in resident.asked[-1]  # the place is known: not asked


def test_a_typed_place_correction_drops_the_coordinates():
    resident = Resident("小区门口路灯坏了好几天了", "rest")
    resident.types("对")
    resident.types(location_shared(30.2875, 120.3512, "前悦社区3幢"))
    resident.types("不留")
    reply = resident.types("地点错了，是前新社区西门", "correct_field")
    assert "前新社区西门" in reply
    assert (resident.state.latitude, resident.state.longitude) == (None, None)


def test_a_location_shared_again_replaces_place_and_coordinates():
    resident = Resident("小区门口路灯坏了好几天了", "rest")
    resident.types("对")
    resident.types(location_shared(30.2875, 120.3512, "前悦社区3幢"))
    resident.types("不留")
    summary = resident.types(location_shared(30.3, 120.4, "前新社区西门"))
    assert "地点：前新社区西门" in summary
    assert (resident.state.latitude, resident.state.longitude) == (30.3, 120.4)


# --- the same problem already reported --------------------------------------------------------------------------


def test_the_same_problem_is_looked_up_once_category_and_place_are_known():
    resident = Resident("小区门口路灯坏了好几天了")
    assert resident.lookups == []
    resident.types("对")
    resident.types(location_shared(30.2875, 120.3512, "前悦社区3幢楼下"))
    assert resident.lookups == [("公共设施", "前悦社区3幢楼下", 30.2875, 120.3512)]
    assert resident.state.duplicate_choice == duplicate.FILE  # none found: nothing asked
    assert ASK_PHOTO in resident.asked[-1]


def test_the_open_ticket_is_offered_with_its_place_masked_and_following_it_ends_the_form():
    resident = Resident("小区门口路灯坏了好几天了", found=LAMP_OFFER)
    resident.types("对")
    offer = resident.types("前悦社区3幢楼下")
    assert "QJ20261130-0001" in offer and "已受理" in offer and "公共设施" in offer
    assert "139****5678" in offer
    (question,) = form.ask(resident.state)
    assert question.buttons == [("关注这个工单", "关注这个工单"), ("仍然提交", "仍然提交")]
    resident.types("关注这个工单")
    assert resident.ended and resident.state.duplicate_choice == duplicate.FOLLOW
    assert resident.state.phone is None  # asked nothing more


def test_filing_anyway_goes_on_to_the_photo_and_the_phone():
    resident = Resident("小区门口路灯坏了好几天了", found=LAMP_OFFER)
    resident.types("对")
    resident.types("前悦社区3幢楼下")
    assert ASK_PHOTO in resident.types("仍然提交")
    assert not resident.ended and resident.state.duplicate_choice == duplicate.FILE


def test_ones_own_open_ticket_is_offered_in_other_words():
    resident = Resident("小区门口路灯坏了好几天了", found={**LAMP_OFFER, "filed_here": True})
    resident.types("对")
    assert "您之前已经反映过这个问题" in resident.types("前悦社区3幢楼下")


@pytest.mark.parametrize("text, intent, chosen", [
    ("关注这个工单", "check_ticket", duplicate.FOLLOW),
    ("关注", "nlu_fallback", duplicate.FOLLOW),
    ("是同一件事", "affirm", duplicate.FOLLOW),
    ("对", "affirm", duplicate.FOLLOW),
    ("不用再提交了", "nlu_fallback", duplicate.FOLLOW),
    ("仍然提交", "affirm", duplicate.FILE),
    ("还是提交吧", "nlu_fallback", duplicate.FILE),
    ("不是同一件事", "deny", duplicate.FILE),
    ("不一样，我说的是另一盏灯", "deny", duplicate.FILE),
    ("提交", "affirm", duplicate.FILE),
    ("取消", "cancel", None),
    ("那边有好几盏灯", "nlu_fallback", None),
])
def test_what_a_typed_answer_to_the_offer_means(text, intent, chosen):
    assert duplicate.choice(text, intent) == chosen


def test_an_unclear_answer_to_the_offer_is_asked_again_then_offered_a_way_forward():
    resident = Resident("小区门口路灯坏了好几天了", found=LAMP_OFFER)
    resident.types("对")
    resident.types("前悦社区3幢楼下")
    assert texts.DUPLICATE_UNCLEAR in resident.types("那边有好几盏灯")
    assert texts.WAY_FORWARD["duplicate_choice"][0] in resident.types("嗯……我看看")


def test_a_new_place_is_looked_up_again():
    resident = Resident("小区门口路灯坏了好几天了", "rest", found=LAMP_OFFER)
    resident.types("对")
    resident.types("前悦社区3幢楼下")
    resident.types("仍然提交")
    resident.types("不留")
    resident.found = None
    resident.types("地点错了，是前新社区西门", "correct_field")
    assert resident.lookups[-1] == ("公共设施", "前新社区西门", None, None)
    assert resident.state.duplicate is None and resident.state.duplicate_choice == duplicate.FILE


def test_a_report_begun_before_these_steps_is_settled_without_questions():
    old = FormState(description="路灯坏了", category="公共设施", location="前悦社区3幢", channel="rest")
    settled = form.settle(old, lambda *where: None).changes
    assert settled == {"photos_done": True, "duplicate_choice": duplicate.FILE}


@pytest.mark.parametrize("channel, expected", [("widget", texts.LOCATION_HOW), ("rest", texts.LOCATION_NOT_ON_CHANNEL)])
def test_words_about_sending_a_location_or_a_photo_are_not_taken_for_the_place_or_the_problem(channel, expected):
    resident = Resident("我要反映问题", channel)
    reply = resident.types("我拍了照片能发给你吗", "attach_photo")
    assert resident.state.description is None and texts.ASK_DESCRIPTION in reply
    resident.types("小区门口路灯坏了好几天了")
    resident.types("对")
    reply = resident.types("我发个定位给你", "share_location")
    assert expected in reply and texts.ASK_LOCATION in reply and resident.state.location is None
    resident.types("前悦社区3幢旁边，我发个定位", "share_location")
    assert resident.state.location == "前悦社区3幢旁边，我发个定位"


# --- the place as the resident wrote it ---------------------------------------------------------------------------


def test_a_place_named_in_the_first_message_is_kept_with_its_building_and_the_phone_follows():
    resident = Resident("前悦社区3幢楼下的路灯不亮了", "rest", place="前悦社区")
    assert resident.state.location == "前悦社区3幢楼下"
    assert texts.ASK_PHONE in resident.types("对")
    assert "地点：前悦社区3幢楼下" in resident.types("不留")
    assert resident.lookups == [("公共设施", "前悦社区3幢楼下", None, None)]


@pytest.mark.parametrize("first, said", [
    ("前悦小区3幢楼下的路灯不亮了", "前悦小区"), ("前悦小区3幢楼下的路灯不亮了", "前悦"), ("前悦3幢楼下的路灯不亮了", "前悦"),
    ("前悦社区3幢楼下的路灯不亮了", "前悦"),
])
def test_a_place_recognised_under_another_spelling_is_kept_under_its_name_with_its_building(first, said):
    resident = Resident(first, "rest", place="前悦社区", said=said)
    assert resident.state.location == "前悦社区3幢楼下"
    assert resident.state.description == first


def test_a_place_named_in_the_problem_typed_later_is_kept_with_its_building():
    resident = Resident("我要反映问题", "rest")
    resident.types("三丰村村口的路灯不亮了", "report_problem", place="三丰村")
    assert resident.state.location == "三丰村村口"


def _asked_at(step: str, first: str = "前悦社区的路灯不亮了") -> Resident:
    """A resident whose first message named the place (the estate only, unless `first` says more), now at `step`
    (the photo step on the widget)."""
    resident = Resident(first, "widget" if step == "photo" else "rest",
                        found=LAMP_OFFER if step == "offer" else None, place="前悦社区")
    resident.types("对")
    if step == "confirmation":
        resident.types("不留")
    return resident


@pytest.mark.parametrize("step, question", [
    ("phone", texts.ASK_PHONE), ("photo", ASK_PHOTO), ("confirmation", "请核对一下"), ("offer", "QJ20261130-0001"),
])
def test_the_place_given_in_more_detail_at_a_later_step_is_taken_and_that_question_comes_again(step, question):
    resident = _asked_at(step)
    asked = resident.state.asking
    reply = resident.types("前悦社区3幢楼下")
    assert reply.startswith(texts.PLACE_REFINED.format(place="前悦社区3幢楼下"))
    assert question in reply and resident.state.asking == asked and resident.state.attempts == 0
    assert resident.state.location == "前悦社区3幢楼下"
    assert resident.lookups[-1] == ("公共设施", "前悦社区3幢楼下", None, None)


@pytest.mark.parametrize("said", ["前悦小区", "前悦"])
def test_the_place_given_in_more_detail_under_another_spelling_is_kept_under_the_recognised_name(said):
    resident = _asked_at("phone")
    reply = resident.types("前悦小区3幢楼下", place="前悦社区", said=said)
    assert texts.PLACE_REFINED.format(place="前悦社区3幢楼下") in reply
    assert resident.state.location == "前悦社区3幢楼下"


def test_the_place_given_in_more_detail_drops_the_shared_coordinates_and_finds_the_same_problem():
    resident = Resident("小区门口路灯坏了好几天了")
    resident.types("对")
    resident.types(location_shared(30.2875, 120.3512, "前悦社区"))
    resident.found = LAMP_OFFER
    reply = resident.types("在前悦社区三幢楼下。")
    assert texts.PLACE_REFINED.format(place="前悦社区三幢楼下") in reply and "QJ20261130-0001" in reply
    assert (resident.state.latitude, resident.state.longitude) == (None, None)
    assert resident.lookups[-1] == ("公共设施", "前悦社区三幢楼下", None, None)


@pytest.mark.parametrize("step, text", [
    ("phone", "13812345678"), ("phone", "不留"), ("photo", "没有照片"), ("confirmation", "对"),
    ("confirmation", "前悦社区3幢楼下的灯还是不亮"), ("offer", "仍然提交"), ("phone", "前新社区5幢楼下"),
    ("phone", "5幢楼下"),
])
def test_answers_and_other_places_at_a_later_step_leave_the_place_as_written(step, text):
    resident = _asked_at(step, first="前悦社区3幢楼下的路灯不亮了")
    reply = resident.types(text)
    assert resident.state.location == "前悦社区3幢楼下"
    assert "地点记为" not in reply


@pytest.mark.parametrize("step, text, question", [
    ("phone", "前悦社区3幢楼下", texts.ASK_PHONE), ("phone", "前悦社区", texts.ASK_PHONE),
    ("photo", "前悦社区3幢", ASK_PHOTO), ("confirmation", "前悦社区3幢楼下", "请核对一下"),
    ("offer", "在前悦社区3幢楼下", "QJ20261130-0001"),
])
def test_the_same_place_or_less_of_it_typed_again_is_acknowledged_and_the_question_comes_again(step, text, question):
    resident = _asked_at(step, first="前悦社区3幢楼下的路灯不亮了")
    asked, looked_up = resident.state.asking, len(resident.lookups)
    reply = resident.types(text)
    assert reply.startswith(texts.PLACE_REFINED.format(place="前悦社区3幢楼下")) and question in reply
    assert texts.PHONE_INVALID not in reply and resident.state.attempts == 0
    assert resident.state.location == "前悦社区3幢楼下" and resident.state.asking == asked
    assert len(resident.lookups) == looked_up  # nothing changed: not looked up again
