"""The governance database: reports, their status history, and their hand-over to the events backend; residents'
questions for staff (consultations) and the notifications waiting to reach residents; the staff console's
accounts, sessions and audit log.

Schema changes go through a new Alembic revision in `bot/governance/migrations/versions/`; these classes and
the migrations must describe the same tables (a test compares them).
"""
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import declarative_base, relationship

from bot.governance.categories import CATEGORIES
from bot.governance.statuses import RATINGS, RECEIVED, SOURCES, STATUSES

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

TICKET_LENGTH = 20
KEY_LENGTH = 255
LOCATION_LENGTH = 200
PHONE_LENGTH = 32
CHANNEL_LENGTH = 32
PHOTO_TOKEN_LENGTH = 64
STAFF_NAME_LENGTH = 64


def one_of(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL compare and sort it the same way."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Report(Base):
    """One problem a resident reported, identified to them by its ticket number."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"status IN ({one_of(STATUSES)})", name="status"),
        CheckConstraint(f"category IN ({one_of(CATEGORIES)})", name="category"),
        CheckConstraint(f"satisfaction IN ({one_of(RATINGS)})", name="satisfaction"),
    )

    id = Column(Integer, primary_key=True)
    ticket_no = Column(String(TICKET_LENGTH), nullable=False, unique=True)
    idempotency_key = Column(String(KEY_LENGTH), nullable=False, unique=True)
    sender_id = Column(String(KEY_LENGTH), nullable=False, index=True)
    channel = Column(String(CHANNEL_LENGTH), nullable=False)
    category = Column(String(16), nullable=False)
    location = Column(String(LOCATION_LENGTH), nullable=False)
    description = Column(Text, nullable=False)
    phone = Column(String(PHONE_LENGTH), nullable=True)  # as the resident gave it; never logged
    status = Column(String(16), nullable=False, default=RECEIVED, index=True)
    backend_request_id = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    updated_at = Column(UTCDateTime, nullable=False)
    # Retention (bot/governance/erasure.py): when the phone, and the resident's words, were erased.
    phone_erased_at = Column(UTCDateTime, nullable=True)
    words_erased_at = Column(UTCDateTime, nullable=True)
    # The resident's rating once it is closed; 不满意 flags it for a return visit (回访) by staff.
    satisfaction = Column(String(8), nullable=True)
    satisfaction_comment = Column(Text, nullable=True)
    rated_at = Column(UTCDateTime, nullable=True)
    revisit = Column(Boolean, nullable=False, default=False, server_default=false())
    # Where the resident stood when they shared their location (WGS84, as the phone gave it), else None.
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)

    history: List["StatusChange"] = relationship(
        "StatusChange", back_populates="report", order_by="StatusChange.id", cascade="all, delete-orphan"
    )
    attempts: List["DeliveryAttempt"] = relationship(
        "DeliveryAttempt", back_populates="report", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )
    outbox: "OutboxEntry" = relationship(
        "OutboxEntry", back_populates="report", uselist=False, cascade="all, delete-orphan"
    )
    photos: List["Photo"] = relationship("Photo", back_populates="report", order_by="Photo.position")
    followers: List["ReportFollower"] = relationship(
        "ReportFollower", back_populates="report", order_by="ReportFollower.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Report {self.ticket_no} {self.status}>"


class StatusChange(Base):
    """One step in a report's history: who moved it to which status, and why."""

    __tablename__ = "status_changes"
    __table_args__ = (
        CheckConstraint(f"status IN ({one_of(STATUSES)})", name="status"),
        CheckConstraint(f"source IN ({one_of(SOURCES)})", name="source"),
    )

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    status = Column(String(16), nullable=False)
    note = Column(Text, nullable=False, default="")
    source = Column(String(16), nullable=False)
    at = Column(UTCDateTime, nullable=False)

    report = relationship("Report", back_populates="history")


class DeliveryAttempt(Base):
    """One try at handing a report to the events backend, kept so staff can see why a report is stuck."""

    __tablename__ = "delivery_attempts"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UTCDateTime, nullable=False)
    ok = Column(Boolean, nullable=False)
    http_status = Column(Integer, nullable=True)
    error = Column(Text, nullable=False, default="")
    next_attempt_at = Column(UTCDateTime, nullable=True)

    report = relationship("Report", back_populates="attempts")


class OutboxEntry(Base):
    """A report still to be handed to the events backend (transactional outbox: written with the report).

    A worker claims an entry by setting `claimed_by` until `claimed_until`; a claim left by a crashed worker
    expires, and the backend's de-duplication by ticket number makes the resend harmless.
    """

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    next_attempt_at = Column(UTCDateTime, nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    claimed_by = Column(String(64), nullable=True)
    claimed_until = Column(UTCDateTime, nullable=True)
    delivered_at = Column(UTCDateTime, nullable=True)
    rejected_at = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=False, default="")

    report = relationship("Report", back_populates="outbox")


class TicketCounter(Base):
    """The last ticket number handed out on one day (Asia/Shanghai), incremented in the submitting transaction."""

    __tablename__ = "ticket_counters"

    day = Column(String(8), primary_key=True)  # YYYYMMDD
    last_no = Column(Integer, nullable=False)


class ConsultationCounter(Base):
    """The last consultation number handed out on one day (Asia/Shanghai), like TicketCounter."""

    __tablename__ = "consultation_counters"

    day = Column(String(8), primary_key=True)  # YYYYMMDD
    last_no = Column(Integer, nullable=False)


class Consultation(Base):
    """A question a resident left for staff (转人工 / 留言); it stays with the street's staff, never handed on."""

    __tablename__ = "consultations"

    id = Column(Integer, primary_key=True)
    number = Column(String(TICKET_LENGTH), nullable=False, unique=True)
    sender_id = Column(String(KEY_LENGTH), nullable=False, index=True)
    channel = Column(String(CHANNEL_LENGTH), nullable=False)
    question = Column(Text, nullable=False)  # masked
    context = Column(Text, nullable=False, default="")  # the last turns, with the resident's agreement; masked
    created_at = Column(UTCDateTime, nullable=False, index=True)
    answer = Column(Text, nullable=True)
    answered_by = Column(String(64), nullable=True)
    answered_at = Column(UTCDateTime, nullable=True, index=True)
    # Retention (bot/governance/erasure.py): when the resident's words (question, context, additions) were erased.
    words_erased_at = Column(UTCDateTime, nullable=True)

    additions: List["ConsultationAddition"] = relationship(
        "ConsultationAddition", back_populates="consultation", order_by="ConsultationAddition.id",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Consultation {self.number}>"


class ConsultationAddition(Base):
    """Something the resident added to their question later."""

    __tablename__ = "consultation_additions"

    id = Column(Integer, primary_key=True)
    consultation_id = Column(Integer, ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)  # masked
    at = Column(UTCDateTime, nullable=False)

    consultation = relationship("Consultation", back_populates="additions")


class Notification(Base):
    """A message waiting to reach a resident (notification outbox: written with the change it announces).

    Delivered once: pushed by a worker that claims it until `claimed_until`, or shown with the resident's next
    message ("reply"). `next_attempt_at` NULL means: no push now, wait for the resident to write.
    """

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    conversation = Column(String(KEY_LENGTH), nullable=False, index=True)
    channel = Column(String(CHANNEL_LENGTH), nullable=False)
    text = Column(Text, nullable=False)  # masked
    buttons = Column(Text, nullable=False, default="[]")  # JSON list of [title, payload]
    created_at = Column(UTCDateTime, nullable=False)
    delivered_at = Column(UTCDateTime, nullable=True)
    delivered_via = Column(String(8), nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=True, index=True)
    last_error = Column(Text, nullable=False, default="")
    claimed_by = Column(String(64), nullable=True)
    claimed_until = Column(UTCDateTime, nullable=True)


class Photo(Base):
    """A photo a resident sent: accepted (checked, re-encoded without EXIF, stored as a file named by `token`) while
    the report is still being filled in, and attached to the report when it is filed.

    Its file lives outside the database (bot/photos/), so deleting a photo means deleting the file first: rows are
    never deleted by cascade alone.
    """

    __tablename__ = "photos"

    id = Column(Integer, primary_key=True)
    token = Column(String(PHOTO_TOKEN_LENGTH), nullable=False, unique=True)  # unguessable: its URL's only secret
    conversation = Column(String(KEY_LENGTH), nullable=False, index=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="SET NULL"), nullable=True, index=True)
    position = Column(Integer, nullable=True)  # 0 = the first photo, sent as the report's media_url
    content_type = Column(String(32), nullable=False)
    size = Column(Integer, nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, index=True)

    report = relationship("Report", back_populates="photos")


class ReportFollower(Base):
    """Another resident who reported the same problem and chose to follow this ticket instead of filing again:
    they are told of its status changes too."""

    __tablename__ = "report_followers"
    __table_args__ = (UniqueConstraint("report_id", "conversation", name="uq_report_followers_report_conversation"),)

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation = Column(String(KEY_LENGTH), nullable=False, index=True)
    channel = Column(String(CHANNEL_LENGTH), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)

    report = relationship("Report", back_populates="followers")


class StaffAccount(Base):
    """A staff member who signs in to the console (`python -m bot staff add`); disabled accounts are kept so the
    audit log's names stay meaningful."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    name = Column(String(STAFF_NAME_LENGTH), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)  # scrypt, with its parameters and salt
    disabled = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(UTCDateTime, nullable=False)
    last_sign_in_at = Column(UTCDateTime, nullable=True)


class StaffSession(Base):
    """A signed-in browser: the digest of its cookie's token (the token itself is never stored), ending after a
    while without use or at `expires_at`."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    account_id = Column(Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)
    last_seen_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """One line of the audit log: who did what to which ticket or account, and when (details masked)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, index=True)
    account = Column(String(STAFF_NAME_LENGTH), nullable=False)
    action = Column(String(32), nullable=False)
    target = Column(String(64), nullable=False, default="")
    detail = Column(Text, nullable=False, default="")
