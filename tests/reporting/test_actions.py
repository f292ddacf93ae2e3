"""The report actions as the action server runs them: rasa_sdk trackers in, events and messages out, real queue."""
import pytest
from rasa_sdk.events import ActiveLoop
from rasa_sdk.executor import CollectingDispatcher

from actions.report import (
    ActionAskReportCategory,
    ActionAskReportConfirmed,
    ActionAskReportPhone,
    ActionCancelReport,
    ActionCheckTicket,
    ActionCorrectReportField,
    ActionEmergencyAdvice,
    ActionOldCategoryButton,
    ActionStartReport,
    ActionSubmitReport,
    ValidateReportForm,
)
from bot.governance import ReportQueue
from bot.reporting import texts
from tests.reporting.conftest import buttons_of, make_tracker, slot_events, texts_of

FILLED = {
    "report_id": "5b0f4cf2a3a84e43a7f0c3a9d1c1e001",
    "report_description": "小区门口路灯坏了好几天了",
    "report_category": "公共设施",
    "report_location": "前悦社区南门",
    "report_phone": "13812345678",
    "report_confirmed": True,
}


async def run(action, domain, **tracker_args):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(domain, **tracker_args), domain)
    return dispatcher, events


# --- starting a report ---------------------------------------------------------------------------------------


async def test_start_keeps_a_first_message_that_describes_the_problem(domain):
    dispatcher, events = await run(ActionStartReport(), domain, text="小区门口路灯坏了好几天了", intent="report_problem",
                                   active_loop=None)
    slots = slot_events(events)
    assert slots["report_description"] == "小区门口路灯坏了好几天了"
    assert len(slots["report_id"]) == 32
    assert texts_of(dispatcher) == [texts.START_WITH_DESCRIPTION]


def said(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


async def test_tapping_report_after_an_unsure_reply_keeps_what_the_resident_had_said(domain):
    unsure = [said("化粪池满了", "nlu_fallback"), {"event": "bot", "text": "您是想问下面哪一项？"}]
    dispatcher, events = await run(ActionStartReport(), domain, text="/report_problem", intent="report_problem",
                                   active_loop=None, earlier=unsure)
    assert slot_events(events)["report_description"] == "化粪池满了"
    assert texts_of(dispatcher) == [texts.START_WITH_DESCRIPTION]


async def test_tapping_report_from_the_menu_asks_for_the_problem(domain):
    menu = [said("你能做什么", "ask_capabilities"), {"event": "bot", "text": "我可以……"}]
    _, events = await run(ActionStartReport(), domain, text="/report_problem", intent="report_problem",
                          active_loop=None, earlier=menu)
    assert slot_events(events)["report_description"] is None


async def test_start_takes_the_place_from_the_place_entity_as_written(domain):
    _, events = await run(
        ActionStartReport(), domain, text="三丰村村口的路灯不亮了", intent="report_problem", active_loop=None,
        entities=[{"entity": "place", "value": "三丰村", "start": 0, "end": 3}],
    )
    assert slot_events(events)["report_location"] == "三丰村村口"


async def test_start_keeps_a_place_recognised_under_another_spelling_under_its_name(domain):
    _, events = await run(
        ActionStartReport(), domain, text="前悦小区3幢楼下的路灯不亮了", intent="report_problem", active_loop=None,
        entities=[{"entity": "place", "value": "前悦社区", "start": 0, "end": 4}],
    )
    assert slot_events(events)["report_location"] == "前悦社区3幢楼下"


async def test_start_without_details_asks_for_them_later(domain):
    dispatcher, events = await run(ActionStartReport(), domain, text="我要反映问题", intent="report_problem",
                                   active_loop=None)
    slots = slot_events(events)
    assert slots["report_description"] is None and slots["report_id"]
    assert dispatcher.messages == []


async def test_each_report_gets_its_own_idempotency_key(domain):
    _, first = await run(ActionStartReport(), domain, text="我要反映问题", intent="report_problem", active_loop=None)
    _, second = await run(ActionStartReport(), domain, text="我要反映问题", intent="report_problem", active_loop=None)
    assert slot_events(first)["report_id"] != slot_events(second)["report_id"]


async def test_start_with_a_named_category(domain):
    _, events = await run(ActionStartReport(), domain, text="环境卫生", intent="inform_category", active_loop=None)
    slots = slot_events(events)
    assert slots["report_category"] == "环境卫生" and slots["report_description"] is None


async def test_an_emergency_in_the_first_message_is_answered_before_anything_else(domain):
    dispatcher, _ = await run(ActionStartReport(), domain, text="楼下着火了", intent="report_problem", active_loop=None)
    messages = texts_of(dispatcher)
    assert "119" in messages[0]
    assert texts.START_WITH_DESCRIPTION not in messages


# --- the form: answers, checks and interruptions ---------------------------------------------------------------


async def test_a_first_message_that_describes_the_problem_gets_a_category_guess(domain):
    _, events = await run(ActionStartReport(), domain, text="小区门口路灯坏了好几天了", intent="report_problem",
                          active_loop=None)
    assert slot_events(events)["report_category_guess"] == "公共设施"


async def test_guessed_category_is_confirmed_with_one_tap(domain):
    dispatcher, events = await run(
        ValidateReportForm(), domain, text="/affirm", intent="affirm",
        slots={"requested_slot": "report_category", "report_category_guess": "公共设施"},
    )
    assert slot_events(events)["report_category"] == "公共设施"
    assert dispatcher.messages == []


async def test_other_category_clears_the_guess_and_lists_all_six(domain):
    _, events = await run(
        ValidateReportForm(), domain, text="/deny", intent="deny",
        slots={"requested_slot": "report_category", "report_category_guess": "公共设施"},
    )
    slots = slot_events(events)
    assert slots["report_category"] is None and slots["report_category_guess"] is None
    dispatcher = CollectingDispatcher()
    await ActionAskReportCategory().run(dispatcher, make_tracker(domain, text="/deny", intent="deny"), domain)
    assert [title for title, _ in buttons_of(dispatcher)] == ["安全隐患", "矛盾纠纷", "环境卫生", "交通停车", "公共设施", "其他"]


@pytest.mark.parametrize("place", ["在前进村三组", "前悦社区南门口", "3幢楼下"])
async def test_a_place_given_instead_of_confirming_keeps_the_guessed_category(domain, place):
    dispatcher, events = await run(
        ValidateReportForm(), domain, text=place, intent="nlu_fallback", confidence=0.4,
        slots={"requested_slot": "report_category", "report_category_guess": "环境卫生"},
    )
    slots = slot_events(events)
    assert (slots["report_category"], slots["report_location"]) == ("环境卫生", place)
    assert dispatcher.messages == []


async def test_without_a_guess_a_place_is_kept_and_the_category_asked_again(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="前峰村2组", intent="nlu_fallback",
                                   confidence=0.4, slots={"requested_slot": "report_category"})
    slots = slot_events(events)
    assert (slots["report_category"], slots["report_location"]) == (None, "前峰村2组")
    assert texts_of(dispatcher) == [texts.PLACE_NOTED]


async def test_a_place_already_given_is_not_overwritten_by_an_unclear_category(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="前峰村2组", intent="nlu_fallback",
                                   confidence=0.4,
                                   slots={"requested_slot": "report_category", "report_location": "前悦社区3幢"})
    assert "report_location" not in slot_events(events)
    assert texts_of(dispatcher) == [texts.CATEGORY_UNCLEAR]


async def test_category_button_fills_the_category(domain):
    _, events = await run(ValidateReportForm(), domain, text="环境卫生", intent="inform_category",
                          slots={"requested_slot": "report_category"})
    assert slot_events(events)["report_category"] == "环境卫生"


async def test_location_is_taken_as_written(domain):
    _, events = await run(ValidateReportForm(), domain, text="前悦社区3幢楼下", intent="ask_future_community",
                          confidence=0.9, slots={"requested_slot": "report_location"})
    assert slot_events(events)["report_location"] == "前悦社区3幢楼下"


async def test_too_long_location_is_refused_politely(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="路" * 300, intent="nlu_fallback",
                                   slots={"requested_slot": "report_location"})
    assert slot_events(events)["report_location"] is None
    assert "200" in texts_of(dispatcher)[0]


async def test_a_5000_character_description_gets_a_polite_message_and_the_form_goes_on(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="灯" * 5000, intent="report_problem",
                                   slots={"requested_slot": "report_description"})
    assert slot_events(events) == {"report_description": None, "report_attempts": 1}
    assert "精简" in texts_of(dispatcher)[0] and "2000" in texts_of(dispatcher)[0]


@pytest.mark.parametrize("answer, stored", [("不留", ""), ("匿名", ""), ("138 1234 5678", "13812345678"),
                                            ("0571-87654321", "0571-87654321")])
async def test_phone_answers(domain, answer, stored):
    _, events = await run(ValidateReportForm(), domain, text=answer, intent="nlu_fallback",
                          slots={"requested_slot": "report_phone"})
    assert slot_events(events)["report_phone"] == stored


async def test_bad_phone_is_asked_again_politely(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="12345", intent="nlu_fallback",
                                   slots={"requested_slot": "report_phone"})
    assert slot_events(events)["report_phone"] is None
    assert texts_of(dispatcher) == [texts.PHONE_INVALID]


async def test_phone_question_comes_after_the_privacy_notice(domain):
    dispatcher = CollectingDispatcher()
    await ActionAskReportPhone().run(dispatcher, make_tracker(domain, text="前悦社区", intent="nlu_fallback"), domain)
    notice, question = texts_of(dispatcher)
    assert "回电" in notice and "这次" in notice and "办理期间" in notice
    assert "匿名也可以" in question and ("不留电话", "不留") in buttons_of(dispatcher)


async def test_summary_shows_the_phone_masked(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, text="不留", intent="nlu_fallback", slots={**FILLED, "report_confirmed": None})
    await ActionAskReportConfirmed().run(dispatcher, tracker, domain)
    summary = texts_of(dispatcher)[0]
    assert "138****5678" in summary and "13812345678" not in summary
    assert [title for title, _ in buttons_of(dispatcher)] == ["确认提交", "修改", "取消"]


async def test_confirming_completes_the_form(domain):
    _, events = await run(ValidateReportForm(), domain, text="/affirm", intent="affirm",
                          slots={**FILLED, "report_confirmed": None, "requested_slot": "report_confirmed"})
    assert slot_events(events)["report_confirmed"] is True


async def test_an_emergency_mid_form_is_answered_first_and_the_form_goes_on(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="楼下着火了", intent="report_emergency",
                                   confidence=0.97, slots={"requested_slot": "report_location"})
    assert slot_events(events) == {"report_location": None}
    assert "119" in texts_of(dispatcher)[0]


@pytest.mark.parametrize(
    "text, intent",
    [("算了", "cancel"), ("我的工单怎么样了", "check_ticket"), ("90岁老人免费午餐在哪里领？", "ask_elderly_lunch")],
)
async def test_interruptions_are_not_taken_as_answers(domain, text, intent):
    dispatcher, events = await run(ValidateReportForm(), domain, text=text, intent=intent, confidence=0.95,
                                   slots={"requested_slot": "report_location"})
    assert slot_events(events) == {} and dispatcher.messages == []


# --- corrections and cancelling ------------------------------------------------------------------------------


async def test_correcting_the_location_empties_only_that_field(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="地点写错了", intent="correct_field",
                                   confidence=0.9,
                                   slots={**FILLED, "requested_slot": "report_confirmed", "report_confirmed": None})
    # The new place is looked up again for the same problem.
    assert slot_events(events) == {"report_location": None, "report_confirmed": None, "report_fix_pending": False,
                                   "report_attempts": 0, "report_duplicate": None, "report_duplicate_choice": None}
    assert "地点" in texts_of(dispatcher)[0]


async def test_a_correction_that_carries_the_new_place_applies_it(domain):
    dispatcher, events = await run(ValidateReportForm(), domain, text="地点错了，是前新社区西门", intent="correct_field",
                                   confidence=0.9,
                                   slots={**FILLED, "requested_slot": "report_confirmed", "report_confirmed": None})
    assert slot_events(events)["report_location"] == "前新社区西门"
    assert texts_of(dispatcher) == ["好的，地点改成了「前新社区西门」。"]


async def test_modify_without_a_field_asks_which_one(domain):
    _, events = await run(ValidateReportForm(), domain, text="/correct_field", intent="correct_field",
                          slots={**FILLED, "requested_slot": "report_confirmed", "report_confirmed": None})
    assert slot_events(events) == {"report_confirmed": None, "report_fix_pending": True, "report_attempts": 0}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, text="/correct_field", intent="correct_field",
                           slots={**FILLED, "report_confirmed": None, "report_fix_pending": True})
    await ActionAskReportConfirmed().run(dispatcher, tracker, domain)
    assert ("地点", "地点") in buttons_of(dispatcher)
    _, events = await run(ValidateReportForm(), domain, text="地点", intent="ask_where", confidence=0.8,
                          slots={**FILLED, "report_confirmed": None, "report_fix_pending": True,
                                 "requested_slot": "report_confirmed"})
    assert slot_events(events)["report_location"] is None


async def test_correct_with_no_report_open(domain):
    dispatcher, events = await run(ActionCorrectReportField(), domain, text="地点写错了", intent="correct_field",
                                   active_loop=None)
    assert events == [] and texts_of(dispatcher) == [texts.CORRECT_NOTHING_OPEN]


async def test_the_form_comes_back_after_a_question_without_reading_it_as_an_answer(domain):
    question = [{"event": "user", "text": "免费午餐在哪里吃？", "parse_data": {"intent": {"name": "ask_elderly_lunch"}}},
                {"event": "action", "name": "action_answer_question"}]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, text="免费午餐在哪里吃？", intent="ask_elderly_lunch",
                           slots={"requested_slot": "report_location"})
    tracker.events = question + [{"event": "action", "name": "report_form"}]
    assert await ValidateReportForm().run(dispatcher, tracker, domain) == []


async def test_an_old_category_button_with_no_report_open_files_nothing(domain):
    dispatcher, events = await run(ActionOldCategoryButton(), domain, text=texts.category_button("交通停车")[1],
                                   intent="inform_category", active_loop=None)
    assert events == [] and "已经结束" in texts_of(dispatcher)[0]


async def test_cancel_in_the_form_stops_it_and_forgets_the_report(domain):
    dispatcher, events = await run(ActionCancelReport(), domain, text="算了", intent="cancel",
                                   slots={**FILLED, "requested_slot": "report_phone"})
    assert ActiveLoop(None) in events
    assert all(value is None for value in slot_events(events).values())
    assert texts_of(dispatcher) == [texts.CANCELLED]


async def test_cancel_with_nothing_open_is_just_polite(domain):
    dispatcher, events = await run(ActionCancelReport(), domain, text="算了", intent="cancel", active_loop=None)
    assert events == [] and texts_of(dispatcher) == [texts.NOTHING_TO_CANCEL]


# --- submitting ------------------------------------------------------------------------------------------------


async def test_submit_files_one_report_and_gives_the_ticket_number(domain, queue: ReportQueue):
    dispatcher, events = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED,
                                   active_loop=None)
    [view] = queue.list_for_sender("resident-1")
    reply = texts_of(dispatcher)[0]
    assert f"您的工单号是 {view.ticket_no}" in reply and f"查询 {view.ticket_no}" in reply
    assert "138****5678" in reply and "13812345678" not in reply
    assert view.description == FILLED["report_description"] and view.location == "前悦社区南门"
    slots = slot_events(events)
    assert slots["report_last_ticket"] == view.ticket_no
    assert all(slots[name] is None for name in ("report_id", "report_description", "report_phone"))


async def test_the_same_confirmation_twice_files_one_report(domain, queue: ReportQueue):
    first, _ = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    second, _ = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    assert texts_of(first) == texts_of(second)
    assert len(queue.list_for_sender("resident-1")) == 1


async def test_confirm_after_submitting_repeats_the_ticket(domain, queue: ReportQueue):
    _, events = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    after = {**FILLED, **slot_events(events)}
    dispatcher, events = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=after,
                                   active_loop=None)
    assert events == [] and after["report_last_ticket"] in texts_of(dispatcher)[0]
    assert len(queue.list_for_sender("resident-1")) == 1


async def test_emoji_and_sql_looking_text_are_stored_verbatim(domain, queue: ReportQueue):
    odd = {**FILLED, "report_description": "路灯坏了😡😡 '; DROP TABLE reports;--",
           "report_location": "3幢🏠 \" OR 1=1 --", "report_phone": ""}
    await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=odd, active_loop=None)
    [view] = queue.list_for_sender("resident-1")
    assert view.description == odd["report_description"] and view.location == odd["report_location"]
    assert view.phone_masked is None


async def test_a_database_that_cannot_be_opened_keeps_what_was_filled_in(domain, tmp_path, monkeypatch):
    unusable = tmp_path / "governance.db"
    unusable.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{unusable}")
    dispatcher, events = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED,
                                   active_loop=None)
    assert events == []
    assert texts_of(dispatcher) == [texts.SUBMIT_FAILED]


# --- ticket look-up --------------------------------------------------------------------------------------------


async def test_check_my_ticket_by_number(domain, queue: ReportQueue):
    await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    [view] = queue.list_for_sender("resident-1")
    queue.set_status(view.ticket_no, "已转派", source="backend")
    dispatcher, _ = await run(ActionCheckTicket(), domain, text=f"查询 {view.ticket_no.lower()}", intent="check_ticket",
                              active_loop=None)
    reply = texts_of(dispatcher)[0]
    assert view.ticket_no in reply and "已转派" in reply and "公共设施" in reply and "前悦社区南门" in reply
    assert "年" in reply and "月" in reply and "日" in reply


async def test_someone_elses_ticket_shows_only_its_progress(domain, queue: ReportQueue):
    await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    [view] = queue.list_for_sender("resident-1")
    queue.set_status(view.ticket_no, "已转派", source="backend")
    dispatcher, _ = await run(ActionCheckTicket(), domain, text=f"查询 {view.ticket_no}", intent="check_ticket",
                              active_loop=None, sender_id="someone-else")
    reply = texts_of(dispatcher)[0]
    assert view.ticket_no in reply and "已转派" in reply and "只对提交人显示" in reply
    assert "公共设施" not in reply and "前悦社区" not in reply


async def test_check_without_a_number_lists_my_tickets(domain, queue: ReportQueue):
    await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=FILLED, active_loop=None)
    [view] = queue.list_for_sender("resident-1")
    mine, _ = await run(ActionCheckTicket(), domain, text="我的工单怎么样了", intent="check_ticket", active_loop=None)
    assert view.ticket_no in texts_of(mine)[0] and "已受理" in texts_of(mine)[0]
    theirs, _ = await run(ActionCheckTicket(), domain, text="我的工单怎么样了", intent="check_ticket",
                          active_loop=None, sender_id="newcomer")
    assert texts_of(theirs) == [texts.NO_TICKETS]


async def test_unknown_ticket_number(domain, queue_url):
    dispatcher, _ = await run(ActionCheckTicket(), domain, text="查询 QJ20261122-0099", intent="check_ticket",
                              active_loop=None)
    assert texts_of(dispatcher) == [texts.TICKET_NOT_FOUND.format(ticket_no="QJ20261122-0099")]


# --- emergencies ---------------------------------------------------------------------------------------------


async def test_gas_leak_advice_and_offer_to_report_later(domain):
    dispatcher, events = await run(ActionEmergencyAdvice(), domain, text="家里闻到很浓的煤气味", intent="report_emergency",
                                   active_loop=None)
    advice, offer = texts_of(dispatcher)
    assert "119" in advice and "离开" in advice and "不要开关电灯" in advice
    assert ("登记非紧急问题", "/report_problem") in buttons_of(dispatcher)
    assert events == []
