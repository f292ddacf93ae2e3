"""Retention and the right to deletion in the governance queue, on SQLite and PostgreSQL: what is due is erased,
nothing else; a forgotten report leaves no row behind; staff see where retention erased something."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import settings
from bot.cli import main
from bot.console import audit
from bot.governance import erasure
from bot.governance.consultations import ConsultationDesk
from bot.governance.models import (
    Consultation,
    ConsultationAddition,
    DeliveryAttempt,
    Notification,
    OutboxEntry,
    Photo,
    Report,
    ReportFollower,
    StatusChange,
)
from bot.governance.notifications import NotificationBox, notify
from bot.governance.outbox import OutboxWorker
from bot.personal_data.limits import RetentionLimits
from bot.personal_data.retention import Retention
from bot.senders import erased_conversation
from tests.governance.conftest import draft

PHONE = "13812345678"
ERASED = "（已按保存期限删除）"
LIMITS = RetentionLimits(conversation_days=180, closed_report_days=90, open_report_days=365)
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)


def filed_at(queue, moment, **fields):
    queue.clock = lambda: moment
    fields = {"phone": PHONE, "description": f"楼道堆满纸箱，电话{PHONE}", "location": "前悦社区3幢", **fields}
    return queue.submit(draft(**fields)).ticket_no


def closed_at(queue, ticket, moment):
    queue.clock = lambda: moment
    queue.set_status(ticket, "已办结", note="已清理")


def test_retention_erases_what_is_due_and_nothing_else(queue):
    filed = NOW - timedelta(days=120)
    closed_due = filed_at(queue, filed)
    closed_at(queue, closed_due, NOW - timedelta(days=90) - SECOND)
    closed_kept = filed_at(queue, filed)
    closed_at(queue, closed_kept, NOW - timedelta(days=90) + SECOND)
    closed_without_phone = filed_at(queue, filed, phone=None)
    closed_at(queue, closed_without_phone, NOW - timedelta(days=200))
    open_due = filed_at(queue, NOW - timedelta(days=365) - SECOND)
    open_kept = filed_at(queue, NOW - timedelta(days=365) + SECOND)
    filed_long_ago_closed_lately = filed_at(queue, NOW - timedelta(days=400))
    closed_at(queue, filed_long_ago_closed_lately, NOW - timedelta(days=10))

    assert erasure.erase_expired(queue, LIMITS, NOW) == (2, 1)
    assert erasure.erase_expired(queue, LIMITS, NOW) == (0, 0)

    erased = queue.get(closed_due)
    assert (erased.description, erased.location, erased.phone_masked) == (ERASED, ERASED, ERASED)
    assert (erased.ticket_no, erased.category, erased.status, erased.created_at) == (
        closed_due, "安全隐患", "closed", filed)
    assert [entry.status for entry in erased.history] == ["received", "closed"]
    with queue.reading() as session:
        stored = session.scalars(select(Report).where(Report.ticket_no == closed_due)).one()
        assert (stored.description, stored.location, stored.phone) == ("", "", None)
    assert queue.get(closed_without_phone).phone_masked is None
    assert queue.get(closed_without_phone).description == ERASED
    for ticket in (closed_kept, filed_long_ago_closed_lately):
        assert "纸箱" in queue.get(ticket).description and queue.get(ticket).phone_masked == "138****5678"
    only_phone = queue.get(open_due)
    assert (only_phone.phone_masked, only_phone.location) == (ERASED, "前悦社区3幢")
    assert PHONE in only_phone.description  # staff still need the words of a problem not yet solved
    assert queue.get(open_kept).phone_masked == "138****5678"


def test_staff_see_that_retention_erased_a_report(queue, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", queue.engine.url.render_as_string(hide_password=False))
    ticket = filed_at(queue, NOW - timedelta(days=200))
    closed_at(queue, ticket, NOW - timedelta(days=100))
    erasure.erase_expired(queue, LIMITS, NOW)

    assert main(["queue", "show", ticket]) == 0
    out = capsys.readouterr().out

    assert f"地点：{ERASED}" in out and f"描述：{ERASED}" in out and f"电话：{ERASED}" in out
    assert "纸箱" not in out and "5678" not in out


def test_forgetting_a_resident_deletes_their_reports_and_every_row_of_them(queue, backend, client):
    mine = [filed_at(queue, NOW, sender_id="widget:me") for _ in range(2)]
    theirs = filed_at(queue, NOW, sender_id="widget:someone-else")
    OutboxWorker(queue, client).run_once(now=NOW)
    queue.set_status(mine[0], "处理中", note="已派人")

    forgotten = erasure.forget_sender(queue, "widget:me")

    assert [report.ticket_no for report in forgotten] == mine
    assert all(report.backend_request_id for report in forgotten)
    assert queue.get(mine[0]) is None and queue.get(mine[1]) is None
    assert queue.get(theirs) is not None
    with queue.reading() as session:
        left = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Report, StatusChange, DeliveryAttempt, OutboxEntry)}
    # Only the other resident's report is left: filed, handed on, and its one delivery.
    assert left == {"reports": 1, "status_changes": 2, "delivery_attempts": 1, "outbox": 1}
    assert erasure.forget_sender(queue, "widget:me") == []


def test_a_ticket_number_finds_the_conversation_that_filed_it(queue):
    ticket = filed_at(queue, NOW, sender_id="wechat:o6_abc")

    assert erasure.conversation_of(queue, ticket.lower().replace("-", " ")) == "wechat:o6_abc"
    assert erasure.conversation_of(queue, "QJ20000101-0001") is None
    assert erasure.conversation_of(queue, "not a ticket") is None


def test_a_consultation_number_finds_the_conversation_that_left_it(queue):
    queue.clock = lambda: NOW
    asked = ConsultationDesk(queue).open("widget:w-5", "widget", "问题")

    assert erasure.conversation_of(queue, asked.number.lower()) == "widget:w-5"
    assert erasure.conversation_of(queue, "ZX20000101-0001") is None


def test_retention_erases_the_words_of_answered_consultations_when_due(queue):
    desk = ConsultationDesk(queue)

    def answered_at(moment, sender="rest-1"):
        queue.clock = lambda: moment - timedelta(days=1)
        asked = desk.open(sender, "rest", f"低保怎么办，电话{PHONE}", context="居民：你好")
        desk.add(asked.number, sender, "补充一句")
        queue.clock = lambda: moment
        return desk.answer(asked.number, "请到社区服务中心办理", staff="张敏").number

    due = answered_at(NOW - timedelta(days=90) - SECOND)
    kept = answered_at(NOW - timedelta(days=90) + SECOND)
    queue.clock = lambda: NOW - timedelta(days=400)
    still_open = desk.open("rest-2", "rest", "一直没人答的问题").number

    assert erasure.erase_expired_messages(queue, LIMITS, NOW)[0] == 1
    assert erasure.erase_expired_messages(queue, LIMITS, NOW)[0] == 0

    erased = desk.get(due)
    assert (erased.question, erased.context, erased.additions) == (ERASED, "", ())
    assert (erased.answer, erased.answered_by, erased.status) == ("请到社区服务中心办理", "张敏", "answered")
    with queue.reading() as session:
        stored = session.scalars(select(Consultation).where(Consultation.number == due)).one()
        assert (stored.question, stored.context) == ("", "")
    assert "低保" in desk.get(kept).question and len(desk.get(kept).additions) == 1
    assert desk.get(still_open).question == "一直没人答的问题"


def test_retention_deletes_notifications_after_the_conversation_limit(queue):
    box = NotificationBox(queue)

    def noted(moment, conversation):
        queue.clock = lambda: moment
        with queue.writing() as session:
            notify(session, conversation, "rest", "您好", moment=moment)

    noted(NOW - timedelta(days=200), "rest-delivered-long-ago")
    box.take_for("rest-delivered-long-ago")
    noted(NOW - timedelta(days=200), "rest-delivered-lately")
    queue.clock = lambda: NOW - timedelta(days=10)
    box.take_for("rest-delivered-lately")
    noted(NOW - timedelta(days=180) - SECOND, "rest-never-came-back")
    noted(NOW - timedelta(days=180) + SECOND, "rest-waiting")

    assert erasure.erase_expired_messages(queue, LIMITS, NOW)[1] == 2

    with queue.reading() as session:
        assert set(session.scalars(select(Notification.conversation))) == {"rest-delivered-lately", "rest-waiting"}


def test_retention_erases_a_closed_reports_rating_comment_with_its_words(queue):
    ticket = filed_at(queue, NOW - timedelta(days=200), sender_id="widget:me")
    closed_at(queue, ticket, NOW - timedelta(days=100))
    queue.rate("widget:me", "不满意", ticket)
    queue.comment_on_rating("widget:me", ticket, "没人来处理")

    erasure.erase_expired(queue, LIMITS, NOW)

    rated = queue.get(ticket)
    assert (rated.satisfaction, rated.revisit, rated.satisfaction_comment) == ("不满意", True, None)


def test_forgetting_deletes_the_residents_consultations_and_notifications_only(queue):
    desk = ConsultationDesk(queue)
    mine = desk.open("widget:me", "widget", "问题")
    desk.add(mine.number, "widget:me", "补充")
    desk.answer(mine.number, "答复", staff="张敏")
    theirs = desk.open("widget:other", "widget", "问题")
    desk.answer(theirs.number, "答复", staff="张敏")

    assert erasure.forget_messages(queue, "widget:me") == ([mine.number], 1)

    assert desk.get(mine.number) is None and desk.get(theirs.number) is not None
    with queue.reading() as session:
        assert session.scalar(select(func.count()).select_from(ConsultationAddition)) == 0
        assert list(session.scalars(select(Notification.conversation))) == ["widget:other"]
    assert erasure.forget_messages(queue, "widget:me") == ([], 0)


def test_retention_replaces_the_ids_naming_residents_of_an_erased_report_with_one_digest(queue):
    resident, follower = "wechat:o6_due", "widget:follower"
    due = filed_at(queue, NOW - timedelta(days=120), sender_id=resident)
    also_due = filed_at(queue, NOW - timedelta(days=120), sender_id=resident)
    kept = filed_at(queue, NOW - timedelta(days=120), sender_id=resident)
    for ticket in (due, kept):
        queue.follow(ticket, follower, "widget")
    with queue.writing() as session:
        report_id = session.scalars(select(Report.id).where(Report.ticket_no == due)).one()
        session.add(Photo(token="t" * 32, conversation=resident, report_id=report_id, position=0,
                          content_type="image/png", size=1, width=1, height=1, created_at=NOW - timedelta(days=120)))
    for ticket in (due, also_due):
        closed_at(queue, ticket, NOW - timedelta(days=90) - SECOND)
    closed_at(queue, kept, NOW - timedelta(days=90) + SECOND)

    assert erasure.erase_expired(queue, LIMITS, NOW) == (2, 0)
    assert erasure.erase_expired(queue, LIMITS, NOW) == (0, 0)

    digest = erased_conversation(resident)
    assert digest.startswith("erased:") and "o6_due" not in digest and len(digest) == len("erased:") + 16
    assert queue.get(due).sender_id == queue.get(also_due).sender_id == digest  # still one resident in statistics
    assert queue.get(kept).sender_id == resident
    with queue.reading() as session:
        assert dict(session.execute(select(Report.ticket_no, ReportFollower.conversation).join(Report.followers))
                    .all()) == {due: erased_conversation(follower), kept: follower}
        assert session.scalars(select(Photo.conversation)).one() == digest
    assert queue.get(due).followers == 1
    # The resident no longer finds the erased tickets as theirs, nor can rate them; a look-up shows the status only.
    assert [view.ticket_no for view in queue.list_for_sender(resident)] == [kept]
    assert queue.rate(resident, "满意", due) is None and queue.get(due).satisfaction is None
    assert erasure.reports_of(queue, resident) == [erasure.ForgottenReport(kept, None)]
    # Its number still finds it, and forgetting that digest deletes the rows that are left.
    assert erasure.conversation_of(queue, due) == digest
    assert [report.ticket_no for report in erasure.forget_sender(queue, digest)] == [due, also_due]
    assert queue.get(due) is None and queue.get(kept) is not None


def test_retention_replaces_the_sender_of_an_answered_consultation_whose_words_it_erases(queue):
    desk = ConsultationDesk(queue)

    def answered_at(moment, sender):
        queue.clock = lambda: moment - timedelta(days=1)
        asked = desk.open(sender, "wechat", "低保怎么办")
        queue.clock = lambda: moment
        return desk.answer(asked.number, "请到社区服务中心办理", staff="张敏").number

    due = answered_at(NOW - timedelta(days=90) - SECOND, "wechat:o6_asked")
    kept = answered_at(NOW - timedelta(days=90) + SECOND, "wechat:o6_asked")
    queue.clock = lambda: NOW - timedelta(days=400)
    still_open = desk.open("wechat:o6_asked", "wechat", "一直没人答的问题").number

    assert erasure.erase_expired_messages(queue, LIMITS, NOW)[0] == 1

    assert desk.get(due).sender_id == erased_conversation("wechat:o6_asked")
    assert desk.get(kept).sender_id == desk.get(still_open).sender_id == "wechat:o6_asked"
    assert erasure.consultations_of(queue, "wechat:o6_asked") == [kept, still_open]
    assert desk.latest_open_for("wechat:o6_asked").number == still_open
    assert erasure.conversation_of(queue, due) == erased_conversation("wechat:o6_asked")


def test_the_daily_sweep_deletes_audit_log_entries_older_than_their_limit(queue, tmp_path):
    def recorded_at(moment, target):
        queue.clock = lambda: moment
        audit.record("zhangmin", "set_status", target, "已办结", queue=queue)

    recorded_at(NOW - timedelta(days=365) - SECOND, "QJ20251130-0001")
    recorded_at(NOW - timedelta(days=365) + SECOND, "QJ20251130-0002")
    recorded_at(NOW - timedelta(days=1), "QJ20261129-0001")

    summary = Retention(queue, LIMITS, f"sqlite:///{tmp_path / 'tracker.db'}")(NOW)

    assert summary.audit_entries == 1 and str(summary).endswith("删除过期审计日志 1 条")
    assert [entry.target for entry in audit.entries(queue=queue)[0]] == ["QJ20261129-0001", "QJ20251130-0002"]
    assert Retention(queue, LIMITS, f"sqlite:///{tmp_path / 'tracker.db'}")(NOW).audit_entries == 0


def test_the_audit_log_is_kept_a_year_unless_configured(monkeypatch):
    monkeypatch.setenv("RETENTION_AUDIT_DAYS", settings.defaults()["RETENTION_AUDIT_DAYS"])
    assert RetentionLimits.from_env().audit_days == 365
    monkeypatch.setenv("RETENTION_AUDIT_DAYS", "30")
    assert RetentionLimits.from_env().audit_days == 30
    monkeypatch.setenv("RETENTION_AUDIT_DAYS", "0")
    with pytest.raises(ValueError, match="RETENTION_AUDIT_DAYS"):
        RetentionLimits.from_env()
