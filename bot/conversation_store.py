"""Rasa's SQL conversation store (TRACKER_STORE_URL, else DATA_DIR/tracker.db), read and pruned with plain
SQLAlchemy: staff reports and the data-protection commands reach it without loading Rasa.

Each stored event is one row of Rasa's `events` table; a conversation is every row with its `sender_id`.
"""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine, make_url

from bot import settings, sqlite
from bot.personal_data.numbers import mask_personal_data

# The one slot stored readable: a report's call-back number, while its form is open (bot/rasa/tracker_store.py).
PHONE_SLOT = "report_phone"

# The shape of Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent, rasa 3.6.21).
_metadata = sa.MetaData()
events = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def default_db_url() -> str:
    """`TRACKER_STORE_URL`, else the SQLite file `tracker.db` in `DATA_DIR` (default var/tracker.db)."""
    return settings.get("TRACKER_STORE_URL") or f"sqlite:///{settings.path('DATA_DIR') / 'tracker.db'}"


def connect(db_url: str) -> Engine:
    """An engine on the store; SQLite files wait for the Rasa servers' writes instead of failing. Bound parameters
    (residents' words) stay out of error messages."""
    url = make_url(db_url)
    engine = sa.create_engine(url, future=True, hide_parameters=True)
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", lambda connection, record: sqlite.tune(connection))
    return engine


def exists(engine: Engine) -> bool:
    """Whether the store has been written yet (a new machine has no conversations, and no file or table)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():
            return False
    return sa.inspect(engine).has_table("events")


def delete_conversation(engine: Engine, sender_id: str) -> int:
    """Delete every event of this conversation; returns how many events were deleted."""
    if not exists(engine):
        return 0
    with engine.begin() as connection:
        return connection.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount


def _idle_since(last_event_before: datetime) -> sa.sql.Select:
    """The conversations whose last event is older than `last_event_before`."""
    return (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < last_event_before.timestamp())
    )


def delete_idle(engine: Engine, last_event_before: datetime) -> int:
    """Delete the conversations whose last event is older than `last_event_before`; returns how many."""
    if not exists(engine):
        return 0
    idle = _idle_since(last_event_before)
    with engine.begin() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(idle.subquery())).scalar_one()
        # One statement, so a conversation that a resident takes up again meanwhile is not deleted.
        connection.execute(events.delete().where(events.c.sender_id.in_(idle)))
    return count


def session_expiry() -> timedelta:
    """How long a conversation may pause before Rasa starts a new session (domain.yml, session_config)."""
    domain = yaml.safe_load((settings.PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return timedelta(minutes=float(domain["session_config"]["session_expiration_time"]))


def mask_abandoned_phones(engine: Engine, last_event_before: datetime) -> int:
    """Mask the call-back number of report forms left unfinished in conversations idle since `last_event_before`:
    their session is over, so no form reads it again. Returns how many events changed."""
    if not exists(engine):
        return 0
    idle = _idle_since(last_event_before)
    phones = sa.select(events.c.id, events.c.data).where(
        events.c.type_name == "slot", events.c.action_name == PHONE_SLOT, events.c.sender_id.in_(idle))
    changed = 0
    with engine.begin() as connection:
        for row_id, data in connection.execute(phones).all():
            event = json.loads(data)
            if isinstance(event.get("value"), str) and mask_personal_data(event["value"]) != event["value"]:
                event["value"] = mask_personal_data(event["value"])
                connection.execute(events.update().where(events.c.id == row_id).values(data=json.dumps(event)))
                changed += 1
    return changed


def count_events(engine: Engine, sender_id: str) -> int:
    """How many events of this conversation are stored (0: none, or no store yet)."""
    if not exists(engine):
        return 0
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).select_from(events).where(events.c.sender_id == sender_id)).scalar_one()


def last_user_message_at(engine: Engine, sender_id: str) -> Optional[datetime]:
    """When the resident last wrote in this conversation (its latest `user` event); None if never, or no store."""
    if not exists(engine):
        return None
    with engine.connect() as connection:
        timestamp = connection.execute(
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender_id, events.c.type_name == "user")).scalar_one()
    return None if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
