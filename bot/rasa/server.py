"""`python -m bot.rasa.server run ...`: Rasa's own command line, with the project's settings and two changes for speed.

- Settings come from `.env` over `.env.example`, as in every other process of the project, and an empty
  ACTION_SERVER_URL becomes the action server on this machine (endpoints.yml reads it).

- Rasa 3.6 checks each reply of the action server with `jsonschema.validate`, and that function first checks
  Rasa's large event schema against the JSON Schema meta-schema, every time: most of the Rasa server's CPU under
  load (README, Benchmarks). The schema is a constant, so its checked validator
  is built once per schema and reused; replies are validated exactly as before.
- The SQLite conversation store is opened like our other SQLite files (`bot/sqlite.py`): WAL, so that the Sanic
  workers of the server write it without failing, and no disk flush on every saved turn. Its connections are
  kept in a pool: by default SQLAlchemy 1.4 opens a new one, and sets it up, for every query of a SQLite file.
"""
import functools
import json
import os
import sqlite3
import sys
from typing import Any, Callable, Dict, List

import jsonschema
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from bot import settings, sqlite

_unchanged_validate = jsonschema.validate


@functools.lru_cache(maxsize=32)
def _checked_validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate(instance: Any, schema: Dict[str, Any], cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate`, with the schema checked only the first time it is seen."""
    try:
        schema_json = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        schema_json = None
    if schema_json is None or cls is not None or args or kwargs:
        return _unchanged_validate(instance, schema, cls, *args, **kwargs)
    validator = _checked_validator(schema_json)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def command(*rasa_arguments: str) -> List[str]:
    """The command that starts a Rasa server with `rasa_arguments` (e.g. "run", "--model", ...)."""
    return [sys.executable, "-m", "bot.rasa.server", *rasa_arguments]


def _tune_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        sqlite.tune(dbapi_connection)


def pooled_for_sqlite(engine_kwargs: Callable[[Any], Dict[str, Any]]) -> Callable[[Any], Dict[str, Any]]:
    """Rasa's engine options for its SQL tracker store (`engine_kwargs`), plus a connection pool for SQLite, and
    error messages without bound parameters (residents' words and phones)."""

    def with_pool(url: Any) -> Dict[str, Any]:
        kwargs = {**engine_kwargs(url), "hide_parameters": True}
        if make_url(url).get_backend_name() == "sqlite":
            kwargs.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
        return kwargs

    return with_pool


def validate_replies_cheaply() -> None:
    """Every later `jsonschema.validate` in this process checks a schema only the first time it sees it."""
    # Written against rasa 3.6.21, whose RemoteAction._validate_action_result looks up jsonschema.validate on each
    # reply (guard: test_rasa_checks_an_action_reply_through_the_cheap_validator). Rasa offers no hook for this.
    jsonschema.validate = validate


def pool_sqlite_conversations() -> None:
    """SQLite files opened like the project's own (WAL), and a connection pool for Rasa's SQLite tracker store."""
    event.listen(Engine, "connect", _tune_sqlite)
    import rasa.core.tracker_store

    # Written against rasa 3.6.21, whose SQLTrackerStore.__init__ takes its engine options from this module function
    # (guard: test_rasa_builds_the_sqlite_conversation_store_with_the_pool). Rasa offers no setting for the pool.
    rasa.core.tracker_store.create_engine_kwargs = pooled_for_sqlite(rasa.core.tracker_store.create_engine_kwargs)


def main() -> None:
    settings.load()
    os.environ["ACTION_SERVER_URL"] = settings.action_server_url()
    validate_replies_cheaply()
    pool_sqlite_conversations()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
