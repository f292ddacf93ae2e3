"""The consultation and rating actions as the action server runs them: rasa_sdk trackers in, events and messages
out, the real governance queue in a fresh SQLite file."""
import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.consult import (
    ActionRateReport,
    ActionStartConsultation,
    ActionStoreRatingComment,
    ActionSubmitConsultation,
    ValidateConsultForm,
    ValidateRatingCommentForm,
)
from actions.knowledge import ActionAnswerQuestion
from bot.consulting import texts
from bot.governance import ReportDraft
from bot.governance.consultations import ConsultationDesk
from tests.reporting.conftest import buttons_of, make_tracker, slot_events, texts_of

CONSULT = "consult_form"
SENDER = "resident-1"


async def run(action, domain, **tracker_args):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(domain, **tracker_args), domain)
    return dispatcher, events


def said(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


def bot(text: str) -> dict:
    return {"event": "bot", "text": text}


# --- offering it ----------------------------------------------------------------------------------------------


async def test_the_second_unanswered_question_in_a_row_offers_to_ask_staff(domain):
    first, events = await run(ActionAnswerQuestion(), domain, text="垃圾分类积分怎么兑换", intent="nlu_fallback",
                              confidence=0.2, active_loop=None)
    assert texts.OFFER_BUTTON not in buttons_of(first)
    assert slot_events(events)["unanswered_in_a_row"] == 1
    second, events = await run(ActionAnswerQuestion(), domain, text="积分能换什么东西", intent="nlu_fallback",
                               confidence=0.2, active_loop=None, slots={"unanswered_in_a_row": 1})
    assert texts.OFFER_BUTTON in buttons_of(second)
    assert slot_events(events)["last_question"] == "积分能换什么东西"


async def test_an_answer_resets_the_count(domain):
    _, events = await run(ActionAnswerQuestion(), domain, text="90岁老人免费午餐", intent="ask_elderly_lunch",
                          active_loop=None, slots={"unanswered_in_a_row": 1})
    assert slot_events(events)["unanswered_in_a_row"] == 0


# --- leaving a question ---------------------------------------------------------------------------------------


async def test_asking_for_a_person_after_an_unanswered_question_offers_it(domain):
    earlier = [said("垃圾分类积分怎么兑换", "nlu_fallback"), bot("抱歉，前进街道的资料里没有这方面的内容")]
    _, events = await run(ActionStartConsultation(), domain, text="转人工", intent="request_human", active_loop=None,
                          earlier=earlier, slots={"last_question": "垃圾分类积分怎么兑换", "unanswered_in_a_row": 1})
    slots = slot_events(events)
    assert slots["consult_offered"] == "垃圾分类积分怎么兑换"
    assert slots["consult_snapshot"] == "居民：垃圾分类积分怎么兑换\n小助手：抱歉，前进街道的资料里没有这方面的内容"


async def test_the_question_typed_is_taken(domain):
    dispatcher, events = await run(ValidateConsultForm(), domain, text="老年食堂周末开不开门", intent="nlu_fallback",
                                   confidence=0.3, active_loop=CONSULT, slots={"requested_slot": "consult_question"})
    assert slot_events(events)["consult_question"] == "老年食堂周末开不开门" and dispatcher.messages == []


async def test_a_topic_question_instead_of_the_yes_or_no_is_answered(domain):
    dispatcher, events = await run(ValidateConsultForm(), domain, text="90岁老人免费午餐在哪吃", intent="ask_elderly_lunch",
                                   confidence=0.95, active_loop=CONSULT,
                                   slots={"requested_slot": "consult_context", "consult_question": "燃气什么时候通"})
    slots = slot_events(events)
    assert slots["topic"] == "elderly_lunch" and slots["consult_context"] is None
    assert any("午餐" in text for text in texts_of(dispatcher))


async def test_cancel_stops_the_form_and_nothing_is_sent(domain, queue):
    dispatcher, events = await run(ValidateConsultForm(), domain, text="取消", intent="cancel", active_loop=CONSULT,
                                   slots={"requested_slot": "consult_context", "consult_question": "燃气什么时候通"})
    assert ActiveLoop(None) in events and texts_of(dispatcher) == [texts.CANCELLED]
    dispatcher, _ = await run(ActionSubmitConsultation(), domain, text="取消", intent="cancel", active_loop=None)
    assert dispatcher.messages == []
    assert ConsultationDesk(queue).list() == []


async def test_submitting_stores_the_question_masked_with_the_conversation_only_if_agreed(domain, queue):
    filled = {"consult_question": "我电话13812345678，燃气什么时候通", "consult_context": True,
              "consult_snapshot": "居民：燃气什么时候通\n小助手：抱歉……"}
    dispatcher, events = await run(ActionSubmitConsultation(), domain, text="附上", intent="affirm", active_loop=None,
                                   slots=filled)
    desk = ConsultationDesk(queue)
    [stored] = desk.list()
    assert "13812345678" not in stored.question and stored.context == filled["consult_snapshot"]
    assert stored.sender_id == SENDER and stored.channel == "rest"
    [reply] = texts_of(dispatcher)
    assert stored.number in reply and "答复会发到这里" in reply and "村（社区）或前进街道办事处" in reply
    assert all(value is None for name, value in slot_events(events).items() if name.startswith("consult_"))
    await run(ActionSubmitConsultation(), domain, text="不附上", intent="deny", active_loop=None,
              slots={**filled, "consult_context": False})
    assert sorted(view.context for view in desk.list()) == ["", filled["consult_snapshot"]]


async def test_an_addition_goes_to_the_open_consultation(domain, queue):
    desk = ConsultationDesk(queue)
    opened = desk.open(SENDER, "rest", "楼下路灯归谁管")
    _, events = await run(ActionStartConsultation(), domain, text="补充一下：是前悦社区3幢门口那盏",
                          intent="add_to_consultation", active_loop=None)
    slots = slot_events(events)
    assert slots["consult_adding"] == opened.number and slots["consult_question"] == "是前悦社区3幢门口那盏"
    dispatcher, _ = await run(ActionSubmitConsultation(), domain, text="x", intent="affirm", active_loop=None,
                              slots={key: value for key, value in slots.items()})
    assert [text for _, text in desk.get(opened.number).additions] == ["是前悦社区3幢门口那盏"]
    assert texts_of(dispatcher) == [texts.ADDED.format(number=opened.number)]


async def test_nobody_adds_to_another_residents_consultation(domain, queue):
    ConsultationDesk(queue).open("someone-else", "rest", "楼下路灯归谁管")
    dispatcher, events = await run(ActionStartConsultation(), domain, text="我再补充一点", intent="add_to_consultation",
                                   active_loop=None)
    assert slot_events(events)["consult_adding"] is None and texts_of(dispatcher) == [texts.NOTHING_OPEN]


# --- rating ---------------------------------------------------------------------------------------------------


@pytest.fixture
def closed_ticket(queue) -> str:
    view = queue.submit(ReportDraft(sender_id=SENDER, category="公共设施", location="前悦社区南门",
                                    description="小区门口路灯坏了好几天了", phone=None, channel="rest",
                                    idempotency_key="rating-test-1"))
    queue.set_status(view.ticket_no, "已办结", "已更换灯泡")
    return view.ticket_no


async def test_a_rating_button_is_stored_on_its_ticket(domain, queue, closed_ticket):
    entities = [{"entity": "ticket_no", "value": closed_ticket}, {"entity": "rating", "value": "满意"}]
    dispatcher, events = await run(ActionRateReport(), domain, text="/rate_report", intent="rate_report",
                                   active_loop=None, entities=entities)
    assert queue.get(closed_ticket).satisfaction == "满意"
    assert texts_of(dispatcher) == [texts.RATING_THANKS["满意"].format(ticket_no=closed_ticket)]
    assert events == []


async def test_typed_dissatisfaction_flags_a_return_visit_and_asks_why(domain, queue, closed_ticket):
    _, events = await run(ActionRateReport(), domain, text="没解决", intent="rate_report", active_loop=None)
    view = queue.get(closed_ticket)
    assert view.satisfaction == "不满意" and view.revisit
    assert FollowupAction("rating_comment_form") in events
    assert slot_events(events)["rating_ticket"] == closed_ticket
    _, events = await run(ValidateRatingCommentForm(), domain, text="灯换了第二天又不亮了", intent="report_problem",
                          confidence=0.8, active_loop="rating_comment_form",
                          slots={"requested_slot": "rating_comment", "rating_ticket": closed_ticket})
    comment = slot_events(events)["rating_comment"]
    dispatcher, _ = await run(ActionStoreRatingComment(), domain, text="x", intent="report_problem", active_loop=None,
                              slots={"rating_ticket": closed_ticket, "rating_comment": comment})
    assert queue.get(closed_ticket).satisfaction_comment == "灯换了第二天又不亮了"
    assert texts_of(dispatcher) == [texts.COMMENT_THANKS.format(ticket_no=closed_ticket)]


async def test_a_question_instead_of_the_comment_is_answered_and_no_comment_kept(domain, queue, closed_ticket):
    queue.rate(SENDER, "不满意", closed_ticket)
    dispatcher, events = await run(ValidateRatingCommentForm(), domain, text="90岁老人免费午餐在哪吃？",
                                   intent="ask_elderly_lunch", confidence=0.95, active_loop="rating_comment_form",
                                   slots={"requested_slot": "rating_comment", "rating_ticket": closed_ticket})
    assert ActiveLoop(None) in events and any("午餐" in text for text in texts_of(dispatcher))
    assert queue.get(closed_ticket).satisfaction_comment in (None, "")


async def test_nothing_to_rate_is_said_politely(domain, queue):
    dispatcher, _ = await run(ActionRateReport(), domain, text="满意", intent="rate_report", active_loop=None)
    assert texts_of(dispatcher) == [texts.NOTHING_TO_RATE]


async def test_words_without_a_rating_ask_for_one(domain, queue):
    dispatcher, _ = await run(ActionRateReport(), domain, text="我要评价", intent="rate_report", active_loop=None)
    assert texts_of(dispatcher) == [texts.ASK_RATING] and len(buttons_of(dispatcher)) == 3
