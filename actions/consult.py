"""Leave a question for staff (consult_form) and rate a closed ticket: thin adapters from Rasa to bot.consulting.

The consultation form asks for the question, then whether to attach the last turns (bot/consulting/flow.py decides
what each message means); its validation answers a topic question asked in between and stops on "取消" itself, so
no message ever leaves the resident stuck. 不满意 starts a one-question form for an optional comment.
"""
import asyncio
import logging
from abc import ABCMeta, abstractmethod
from dataclasses import replace
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.knowledge import LAST_QUESTION_SLOT, UNANSWERED_SLOT, answer_latest, utter
from actions.report import REQUESTED_SLOT, form_message, resumed
from bot.consulting import flow, texts
from bot.consulting.flow import ATTEMPTS, CONTEXT, QUESTION, SLOTS, ConsultState
from bot.consulting.rating import CommentKind, comment_kind, rating_meant
from bot.governance import GovernanceError, open_queue
from bot.governance.consultations import ConsultationDesk
from bot.governance.statuses import DISSATISFIED
from bot.replies import Reply
from bot.reporting.ticket import find_ticket_no

logger = logging.getLogger(__name__)

CONSULT_FORM = "consult_form"
COMMENT_FORM = "rating_comment_form"
RATED_TICKET_SLOT, COMMENT_SLOT = "rating_ticket", "rating_comment"
STEP_OF_SLOT = {slot: name for name, slot in SLOTS.items()}


def _state(tracker: Tracker) -> ConsultState:
    values = {name: tracker.get_slot(slot) for name, slot in SLOTS.items()}
    values[ATTEMPTS] = int(values[ATTEMPTS] or 0)
    return ConsultState(**values, asking=STEP_OF_SLOT.get(tracker.get_slot(REQUESTED_SLOT)))


def _events(changes: Dict[str, Any]) -> List[EventType]:
    return [SlotSet(SLOTS[name], value) for name, value in changes.items()]


def _clear_consultation() -> List[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS.values()]


def _turns_before_latest(tracker: Tracker) -> List[Tuple[bool, str]]:
    """The conversation before the latest message: (said by the resident, text), oldest first."""
    turns = [(event.get("event") == "user", event.get("text") or "")
             for event in tracker.events if event.get("event") in ("user", "bot")]
    last_user = max((i for i, (by_resident, _) in enumerate(turns) if by_resident), default=len(turns))
    return turns[:last_user]


def _earlier_messages(tracker: Tracker) -> List[Tuple[str, str]]:
    """The resident's messages before the latest one, newest first, as (text, intent)."""
    said = [event for event in tracker.events if event.get("event") == "user"][:-1]
    return [
        (event.get("text") or "", ((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
        for event in reversed(said)
    ]


def _desk() -> ConsultationDesk:
    return ConsultationDesk(open_queue())


def _send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    for reply in replies:
        utter(dispatcher, reply)


class ActionStartConsultation(Action):
    """"转人工", "我要留言", the offer tapped, or "补充一下：…": what the request already says, and what to offer."""

    def name(self) -> Text:
        return "action_start_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        message = form_message(tracker)
        open_number = None
        if message.intent == flow.ADDITION_INTENT:
            try:
                latest = await asyncio.to_thread(_desk().latest_open_for, tracker.sender_id)
            except SQLAlchemyError:
                logger.exception("could not look up the open consultation")
                latest = None
            open_number = latest.number if latest else None
        unanswered = int(tracker.get_slot(UNANSWERED_SLOT) or 0)
        offered = flow.question_to_offer(tracker.get_slot(LAST_QUESTION_SLOT), unanswered, _earlier_messages(tracker))
        step = flow.start(message.text, message.intent, offered, open_number, _turns_before_latest(tracker))
        _send(dispatcher, step.replies)
        return _events(step.changes)


class ValidateConsultForm(Action):
    """Takes the latest message as the answer to the step asked (bot/consulting/flow.py)."""

    def name(self) -> Text:
        return "validate_consult_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if resumed(tracker, CONSULT_FORM):
            return []
        step = flow.take(_state(tracker), form_message(tracker))
        _send(dispatcher, step.replies)
        if step.cancelled:
            return _clear_consultation() + [ActiveLoop(None)]
        events = _events(step.changes)
        if step.answer_aside:
            events += await answer_latest(dispatcher, tracker)
        return events


class _AskConsultStep(Action, metaclass=ABCMeta):
    @property
    @abstractmethod
    def step(self) -> str:
        """The step this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{SLOTS[self.step]}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _send(dispatcher, flow.ask(replace(_state(tracker), asking=self.step)))
        return []


class ActionAskConsultQuestion(_AskConsultStep):
    step = QUESTION


class ActionAskConsultContext(_AskConsultStep):
    step = CONTEXT


class ActionSubmitConsultation(Action):
    """Leave the question with staff (or add to the open one) and say honestly what happens next."""

    def name(self) -> Text:
        return "action_submit_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = _state(tracker)
        done = _clear_consultation()
        if not state.question:
            # Cancelled: the form stopped without a question, and the resident was already told.
            return done
        question, context = flow.sent_question(state)
        desk = _desk()
        try:
            if state.adding:
                view = await asyncio.to_thread(desk.add, state.adding, tracker.sender_id, question)
                reply = texts.ADDED.format(number=view.number)
            else:
                channel = tracker.get_latest_input_channel() or "unknown"
                view = await asyncio.to_thread(desk.open, tracker.sender_id, channel, question, context)
                reply = texts.OPENED.format(number=view.number)
        except GovernanceError as error:
            reply = str(error)
        except SQLAlchemyError:
            logger.exception("could not store a consultation")
            reply = texts.SAVE_FAILED
        _send(dispatcher, [Reply(reply)])
        return done + [SlotSet(LAST_QUESTION_SLOT, None), SlotSet(UNANSWERED_SLOT, 0)]


class ActionRateReport(Action):
    """满意 / 基本满意 / 不满意, tapped on a status message or typed: stored on the ticket; 不满意 asks why."""

    def name(self) -> Text:
        return "action_rate_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        rating = rating_meant(text, next(tracker.get_latest_entity_values("rating"), None))
        if rating is None:
            _send(dispatcher, [Reply(texts.ASK_RATING, texts.RATING_BUTTONS)])
            return []
        ticket_no = next(tracker.get_latest_entity_values("ticket_no"), None) or find_ticket_no(text)
        try:
            view = await asyncio.to_thread(open_queue().rate, tracker.sender_id, rating, ticket_no)
        except (GovernanceError, SQLAlchemyError):
            logger.exception("could not store a rating")
            _send(dispatcher, [Reply(texts.RATE_FAILED)])
            return []
        if view is None:
            _send(dispatcher, [Reply(texts.NOTHING_TO_RATE)])
            return []
        _send(dispatcher, [Reply(texts.RATING_THANKS[rating].format(ticket_no=view.ticket_no))])
        if rating != DISSATISFIED:
            return []
        return [SlotSet(RATED_TICKET_SLOT, view.ticket_no), SlotSet(COMMENT_SLOT, None), FollowupAction(COMMENT_FORM)]


class ActionAskRatingComment(Action):
    def name(self) -> Text:
        return f"action_ask_{COMMENT_SLOT}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        _send(dispatcher, [Reply(texts.ASK_COMMENT)])
        return []


class ValidateRatingCommentForm(Action):
    """The message after "哪里不满意": a comment, "跳过", or another question (answered; no comment kept)."""

    def name(self) -> Text:
        return f"validate_{COMMENT_FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if resumed(tracker, COMMENT_FORM):
            return []
        message = form_message(tracker)
        kind = comment_kind(message.text, message.intent, message.confidence)
        if kind is CommentKind.QUESTION:
            answered = await answer_latest(dispatcher, tracker)
            return answered + [SlotSet(RATED_TICKET_SLOT, None), ActiveLoop(None)]
        return [SlotSet(COMMENT_SLOT, "" if kind is CommentKind.SKIP else message.text.strip())]


class ActionStoreRatingComment(Action):
    def name(self) -> Text:
        return "action_store_rating_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ticket_no: Optional[str] = tracker.get_slot(RATED_TICKET_SLOT)
        comment: Optional[str] = tracker.get_slot(COMMENT_SLOT)
        done = [SlotSet(RATED_TICKET_SLOT, None), SlotSet(COMMENT_SLOT, None)]
        if not ticket_no or comment is None:
            # Another question came instead of a comment, and was answered.
            return done
        if not comment:
            _send(dispatcher, [Reply(texts.COMMENT_SKIPPED)])
            return done
        try:
            await asyncio.to_thread(open_queue().comment_on_rating, tracker.sender_id, ticket_no, comment)
        except (GovernanceError, SQLAlchemyError):
            logger.exception("could not store a rating comment")
            _send(dispatcher, [Reply(texts.RATE_FAILED)])
            return done
        _send(dispatcher, [Reply(texts.COMMENT_THANKS.format(ticket_no=ticket_no))])
        return done
