"""Notes to a widget resident in Debian's headless Chromium against the running stack: the open page shows staff
progress on their report without the resident typing, a note that came while the page was closed shows on the
next visit, and a check the server refuses or fails stays out of the resident's sight."""
import json
import time

import pytest
from playwright.sync_api import Page, expect

from bot import widget_ids
from bot.rate_limits import TOO_MANY_MESSAGES_TEXT
from tests.e2e.test_notes_stack import STAFF_NOTE, file_report, notes_of, stack_queue
from tests.widget.test_widget_browser import BOT_REPLIES, SENDER_KEY, bot_count, replies_after, send

pytestmark = pytest.mark.stack

NOTES_ROUTE = "**/webhooks/widget/notes"
# The page checks every 15 s: a note shows within one check, give or take a slow machine.
CHECK_TIMEOUT_MS = 40_000


def conversation_of_page(page: Page, stack) -> str:
    sender = page.evaluate(f"localStorage.getItem('{SENDER_KEY}')")
    return widget_ids.conversation_of(sender, stack.env["WIDGET_SECRET"])


def test_the_open_page_shows_staff_progress_and_a_note_from_while_it_was_closed(phone, widget_url, stack, artifacts):
    page = phone
    checks = []
    phone.context.on("request", lambda request: checks.append(request) if request.url.endswith("/notes") else None)
    started = time.monotonic()
    page.goto(widget_url)
    before = bot_count(page)
    send(page, "你好")
    replies_after(page, before)
    conversation = conversation_of_page(page, stack)
    queue = stack_queue(stack)
    try:
        ticket = file_report(queue, conversation, "widget")
        queue.set_status(ticket, "处理中", note=STAFF_NOTE)

        # Nothing typed: the page's own check brings the notes.
        expect(page.locator(BOT_REPLIES).last).to_contain_text(STAFF_NOTE, timeout=CHECK_TIMEOUT_MS)
        expect(page.locator(BOT_REPLIES).filter(has_text=f"{ticket} 有新进展：处理中")).to_have_count(1)
        expect(page.get_by_role("alert")).to_have_count(0)
        assert {note.delivered_via for note in notes_of(queue, conversation)} == {"reply"}
        page.screenshot(path=str(artifacts / "widget-note-while-open.png"))
        shown = page.locator("#messages .bubble").all_inner_texts()

        page.close()
        queue.set_status(ticket, "已办结", note="纸箱已清走")
        page = phone.context.new_page()
        page.goto(widget_url)
        closed = page.locator(BOT_REPLIES).filter(has_text=f"{ticket} 有新进展：已办结")
        expect(closed).to_have_count(1, timeout=CHECK_TIMEOUT_MS)
        expect(closed).to_contain_text("纸箱已清走")
        rating = page.locator("#messages .msg-bot").last.get_by_role("button")
        expect(rating).to_have_text(["满意", "基本满意", "不满意"])
        page.screenshot(path=str(artifacts / "widget-note-next-visit.png"))

        # Kept in the page's history like every other message, each shown once.
        page.reload()
        texts = page.locator("#messages .bubble").all_inner_texts()
        assert texts[:len(shown)] == shown
        assert sum(f"{ticket} 有新进展：已办结" in text for text in texts) == 1
        assert sum(STAFF_NOTE in text for text in texts) == 1
        page.wait_for_timeout(1000)
    finally:
        queue.close()
    # When a page loads (three loads here), then every 15 s: far below the address limit (60 requests a minute).
    assert 3 <= len(checks) <= 3 + (time.monotonic() - started) / 15
    assert {request.method for request in checks} == {"POST"}


REFUSALS = {
    "address limit": lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps([{"recipient_id": "", "text": TOO_MANY_MESSAGES_TEXT}], ensure_ascii=False)),
    "server error": lambda route: route.fulfill(status=502, body="Bad Gateway"),
    "network error": lambda route: route.abort("connectionrefused"),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_or_failed_check_shows_nothing(phone, widget_url, refusal):
    page = phone
    page.goto(widget_url)
    before = bot_count(page)
    send(page, "你好")
    replies_after(page, before)
    checked = []
    page.route(NOTES_ROUTE, lambda route: (checked.append(route.request.url), REFUSALS[refusal](route)))
    shown = page.locator("#messages .bubble").all_inner_texts()
    page.reload()
    page.wait_for_timeout(2000)
    assert checked
    assert page.locator("#messages .bubble").all_inner_texts() == shown
    expect(page.get_by_role("alert")).to_have_count(0)
    assert TOO_MANY_MESSAGES_TEXT not in "\n".join(shown)
