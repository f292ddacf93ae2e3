"""How every SQLite file of ours is opened: the governance queue, Rasa's conversations and its conversation locks.

Several processes write these files at once (the action server, the outbox worker, each Sanic worker of the Rasa
server), so writers wait for each other instead of failing, and WAL lets readers go on while one writes.
"""
import sqlite3
import time

# How long an SQLite writer waits for another one to finish before giving up.
BUSY_TIMEOUT_MS = 30_000


def tune(connection: sqlite3.Connection) -> None:
    """Wait up to BUSY_TIMEOUT_MS for locks, journal in WAL mode, and sync at checkpoints rather than every commit;
    overwrite what is deleted or masked, so a resident's words do not linger in the file's free pages.

    (A crash of the machine, not of a process, can lose the last transactions; the file stays consistent.)
    """
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Turning a new file to WAL needs an exclusive lock, and SQLite refuses it at once rather than waiting
    (busy_timeout does not apply) when another process is opening the same new file: retry for a while."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
