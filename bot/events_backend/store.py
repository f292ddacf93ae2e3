"""The events backend's storage: one SQLite file of service requests.

It keeps residents' words and phones no longer than our own queue does (the same RETENTION_* limits): a closed
event loses them, with its coordinates and photo links, RETENTION_CLOSED_REPORT_DAYS after closing, an open one its
phone RETENTION_OPEN_REPORT_DAYS after filing; category, status, dates and ticket number stay for statistics.
"""
import re
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot.governance.clock import SHANGHAI
from bot.personal_data.limits import RetentionLimits

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_no TEXT UNIQUE,
    service_code TEXT NOT NULL,
    description TEXT NOT NULL,
    address_string TEXT NOT NULL,
    phone TEXT,
    channel TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    detail TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    requested_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    posts INTEGER NOT NULL DEFAULT 1,
    erased_at TEXT,
    lat REAL,
    long REAL,
    media_url TEXT,
    photo2 TEXT,
    photo3 TEXT
)
"""
# Columns that files made by earlier versions lack, added in place when such a file is opened.
LATER_COLUMNS = {"erased_at": "TEXT", "lat": "REAL", "long": "REAL", "media_url": "TEXT", "photo2": "TEXT",
                 "photo3": "TEXT"}
INDEX = "CREATE INDEX IF NOT EXISTS requests_requested_at ON requests (requested_at)"
# What the resident gave besides the category: erased together by retention.
PERSONAL = "description = '', address_string = '', phone = NULL, lat = NULL, long = NULL, media_url = NULL," \
           " photo2 = NULL, photo3 = NULL"
ID_PREFIX = "YZ"
_ID = re.compile(rf"{ID_PREFIX}(\d+)")


def request_id(row_id: int) -> str:
    return f"{ID_PREFIX}{row_id:06d}"


def _now() -> str:
    return _stamp(datetime.now(SHANGHAI))


def _stamp(moment: datetime) -> str:
    """How times are stored: ISO 8601 in Asia/Shanghai, so that stored times compare as strings."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


class EventStore:
    """Service requests in SQLite; safe to use from the server's many threads (one connection per call)."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("BEGIN IMMEDIATE")  # two servers opening one old file add each column once
            try:
                connection.execute(SCHEMA)
                columns = {row["name"] for row in connection.execute("PRAGMA table_info(requests)")}
                for name, kind in LATER_COLUMNS.items():
                    if name not in columns:
                        connection.execute(f"ALTER TABLE requests ADD COLUMN {name} {kind}")
                connection.execute(INDEX)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA secure_delete = ON")  # deleted or erased words do not linger in free pages
        connection.row_factory = sqlite3.Row
        return connection

    def create(self, fields: Dict) -> Tuple[str, bool]:
        """File a request; returns (its id, whether it is new). A known ticket_no returns the existing one."""
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                existing = None
                if fields.get("ticket_no"):
                    existing = connection.execute(
                        "SELECT id FROM requests WHERE ticket_no = ?", (fields["ticket_no"],)
                    ).fetchone()
                if existing:
                    connection.execute("UPDATE requests SET posts = posts + 1 WHERE id = ?", (existing["id"],))
                    row_id, created = existing["id"], False
                else:
                    now = _now()
                    row_id = connection.execute(
                        "INSERT INTO requests (ticket_no, service_code, description, address_string, phone, channel,"
                        " lat, long, media_url, photo2, photo3, requested_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (fields.get("ticket_no"), fields["service_code"], fields["description"],
                         fields["address_string"], fields.get("phone"), fields.get("channel"), fields.get("lat"),
                         fields.get("long"), fields.get("media_url"), fields.get("photo2"), fields.get("photo3"),
                         now, now),
                    ).lastrowid
                    created = True
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return request_id(row_id), created

    def get(self, service_request_id: str) -> Optional[Dict]:
        match = _ID.fullmatch(service_request_id or "")
        if not match:
            return None
        with closing(self._connect()) as connection:
            row = connection.execute("SELECT * FROM requests WHERE id = ?", (int(match.group(1)),)).fetchone()
        return None if row is None else _event(row)

    def find(self, ids: Sequence[str] = (), service_codes: Sequence[str] = (), statuses: Sequence[str] = (),
             since: Optional[datetime] = None, until: Optional[datetime] = None, limit: int = 1000) -> List[Dict]:
        """Events newest first, at most `limit`: those with the given ids (unknown ids are left out) and, of each
        other filter, those matching any of its values; requested between `since` and `until` inclusive."""
        row_ids = [int(match.group(1)) for match in map(_ID.fullmatch, ids) if match]
        if ids and not row_ids:
            return []  # ids asked for, none of them ours
        conditions, values = [], []
        for column, wanted in (("id", row_ids), ("service_code", service_codes), ("status", statuses)):
            if wanted:
                conditions.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values.extend(wanted)
        for operator, moment in ((">=", since), ("<=", until)):
            if moment is not None:
                conditions.append(f"requested_at {operator} ?")
                values.append(_stamp(moment))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with closing(self._connect()) as connection:
            rows = connection.execute(
                f"SELECT * FROM requests{where} ORDER BY requested_at DESC, id DESC LIMIT ?", (*values, limit)
            ).fetchall()
        return [_event(row) for row in rows]

    def set_status(self, service_request_id: str, status: str, detail: str, note: str) -> Optional[Dict]:
        """Move an event along (status open/closed; detail "in_progress" or ""); None if there is no such event."""
        match = _ID.fullmatch(service_request_id or "")
        if not match:
            return None
        with closing(self._connect()) as connection:
            changed = connection.execute(
                "UPDATE requests SET status = ?, detail = ?, note = ?, updated_at = ? WHERE id = ?",
                (status, detail, note, _now(), int(match.group(1))),
            ).rowcount
        return self.get(service_request_id) if changed else None

    def delete(self, service_request_id: str) -> bool:
        """Delete an event outright (a resident's request); False if there is no such event."""
        match = _ID.fullmatch(service_request_id or "")
        if not match:
            return False
        with closing(self._connect()) as connection:
            return connection.execute("DELETE FROM requests WHERE id = ?", (int(match.group(1)),)).rowcount == 1

    def erase_expired(self, limits: RetentionLimits, now: Optional[datetime] = None) -> Tuple[int, int]:
        """Apply the retention limits; returns (closed events whose personal data was erased, open events whose
        phone was erased)."""
        now = now or datetime.now(SHANGHAI)
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                closed = connection.execute(
                    f"UPDATE requests SET {PERSONAL}, erased_at = ?"
                    " WHERE status = 'closed' AND updated_at < ? AND erased_at IS NULL",
                    (_stamp(now), _stamp(limits.closed_reports_before(now))),
                ).rowcount
                phones = connection.execute(
                    "UPDATE requests SET phone = NULL"
                    " WHERE status != 'closed' AND phone IS NOT NULL AND requested_at < ?",
                    (_stamp(limits.open_reports_before(now)),),
                ).rowcount
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return closed, phones

    def find_by_ticket(self, ticket_no: str) -> Optional[Dict]:
        with closing(self._connect()) as connection:
            row = connection.execute("SELECT id FROM requests WHERE ticket_no = ?", (ticket_no,)).fetchone()
        return None if row is None else self.get(request_id(row["id"]))

    def count(self) -> int:
        with closing(self._connect()) as connection:
            return connection.execute("SELECT COUNT(*) FROM requests").fetchone()[0]


def _event(row: sqlite3.Row) -> Dict:
    return {**dict(row), "service_request_id": request_id(row["id"])}
