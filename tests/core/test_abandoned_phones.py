"""A report form left at its phone answer, by a resident who never comes back: once the session has expired, the
retention sweep masks the number the conversation store still kept readable for the form; a form still within its
session keeps it."""
from datetime import datetime, timedelta, timezone

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import conversation_store
from bot.governance import ReportQueue
from bot.personal_data.limits import RetentionLimits
from bot.personal_data.retention import Retention
from bot.rasa.tracker_store import ConversationStore

NOW = datetime.now(timezone.utc).replace(microsecond=0)
PHONE = "13812345678"
DOMAIN = Domain.from_dict({"slots": {"report_phone": {"type": "text", "mappings": [{"type": "custom"}]}}})


async def left_at_the_phone(store: ConversationStore, sender_id: str, at: datetime) -> None:
    await store.save(DialogueStateTracker.from_events(sender_id, [
        ActionExecuted("action_listen", timestamp=at.timestamp() - 60),
        UserUttered(PHONE, {"name": "inform_phone", "confidence": 0.9}, timestamp=at.timestamp()),
        SlotSet("report_phone", PHONE, timestamp=at.timestamp() + 0.1),
    ]))


def stored_text(url: str, sender_id: str) -> str:
    engine = conversation_store.connect(url)
    try:
        with engine.connect() as connection:
            events = conversation_store.events
            rows = connection.execute(events.select().where(events.c.sender_id == sender_id)).all()
    finally:
        engine.dispose()
    return "\n".join(row.data for row in rows)


async def test_the_retention_sweep_masks_the_phone_of_a_form_whose_session_expired(tmp_path, monkeypatch):
    for key in ("RETENTION_CONVERSATION_DAYS", "RETENTION_CLOSED_REPORT_DAYS", "RETENTION_OPEN_REPORT_DAYS"):
        monkeypatch.setenv(key, "30")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = ConversationStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    expiry = conversation_store.session_expiry()
    await left_at_the_phone(store, "gone", NOW - expiry - timedelta(minutes=5))
    await left_at_the_phone(store, "still-typing", NOW - timedelta(minutes=2))
    store.engine.dispose()
    assert PHONE in stored_text(url, "gone") and PHONE in stored_text(url, "still-typing")

    queue = ReportQueue.from_url(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        Retention(queue, RetentionLimits.from_env(), url)(NOW)
    finally:
        queue.close()

    assert PHONE not in stored_text(url, "gone") and "138****5678" in stored_text(url, "gone")
    assert PHONE in stored_text(url, "still-typing")


def test_the_session_expiry_is_the_one_rasa_uses():
    assert conversation_store.session_expiry() == timedelta(hours=1)
