"""The console's pages over real HTTP on a real database: the queue's filters and search, a ticket's page, changing
a status (the resident is told, as with the CLI), showing a phone, answering a consultation; each change audited."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from bot.console import audit
from bot.governance.consultations import ConsultationDesk
from bot.governance.notifications import NotificationBox
from bot.photos.store import PhotoStore
from tests.governance.conftest import draft


@pytest.fixture
def console_database(database_url) -> str:
    """The lists' queries (words, days, the 回访 flag) on SQLite and on PostgreSQL."""
    return database_url


def tickets_on(page: str):
    return re.findall(r'href="/tickets/(QJ\d{8}-\d{4})"', page)


def test_the_queue_filters_by_status_category_day_revisit_and_words(console):
    queue = console.queue
    moments = [queue.clock() - timedelta(days=3)]
    queue.clock = lambda: moments[-1]
    old = queue.submit(draft(category="环境卫生", description="小区门口垃圾桶满了没人清"))
    moments.append(moments[0] + timedelta(days=3))
    lamp = queue.submit(draft(category="公共设施", description="3号楼前的路灯坏了", location="前进路18号"))
    closed = queue.submit(draft(category="公共设施", description="健身器材松动"))
    queue.set_status(closed.ticket_no, "closed", source="staff")
    queue.rate("resident-1", "不满意", closed.ticket_no)
    browser = console.signed_in()

    def listed(query: str):
        page = console.get(browser, "/queue" + query)
        assert page.status_code == 200
        return tickets_on(page.text)

    assert listed("") == [closed.ticket_no, lamp.ticket_no, old.ticket_no]
    assert listed("?status=received") == [lamp.ticket_no, old.ticket_no]
    assert listed("?category=公共设施") == [closed.ticket_no, lamp.ticket_no]
    assert listed("?revisit=1") == [closed.ticket_no]
    today = f"{lamp.created_at:%Y-%m-%d}"
    assert listed(f"?since={today}&until={today}") == [closed.ticket_no, lamp.ticket_no]
    assert listed(f"?until={old.created_at:%Y-%m-%d}") == [old.ticket_no]
    assert listed("?q=路灯") == [lamp.ticket_no]
    assert listed("?q=前进路") == [lamp.ticket_no]
    assert listed(f"?q={old.ticket_no.lower()}") == [old.ticket_no]
    assert listed("?q=%25") == []  # a % is a character searched for, not a wildcard


def test_a_filter_that_cannot_be_read_is_left_out_and_said_so(console):
    console.queue.submit(draft())
    browser = console.signed_in()
    page = console.get(browser, "/queue?since=2024-13-45&status=nonsense")
    assert page.status_code == 200
    assert "起始日期" in page.text and "格式看不懂" in page.text
    assert len(tickets_on(page.text)) == 1


def test_the_queue_comes_a_page_at_a_time_and_keeps_the_filters(console):
    for number in range(23):
        console.queue.submit(draft(description=f"第{number}个问题"))
    browser = console.signed_in()
    first = console.get(browser, "/queue?status=received")
    assert len(tickets_on(first.text)) == 20
    assert "第 1 / 2 页，共 23 条" in first.text
    assert 'href="/queue?status=received&amp;page=2"' in first.text
    second = console.get(browser, "/queue?status=received&page=2")
    assert len(tickets_on(second.text)) == 3
    assert not set(tickets_on(first.text)) & set(tickets_on(second.text))


def test_consultations_are_listed_and_searched_apart_from_reports(console):
    desk = ConsultationDesk(console.queue)
    asked = desk.open("resident-2", "rest", "社区食堂周末开门吗？")
    other = desk.open("resident-3", "rest", "居住证怎么办？")
    desk.answer(other.number, "请带身份证到社区服务中心。", staff="李明")
    console.queue.submit(draft())
    browser = console.signed_in()
    for path in ("/consultations", "/queue?kind=consultation"):
        page = console.get(browser, path).text
        assert re.findall(r'href="/consultations/(ZX\d{8}-\d{4})"', page) == [other.number, asked.number]
        assert not tickets_on(page)
    page = console.get(browser, "/consultations?status=open&q=食堂").text
    assert re.findall(r'href="/consultations/(ZX\d{8}-\d{4})"', page) == [asked.number]


def test_a_ticket_shows_its_history_words_place_photos_and_followers_with_the_phone_masked(console, tmp_path):
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, "JPEG")
    stored = PhotoStore.from_env(console.queue).accept("resident-1", photo.getvalue())
    report = console.queue.submit(draft(photos=(stored.token,), latitude=30.281, longitude=120.352,
                                        description="路灯坏了，有事打13812345678"))
    browser = console.signed_in()
    page = console.get(browser, f"/tickets/{report.ticket_no.lower()}")
    assert page.status_code == 200
    text = page.text
    assert "路灯坏了" in text and "138****5678" in text and "13812345678" not in text
    assert "纬度 30.281000，经度 120.352000" in text
    assert "已受理" in text and "无其他居民关注" in text
    image = re.search(r'<img src="(/photos/[^"]+\.jpg)"', text).group(1)
    served = console.get(browser, image)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)
    assert console.get(console.browser(), image).status_code == 303  # not without signing in
    assert console.get(browser, "/photos/..%2F..%2Fgovernance.db").status_code == 404


def test_an_unknown_ticket_or_consultation_is_a_polite_404(console):
    browser = console.signed_in()
    page = console.get(browser, "/tickets/QJ20240101-9999")
    assert page.status_code == 404 and "没有找到工单号 QJ20240101-9999" in page.text
    page = console.get(browser, "/consultations/ZX20240101-9999")
    assert page.status_code == 404 and "没有找到留言编号 ZX20240101-9999" in page.text


def test_changing_a_status_tells_the_resident_as_the_cli_does_and_is_audited(console):
    report = console.queue.submit(draft())
    browser = console.signed_in()
    token = console.csrf(browser, f"/tickets/{report.ticket_no}")
    reply = console.post(browser, f"/tickets/{report.ticket_no}/status",
                         {"csrf_token": token, "status": "closed", "note": "已清理，消防通道畅通。"})
    assert reply.status_code == 303
    assert reply.headers["Location"] == f"/tickets/{report.ticket_no}?done=status_note"
    assert "居民会在所用渠道收到这条进度（连同说明）" in console.get(browser, reply.headers["Location"]).text

    changed = console.queue.get(report.ticket_no)
    assert changed.status == "closed"
    assert (changed.history[-1].note, changed.history[-1].source) == ("已清理，消防通道畅通。", "staff")
    notes = NotificationBox(console.queue).take_for("resident-1")
    assert [note.text.splitlines()[:2] for note in notes] == [
        [f"您的报事工单 {report.ticket_no} 有新进展：已办结。", "说明：已清理，消防通道畅通。"]]
    entries, _ = audit.entries(queue=console.queue)
    assert (entries[0].account, entries[0].action, entries[0].target) == ("王芳", "set_status", report.ticket_no)
    assert "已办结" in entries[0].detail and "已清理" in entries[0].detail


def test_an_unknown_status_is_refused_politely_and_nothing_changes(console):
    report = console.queue.submit(draft())
    browser = console.signed_in()
    reply = console.post(browser, f"/tickets/{report.ticket_no}/status",
                         {"csrf_token": console.csrf(browser), "status": "gone", "note": "备注保留"})
    assert reply.status_code == 400
    assert "没有“gone”这个状态" in reply.text and "备注保留" in reply.text
    assert console.queue.get(report.ticket_no).status == "received"
    assert NotificationBox(console.queue).take_for("resident-1") == []


def test_show_number_reveals_the_phone_in_that_answer_only_and_is_audited(console):
    report = console.queue.submit(draft())
    browser = console.signed_in()
    reply = console.post(browser, f"/tickets/{report.ticket_no}/phone", {"csrf_token": console.csrf(browser)})
    assert reply.status_code == 200
    assert "<strong>13812345678</strong>" in reply.text and "已记入审计日志" in reply.text
    assert "13812345678" not in console.get(browser, f"/tickets/{report.ticket_no}").text
    entries, _ = audit.entries(queue=console.queue)
    assert [(entry.account, entry.action, entry.target) for entry in entries[:1]] == [
        ("王芳", "show_phone", report.ticket_no)]
    assert all("13812345678" not in f"{entry.target}{entry.detail}" for entry in entries)


def test_a_closed_reports_phone_stays_masked_for_good(console):
    report = console.queue.submit(draft())
    console.queue.set_status(report.ticket_no, "closed")
    browser = console.signed_in()
    reply = console.post(browser, f"/tickets/{report.ticket_no}/phone", {"csrf_token": console.csrf(browser)})
    assert "无法再显示" in reply.text
    assert "show_phone" not in [entry.action for entry in audit.entries(queue=console.queue)[0]]


def test_answering_a_consultation_once_names_the_account_and_reaches_the_resident(console):
    asked = ConsultationDesk(console.queue).open("resident-2", "rest", "社区食堂周末开门吗？")
    browser = console.signed_in()
    path = f"/consultations/{asked.number}"
    reply = console.post(browser, path + "/answer", {"csrf_token": console.csrf(browser, path),
                                                     "answer": "周末照常开放，11点到13点。"})
    assert reply.status_code == 303 and reply.headers["Location"] == path + "?done=answered"
    page = console.get(browser, reply.headers["Location"]).text
    assert "答复已保存" in page and "周末照常开放" in page and "发送答复" not in page

    answered = ConsultationDesk(console.queue).get(asked.number)
    assert (answered.answered_by, answered.answer) == ("王芳", "周末照常开放，11点到13点。")
    notes = NotificationBox(console.queue).take_for("resident-2")
    assert [note.text for note in notes] == [f"您的留言（编号 {asked.number}）工作人员已答复：\n周末照常开放，11点到13点。"]

    again = console.post(browser, path + "/answer", {"csrf_token": console.csrf(browser, path), "answer": "改一下"})
    assert again.status_code == 400 and "不能再答复一次" in again.text
    assert ConsultationDesk(console.queue).get(asked.number).answer == "周末照常开放，11点到13点。"
    entries, _ = audit.entries(queue=console.queue)
    assert [(entry.action, entry.target) for entry in entries if entry.action == "answer"] == [
        ("answer", asked.number)]


def test_the_audit_page_lists_sign_ins_and_changes_newest_first(console):
    report = console.queue.submit(draft())
    browser = console.signed_in()
    console.post(browser, f"/tickets/{report.ticket_no}/status",
                 {"csrf_token": console.csrf(browser), "status": "in_progress", "note": ""})
    page = console.get(browser, "/audit").text
    rows = re.findall(r'data-label="账号">([^<]*)</td><td data-label="操作">([^<]*)</td>', page)
    assert rows[:2] == [("王芳", "修改工单状态"), ("王芳", "登录")]


def test_failed_sign_ins_and_sign_outs_are_audited(console, monkeypatch):
    from bot.console import signin

    monkeypatch.setattr(signin, "_delay", lambda name: 0)
    console.add_account()
    browser = console.browser()
    console.post(browser, "/login", {"name": "王芳", "password": "wrong password",
                                     "csrf_token": console.csrf(browser, "/login")})
    signed_in = console.sign_in("王芳")
    console.post(signed_in, "/logout", {"csrf_token": console.csrf(signed_in)})
    entries, _ = audit.entries(queue=console.queue)
    assert [(entry.account, entry.action) for entry in entries] == [
        ("王芳", "sign_out"), ("王芳", "sign_in"), ("王芳", "sign_in_failed")]
    assert all("wrong password" not in entry.detail for entry in entries)


def test_switching_kinds_leaves_the_other_kinds_filters_out_quietly(console):
    ConsultationDesk(console.queue).open("resident-2", "rest", "社区食堂周末开门吗？")
    browser = console.signed_in()
    page = console.get(browser, "/queue?kind=consultation&status=received&category=安全隐患&revisit=1").text
    assert "格式看不懂" not in page
    assert len(re.findall(r'href="/consultations/ZX', page)) == 1
