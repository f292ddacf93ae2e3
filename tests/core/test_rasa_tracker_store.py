"""The conversation store saves exactly what Rasa's SQL store saves, without counting stored events first."""
import gc
import time
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy import event

from bot.personal_data import numbers
from bot.rasa.tracker_store import ConversationStore, TextsWithoutNumbers

# After the tracker's first event, which Rasa stamps with the current time.
LATER = time.time() + 100
DOMAIN = Domain.from_dict({"slots": {
    name: {"type": "text", "mappings": [{"type": "custom"}]} for name in ("topic", "report_phone", "report_last_ticket")
}})


def stored_rows(store: SQLTrackerStore, sender_id: str) -> List[tuple]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).order_by(store.SQLEvent.id)
        return [(row.type_name, row.intent_name, row.action_name, row.timestamp, row.data) for row in rows]


def turn(number: int, at: float) -> list:
    return [
        UserUttered(f"问题{number}", {"name": "ask_elderly_lunch", "confidence": 1.0}, timestamp=at),
        ActionExecuted("action_answer_knowledge", timestamp=at + 0.1),
        BotUttered(f"回答{number}", timestamp=at + 0.2),
        SlotSet("topic", "elderly_lunch", timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


async def converse(store: SQLTrackerStore, sender_id: str) -> None:
    """Four turns, each loaded and saved like Rasa's processor does; a new session starts before the third."""
    await store.get_or_create_tracker(sender_id)
    for number in range(4):
        tracker = await store.retrieve(sender_id)
        at = LATER + number * 10
        if number == 2:
            tracker.update(ActionExecuted("action_session_start", timestamp=at - 1))
            tracker.update(SessionStarted(timestamp=at - 0.5))
            tracker.update(ActionExecuted("action_listen", timestamp=at - 0.4))
        for each in turn(number, at):
            tracker.update(each)
        await store.save(tracker)


@pytest.fixture
def statements(tmp_path):
    """Every SQL statement the stores below send."""
    sent: List[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    stores = []

    def make(cls, name: str) -> SQLTrackerStore:
        store = cls(DOMAIN, dialect="sqlite", db=str(tmp_path / f"{name}.db"))
        event.listen(store.engine, "before_cursor_execute", record)
        stores.append(store)
        return store

    yield sent, make
    for store in stores:
        store.engine.dispose()


async def test_saves_the_same_rows_as_rasas_store(statements):
    _, make = statements
    rasa_store, ours = make(SQLTrackerStore, "rasa"), make(ConversationStore, "ours")

    await converse(rasa_store, "resident-1")
    await converse(ours, "resident-1")

    # The first event of each is stamped when it was created.
    assert stored_rows(ours, "resident-1")[1:] == stored_rows(rasa_store, "resident-1")[1:]
    assert len(stored_rows(ours, "resident-1")) == len(stored_rows(rasa_store, "resident-1")) == 1 + 4 * 5 + 3


async def test_a_loaded_tracker_is_saved_without_counting(statements):
    sent, make = statements
    store = make(ConversationStore, "ours")
    await store.get_or_create_tracker("resident-1")
    tracker = await store.retrieve("resident-1")
    for each in turn(1, LATER):
        tracker.update(each)
    sent.clear()

    await store.save(tracker)

    assert not any("count(" in statement.lower() for statement in sent)
    assert [statement.split()[0].upper() for statement in sent] == ["INSERT"] * 5


async def test_rasa_loads_and_saves_through_the_steps_this_store_replaces(statements, monkeypatch):
    """Guard, written against rasa 3.6.21: `retrieve` goes through `_retrieve`, `save` through `_additional_events`."""
    _, make = statements
    store = make(ConversationStore, "ours")
    calls: List[str] = []
    retrieve, additional_events = ConversationStore._retrieve, ConversationStore._additional_events

    async def spied_retrieve(self, *args, **kwargs):
        calls.append("_retrieve")
        return await retrieve(self, *args, **kwargs)

    def spied_additional_events(self, *args):
        calls.append("_additional_events")
        return additional_events(self, *args)

    monkeypatch.setattr(ConversationStore, "_retrieve", spied_retrieve)
    monkeypatch.setattr(ConversationStore, "_additional_events", spied_additional_events)
    await store.get_or_create_tracker("resident-1")
    calls.clear()

    tracker = await store.retrieve("resident-1")
    tracker.update(UserUttered("你好", {"name": "greet", "confidence": 1.0}, timestamp=LATER))
    await store.save(tracker)

    assert calls == ["_retrieve", "_additional_events"]
    assert store.stored_counts.get(tracker) == 2


async def test_a_tracker_it_did_not_load_is_counted_like_rasa_does(statements):
    sent, make = statements
    store = make(ConversationStore, "ours")
    await store.get_or_create_tracker("resident-1")
    copy = (await store.retrieve("resident-1")).copy()
    copy.update(UserUttered("你好", {"name": "greet", "confidence": 1.0}, timestamp=LATER))
    sent.clear()

    await store.save(copy)

    assert any("count(" in statement.lower() for statement in sent)
    assert [row[0] for row in stored_rows(store, "resident-1")][-1] == "user"
    assert len(stored_rows(store, "resident-1")) == 2


async def test_two_servers_taking_turns_store_every_event_once(statements):
    _, make = statements
    first = make(ConversationStore, "shared")
    second = ConversationStore(DOMAIN, dialect="sqlite", db=first.engine.url.database)
    await first.get_or_create_tracker("resident-1")

    for number, store in enumerate([first, second, first, second]):
        tracker = await store.retrieve("resident-1")
        for each in turn(number, LATER + number * 10):
            tracker.update(each)
        await store.save(tracker)

    rows = stored_rows(first, "resident-1")
    assert len(rows) == 1 + 4 * 5 and len({row[4] for row in rows}) == len(rows)
    assert [row[3] for row in rows[1:]] == [each.timestamp for n in range(4) for each in turn(n, LATER + n * 10)]
    second.engine.dispose()


async def test_forgets_trackers_that_are_gone(statements):
    _, make = statements
    store = make(ConversationStore, "ours")
    await store.get_or_create_tracker("resident-1")
    tracker = await store.retrieve("resident-1")
    assert store.stored_counts.get(tracker) == 1

    del tracker
    gc.collect()

    assert len(store.stored_counts) == 0


PHONE = "13812345678"


async def report_turns(store: SQLTrackerStore, sender_id: str, filed: bool) -> None:
    """The phone turn of a report, then (if `filed`) the confirmation turn that files it."""
    await store.get_or_create_tracker(sender_id)
    tracker = await store.retrieve(sender_id)
    tracker.update(UserUttered(PHONE, {"name": "inform_phone", "confidence": 0.9}, timestamp=LATER))
    tracker.update(SlotSet("report_phone", PHONE, timestamp=LATER + 0.1))
    tracker.update(BotUttered("联系电话：138****5678", timestamp=LATER + 0.2))
    await store.save(tracker)
    if filed:
        tracker = await store.retrieve(sender_id)
        tracker.update(UserUttered("/affirm", {"name": "affirm", "confidence": 1.0}, timestamp=LATER + 10))
        tracker.update(SlotSet("report_phone", None, timestamp=LATER + 10.1))
        tracker.update(SlotSet("report_last_ticket", "QJ20261130-0001", timestamp=LATER + 10.2))
        await store.save(tracker)


def stored_text(store: SQLTrackerStore, sender_id: str) -> str:
    return "\n".join(row[4] for row in stored_rows(store, sender_id))


async def test_filing_a_report_masks_the_phone_numbers_of_the_conversation(statements):
    _, make = statements
    store = make(ConversationStore, "ours")

    await report_turns(store, "resident-1", filed=False)
    assert PHONE in stored_text(store, "resident-1")  # the form still needs it
    assert (await store.retrieve("resident-1")).get_slot("report_phone") == PHONE

    await report_turns(store, "resident-1", filed=True)
    assert PHONE not in stored_text(store, "resident-1") and "138****5678" in stored_text(store, "resident-1")
    tracker = await store.retrieve("resident-1")
    assert tracker.get_slot("report_phone") is None
    assert tracker.get_slot("report_last_ticket") == "QJ20261130-0001"
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)][-2:] == ["138****5678", "/affirm"]


async def test_masking_leaves_other_conversations_and_numbers_that_are_no_phone(statements):
    _, make = statements
    store = make(ConversationStore, "ours")
    await report_turns(store, "resident-2", filed=False)

    await report_turns(store, "resident-1", filed=True)

    assert PHONE in stored_text(store, "resident-2")
    tracker = await store.retrieve("resident-1")
    confidences = [e.intent.get("confidence") for e in tracker.events if isinstance(e, UserUttered)]
    assert confidences == [0.9, 1.0]


ID_NUMBER = "330102199001011234"


async def test_numbers_in_ordinary_messages_are_stored_masked(statements):
    """Guard too: rasa 3.6.21's save writes what `_additional_events` yields."""
    _, make = statements
    store = make(ConversationStore, "ours")
    await store.get_or_create_tracker("resident-1")
    tracker = await store.retrieve("resident-1")
    said = f"我的电话1381 234 5678，身份证{ID_NUMBER}，能办养老卡吗"
    tracker.update(UserUttered(said, {"name": "ask_elderly_card", "confidence": 0.9}, timestamp=LATER))
    tracker.update(BotUttered("您说的电话是0571 8765 4321吗", timestamp=LATER + 0.1))
    tracker.update(SlotSet("topic", "１３８１２３４５６７８", timestamp=LATER + 0.2))
    await store.save(tracker)

    stored = stored_text(store, "resident-1")
    assert "5678" in stored and not any(number in stored for number in ("234 5678", ID_NUMBER, "8765 4321"))
    loaded = await store.retrieve("resident-1")
    assert [e.text for e in loaded.events if isinstance(e, UserUttered)] == [
        "我的电话138****5678，身份证[身份证号已隐藏]，能办养老卡吗"]
    assert loaded.get_slot("topic") == "138****5678"


async def test_the_phone_answer_is_masked_at_once_and_the_slot_when_the_report_is_cancelled(statements):
    _, make = statements
    store = make(ConversationStore, "ours")
    await report_turns(store, "resident-1", filed=False)
    assert [e.text for e in (await store.retrieve("resident-1")).events if isinstance(e, UserUttered)] == [
        "138****5678"]

    tracker = await store.retrieve("resident-1")
    tracker.update(UserUttered("/cancel", {"name": "cancel", "confidence": 1.0}, timestamp=LATER + 10))
    tracker.update(ActionExecuted("action_cancel_report", timestamp=LATER + 10.1))
    tracker.update(SlotSet("report_phone", None, timestamp=LATER + 10.2))
    await store.save(tracker)

    assert PHONE not in stored_text(store, "resident-1") and "138****5678" in stored_text(store, "resident-1")


async def test_a_new_session_masks_the_phone_of_an_abandoned_form(statements):
    _, make = statements
    store = make(ConversationStore, "ours")
    await report_turns(store, "resident-1", filed=False)
    assert PHONE in stored_text(store, "resident-1")

    # The resident comes back after the session expired: Rasa starts a new session before the message.
    tracker = await store.retrieve("resident-1")
    tracker.update(ActionExecuted("action_session_start", timestamp=LATER + 4000))
    tracker.update(SessionStarted(timestamp=LATER + 4000.1))
    tracker.update(ActionExecuted("action_listen", timestamp=LATER + 4000.2))
    tracker.update(UserUttered("你好", {"name": "greet", "confidence": 1.0}, timestamp=LATER + 4001))
    await store.save(tracker)

    assert PHONE not in stored_text(store, "resident-1") and "138****5678" in stored_text(store, "resident-1")


def test_a_text_with_digits_but_no_number_is_searched_once_and_one_with_a_phone_every_time(monkeypatch):
    searched = []
    find_numbers = numbers.find_numbers
    monkeypatch.setattr(numbers, "find_numbers", lambda text: searched.append(text) or find_numbers(text))
    texts = TextsWithoutNumbers(capacity=2)
    hours = "社区食堂每天11:00-13:00开放"
    phone = "我的电话13812345678"

    assert [texts.masked(hours) for _ in range(3)] == [hours] * 3
    assert [texts.masked(phone) for _ in range(2)] == ["我的电话138****5678"] * 2
    assert texts.masked("没有数字") == "没有数字"
    assert searched == [hours, phone, phone]

    texts.masked("2024年")
    texts.masked("第3幢")  # full: emptied, then kept
    texts.masked(hours)
    assert searched[-3:] == ["2024年", "第3幢", hours]
