"""`python -m bot privacy forget` as staff use it: what it finds, asks, deletes and says, with the bundled events
backend (its copies deleted) and with an external one (its staff are told which events to delete)."""
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot import conversation_store
from bot.cli import main
from bot.governance import ReportQueue
from bot.governance.consultations import ConsultationDesk
from bot.governance.models import ConsultationAddition, Notification
from bot.governance.open311 import Open311Client
from bot.governance.outbox import OutboxWorker
from bot.photos.store import PhotoStore
from bot.senders import erased_conversation
from tests.conftest import free_port
from tests.governance.conftest import API_KEY, draft
from tests.photos import pictures

ME = "wechat:o6_resident"


@pytest.fixture
def stores(monkeypatch, tmp_path, backend):
    """A queue and a conversation store where ME filed two reports (one handed on) and someone else one."""
    queue_url, tracker_url = f"sqlite:///{tmp_path / 'governance.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("DATABASE_URL", queue_url)
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    monkeypatch.setenv("EVENTS_BACKEND_URL", "")
    monkeypatch.setenv("EVENTS_BACKEND_PORT", str(backend.port))
    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", API_KEY)
    monkeypatch.setenv("PHOTO_DIR", str(tmp_path / "photos"))
    queue = ReportQueue.from_url(queue_url)
    conversations = conversation_store.connect(tracker_url)
    conversation_store.events.metadata.create_all(conversations)
    with conversations.begin() as connection:
        connection.execute(conversation_store.events.insert(), [
            {"sender_id": sender, "type_name": "user", "timestamp": time.time(), "data": '{"text": "路灯坏了"}'}
            for sender in (ME, ME, ME, "wechat:o6_other")])
    handed_on = queue.submit(draft(sender_id=ME)).ticket_no
    OutboxWorker(queue, Open311Client(backend.url, API_KEY, timeout=2)).run_once()
    waiting = queue.submit(draft(sender_id=ME)).ticket_no
    other = queue.submit(draft(sender_id="wechat:o6_other")).ticket_no
    yield queue, conversations, (handed_on, waiting, other)
    conversations.dispose()
    queue.close()


def forget(monkeypatch, capsys, wanted, answer=None):
    argv = ["privacy", "forget", wanted] + ([] if answer is not None else ["--yes"])
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{answer}\n" if answer is not None else ""))
    code = main(argv)
    return code, capsys.readouterr().out


def test_a_ticket_number_forgets_the_whole_conversation_that_filed_it(stores, backend, monkeypatch, capsys):
    queue, conversations, (handed_on, waiting, other) = stores

    code, out = forget(monkeypatch, capsys, handed_on.lower(), answer="yes")

    assert code == 0
    assert f"将删除对话 {ME} 的全部个人信息：\n  对话记录：3 条\n  工单 2 件：{handed_on}、{waiting}" in out
    assert f"已删除对话 {ME} 的个人信息：\n  对话记录 3 条\n  工单 2 件：{handed_on}、{waiting}" in out
    assert "本地事件平台的副本 1 件：YZ000001" in out
    assert queue.get(handed_on) is None and queue.get(waiting) is None and queue.get(other) is not None
    assert conversation_store.count_events(conversations, ME) == 0
    assert conversation_store.count_events(conversations, "wechat:o6_other") == 1
    assert backend.store.count() == 0


def test_nothing_is_deleted_without_a_yes(stores, backend, monkeypatch, capsys):
    queue, conversations, (handed_on, waiting, _) = stores

    code, out = forget(monkeypatch, capsys, ME, answer="不")

    assert code == 1 and "已取消，没有删除任何内容。" in out
    assert queue.get(handed_on) is not None and conversation_store.count_events(conversations, ME) == 3
    assert backend.store.count() == 1


def test_an_external_platform_is_named_with_the_events_its_staff_must_delete(stores, backend, monkeypatch, capsys):
    queue, conversations, (handed_on, _, _) = stores
    monkeypatch.setenv("EVENTS_BACKEND_URL", backend.url)

    code, out = forget(monkeypatch, capsys, ME)

    assert code == 0
    assert f"这些工单已转到云治前进平台（{backend.url}）" in out and "请联系平台工作人员删除以下事件：YZ000001" in out
    assert queue.get(handed_on) is None and conversation_store.count_events(conversations, ME) == 0
    assert backend.store.count() == 1  # ours to ask for, not to delete


def test_a_bundled_backend_that_is_down_stops_the_deletion_before_anything_is_gone(stores, monkeypatch, capsys):
    queue, conversations, (handed_on, _, _) = stores
    monkeypatch.setenv("EVENTS_BACKEND_PORT", str(free_port()))

    code, out = forget(monkeypatch, capsys, handed_on)

    assert code == 1 and "本地事件平台暂时连不上" in out and "这次没有删除任何内容" in out
    assert queue.get(handed_on) is not None and conversation_store.count_events(conversations, ME) == 3


def test_a_consultation_number_forgets_the_residents_questions_and_notifications_too(stores, monkeypatch, capsys):
    queue, conversations, (handed_on, waiting, other) = stores
    desk = ConsultationDesk(queue)
    asked = desk.open(ME, "wechat", "低保怎么申请？")
    desk.add(asked.number, ME, "我家两口人")
    answered = desk.open(ME, "wechat", "社保卡丢了")
    desk.answer(answered.number, "到社区服务中心补办", staff="张敏")
    queue.set_status(waiting, "处理中")  # with the fixture's 已转派 and the answer: three notes for ME
    theirs = desk.open("wechat:o6_other", "wechat", "别人的问题")
    queue.set_status(other, "处理中")

    code, out = forget(monkeypatch, capsys, answered.number.lower(), answer="yes")

    assert code == 0
    assert f"留言 2 条：{asked.number}、{answered.number}（连同补充和答复），以及发给该居民的通知" in out
    assert f"  留言 2 条：{asked.number}、{answered.number}（连同补充和答复）\n  发给该居民的通知 3 条" in out
    assert desk.get(asked.number) is None and desk.get(answered.number) is None
    assert desk.get(theirs.number) is not None
    with queue.reading() as session:
        assert session.scalar(select(func.count()).select_from(ConsultationAddition)) == 0
        assert list(session.scalars(select(Notification.conversation))) == ["wechat:o6_other"]


@pytest.mark.parametrize("wanted", ["QJ20000101-0001", "ZX20000101-0001", "wechat:o6_nobody", "  "])
def test_something_we_do_not_hold_is_said_so(stores, monkeypatch, capsys, wanted):
    code, out = forget(monkeypatch, capsys, wanted)

    assert code == 1 and "没有找到" in out and "请核对后再试" in out


def test_retention_can_be_applied_on_demand_and_says_what_it_did(stores, monkeypatch, capsys):
    queue, conversations, (handed_on, _, _) = stores
    with conversations.begin() as connection:
        connection.execute(conversation_store.events.insert(), [
            {"sender_id": "widget:long-gone", "type_name": "user", "timestamp": time.time() - 181 * 86400,
             "data": "{}"}])
    real_clock = queue.clock
    queue.clock = lambda: real_clock() - timedelta(days=91)
    queue.set_status(handed_on, "已办结")

    assert main(["privacy", "retention"]) == 0

    assert capsys.readouterr().out == (
        "已按保存期限清理：删除对话 1 段，删除已办结工单的个人信息 1 件，删除长期未办结工单的电话 0 件，"
        "删除已答复留言的居民原话 0 条，删除过期通知 0 条，删除照片 0 张，删除过期审计日志 0 条。\n")
    assert queue.get(handed_on).description == "（已按保存期限删除）"
    assert conversation_store.count_events(conversations, ME) == 3


def test_the_photos_a_resident_sent_are_deleted_with_the_rest_and_said_so(stores, monkeypatch, capsys):
    queue = stores[0]
    photos = PhotoStore.from_env(queue)
    filed, pending = (photos.accept(ME, pictures.png()) for _ in range(2))
    queue.submit(draft(sender_id=ME, photos=(filed.token,)))
    theirs = photos.accept("wechat:o6_other", pictures.png())

    code, out = forget(monkeypatch, capsys, ME, answer="yes")

    assert code == 0
    assert "  居民发来的照片 2 张\n删除后无法恢复" in out and "  居民发来的照片 2 张\n  本地事件平台的副本" in out
    assert [path.name for path in photos.directory.iterdir()] == [f"{theirs.token}.png"]
    assert photos.count_of_conversation(ME) == 0 and photos.count_of_conversation("wechat:o6_other") == 1


def test_retention_deletes_the_photos_of_a_report_whose_words_it_erases(stores, monkeypatch, capsys):
    queue = stores[0]
    photos = PhotoStore.from_env(queue)
    sent = photos.accept(ME, pictures.png())
    closed = queue.submit(draft(sender_id=ME, photos=(sent.token,))).ticket_no
    real_clock = queue.clock
    queue.clock = lambda: real_clock() - timedelta(days=91)
    queue.set_status(closed, "已办结")

    assert main(["privacy", "retention"]) == 0

    assert capsys.readouterr().out.endswith("删除过期通知 0 条，删除照片 1 张，删除过期审计日志 0 条。\n")
    assert queue.get(closed).photos == () and list(photos.directory.iterdir()) == []


def test_a_ticket_retention_erased_is_no_longer_the_residents_but_its_number_still_forgets_it(
        stores, backend, monkeypatch, capsys):
    queue, conversations, (handed_on, waiting, _) = stores
    real_clock = queue.clock
    queue.clock = lambda: real_clock() - timedelta(days=91)
    queue.set_status(handed_on, "已办结")
    assert main(["privacy", "retention"]) == 0
    capsys.readouterr()

    code, out = forget(monkeypatch, capsys, handed_on, answer="不")
    assert code == 1 and "已取消，没有删除任何内容。" in out
    assert f"将删除对话 {erased_conversation(ME)} 的全部个人信息" in out and f"工单 1 件：{handed_on}" in out

    code, out = forget(monkeypatch, capsys, ME)
    assert code == 0 and f"工单 1 件：{waiting}" in out and handed_on not in out
    assert queue.get(handed_on) is not None and conversation_store.count_events(conversations, ME) == 0

    code, out = forget(monkeypatch, capsys, handed_on)
    assert code == 0 and queue.get(handed_on) is None and backend.store.count() == 0
