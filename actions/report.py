"""Report a problem (report_form) and look up tickets: thin adapters from Rasa to bot.reporting and the queue.

The form asks, in order: description, category, location, the same problem already reported (only when it is),
a photo (only on channels that can send one), phone, confirmation (bot/reporting/form.py decides what each message
means for it). A message that is not an answer makes validate_report_form step aside, and the
rules in data/rules/report.yml handle it (cancel, a question, a ticket look-up) and come back to the form.
"""
import asyncio
import logging
import uuid
from abc import ABCMeta, abstractmethod
from dataclasses import replace
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.knowledge import utter
from bot import rate_limits
from bot.governance import GovernanceError, InvalidReport, ReportDraft, open_queue
from bot.governance.duplicates import find_duplicate
from bot.replies import Reply
from bot.reporting import duplicate, form, texts
from bot.reporting.emergency import advice, detect_emergency
from bot.reporting.fields import (
    CATEGORY,
    CONFIRMED,
    DESCRIPTION,
    DUPLICATE_CHOICE,
    LOCATION,
    PHONE,
    PHOTOS,
    PHOTOS_DONE,
)
from bot.reporting.form import ATTEMPTS, FIX_PENDING, SLOTS, FormMessage, FormState, Lookup, Step
from bot.reporting.summary import render_following, render_recent, render_status, render_submitted
from bot.reporting.ticket import find_ticket_no

logger = logging.getLogger(__name__)

FORM = "report_form"
REQUESTED_SLOT = "requested_slot"
ID_SLOT = "report_id"
LAST_TICKET_SLOT = "report_last_ticket"
FIELD_OF_SLOT = {slot: name for name, slot in SLOTS.items()}
# The intent of a message the bot was unsure of (FallbackClassifier), answered with likely topics as buttons.
UNSURE_INTENT = "nlu_fallback"
RECENT_TICKETS = 5

def _send(dispatcher: CollectingDispatcher, replies: Iterable[Reply]) -> None:
    for reply in replies:
        utter(dispatcher, reply)


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or ""


def _state(tracker: Tracker) -> FormState:
    values = {name: tracker.get_slot(slot) for name, slot in SLOTS.items()}
    values[FIX_PENDING] = bool(values[FIX_PENDING])
    values[ATTEMPTS] = int(values[ATTEMPTS] or 0)
    values[PHOTOS] = tuple(values[PHOTOS] or ())
    return FormState(**values, asking=FIELD_OF_SLOT.get(tracker.get_slot(REQUESTED_SLOT)), channel=_channel(tracker))


def _entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def form_message(tracker: Tracker) -> FormMessage:
    intent = tracker.latest_message.get("intent") or {}
    return FormMessage(
        _text(tracker), intent.get("name") or "", float(intent.get("confidence") or 0), _entity(tracker, "place"),
        photo_token=_entity(tracker, "photo_token"), photo_error=_entity(tracker, "photo_error"),
        latitude=_entity(tracker, "latitude"), longitude=_entity(tracker, "longitude"),
        place_label=_entity(tracker, "place_label"), place_said=_words_of(tracker, "place"),
    )


def _words_of(tracker: Tracker, name: str) -> Optional[str]:
    """The words an entity was recognised from (its value may be a synonym's name: 前悦小区 -> 前悦社区)."""
    text = _text(tracker)
    for entity in tracker.latest_message.get("entities") or []:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") == name and isinstance(start, int) and isinstance(end, int):
            return text[start:end] or None
    return None


def _events(step: Step) -> List[EventType]:
    events = [SlotSet(SLOTS[name], list(value) if isinstance(value, tuple) else value)
              for name, value in step.changes.items()]
    # The resident follows the ticket found: the form is over, and action_submit_report files nothing.
    return events + [SlotSet(REQUESTED_SLOT, None)] if step.ends else events


def _lookup(tracker: Tracker) -> Lookup:
    """The open report of the same problem, as this resident may see it; with the database out of reach, none
    (the report goes on and is filed as usual)."""
    def lookup(category: str, place: str, latitude: Optional[float], longitude: Optional[float]) -> Optional[Dict]:
        try:
            found = find_duplicate(open_queue(), category, place, latitude, longitude)
        except SQLAlchemyError:
            logger.exception("could not look for an open report of the same problem")
            return None
        return duplicate.offer(found, tracker.sender_id) if found else None

    return lookup


def _first_message(tracker: Tracker) -> str:
    """What a report starts from: the latest message, or, when the resident tapped 反映问题 among the topics
    offered for a message the bot was unsure of ("化粪池满了"), that message."""
    text = _text(tracker)
    said = [event for event in tracker.events if event.get("event") == "user"]
    if text.startswith("/") and len(said) >= 2:
        unsure = said[-2]
        if ((unsure.get("parse_data") or {}).get("intent") or {}).get("name") == UNSURE_INTENT:
            return unsure.get("text") or text
    return text


def resumed(tracker: Tracker, loop: str = FORM) -> bool:
    """Whether the form `loop` comes back after another action handled the latest message (a question, a ticket),
    or starts after the action that opened it: either way the latest message is not an answer to it."""
    since_user = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        since_user.append(event)
    return any(
        event.get("event") == "action" and event.get("name") not in (loop, "action_listen", None)
        for event in since_user
    )


def _clear_report() -> List[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS.values()] + [SlotSet(ID_SLOT, None)]


class ActionStartReport(Action):
    """A new report: a fresh idempotency key, and whatever the first message already told us."""

    def name(self) -> Text:
        return "action_start_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message = form_message(tracker)
        step = await asyncio.to_thread(
            form.start, _first_message(tracker), message.place, _channel(tracker), message, _lookup(tracker)
        )
        _send(dispatcher, step.replies)
        return _clear_report() + [SlotSet(ID_SLOT, uuid.uuid4().hex)] + _events(step)


class ActionOldCategoryButton(Action):
    """A category button from a report that is over, tapped again: say so, and file nothing."""

    def name(self) -> Text:
        return "action_old_category_button"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _send(dispatcher, [Reply(texts.OLD_CATEGORY_BUTTON, texts.OLD_CATEGORY_BUTTONS)])
        return []


class ValidateReportForm(Action):
    """Takes the latest message as the answer to the question asked, if it is one (bot/reporting/form.py)."""

    def name(self) -> Text:
        return "validate_report_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if resumed(tracker):
            return []
        step = await asyncio.to_thread(form.take, _state(tracker), form_message(tracker), _lookup(tracker))
        if step.aside:
            return []
        _send(dispatcher, step.replies)
        return _events(step)


class _AskReportField(Action, metaclass=ABCMeta):
    """The question for one field, as form.ask words it (a way forward after two failed tries). A step a report
    begun before it existed needs no question for (form.settle) is filled, and the next field is asked instead."""

    @property
    @abstractmethod
    def field(self) -> str:
        """The field this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{SLOTS[self.field]}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = _state(tracker)
        settled = await asyncio.to_thread(form.settle, state, _lookup(tracker))
        state = replace(state, **settled.changes)
        asking = self.field
        events = _events(settled)
        if settled.changes.get(self.field) is not None:
            asking = form.next_asked(state) or CONFIRMED
            events.append(SlotSet(REQUESTED_SLOT, SLOTS[asking]))
        _send(dispatcher, form.ask(replace(state, asking=asking)))
        return events


class ActionAskReportDescription(_AskReportField):
    field = DESCRIPTION


class ActionAskReportCategory(_AskReportField):
    field = CATEGORY


class ActionAskReportLocation(_AskReportField):
    field = LOCATION


class ActionAskReportDuplicateChoice(_AskReportField):
    field = DUPLICATE_CHOICE


class ActionAskReportPhotosDone(_AskReportField):
    field = PHOTOS_DONE


class ActionAskReportPhone(_AskReportField):
    field = PHONE


class ActionAskReportConfirmed(_AskReportField):
    field = CONFIRMED


class ActionSubmitReport(Action):
    """File the confirmed report and give its ticket number; the same report_id never files twice. A resident who
    chose to follow the open ticket of the same problem follows it instead, and nothing is filed."""

    def name(self) -> Text:
        return "action_submit_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        report_id = tracker.get_slot(ID_SLOT)
        if not report_id:
            last = tracker.get_slot(LAST_TICKET_SLOT)
            text = texts.ALREADY_SUBMITTED.format(ticket_no=last) if last else texts.NOTHING_TO_SUBMIT
            _send(dispatcher, [Reply(text)])
            return []
        state = _state(tracker)
        if state.duplicate_choice == duplicate.FOLLOW and state.duplicate:
            return await _follow(dispatcher, tracker, state.duplicate["ticket_no"])
        draft = ReportDraft(
            sender_id=tracker.sender_id,
            category=state.category or "",
            location=state.location or "",
            description=state.description or "",
            phone=state.phone or None,
            channel=tracker.get_latest_input_channel() or "unknown",
            idempotency_key=report_id,
            photos=state.photos,
            latitude=state.latitude,
            longitude=state.longitude,
        )
        try:
            view = await asyncio.to_thread(open_queue().submit, draft)
        except InvalidReport as error:
            _send(dispatcher, [Reply(str(error), texts.RETRY_BUTTONS)])
            return []
        except SQLAlchemyError:
            logger.exception("could not store report %s", report_id)
            _send(dispatcher, [Reply(texts.SUBMIT_FAILED, texts.RETRY_BUTTONS)])
            return []
        _send(dispatcher, [Reply(render_submitted(view))])
        return _clear_report() + [SlotSet(LAST_TICKET_SLOT, view.ticket_no)]


async def _follow(dispatcher: CollectingDispatcher, tracker: Tracker, ticket_no: str) -> List[EventType]:
    """Follow the ticket found instead of filing; on a database error everything stays for another tap."""
    try:
        channel = _channel(tracker) or "unknown"
        view = await asyncio.to_thread(open_queue().follow, ticket_no, tracker.sender_id, channel)
    except (SQLAlchemyError, GovernanceError):
        logger.exception("could not follow report %s", ticket_no)
        _send(dispatcher, [Reply(texts.FOLLOW_FAILED, texts.FOLLOW_RETRY_BUTTONS)])
        return []
    _send(dispatcher, [Reply(render_following(view, tracker.sender_id))])
    return _clear_report()


class ActionCheckTicket(Action):
    """With a ticket number: that ticket's progress; without: the resident's latest tickets."""

    def name(self) -> Text:
        return "action_check_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ticket_no = find_ticket_no(_text(tracker))
        # Ticket numbers are sequential: a conversation may try only so many of them an hour.
        if ticket_no and not await asyncio.to_thread(rate_limits.ticket_lookups().allows, tracker.sender_id):
            _send(dispatcher, [Reply(rate_limits.TOO_MANY_TICKET_LOOKUPS_TEXT)])
            return []
        try:
            if ticket_no:
                view = await asyncio.to_thread(open_queue().get, ticket_no)
                if view is None:
                    reply = texts.TICKET_NOT_FOUND.format(ticket_no=ticket_no)
                else:
                    reply = render_status(view, tracker.sender_id)
            else:
                views = await asyncio.to_thread(open_queue().list_for_sender, tracker.sender_id, RECENT_TICKETS)
                reply = render_recent(views)
        except SQLAlchemyError:
            logger.exception("could not look up tickets")
            reply = texts.LOOKUP_FAILED
        _send(dispatcher, [Reply(reply)])
        return []


class ActionCancelReport(Action):
    """"算了" / "取消": stop the report politely and forget what was filled in."""

    def name(self) -> Text:
        return "action_cancel_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_form = tracker.active_loop_name == FORM
        if not in_form and not tracker.get_slot(ID_SLOT):
            _send(dispatcher, [Reply(texts.NOTHING_TO_CANCEL)])
            return []
        _send(dispatcher, [Reply(texts.CANCELLED)])
        stop = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if in_form else []
        return stop + _clear_report()


class ActionCorrectReportField(Action):
    """"地点写错了" outside the form: nothing is being filled in (inside the form, the form takes corrections)."""

    def name(self) -> Text:
        return "action_correct_report_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _send(dispatcher, [Reply(texts.CORRECT_NOTHING_OPEN)])
        return []


class ActionEmergencyAdvice(Action):
    """Danger now: call 119/110/120 first; a non-urgent report can follow."""

    def name(self) -> Text:
        return "action_emergency_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        emergency = advice(detect_emergency(_text(tracker)))
        _send(dispatcher, [Reply(emergency), Reply(texts.EMERGENCY_OFFER, texts.EMERGENCY_OFFER_BUTTONS)])
        return []

