"""The report actions with photos, shared locations and the same problem already reported: rasa_sdk trackers in,
events and messages out, a real queue; and Rasa's payload syntax carrying the entities the form reads."""
from datetime import datetime, timezone

from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.report import (
    ActionAskReportDuplicateChoice,
    ActionAskReportPhotosDone,
    ActionStartReport,
    ActionSubmitReport,
    ValidateReportForm,
)
from bot.governance import ReportDraft, ReportQueue
from bot.governance.models import Photo, Report
from bot.governance.notifications import NotificationBox
from bot.photos.payloads import location_shared, photo_attached
from bot.reporting import texts
from tests.reporting.conftest import PROJECT_ROOT, buttons_of, make_tracker, slot_events, texts_of

FILLED = {
    "report_id": "5b0f4cf2a3a84e43a7f0c3a9d1c1e002",
    "report_description": "3幢楼下的路灯不亮了",
    "report_category": "公共设施",
    "report_location": "前悦社区3幢楼下",
    "report_phone": "",
    "report_photos_done": True,
    "report_duplicate_choice": "file",
    "report_confirmed": True,
}


async def run(action, domain, **tracker_args):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(domain, **tracker_args), domain)
    return dispatcher, events


def entities(**values):
    return [{"entity": name, "value": value} for name, value in values.items()]


def pending_photo(queue: ReportQueue, token: str, conversation: str = "resident-1") -> None:
    with queue.writing() as session:
        session.add(Photo(token=token, conversation=conversation, content_type="image/jpeg", size=1000, width=40,
                          height=30, created_at=datetime.now(timezone.utc)))


def first_lamp(queue: ReportQueue):
    return queue.submit(ReportDraft(
        sender_id="resident-1", category="公共设施", location="前悦社区3幢楼下，电话13812345678",
        description="路灯坏了，我姓王，电话13812345678", phone="13812345678", channel="wechat",
        idempotency_key="first-lamp"))


def reports(queue: ReportQueue) -> int:
    with queue.reading() as session:
        return session.scalar(select(func.count()).select_from(Report))


# --- Rasa hands the payload's entities on ----------------------------------------------------------------------


def test_rasa_payload_syntax_gives_the_intent_and_the_entities_the_form_reads():
    """rasa 3.6.21: the regex message handler unpacks `/intent{json}` and keeps only entities the domain declares."""
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    photo = YAMLStoryReader.unpack_regex_message(Message({"text": photo_attached("tok-1")}), domain)
    assert photo.get("intent")["name"] == "attach_photo"
    assert [(e["entity"], e["value"]) for e in photo.get("entities")] == [("photo_token", "tok-1")]
    place = YAMLStoryReader.unpack_regex_message(Message({"text": location_shared(30.28, 120.35, "")}), domain)
    assert place.get("intent")["name"] == "share_location"
    assert {e["entity"]: e["value"] for e in place.get("entities")} == {
        "latitude": 30.28, "longitude": 120.35, "place_label": ""}


def test_no_slot_is_filled_from_these_entities_by_rasa_itself(domain):
    for name in ("report_photos", "report_latitude", "report_longitude", "report_location"):
        assert domain["slots"][name]["mappings"] == [{"type": "custom"}]


# --- the form's actions ----------------------------------------------------------------------------------------


async def test_a_photo_is_kept_in_its_slot_and_the_step_asked_again(domain):
    dispatcher, events = await run(
        ValidateReportForm(), domain, text=photo_attached("tok-1"), intent="attach_photo", channel="widget",
        entities=entities(photo_token="tok-1"), slots={**FILLED, "report_photos_done": None,
                                                      "requested_slot": "report_photos_done"})
    assert slot_events(events) == {"report_photos": ["tok-1"], "report_photos_done": None}
    assert texts_of(dispatcher) == [texts.PHOTO_RECEIVED.format(count=1)]


async def test_a_location_fills_place_and_coordinates(domain):
    dispatcher, events = await run(
        ValidateReportForm(), domain, text=location_shared(30.28, 120.35, ""), intent="share_location",
        channel="wechat", entities=entities(latitude=30.28, longitude=120.35, place_label=""),
        slots={"report_description": "路灯坏了", "report_category": "公共设施", "requested_slot": "report_location"})
    slots = slot_events(events)
    assert slots["report_location"] == "共享的位置（纬度30.2800，经度120.3500）"
    assert (slots["report_latitude"], slots["report_longitude"]) == (30.28, 120.35)
    assert slots["report_duplicate_choice"] == "file"


async def test_the_photo_question_is_never_asked_on_rest_even_for_a_report_begun_before_it_existed(domain):
    """A conversation in the middle of a report when the photo step came: it is filled and the phone asked."""
    old = {k: v for k, v in FILLED.items() if k not in ("report_photos_done", "report_phone", "report_confirmed")}
    dispatcher, events = await run(ActionAskReportPhotosDone(), domain, text="前悦社区3幢楼下", intent="nlu_fallback",
                                   slots={**old, "requested_slot": "report_photos_done"})
    assert slot_events(events) == {"report_photos_done": True, "requested_slot": "report_phone"}
    assert texts.ASK_PHONE in texts_of(dispatcher)[-1]


async def test_a_photo_channel_is_asked_for_one(domain):
    dispatcher, events = await run(ActionAskReportPhotosDone(), domain, text="前悦社区3幢楼下", intent="nlu_fallback",
                                   channel="widget", slots={**FILLED, "report_photos_done": None})
    assert events == [] and texts_of(dispatcher) == [texts.ASK_PHOTO.format(limit=3)]
    assert buttons_of(dispatcher) == [("没有照片", "没有照片")]


async def test_the_place_completes_the_lookup_and_the_open_ticket_is_offered_masked(domain, queue: ReportQueue):
    first = first_lamp(queue)
    _, events = await run(
        ValidateReportForm(), domain, text="前悦社区3幢楼下，电话13812345678", intent="nlu_fallback", sender_id="resident-2",
        slots={"report_description": "路灯不亮", "report_category": "公共设施", "requested_slot": "report_location"})
    offer = slot_events(events)["report_duplicate"]
    assert offer["ticket_no"] == first.ticket_no and not offer["filed_here"]
    dispatcher, _ = await run(ActionAskReportDuplicateChoice(), domain, text="x", intent="nlu_fallback",
                              sender_id="resident-2", slots={"report_duplicate": offer})
    shown = texts_of(dispatcher)[0]
    assert first.ticket_no in shown and "已受理" in shown and "138****5678" in shown
    assert "13812345678" not in shown and "我姓王" not in shown  # the other resident's words stay theirs
    assert [title for title, _ in buttons_of(dispatcher)] == ["关注这个工单", "仍然提交"]


async def test_following_ends_the_form_files_nothing_and_the_follower_hears_of_progress(domain, queue: ReportQueue):
    first = first_lamp(queue)
    offer = {"ticket_no": first.ticket_no, "category": "公共设施", "status": "已受理", "place": "前悦社区3幢楼下",
             "filed_here": False}
    asked = {"report_id": "second-lamp", "report_description": "路灯不亮", "report_category": "公共设施",
             "report_location": "前悦社区3幢", "report_duplicate": offer}
    _, events = await run(ValidateReportForm(), domain, text="关注这个工单", intent="check_ticket", confidence=0.9,
                          sender_id="resident-2", slots={**asked, "requested_slot": "report_duplicate_choice"})
    slots = slot_events(events)
    assert slots["report_duplicate_choice"] == "follow" and slots["requested_slot"] is None

    dispatcher, events = await run(ActionSubmitReport(), domain, text="关注这个工单", intent="check_ticket",
                                   active_loop=None, sender_id="resident-2", channel="wechat",
                                   slots={**asked, "report_duplicate_choice": "follow"})
    assert texts_of(dispatcher) == [texts.FOLLOWING.format(ticket_no=first.ticket_no, status="已受理")]
    assert slot_events(events)["report_id"] is None
    assert reports(queue) == 1 and queue.get(first.ticket_no).followers == 1
    queue.set_status(first.ticket_no, "处理中")
    (note,) = NotificationBox(queue).take_for("resident-2")
    assert note.channel == "wechat" and first.ticket_no in note.text


async def test_submit_hands_the_photos_and_coordinates_to_the_queue(domain, queue: ReportQueue):
    pending_photo(queue, "tok-1")
    pending_photo(queue, "tok-2")
    slots = {**FILLED, "report_photos": ["tok-2", "tok-1"], "report_latitude": 30.28, "report_longitude": 120.35}
    dispatcher, _ = await run(ActionSubmitReport(), domain, text="/affirm", intent="affirm", slots=slots,
                              active_loop=None, channel="widget")
    [view] = queue.list_for_sender("resident-1")
    assert view.photos == ("tok-2", "tok-1") and (view.latitude, view.longitude) == (30.28, 120.35)
    assert "照片：2张" in texts_of(dispatcher)[0]


async def test_a_photo_with_no_report_open_starts_one(domain):
    dispatcher, events = await run(ActionStartReport(), domain, text=photo_attached("tok-9"), intent="attach_photo",
                                   entities=entities(photo_token="tok-9"), active_loop=None, channel="wechat")
    slots = slot_events(events)
    assert slots["report_photos"] == ["tok-9"] and slots["report_description"] is None and slots["report_id"]
    assert texts_of(dispatcher) == [texts.PHOTO_RECEIVED.format(count=1)]
