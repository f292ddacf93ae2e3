"""The conversation store named in endpoints.yml: Rasa's SQL tracker store, without one query per saved turn, and
without a resident's phone number once their report is filed.

Speed. Rasa's `SQLTrackerStore.save` first counts the conversation's stored events to know which of the tracker's
events are new: a query as costly as loading the conversation (about a tenth of the server's time per answer). A
tracker that this store loaded (or saved) itself already says how many of its events are stored, since a
conversation's turns hold its lock from loading to saving (the lock store), so no other process adds events in
between. Trackers the store did not load fall back to Rasa's count.

Privacy. Residents are told their number is kept only while their problem is handled; the governance queue
holds it for that. Every event is stored with phone and ID-card numbers masked (bot.personal_data.numbers), except the
`report_phone` slot, which the report form reads again on later turns until it files the report. When the slot is
cleared (the report filed, cancelled or started afresh) or a new session starts (an abandoned form), that number
is masked too, in every stored event of the conversation; the retention sweep masks it in conversations whose
session expired without the resident coming back (bot/conversation_store.py).
"""
import hashlib
import itertools
import json
import logging
import weakref
from typing import Any, Dict, Iterator, List, Optional, Set, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation_store import PHONE_SLOT
from bot.personal_data.numbers import mask_personal_data, may_hold_a_number

logger = logging.getLogger(__name__)



class StoredEventCounts:
    """How many of a tracker object's events are in the database, for tracker objects still alive.

    Trackers are not hashable (they compare by content), so they are looked up by identity.
    """

    def __init__(self) -> None:
        self._counts: Dict[int, Tuple["weakref.ref[DialogueStateTracker]", int]] = {}

    def remember(self, tracker: DialogueStateTracker, count: int) -> None:
        key = id(tracker)
        self._counts[key] = (weakref.ref(tracker, lambda _: self._counts.pop(key, None)), count)

    def get(self, tracker: DialogueStateTracker) -> Optional[int]:
        entry = self._counts.get(id(tracker))
        if entry is None or entry[0]() is not tracker:
            return None
        return entry[1]

    def __len__(self) -> int:
        return len(self._counts)


class TextsWithoutNumbers:
    """Texts with digits that masking left as they were, so that they are not searched again: the bot's answers
    (opening hours, dates, fees) come back turn after turn, and searching one costs more than the rest of its
    event. Kept as digests, so no resident's words stay in memory; bounded, emptied when full."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._digests: Set[bytes] = set()

    def masked(self, text: str) -> str:
        if not may_hold_a_number(text):
            return text
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        if digest in self._digests:
            return text
        result = mask_personal_data(text)
        if result == text:
            if len(self._digests) >= self.capacity:
                self._digests.clear()
            self._digests.add(digest)
        return result


_without_numbers = TextsWithoutNumbers(capacity=10_000)


def masked(value: Any) -> Any:
    """`value` (decoded JSON) with phone and ID numbers masked in every string, numbers and keys left as they are."""
    if isinstance(value, str):
        return _without_numbers.masked(value)
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    return value


class MaskedEvent:
    """What `SQLTrackerStore.save` reads of an event (rasa 3.6.21: `type_name` and `as_dict()`), numbers masked."""

    def __init__(self, event: Event) -> None:
        self.type_name = event.type_name
        self._data = masked(event.as_dict())

    def as_dict(self) -> Dict[str, Any]:
        return self._data


# Rasa 3.6.21's events that carry no words of a resident (an action carries some only as end-to-end `action_text`).
# Masking one costs as much as any other, and they are most of a turn's events.
WORDLESS_EVENTS = frozenset({
    "action", "active_loop", "followup", "session_started", "restart", "pause", "resume", "rewind", "undo",
    "reset_slots", "loop_interrupted", "action_execution_rejected", "user_featurization",
})


def stored_form(event: Event) -> Any:
    """The event as it is written: masked, but for the phone number of the report being filled in."""
    if isinstance(event, SlotSet) and event.key == PHONE_SLOT:
        return event
    if event.type_name in WORDLESS_EVENTS and not getattr(event, "action_text", None):
        return event
    return MaskedEvent(event)


def ends_the_phone(event: Event) -> bool:
    """Whether after this event no form needs the stored phone number: the slot cleared, or a new session."""
    return isinstance(event, SessionStarted) or (isinstance(event, SlotSet) and event.key == PHONE_SLOT
                                                 and event.value is None)


def holds_a_phone(tracker: DialogueStateTracker) -> bool:
    """Whether a report form of this conversation took a phone number, which is stored readable until masked here
    (every new conversation starts a session: without this, each would be read back and rewritten for nothing)."""
    return any(isinstance(event, SlotSet) and event.key == PHONE_SLOT and event.value for event in tracker.events)


class ConversationStore(SQLTrackerStore):
    """`SQLTrackerStore` that knows which events of the trackers it loaded are already stored, and stores phone and
    ID numbers masked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_counts = StoredEventCounts()

    # Written against rasa 3.6.21, whose SQLTrackerStore.retrieve loads through _retrieve and save picks the new
    # events with _additional_events (guard: test_rasa_loads_and_saves_through_the_steps_this_store_replaces).
    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        # Rasa counts stored events of the latest session only; a tracker of all sessions holds more.
        if tracker is not None and not fetch_events_from_all_sessions and tracker.events.maxlen is None:
            self.stored_counts.remember(tracker, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        new_events = list(itertools.islice(tracker.events, self.stored_counts.get(tracker) or 0, None))
        await super().save(tracker)
        if tracker.events.maxlen is None:
            self.stored_counts.remember(tracker, len(tracker.events))
        if any(ends_the_phone(event) for event in new_events) and holds_a_phone(tracker):
            self.forget_phone_numbers(tracker.sender_id)

    def forget_phone_numbers(self, sender_id: Text) -> int:
        """Mask every phone and ID number stored in this conversation; returns how many events changed."""
        # SQLTrackerStore's session_scope and SQLEvent table as of rasa 3.6.21
        # (guard: test_filing_a_report_masks_the_phone_numbers_of_the_conversation).
        with self.session_scope() as session:
            rows: List[Any] = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).all()
            changed = 0
            for row in rows:
                data = json.dumps(masked(json.loads(row.data)))
                if data != row.data:
                    row.data = data
                    changed += 1
            session.commit()
        if changed:
            logger.info("masked phone numbers in %d stored events of a conversation", changed)
        return changed

    # Rasa 3.6.21 internal, as _retrieve above; save writes each event it yields (guard:
    # test_numbers_in_ordinary_messages_are_stored_masked).
    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self.stored_counts.get(tracker)
        if stored is None:
            return map(stored_form, super()._additional_events(session, tracker))
        return map(stored_form, itertools.islice(tracker.events, stored, len(tracker.events)))
