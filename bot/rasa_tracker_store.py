"""The conversation store named in endpoints.yml: Rasa's SQL tracker store, without one query per saved turn.

Rasa's `SQLTrackerStore.save` first counts the conversation's stored events to know which of the tracker's events
are new: a query as costly as loading the conversation (about a tenth of the server's time per answer). A tracker
that this store loaded (or saved) itself already says how many of its events are stored, since a conversation's
turns hold its lock from loading to saving (the lock store), so no other process adds events in between.
Trackers the store did not load fall back to Rasa's count.
"""
import itertools
import weakref
from typing import Any, Dict, Iterator, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker


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


class RememberingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that knows which events of the trackers it loaded are already stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_counts = StoredEventCounts()

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        # Rasa counts stored events of the latest session only; a tracker of all sessions holds more.
        if tracker is not None and not fetch_events_from_all_sessions and tracker.events.maxlen is None:
            self.stored_counts.remember(tracker, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if tracker.events.maxlen is None:
            self.stored_counts.remember(tracker, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = self.stored_counts.get(tracker)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
