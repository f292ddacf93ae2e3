"""Notes are looked up in the database only when a conversation's mark in the short memory changed since it last
found nothing (bot/governance/notifications.py), and none is lost for it: not one written by another process
right after such a look, nor during one, nor inside a savepoint, nor while the memory is unreachable."""
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing, contextmanager
from typing import Iterator, List

import pytest
from sqlalchemy import event

from bot import short_memory
from bot.governance import notifications
from bot.governance.notifications import NotificationBox, notify
from bot.settings import PROJECT_ROOT

CONVERSATION = "widget:w-marks"


@pytest.fixture
def box(queue):
    return NotificationBox(queue)


@contextmanager
def statements(queue) -> Iterator[List[str]]:
    """The SQL statements sent to the queue's database inside the block."""
    sent: List[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(queue.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(queue.engine, "before_cursor_execute", record)


def note_from_another_process(database_url: str, data_dir, text: str) -> None:
    """What `queue answer` or the outbox worker does: a note in a transaction of its own process, which shares
    this test's short memory (its DATA_DIR) and database."""
    script = textwrap.dedent(f"""
        from bot.governance import ReportQueue
        from bot.governance.notifications import notify
        queue = ReportQueue.from_url({database_url!r})
        with queue.writing() as session:
            notify(session, {CONVERSATION!r}, "widget", {text!r})
    """)
    env = dict(os.environ, DATA_DIR=str(data_dir), REDIS_URL="")
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, check=True, timeout=60)


def texts(box: NotificationBox) -> List[str]:
    return [note.text for note in box.take_for(CONVERSATION)]


def test_after_finding_nothing_the_database_is_asked_only_once_another_process_wrote_a_note(
        queue, box, database_url, tmp_path):
    assert texts(box) == []
    with statements(queue) as sent:
        assert texts(box) == []
        assert texts(box) == []
    assert sent == []

    note_from_another_process(database_url, tmp_path, "工作人员已答复")

    assert texts(box) == ["工作人员已答复"]
    assert texts(box) == []
    with statements(queue) as sent:
        assert texts(box) == []
    assert sent == []


def test_a_note_committed_while_a_look_finds_nothing_comes_with_the_next_message(
        queue, box, database_url, tmp_path, monkeypatch):
    record_look = notifications._record_look

    def note_then_record(conversation: str, mark: str) -> None:
        # The database was read and had nothing; the note commits before the look is recorded.
        note_from_another_process(database_url, tmp_path, "刚写好的答复")
        record_look(conversation, mark)

    monkeypatch.setattr(notifications, "_record_look", note_then_record)
    assert texts(box) == []
    monkeypatch.setattr(notifications, "_record_look", record_look)

    assert texts(box) == ["刚写好的答复"]


def test_a_note_written_inside_a_savepoint_is_marked_when_the_whole_transaction_commits(queue, box):
    assert texts(box) == []
    with queue.writing() as session:
        with session.begin_nested():
            notify(session, CONVERSATION, "widget", "状态有更新")
        # Released, not committed: a look now finds nothing, and must not be taken as a look after the note.
        with statements(queue) as sent:
            assert texts(box) == []
        assert sent == []

    assert texts(box) == ["状态有更新"]


def unreachable(*args, **kwargs):
    raise ConnectionError("short memory down")


def test_a_note_whose_mark_was_lost_comes_once_the_last_look_expires(queue, box, monkeypatch):
    monkeypatch.setattr(notifications, "LOOK_AGAIN_SECONDS", 2.0)
    assert texts(box) == []
    looked = time.monotonic()
    with monkeypatch.context() as memory_down:
        memory_down.setattr(short_memory.shared(), "keep", unreachable)
        with queue.writing() as session:  # committed; its mark is not written (as if its writer died)
            notify(session, CONVERSATION, "widget", "晚一点也要送到")
    assert texts(box) == []

    time.sleep(max(0.0, looked + 2.1 - time.monotonic()))
    assert texts(box) == ["晚一点也要送到"]


def test_with_the_memory_unreachable_every_look_asks_the_database(queue, box, monkeypatch):
    assert texts(box) == []
    with queue.writing() as session:
        notify(session, CONVERSATION, "widget", "照常送到")
    memory = short_memory.shared()
    monkeypatch.setattr(memory, "recall", unreachable)
    monkeypatch.setattr(memory, "keep", unreachable)
    assert texts(box) == ["照常送到"]
    with statements(queue) as sent:
        assert texts(box) == []
    assert sent != []


def test_the_marks_keep_no_conversation_id_in_clear(queue, box, tmp_path):
    with queue.writing() as session:
        notify(session, CONVERSATION, "widget", "您好")
    assert texts(box) == ["您好"]
    assert texts(box) == []

    with closing(sqlite3.connect(tmp_path / "short_memory.db")) as db:  # this test's own (tests/conftest.py)
        kept = db.execute("SELECT key, value FROM short_memory").fetchall()
    assert sorted(key.split(":")[0] for key, _ in kept) == ["notes", "notes-looked"]
    assert not any("w-marks" in key or "w-marks" in value for key, value in kept), kept
