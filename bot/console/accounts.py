"""Staff accounts and their signed-in sessions.

Passwords are kept as scrypt hashes (memory-hard, from the standard library) with a random salt and the cost
parameters stored beside the hash, so the cost can be raised later without locking anyone out. A session is a
random token in the browser's cookie; the database keeps only its SHA-256 digest, so a copy of the database opens
no session. A session ends after IDLE_HOURS without use, ABSOLUTE_HOURS after sign-in, at sign-out, and when its
account is disabled or its password changed.
"""
import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import delete, select

from bot.console import texts
from bot.governance import clock
from bot.governance.models import STAFF_NAME_LENGTH, StaffAccount, StaffSession
from bot.governance.queue import ReportQueue, open_queue

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing a megabyte would be a cheap way to keep the server busy
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
IDLE_HOURS = 8
ABSOLUTE_HOURS = 24
# A session's last use is written at most this often (not on every page).
TOUCH_EVERY = timedelta(minutes=1)
_NAME = re.compile(r"[\w.\-]+")


class AccountError(ValueError):
    """`str(error)` is a Chinese message fit to show as it is."""


@dataclass(frozen=True)
class AccountView:
    name: str
    disabled: bool
    created_at: datetime  # Asia/Shanghai
    last_sign_in_at: Optional[datetime]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored`, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        return hmac.compare_digest(_scrypt(password, base64.b64decode(salt), int(n), int(r), int(p)), expected)
    except (ValueError, TypeError):
        return False


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * n * r * p,
                          dklen=HASH_BYTES)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_UNKNOWN_NAME_HASH = hash_password(secrets.token_urlsafe(16))


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > STAFF_NAME_LENGTH or not _NAME.fullmatch(name):
        raise AccountError(texts.NAME_INVALID.format(limit=STAFF_NAME_LENGTH))
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(texts.PASSWORD_TOO_SHORT.format(minimum=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AccountError(texts.PASSWORD_TOO_LONG.format(maximum=MAX_PASSWORD))
    return password


class StaffAccounts:
    """The accounts and sessions in the governance database (DATABASE_URL unless a queue is given)."""

    def __init__(self, queue: Optional[ReportQueue] = None):
        self.queue = queue or open_queue()

    def add(self, name: str, password: str) -> AccountView:
        name, password = check_name(name), check_password(password)
        with self.queue.writing() as session:
            if _by_name(session, name) is not None:
                raise AccountError(texts.ACCOUNT_EXISTS.format(name=name))
            account = StaffAccount(name=name, password_hash=hash_password(password), disabled=False,
                                   created_at=self.queue.clock())
            session.add(account)
            session.flush()
            return _view(account)

    def set_password(self, name: str, password: str) -> AccountView:
        """A new password; every session of the account ends (a leaked password stops working at once)."""
        password = check_password(password)
        with self.queue.writing() as session:
            account = self._existing(session, name)
            account.password_hash = hash_password(password)
            session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
            return _view(account)

    def disable(self, name: str) -> bool:
        """Disable the account and end its sessions; False when it was disabled already."""
        with self.queue.writing() as session:
            account = self._existing(session, name)
            session.execute(delete(StaffSession).where(StaffSession.account_id == account.id))
            if account.disabled:
                return False
            account.disabled = True
            return True

    def enable(self, name: str) -> bool:
        """Let a disabled account sign in again; False when it was enabled already."""
        with self.queue.writing() as session:
            account = self._existing(session, name)
            if not account.disabled:
                return False
            account.disabled = False
            return True

    def list(self) -> List[AccountView]:
        with self.queue.reading() as session:
            return [_view(account) for account in session.scalars(select(StaffAccount).order_by(StaffAccount.name))]

    def exists(self, name: str) -> bool:
        with self.queue.reading() as session:
            return _by_name(session, (name or "").strip()) is not None

    def any(self) -> bool:
        with self.queue.reading() as session:
            return session.scalars(select(StaffAccount.id).limit(1)).first() is not None

    def verify(self, name: str, password: str) -> Optional[str]:
        """The account's name when `password` is right and the account is enabled, else None."""
        with self.queue.reading() as session:
            account = _by_name(session, (name or "").strip())
            stored = account.password_hash if account else _UNKNOWN_NAME_HASH
            right = password_matches(password[:MAX_PASSWORD], stored)
            return account.name if account is not None and right and not account.disabled else None

    def start_session(self, name: str) -> str:
        """A new session for an enabled account; returns the token for the browser's cookie."""
        token = secrets.token_urlsafe(32)
        moment = self.queue.clock()
        with self.queue.writing() as session:
            account = self._existing(session, name)
            account.last_sign_in_at = moment
            session.add(StaffSession(token_hash=_digest(token), account_id=account.id, created_at=moment,
                                     last_seen_at=moment, expires_at=moment + timedelta(hours=ABSOLUTE_HOURS)))
        return token

    def session_account(self, token: str) -> Optional[str]:
        """The name of the enabled account this token signed in, while its session lasts; else None."""
        if not token:
            return None
        moment = self.queue.clock()
        with self.queue.reading() as session:
            row = session.execute(
                select(StaffSession, StaffAccount).join(StaffAccount, StaffSession.account_id == StaffAccount.id)
                .where(StaffSession.token_hash == _digest(token))
            ).one_or_none()
        if row is None:
            return None
        staff_session, account = row
        if account.disabled or moment >= staff_session.expires_at or \
                moment >= staff_session.last_seen_at + timedelta(hours=IDLE_HOURS):
            self.end_session(token)
            return None
        if moment - staff_session.last_seen_at >= TOUCH_EVERY:
            with self.queue.writing() as session:
                stored = session.get(StaffSession, staff_session.id)
                if stored is not None:
                    stored.last_seen_at = moment
        return account.name

    def end_session(self, token: str) -> None:
        with self.queue.writing() as session:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))

    def _existing(self, session, name: str) -> StaffAccount:
        account = _by_name(session, (name or "").strip())
        if account is None:
            raise AccountError(texts.ACCOUNT_UNKNOWN.format(name=name))
        return account


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: derived from its token, so it needs no storage and cannot lead back to it."""
    return hmac.new(session_token.encode("utf-8"), b"console-csrf", hashlib.sha256).hexdigest()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _by_name(session, name: str) -> Optional[StaffAccount]:
    return session.scalars(select(StaffAccount).where(StaffAccount.name == name)).one_or_none()


def _view(account: StaffAccount) -> AccountView:
    return AccountView(account.name, bool(account.disabled), clock.local(account.created_at),
                       clock.local(account.last_sign_in_at) if account.last_sign_in_at else None)
