"""Database errors are logged with their message: SQLAlchemy would add the bound parameters, which hold residents'
phones and words. Every engine the project makes leaves them out."""
import pytest
import rasa.core.tracker_store
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from sqlalchemy.exc import IntegrityError

from bot.governance import db
from bot.rasa import server as rasa_server
from bot.rasa.tracker_store import ConversationStore

PHONE = "13812345678"


def integrity_error(engine: sa.engine.Engine) -> str:
    """The message of an integrity error from a statement whose parameters carry a phone number."""
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE said (id INTEGER PRIMARY KEY, text TEXT)"))
    with pytest.raises(IntegrityError) as raised:
        with engine.begin() as connection:
            for _ in range(2):
                connection.execute(sa.text("INSERT INTO said VALUES (1, :text)"), {"text": f"电话{PHONE}"})
    return str(raised.value)


def test_the_governance_queues_engine_hides_parameters(tmp_path):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        message = integrity_error(engine)
    finally:
        engine.dispose()
    assert "UNIQUE constraint failed" in message and PHONE not in message


def test_the_conversation_stores_engine_hides_parameters(monkeypatch, tmp_path):
    monkeypatch.setattr(rasa.core.tracker_store, "create_engine_kwargs",
                        rasa_server.pooled_for_sqlite(rasa.core.tracker_store.create_engine_kwargs))
    store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    try:
        message = integrity_error(store.engine)
    finally:
        store.engine.dispose()
    assert "UNIQUE constraint failed" in message and PHONE not in message
