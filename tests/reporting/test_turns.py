import pytest

from bot.reporting.fields import CATEGORY, CONFIRMED, DESCRIPTION, LOCATION, PHONE
from bot.reporting.turns import TurnKind, read_turn


def test_an_emergency_comes_first_whatever_is_asked():
    assert read_turn("楼下着火了", "report_problem", 0.9, LOCATION) is TurnKind.EMERGENCY
    assert read_turn("救救我们", "report_emergency", 0.95, PHONE) is TurnKind.EMERGENCY


def test_confident_interruptions_leave_the_form():
    assert read_turn("算了", "cancel", 0.95, LOCATION) is TurnKind.CANCEL
    assert read_turn("地点写错了", "correct_field", 0.9, PHONE) is TurnKind.CORRECT
    assert read_turn("我的工单怎么样了", "check_ticket", 0.9, DESCRIPTION) is TurnKind.CHECK_TICKET
    assert read_turn("90岁老人免费午餐在哪领？", "ask_elderly_lunch", 0.9, LOCATION) is TurnKind.QUESTION


def test_a_place_that_sounds_like_a_topic_is_still_the_answer():
    assert read_turn("前悦社区3幢楼下", "ask_future_community", 0.9, LOCATION) is TurnKind.ANSWER


def test_unsure_classifications_are_answers():
    assert read_turn("算了", "cancel", 0.3, LOCATION) is TurnKind.ANSWER
    assert read_turn("三号楼后面", "nlu_fallback", 0.4, LOCATION) is TurnKind.ANSWER


def test_phone_answers_win_over_the_classifier():
    assert read_turn("不留", "cancel", 0.9, PHONE) is TurnKind.ANSWER
    assert read_turn("不用了", "deny", 0.9, PHONE) is TurnKind.ANSWER
    assert read_turn("13812345678", "ask_contact", 0.9, PHONE) is TurnKind.ANSWER
    assert read_turn("算了", "cancel", 0.9, PHONE) is TurnKind.CANCEL


def test_category_and_confirmation_taps_are_answers():
    assert read_turn("环境卫生", "ask_eco_environment", 0.9, CATEGORY) is TurnKind.ANSWER
    assert read_turn("/deny", "deny", 1.0, CATEGORY) is TurnKind.ANSWER
    assert read_turn("/affirm", "affirm", 1.0, CONFIRMED) is TurnKind.ANSWER
    assert read_turn("/cancel", "cancel", 1.0, CONFIRMED) is TurnKind.CANCEL
    assert read_turn("/correct_field", "correct_field", 1.0, CONFIRMED) is TurnKind.CORRECT


def test_a_stray_button_is_no_description_or_place():
    assert read_turn("/report_problem", "report_problem", 1.0, DESCRIPTION) is TurnKind.STRAY_BUTTON
    assert read_turn("/greet", "greet", 1.0, LOCATION) is TurnKind.STRAY_BUTTON


@pytest.mark.parametrize("text, intent", [("谢谢", "thank"), ("好的，谢谢！", "thank"), ("你好", "greet"), ("再见", "goodbye")])
@pytest.mark.parametrize("asking", [DESCRIPTION, LOCATION])
def test_a_courtesy_is_no_description_or_place(text, intent, asking):
    assert read_turn(text, intent, 0.95, asking) is TurnKind.SMALL_TALK


def test_a_place_that_ends_with_thanks_is_still_the_place():
    assert read_turn("前悦社区3幢楼下，谢谢", "thank", 0.7, LOCATION) is TurnKind.ANSWER


def test_stop_words_classified_as_no_still_cancel():
    assert read_turn("那算了吧", "deny", 0.7, LOCATION) is TurnKind.CANCEL
    assert read_turn("算了吧不用", "deny", 0.9, CATEGORY) is TurnKind.CANCEL
    assert read_turn("不是", "deny", 0.9, DESCRIPTION) is TurnKind.ANSWER
    assert read_turn("不对", "deny", 0.9, CONFIRMED) is TurnKind.ANSWER
    assert read_turn("算了吧不用", "deny", 0.9, PHONE) is TurnKind.ANSWER
