"""A staff member at a tablet, in Debian's Chromium, on the console `python -m bot run` starts: signs in with the
keyboard, filters the queue, closes a report with a note that the resident's next REST message shows, answers a
question left for staff, sees a report's photo and place. Screenshots go to tests/artifacts/console-*.png."""
import io
import re

import pytest
from PIL import Image, ImageDraw

from bot.governance import ReportDraft
from bot.governance.consultations import ConsultationDesk
from bot.photos.store import PhotoStore
from tests.conftest import new_sender
from tests.console.conftest import PASSWORD, TABLET, stack_console
from tests.e2e.test_notes_stack import file_report, stack_queue

DESKTOP = {"width": 1280, "height": 720}
NOTE = "已联系物业清理纸箱，消防通道已畅通。"
ANSWER = "社区食堂周六、周日照常开放，午餐时间 11:00 至 13:00。"


@pytest.fixture(scope="module")
def console_url(stack) -> str:
    url = stack_console(stack, "王芳")
    assert "工作人员工作台 http://127.0.0.1:" in stack.log()  # `python -m bot run` says where it is
    return url


def sign_in(page, console_url: str, artifacts=None) -> None:
    page.goto(f"{console_url}/queue")
    assert "/login?next=%2Fqueue" in page.url
    if artifacts is not None:
        page.screenshot(path=str(artifacts / "console-sign-in.png"))
    page.keyboard.type("王芳")  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console_url}/queue")


def test_staff_sign_in_filter_the_queue_and_close_a_report_with_a_note_the_resident_then_reads(
        stack, console_url, tablet, artifacts):
    resident = new_sender()
    stack.say(resident, "你好")
    queue = stack_queue(stack)
    try:
        ticket = file_report(queue, resident, "rest")
        other = queue.submit(ReportDraft(sender_id=new_sender(), category="环境卫生", location="前进路18号",
                                         description="垃圾桶满了", phone=None, channel="rest",
                                         idempotency_key=new_sender()))
    finally:
        queue.close()
    page = tablet

    sign_in(page, console_url, artifacts)
    assert page.get_by_role("heading", name="工单队列").is_visible()
    assert page.locator("header nav a[aria-current=page]").inner_text() == "工单队列"

    page.get_by_label("类别").select_option("安全隐患")
    page.get_by_label("状态").select_option("dispatched")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"category="))
    listed = page.locator("table a[href^='/tickets/']").all_inner_texts()
    assert ticket in listed and other.ticket_no not in listed
    page.screenshot(path=str(artifacts / "console-queue-filtered.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["viewport"]["width"]  # no sideways scroll
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(artifacts / "console-queue-desktop.png"))
    page.set_viewport_size(TABLET["viewport"])

    page.get_by_role("link", name=ticket).click()
    page.wait_for_url(f"{console_url}/tickets/{ticket}")
    assert page.get_by_text("138****5678").is_visible()
    assert "13812345678" not in page.content()
    page.get_by_role("button", name="显示号码").click()
    assert page.locator("strong", has_text="13812345678").is_visible()

    page.get_by_label("新状态").select_option("closed")
    page.get_by_label("说明（居民会看到，可不填）").fill(NOTE)
    page.get_by_role("button", name="保存并通知居民").click()
    page.wait_for_url(re.compile(r"done=status_note"))
    assert page.get_by_role("status").inner_text() == "已保存，居民会在所用渠道收到这条进度（连同说明）。"
    assert page.locator("h1 .tag").inner_text() == "已办结"
    assert page.locator("ol.history li").last.inner_text().endswith(f"已办结（工作人员）：{NOTE}")
    page.screenshot(path=str(artifacts / "console-ticket-closed.png"), full_page=True)

    # Notes come in front of the bot's reply: the report's earlier progress (已转派) too.
    notes = [reply.get("text", "") for reply in stack.say(resident, "你好")]
    assert f"您的报事工单 {ticket} 有新进展：已办结。\n说明：{NOTE}" in "\n".join(notes)

    page.get_by_role("link", name="审计日志").click()
    rows = [row.locator("td").all_inner_texts() for row in page.locator("tbody tr").all()[:3]]
    assert [cells[1:4] for cells in rows] == [
        ["王芳", "修改工单状态", ticket], ["王芳", "查看完整电话", ticket], ["王芳", "登录", "王芳"]]
    page.screenshot(path=str(artifacts / "console-audit.png"), full_page=True)


def test_staff_answer_a_question_and_the_resident_gets_the_answer_with_the_next_message(
        stack, console_url, tablet, artifacts):
    resident = new_sender()
    stack.say(resident, "你好")
    queue = stack_queue(stack)
    try:
        asked = ConsultationDesk(queue).open(resident, "rest", "社区食堂周末开门吗？")
    finally:
        queue.close()
    page = tablet
    sign_in(page, console_url)

    page.get_by_role("link", name="居民留言").click()
    page.get_by_label("状态").select_option("open")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=asked.number).click()
    assert page.get_by_text("社区食堂周末开门吗？").is_visible()
    page.get_by_label(re.compile("答复内容")).fill(ANSWER)
    page.screenshot(path=str(artifacts / "console-consultation-answer.png"), full_page=True)
    page.get_by_role("button", name="发送答复").click()
    page.wait_for_url(re.compile(r"done=answered"))
    assert page.get_by_role("status").inner_text() == "答复已保存，居民会在所用渠道收到。"
    assert page.get_by_role("button", name="发送答复").count() == 0
    assert "王芳" in page.locator("section", has_text="答复").last.inner_text()
    page.screenshot(path=str(artifacts / "console-consultation-answered.png"), full_page=True)

    first = stack.say(resident, "谢谢")[0]["text"]
    assert first == f"您的留言（编号 {asked.number}）工作人员已答复：\n{ANSWER}"



def test_a_ticket_shows_the_residents_photo_and_shared_place(stack, console_url, tablet, artifacts):
    picture = io.BytesIO()
    image = Image.new("RGB", (640, 480), (90, 120, 90))
    ImageDraw.Draw(image).rectangle((200, 140, 440, 340), fill=(150, 110, 60))  # a pile of boxes, roughly
    image.save(picture, "JPEG")
    resident = new_sender()
    queue = stack_queue(stack)
    try:
        photo = PhotoStore(queue, stack.data_dir / "photos").accept(resident, picture.getvalue())
        report = queue.submit(ReportDraft(
            sender_id=resident, category="安全隐患", location="前悦社区3幢楼道", description="楼道里堆满了纸箱。",
            phone="13812345678", channel="widget", idempotency_key=new_sender(), photos=(photo.token,),
            latitude=30.2812, longitude=120.3521))
    finally:
        queue.close()
    page = tablet
    sign_in(page, console_url)
    page.goto(f"{console_url}/tickets/{report.ticket_no}")

    thumbnail = page.get_by_role("img", name="居民上传的第 1 张照片")
    assert thumbnail.evaluate("image => image.complete && image.naturalWidth") == 640
    assert page.get_by_text("纬度 30.281200，经度 120.352100").is_visible()
    assert page.get_by_text("网页聊天").is_visible()
    page.screenshot(path=str(artifacts / "console-ticket-photo.png"), full_page=True)
    thumbnail.click()  # the full photo, from the console itself
    page.wait_for_url(re.compile(r"/photos/.+\.jpg$"))


def test_the_queue_works_from_the_keyboard_with_a_visible_focus(console, browser, artifacts):
    console.add_account()
    ticket = console.queue.submit(ReportDraft(
        sender_id=new_sender(), category="公共设施", location="前进路18号", description="路灯坏了", phone=None,
        channel="wechat", idempotency_key=new_sender())).ticket_no
    context = browser.new_context(locale="zh-CN", **TABLET)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        sign_in(page, console.url)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "跳到正文"
        page.keyboard.press("Enter")  # past the navigation, to the page's own content
        focused = []
        while page.evaluate("document.activeElement.textContent") != ticket:
            page.keyboard.press("Tab")
            focused.append(page.evaluate("[document.activeElement.tagName, document.activeElement.id]"))
            assert len(focused) < 20, focused
        assert focused[:3] == [["SELECT", "kind"], ["SELECT", "status"], ["SELECT", "category"]]
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
        page.screenshot(path=str(artifacts / "console-keyboard-focus.png"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{console.url}/tickets/{ticket}")
    finally:
        context.close()
