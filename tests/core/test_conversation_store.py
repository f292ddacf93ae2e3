"""Conversations deleted without Rasa, on the table Rasa's SQL store made and wrote, on SQLite and PostgreSQL:
a conversation idle past the limit goes whole, one with a later message stays whole, and `report unanswered`
no longer sees the questions of a deleted conversation."""
import time
from datetime import datetime, timedelta, timezone

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import conversation_store
from bot.staff_reports.unanswered import find_unanswered

NOW = datetime.now(timezone.utc).replace(microsecond=0)
LIMIT = timedelta(days=180)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres").create_database(f"conversations_{time.monotonic_ns()}")


def conversation(sender_id: str, first: datetime, last: datetime) -> DialogueStateTracker:
    """A resident asks something the bot cannot answer at `first` and says one more thing at `last`."""
    return DialogueStateTracker.from_events(sender_id, [
        ActionExecuted("action_listen", timestamp=first.timestamp()),
        UserUttered(f"{sender_id} 游泳馆几点开门", {"name": "nlu_fallback", "confidence": 0.3},
                    timestamp=first.timestamp()),
        BotUttered("抱歉，我还不会回答这个问题。", timestamp=first.timestamp() + 1),
        UserUttered("谢谢", {"name": "thanks", "confidence": 0.99}, timestamp=last.timestamp()),
    ])


async def stored(store_url: str, *trackers: DialogueStateTracker) -> None:
    if store_url.startswith("sqlite"):
        store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=store_url[len("sqlite:///"):])
    else:
        store = SQLTrackerStore(Domain.empty(), host=store_url)
    for tracker in trackers:
        await store.save(tracker)
    store.engine.dispose()


async def test_only_conversations_idle_past_the_limit_are_deleted_and_wholly(store_url):
    cutoff = NOW - LIMIT
    await stored(
        store_url,
        conversation("idle", cutoff - timedelta(days=30), cutoff - timedelta(seconds=1)),
        conversation("just-inside", cutoff - timedelta(days=30), cutoff + timedelta(seconds=1)),
        conversation("came-back", cutoff - timedelta(days=300), NOW - timedelta(days=1)),
    )
    engine = conversation_store.connect(store_url)
    try:
        before = {sender: conversation_store.count_events(engine, sender) for sender in ("idle", "just-inside")}

        assert conversation_store.delete_idle(engine, cutoff) == 1
        assert conversation_store.delete_idle(engine, cutoff) == 0

        assert conversation_store.count_events(engine, "idle") == 0
        assert conversation_store.count_events(engine, "just-inside") == before["just-inside"] > 0
        assert conversation_store.count_events(engine, "came-back") == 4
    finally:
        engine.dispose()
    asked = {question.text for question in find_unanswered(store_url, limit=None)}
    assert asked == {"just-inside 游泳馆几点开门", "came-back 游泳馆几点开门"}


async def test_one_conversation_is_deleted_on_request(store_url):
    await stored(store_url, conversation("wechat:o6_me", NOW, NOW), conversation("wechat:o6_other", NOW, NOW))
    engine = conversation_store.connect(store_url)
    try:
        assert conversation_store.delete_conversation(engine, "wechat:o6_me") == 4
        assert conversation_store.count_events(engine, "wechat:o6_me") == 0
        assert conversation_store.count_events(engine, "wechat:o6_other") == 4
    finally:
        engine.dispose()


def test_a_store_not_yet_written_has_nothing_to_delete(tmp_path):
    engine = conversation_store.connect(f"sqlite:///{tmp_path / 'never-written.db'}")
    try:
        assert conversation_store.delete_idle(engine, NOW) == 0
        assert conversation_store.delete_conversation(engine, "anyone") == 0
        assert conversation_store.count_events(engine, "anyone") == 0
    finally:
        engine.dispose()
    assert not (tmp_path / "never-written.db").exists()


async def test_a_deleted_conversation_leaves_no_bytes_in_the_sqlite_file(tmp_path):
    path = tmp_path / "tracker.db"
    phone = "13987654321"
    tracker = conversation("wechat:o6_me", NOW, NOW)
    tracker.update(UserUttered(f"我的电话 {phone}", timestamp=NOW.timestamp() + 2))
    await stored(f"sqlite:///{path}", tracker)
    engine = conversation_store.connect(f"sqlite:///{path}")
    try:
        assert conversation_store.delete_conversation(engine, "wechat:o6_me") == 5
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()

    assert phone.encode() not in path.read_bytes()
    assert "游泳馆".encode() not in path.read_bytes()
