"""`bot.rasa.server.validate` accepts and rejects exactly what `jsonschema.validate` does, schema checked once; and
Rasa still goes through the two things the launcher replaces."""
import copy

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from bot.rasa import server as rasa_server
from bot.rasa.tracker_store import ConversationStore

SCHEMA = RemoteAction.action_response_format_spec()
GOOD_REPLIES = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "free_lunch"}], "responses": [{"text": "好的"}]},
    {"events": [{"event": "active_loop", "name": None}], "responses": [{"text": "x", "buttons": []}]},
]
BAD_REPLIES = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},
    {"responses": ["text instead of an object"]},
    [],
]


@pytest.mark.parametrize("reply", GOOD_REPLIES)
def test_a_valid_reply_passes_both(reply):
    assert jsonschema.validate(reply, SCHEMA) is None
    assert rasa_server.validate(reply, SCHEMA) is None


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_an_invalid_reply_fails_both_with_the_same_message(reply):
    with pytest.raises(jsonschema.ValidationError) as original:
        jsonschema.validate(reply, SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as ours:
        rasa_server.validate(reply, SCHEMA)
    assert ours.value.message == original.value.message


def test_the_schema_is_checked_once_not_on_every_reply():
    rasa_server._checked_validator.cache_clear()
    for _ in range(5):
        rasa_server.validate(GOOD_REPLIES[2], RemoteAction.action_response_format_spec())
    info = rasa_server._checked_validator.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_an_invalid_schema_is_still_refused():
    with pytest.raises(jsonschema.SchemaError):
        rasa_server.validate({}, {"type": "no such type"})


def test_the_server_command_runs_rasa_through_this_module():
    command = rasa_server.command("run", "--port", "5005")
    assert command[1:] == ["-m", "bot.rasa.server", "run", "--port", "5005"]


def test_the_sqlite_conversation_store_gets_a_connection_pool_and_postgresql_keeps_rasas_options():
    from rasa.core.tracker_store import create_engine_kwargs

    with_pool = rasa_server.pooled_for_sqlite(create_engine_kwargs)

    assert with_pool("sqlite:////var/qianjin/tracker.db")["poolclass"] is QueuePool
    postgres_url = "postgresql://qianjin:secret@127.0.0.1:5432/conversations"
    assert with_pool(postgres_url) == {**create_engine_kwargs(postgres_url), "hide_parameters": True}


# Guards: each fails if Rasa stops going through what the launcher replaces (written against rasa 3.6.21).


async def test_rasa_checks_an_action_reply_through_the_cheap_validator(monkeypatch):
    """RemoteAction.run validates the action server's reply with `jsonschema.validate`, looked up when it runs."""
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # put back after the test
    rasa_server.validate_replies_cheaply()
    rasa_server._checked_validator.cache_clear()
    reply = {"events": [{"event": "slot", "name": "topic", "value": "free_lunch"}], "responses": [{"text": "好的"}]}

    async def action_server(self, **kwargs):
        return copy.deepcopy(reply)

    monkeypatch.setattr(EndpointConfig, "request", action_server)
    domain = Domain.empty()
    action = RemoteAction("action_answer_question", EndpointConfig("http://127.0.0.1:9/webhook"))

    events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                              DialogueStateTracker("resident", []), domain)

    assert [type(each) for each in events] == [BotUttered, SlotSet]
    info = rasa_server._checked_validator.cache_info()
    assert info.hits + info.misses == 1


def test_rasa_builds_the_sqlite_conversation_store_with_the_pool(monkeypatch, tmp_path):
    """SQLTrackerStore takes its engine options from `rasa.core.tracker_store.create_engine_kwargs`."""
    import rasa.core.tracker_store

    monkeypatch.setattr(rasa.core.tracker_store, "create_engine_kwargs", rasa.core.tracker_store.create_engine_kwargs)
    tuned = []

    def tune(dbapi_connection, connection_record):
        tuned.append(dbapi_connection)

    monkeypatch.setattr(rasa_server, "_tune_sqlite", tune)
    rasa_server.pool_sqlite_conversations()
    try:
        store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    finally:
        event.remove(Engine, "connect", tune)

    assert isinstance(store.engine.pool, QueuePool) and tuned
    store.engine.dispose()
