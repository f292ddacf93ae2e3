"""Connecting to the governance database and bringing its schema up to date.

DATABASE_URL picks the database (PostgreSQL in production); unset, it is the SQLite file
`$DATA_DIR/governance.db`. Relative SQLite paths are taken from the project root, like every other path setting.
"""
import logging
from pathlib import Path
from typing import Optional

# Alembic logs one INFO line per built-in plugin when first imported: noise in every staff command's output.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

import sqlalchemy  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import event, inspect, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.pool import QueuePool  # noqa: E402

from bot import settings, sqlite  # noqa: E402

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_FILE = "governance.db"
# Execution option that makes an SQLite transaction take the write lock at BEGIN (see `writer`).
WRITE_OPTION = "governance_write"
# Any fixed number: the PostgreSQL advisory lock that lets one process at a time run migrations.
MIGRATION_LOCK_KEY = 7_204_118_301


def database_url() -> str:
    return settings.get("DATABASE_URL").strip() or f"sqlite:///{settings.data_dir() / DEFAULT_FILE}"


def create_engine(url: str) -> Engine:
    """An engine whose error messages leave out bound parameters: they hold residents' phones and words."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sqlalchemy.create_engine(parsed, future=True, pool_pre_ping=True, hide_parameters=True)
    pooling = {}
    if parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = settings.PROJECT_ROOT / path
        path.parent.mkdir(parents=True, exist_ok=True)
        parsed = parsed.set(database=str(path))
        # SQLAlchemy 1.4 opens a SQLite file anew for every use (NullPool), and each opening sets it up again
        # (bot/sqlite.py): with every resident's message reading the queue (notes), keep connections in a pool.
        pooling = dict(poolclass=QueuePool, connect_args={"check_same_thread": False})
    engine = sqlalchemy.create_engine(parsed, future=True, hide_parameters=True, **pooling)
    _configure_sqlite(engine)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that will write.

    SQLite normally starts a transaction as a reader and upgrades it on the first write; two such transactions
    can then deadlock, and SQLite fails one at once instead of waiting. Taking the write lock at BEGIN makes
    concurrent writers queue up (for up to sqlite.BUSY_TIMEOUT_MS) instead. Other databases ignore the option.
    """
    return engine.execution_options(**{WRITE_OPTION: True})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # pysqlite's own transaction handling would defer BEGIN; we emit it ourselves in on_begin.
        dbapi_connection.isolation_level = None
        sqlite.tune(dbapi_connection)
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        write = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def alembic_config(url: str = "") -> Config:
    """Alembic settings built in code: the migrations live inside the package, there is no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_engine(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at the same moment."""
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        if _current_revision(connection) == head:
            return
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if _current_revision(connection) == head:
            return
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _current_revision(connection) -> Optional[str]:
    """The revision the database is at, read quietly (Alembic's own check logs at INFO on every start)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
