"""The governance database: migrations match the models, SQLite settings, where the default database lives."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot import sqlite
from bot.governance import ReportQueue, db, queue as queue_module
from bot.governance.models import Base
from bot.settings import PROJECT_ROOT
from tests.governance.conftest import draft


def upgrade(url: str) -> None:
    engine = db.create_engine(url)
    try:
        db.upgrade_engine(engine)
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_tables_the_models_describe(database_url):
    upgrade(database_url)
    engine = db.create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_upgrading_again_changes_nothing(database_url):
    upgrade(database_url)
    upgrade(database_url)
    engine = db.create_engine(database_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [ScriptDirectory.from_config(db.alembic_config()).get_current_head()]
    finally:
        engine.dispose()


def test_a_database_of_the_first_revision_keeps_its_reports_when_upgraded(database_url):
    engine = db.create_engine(database_url)
    try:
        with db.writer(engine).begin() as connection:
            config = db.alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(text(
                "INSERT INTO reports (ticket_no, idempotency_key, sender_id, channel, category, location, description,"
                " phone, status, created_at, updated_at) VALUES ('QJ20240501-0001', 'k', 's', 'rest', '其他', '村口',"
                " '路灯坏了', '13812345678', 'received', '2024-05-01 02:00:00', '2024-05-01 02:00:00')"))
        db.upgrade_engine(engine)
        report = ReportQueue(engine).get("QJ20240501-0001")
    finally:
        engine.dispose()

    assert (report.description, report.phone_masked) == ("路灯坏了", "138****5678")


def test_sqlite_runs_in_wal_mode_and_lets_writers_wait(tmp_path):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'governance.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == sqlite.BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_the_default_database_is_a_sqlite_file_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))

    assert db.database_url() == f"sqlite:///{tmp_path / 'data' / 'governance.db'}"


def test_a_relative_sqlite_path_is_taken_from_the_project_root():
    engine = db.create_engine("sqlite:///var/governance.db")
    try:
        assert engine.url.database == str(PROJECT_ROOT / "var" / "governance.db")
    finally:
        engine.dispose()


def test_open_queue_creates_the_database_on_first_use(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh' / 'governance.db'}")
    monkeypatch.setattr(queue_module, "_opened", {})

    shared = queue_module.open_queue()
    try:
        ticket = shared.submit(draft()).ticket_no
        assert queue_module.open_queue() is shared
        assert shared.get(ticket) is not None
        assert (tmp_path / "fresh" / "governance.db").exists()
    finally:
        shared.close()


def test_open_queue_follows_database_url(monkeypatch, tmp_path):
    monkeypatch.setattr(queue_module, "_opened", {})
    opened = []
    try:
        for name in ("one", "two"):
            monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / name / 'governance.db'}")
            opened.append(queue_module.open_queue())
        assert opened[0] is not opened[1]
        assert (tmp_path / "one" / "governance.db").exists() and (tmp_path / "two" / "governance.db").exists()
    finally:
        for queue in opened:
            queue.close()
