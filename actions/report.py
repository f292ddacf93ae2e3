"""Report a problem (report_form) and look up tickets: thin adapters from Rasa to bot.reporting and the queue.

The form asks, in order: description, category, location, phone, confirmation. What the resident already said
in the first message is kept and not asked again. validate_report_form takes a message as the answer only when
bot.reporting.turns says it is one; anything else (cancel, correct, a question, a ticket look-up) makes the form
step aside, and the rules in data/rules/report.yml handle it and come back. Emergencies are answered first.
"""
import asyncio
import logging
import uuid
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.governance import InvalidReport, ReportDraft, ReportQueue
from bot.governance.db import database_url
from bot.reporting import texts
from bot.reporting.category import category_named_in, guess_category
from bot.reporting.emergency import advice, detect_emergency
from bot.reporting.fields import CATEGORY, DESCRIPTION, LOCATION, PHONE, field_named_in
from bot.reporting.phone import declines_phone, normalise_phone
from bot.reporting.summary import render_recent, render_status, render_submitted, render_summary
from bot.reporting.ticket import find_ticket_no
from bot.reporting.turns import Turn, read_turn
from bot.reporting.validation import describes_problem, description_problem, location_problem, looks_like_place

logger = logging.getLogger(__name__)

FORM = "report_form"
REQUESTED_SLOT = "requested_slot"
# The intent of a message the bot was unsure of (FallbackClassifier), answered with likely topics as buttons.
UNSURE_INTENT = "nlu_fallback"
SLOT_OF_FIELD = {
    DESCRIPTION: "report_description",
    CATEGORY: "report_category",
    LOCATION: "report_location",
    PHONE: "report_phone",
}
# Everything one report in progress keeps; cleared when it is submitted or cancelled.
REPORT_SLOTS = (
    "report_description",
    "report_category",
    "report_location",
    "report_phone",
    "report_confirmed",
    "report_id",
    "report_category_guess",
    "report_fix_pending",
)
RECENT_TICKETS = 5

_queues: Dict[str, ReportQueue] = {}


def report_queue() -> ReportQueue:
    """The queue on DATABASE_URL, opened once per database (tests point DATABASE_URL at a fresh file)."""
    url = database_url()
    if url not in _queues:
        _queues[url] = ReportQueue.from_url(url)
    return _queues[url]


def _utter(dispatcher: CollectingDispatcher, text: str, buttons: Iterable[Tuple[str, str]] = ()) -> None:
    dispatcher.utter_message(text=text, buttons=[{"title": title, "payload": payload} for title, payload in buttons])


def _latest(tracker: Tracker) -> Tuple[str, str, float]:
    """The latest message's text, intent and confidence."""
    intent = tracker.latest_message.get("intent") or {}
    return tracker.latest_message.get("text") or "", intent.get("name") or "", float(intent.get("confidence") or 0.0)


def _place(tracker: Tracker) -> Optional[str]:
    return next(tracker.get_latest_entity_values("place"), None)


def _gives_place(tracker: Tracker, text: str) -> bool:
    """Whether `text` is a place the form can take, while no place has been given yet."""
    if tracker.get_slot("report_location") or location_problem(text):
        return False
    return bool(_place(tracker)) or looks_like_place(text)


def _first_message(tracker: Tracker) -> str:
    """What a report starts from: the latest message, or, when the resident tapped 反映问题 among the topics
    offered for a message the bot was unsure of ("化粪池满了"), that message."""
    text, _, _ = _latest(tracker)
    said = [event for event in tracker.events if event.get("event") == "user"]
    if text.startswith("/") and len(said) >= 2:
        unsure = said[-2]
        if ((unsure.get("parse_data") or {}).get("intent") or {}).get("name") == UNSURE_INTENT:
            return unsure.get("text") or text
    return text


def _advise(dispatcher: CollectingDispatcher, text: str, in_report: bool) -> None:
    _utter(dispatcher, advice(detect_emergency(text)))
    if in_report:
        _utter(dispatcher, texts.EMERGENCY_IN_REPORT)
    else:
        _utter(dispatcher, texts.EMERGENCY_OFFER, texts.EMERGENCY_OFFER_BUTTONS)


def _clear_report() -> List[EventType]:
    return [SlotSet(slot, None) for slot in REPORT_SLOTS]


class ActionStartReport(Action):
    """A new report: a fresh idempotency key, and whatever the first message already told us."""

    def name(self) -> Text:
        return "action_start_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = _first_message(tracker)
        emergency = detect_emergency(text)
        if emergency:
            _advise(dispatcher, text, in_report=True)
        events = _clear_report() + [SlotSet("report_id", uuid.uuid4().hex)]
        category = category_named_in(text)
        if category:
            events.append(SlotSet("report_category", category))
        if describes_problem(text.replace(category, "") if category else text):
            events.append(SlotSet("report_description", text.strip()))
            if not emergency:
                _utter(dispatcher, texts.START_WITH_DESCRIPTION)
        place = _place(tracker)
        if place:
            events.append(SlotSet("report_location", place))
        return events


class ValidateReportForm(FormValidationAction):
    """Takes the latest message as the answer to the question being asked, if it is one, and checks it."""

    def name(self) -> Text:
        return "validate_report_form"

    def _answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if tracker.get_slot(REQUESTED_SLOT) != slot:
            return {}
        text, intent, confidence = _latest(tracker)
        turn = read_turn(text, intent, confidence, slot)
        if turn is Turn.EMERGENCY:
            _advise(dispatcher, text, in_report=True)
            return {slot: None}
        if turn in (Turn.STRAY_BUTTON, Turn.SMALL_TALK):
            return {slot: None}
        return {slot: text} if turn is Turn.ANSWER else {}

    async def extract_report_description(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("report_description", dispatcher, tracker)

    async def extract_report_category(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("report_category", dispatcher, tracker)

    async def extract_report_location(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("report_location", dispatcher, tracker)

    async def extract_report_phone(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("report_phone", dispatcher, tracker)

    async def extract_report_confirmed(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._answer("report_confirmed", dispatcher, tracker)

    async def validate_report_description(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"report_description": None}
        problem = description_problem(value)
        if problem:
            _utter(dispatcher, problem)
            return {"report_description": None}
        result: Dict[Text, Any] = {"report_description": value.strip()}
        if tracker.get_slot("report_category") is None:
            category, confident = guess_category(value)
            result["report_category_guess"] = category if confident else None
        place = _place(tracker)
        if place and tracker.get_slot("report_location") is None:
            result["report_location"] = place
        return result

    async def validate_report_category(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"report_category": None}
        named = category_named_in(value)
        if named:
            return {"report_category": named, "report_category_guess": None}
        _, intent, _ = _latest(tracker)
        guess = tracker.get_slot("report_category_guess")
        if intent == "affirm" and guess:
            return {"report_category": guess}
        if intent != "deny":
            category, confident = guess_category(value)
            if category and confident:
                return {"report_category": category, "report_category_guess": None}
            if _gives_place(tracker, value):
                place = {"report_location": value.strip(), "report_category_guess": None}
                if guess:
                    # Asked "属于「环境卫生」，对吗？", the resident went on to say where: the guess stands (the
                    # summary shows it, to be changed there).
                    return {"report_category": guess, **place}
                _utter(dispatcher, texts.PLACE_NOTED)
                return {"report_category": None, **place}
            _utter(dispatcher, texts.CATEGORY_UNCLEAR)
        return {"report_category": None, "report_category_guess": None}

    async def validate_report_location(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"report_location": None}
        problem = location_problem(value)
        if problem:
            _utter(dispatcher, problem)
            return {"report_location": None}
        return {"report_location": value.strip()}

    async def validate_report_phone(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"report_phone": None}
        number = normalise_phone(value)
        if number:
            return {"report_phone": number}
        if declines_phone(value):
            return {"report_phone": ""}
        _utter(dispatcher, texts.PHONE_INVALID)
        return {"report_phone": None}

    async def validate_report_confirmed(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value is None:
            return {"report_confirmed": None}
        _, intent, _ = _latest(tracker)
        pending = bool(tracker.get_slot("report_fix_pending"))
        if intent == "affirm":
            # Confirming the summary submits; "不用改了" while choosing what to fix shows the summary again.
            return {"report_confirmed": None if pending else True, "report_fix_pending": False}
        field = field_named_in(value)
        if field:
            return _fix(field, dispatcher)
        if intent == "deny":
            return {"report_confirmed": None, "report_fix_pending": True}
        if not pending:
            _utter(dispatcher, texts.CONFIRM_UNCLEAR)
        return {"report_confirmed": None}


def _fix(field: str, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """Empty one field so the form asks it again, then shows the summary again."""
    _utter(dispatcher, texts.FIX_FIELD.format(field=texts.FIELD_LABELS[field]))
    slots: Dict[Text, Any] = {SLOT_OF_FIELD[field]: None, "report_confirmed": None, "report_fix_pending": False}
    if field == CATEGORY:
        slots["report_category_guess"] = None
    return slots


class ActionAskReportDescription(Action):
    def name(self) -> Text:
        return "action_ask_report_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _utter(dispatcher, texts.ASK_DESCRIPTION)
        return []


class ActionAskReportCategory(Action):
    """One tap when we could guess the category ("对吗？" 是的 / 换一个类别), otherwise all six as buttons."""

    def name(self) -> Text:
        return "action_ask_report_category"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        guess = tracker.get_slot("report_category_guess")
        if guess:
            _utter(dispatcher, texts.ASK_CATEGORY_GUESS.format(category=guess), texts.CATEGORY_GUESS_BUTTONS)
        else:
            _utter(dispatcher, texts.ASK_CATEGORY, texts.CATEGORY_BUTTONS)
        return []


class ActionAskReportLocation(Action):
    def name(self) -> Text:
        return "action_ask_report_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _utter(dispatcher, texts.ASK_LOCATION)
        return []


class ActionAskReportPhone(Action):
    """Why we ask, first; then the question, with "不留" one tap away."""

    def name(self) -> Text:
        return "action_ask_report_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _utter(dispatcher, texts.PRIVACY_NOTICE)
        _utter(dispatcher, texts.ASK_PHONE, texts.PHONE_BUTTONS)
        return []


class ActionAskReportConfirmed(Action):
    """The summary to confirm (phone masked), or, after 修改, the choice of what to change."""

    def name(self) -> Text:
        return "action_ask_report_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("report_fix_pending"):
            _utter(dispatcher, texts.ASK_FIELD_TO_FIX, texts.FIELD_BUTTONS)
            return []
        summary = render_summary(
            tracker.get_slot("report_category") or "",
            tracker.get_slot("report_location") or "",
            tracker.get_slot("report_description") or "",
            tracker.get_slot("report_phone"),
        )
        _utter(dispatcher, summary, texts.CONFIRM_BUTTONS)
        return []


class ActionSubmitReport(Action):
    """File the confirmed report and give its ticket number; the same report_id never files twice."""

    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        report_id = tracker.get_slot("report_id")
        if not report_id:
            last = tracker.get_slot("report_last_ticket")
            _utter(dispatcher, texts.ALREADY_SUBMITTED.format(ticket_no=last) if last else texts.NOTHING_TO_SUBMIT)
            return []
        draft = ReportDraft(
            sender_id=tracker.sender_id,
            category=tracker.get_slot("report_category") or "",
            location=tracker.get_slot("report_location") or "",
            description=tracker.get_slot("report_description") or "",
            phone=tracker.get_slot("report_phone") or None,
            channel=tracker.get_latest_input_channel() or "unknown",
            idempotency_key=report_id,
        )
        try:
            view = await asyncio.to_thread(report_queue().submit, draft)
        except InvalidReport as error:
            _utter(dispatcher, str(error), texts.RETRY_BUTTONS)
            return []
        except SQLAlchemyError:
            logger.exception("could not store report %s", report_id)
            _utter(dispatcher, texts.SUBMIT_FAILED, texts.RETRY_BUTTONS)
            return []
        _utter(dispatcher, render_submitted(view))
        return _clear_report() + [SlotSet("report_last_ticket", view.ticket_no)]


class ActionCheckTicket(Action):
    """With a ticket number: that ticket's progress; without: the resident's latest tickets."""

    def name(self) -> Text:
        return "action_check_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text, _, _ = _latest(tracker)
        ticket_no = find_ticket_no(text)
        try:
            if ticket_no:
                view = await asyncio.to_thread(report_queue().get, ticket_no)
                if view is None:
                    reply = texts.TICKET_NOT_FOUND.format(ticket_no=ticket_no)
                else:
                    reply = render_status(view, tracker.sender_id)
            else:
                views = await asyncio.to_thread(report_queue().list_for_sender, tracker.sender_id, RECENT_TICKETS)
                reply = render_recent(views)
        except SQLAlchemyError:
            logger.exception("could not look up tickets")
            reply = texts.LOOKUP_FAILED
        _utter(dispatcher, reply)
        return []


class ActionCancelReport(Action):
    """"算了" / "取消": stop the report politely and forget what was filled in."""

    def name(self) -> Text:
        return "action_cancel_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_form = tracker.active_loop_name == FORM
        if not in_form and not tracker.get_slot("report_id"):
            _utter(dispatcher, texts.NOTHING_TO_CANCEL)
            return []
        _utter(dispatcher, texts.CANCELLED)
        stop = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if in_form else []
        return stop + _clear_report()


class ActionCorrectReportField(Action):
    """"地点写错了": empty that field so the form asks it again; "修改" alone: ask which one."""

    def name(self) -> Text:
        return "action_correct_report_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.active_loop_name != FORM:
            _utter(dispatcher, texts.CORRECT_NOTHING_OPEN)
            return []
        text, _, _ = _latest(tracker)
        field = field_named_in(text)
        if field:
            return [SlotSet(slot, value) for slot, value in _fix(field, dispatcher).items()]
        if tracker.get_slot(REQUESTED_SLOT) == "report_confirmed":
            return [SlotSet("report_confirmed", None), SlotSet("report_fix_pending", True)]
        _utter(dispatcher, texts.WHICH_FIELD)
        return []


class ActionEmergencyAdvice(Action):
    """Danger now: call 119/110/120 first; a non-urgent report can follow."""

    def name(self) -> Text:
        return "action_emergency_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text, _, _ = _latest(tracker)
        _advise(dispatcher, text, in_report=False)
        return []
