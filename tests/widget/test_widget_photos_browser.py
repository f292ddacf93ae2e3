"""The chat page's 发照片 and 发送我的位置 in Debian's headless Chromium, against the running bot: a photo picked in
the file input is uploaded, stored without EXIF and served at its link, and its message goes to the bot as the
resident's turn ("[照片]" in the chat); the position goes only after the resident agrees in the page and the
browser allows it, and a refusal leaves the form to go on in words.

What is checked is what reaches the server (the message sent, the photo stored and served), not the bot's answer."""
import json
import re
from typing import List

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page, expect

from bot.photos import texts
from bot.photos.payloads import photo_refused
from tests.photos import pictures
from tests.widget.conftest import PHONE
from tests.widget.test_widget_browser import BOT_REPLIES, USER_MESSAGES, bot_count, replies_after, send

pytestmark = pytest.mark.stack

ATTACHED = re.compile(r'/attach_photo\{"photo_token": "([A-Za-z0-9_-]{32})"\}')
WHERE = {"latitude": 30.2801, "longitude": 120.3512}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DENIED_TEXT = "没有获得位置权限，可以直接输入地点"


@pytest.fixture
def open_page(browser, widget_url):
    """A page of the chat in a fresh browser profile with `context_options` (phone size by default)."""
    contexts = []

    def opened(**context_options) -> Page:
        context = browser.new_context(locale="zh-CN", **(context_options or PHONE))
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(widget_url)
        expect(page.locator(BOT_REPLIES)).to_have_count(1)
        return page

    yield opened
    for context in contexts:
        context.close()


def sending(page: Page):
    """The next message the page sends the bot (`.value` once the block ends)."""
    return page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/webhooks/widget/webhook"))


def message_of(request) -> str:
    return json.loads(request.value.post_data)["message"]


def uploads(page: Page) -> List[str]:
    seen: List[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.url.endswith("/widget/photo") else None)
    return seen


def pick(page: Page, name: str, mime_type: str, data: bytes) -> None:
    page.locator("#photo-input").set_input_files(files=[{"name": name, "mimeType": mime_type, "buffer": data}])


def test_a_photo_from_the_file_picker_is_stored_without_exif_and_sent_as_the_residents_turn(
        open_page, stack, artifacts):
    page = open_page(**DESKTOP)
    expect(page.locator("#photo-input")).not_to_have_attribute("capture", "environment")  # a computer: the picker
    with sending(page) as request:
        pick(page, "路灯.jpg", "image/jpeg", pictures.jpeg_with_gps(size=(1200, 900)))
    token = ATTACHED.fullmatch(message_of(request)).group(1)

    expect(page.locator(USER_MESSAGES).last).to_have_text("[照片]")
    thumbnail = page.locator("#messages .msg-user .photo-thumb").last
    expect(thumbnail).to_have_attribute("alt", "我发送的照片")
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") == 1200
    expect(page.locator("#messages .typing")).to_have_count(0, timeout=30_000)
    page.screenshot(path=str(artifacts / "widget-photo-sent.png"))

    stored = stack.data_dir / "photos" / f"{token}.jpg"
    assert stored.exists() and b"Exif" not in stored.read_bytes()
    served = requests.get(f"{stack.rasa_url}/photos/{token}.jpg", timeout=10)
    assert served.status_code == 200 and served.content == stored.read_bytes()
    with Image.open(stored) as image:
        assert image.size == (1200, 900) and not image.getexif()
    history = json.loads(page.evaluate("localStorage.getItem('qianjin-widget-history')"))
    assert [entry["text"] for entry in history if entry["role"] == "user"] == ["[照片]"]


@pytest.mark.parametrize("name, mime_type, data, reason", [
    ("报告.jpg", "image/jpeg", pictures.text_renamed_jpg(), texts.NOT_AN_IMAGE),
    ("半张.jpg", "image/jpeg", pictures.truncated_jpeg(), texts.DAMAGED),
], ids=["text-renamed-jpg", "truncated"])
def test_a_file_the_server_refuses_is_sent_as_its_refusal(open_page, name, mime_type, data, reason):
    page = open_page()
    with sending(page) as request:
        pick(page, name, mime_type, data)
    assert message_of(request) == photo_refused(reason)
    expect(page.locator(USER_MESSAGES).last).to_have_text("[照片]")


def test_a_photo_over_10_mb_is_not_uploaded_and_its_refusal_is_sent(open_page):
    page = open_page()
    uploaded = uploads(page)
    with sending(page) as request:
        pick(page, "大图.png", "image/png", pictures.twelve_megabytes())
    assert message_of(request) == photo_refused(texts.TOO_LARGE)
    assert uploaded == []


def test_on_a_phone_the_photo_button_opens_the_camera(open_page, artifacts):
    page = open_page()
    expect(page.locator("#photo-input")).to_have_attribute("capture", "environment")
    expect(page.locator("#photo-input")).to_have_attribute("accept", "image/jpeg,image/png,image/webp")
    expect(page.get_by_role("button", name="发照片")).to_be_visible()
    expect(page.get_by_role("button", name="发送我的位置")).to_be_visible()
    page.screenshot(path=str(artifacts / "widget-photo-location-buttons.png"))


def test_the_position_is_sent_after_the_resident_agrees_and_the_browser_allows_it(open_page, artifacts):
    page = open_page(**PHONE, geolocation=WHERE, permissions=["geolocation"])
    page.get_by_role("button", name="发送我的位置").click()
    dialog = page.get_by_role("dialog", name="发送您的位置？")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("交给街道工作人员")
    page.screenshot(path=str(artifacts / "widget-location-consent.png"))
    with sending(page) as request:
        dialog.get_by_role("button", name="同意并发送").click()
    sent = message_of(request)
    assert sent.startswith("/share_location")
    assert json.loads(sent.removeprefix("/share_location")) == {**WHERE, "place_label": ""}
    expect(page.locator(USER_MESSAGES).last).to_have_text("[我的位置]")
    expect(page.locator("#messages .typing")).to_have_count(0, timeout=30_000)
    page.screenshot(path=str(artifacts / "widget-location-sent.png"))


def test_nothing_is_sent_when_the_resident_does_not_agree(open_page):
    page = open_page(**PHONE, geolocation=WHERE, permissions=["geolocation"])
    page.get_by_role("button", name="发送我的位置").click()
    page.get_by_role("dialog").get_by_role("button", name="不发送").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator(USER_MESSAGES)).to_have_count(0)
    expect(page.get_by_role("button", name="发送我的位置")).to_be_focused()


def test_a_denied_permission_is_said_politely_and_the_form_goes_on_in_words(open_page, artifacts):
    page = open_page(**PHONE, geolocation=WHERE)  # the browser's permission is not given
    page.get_by_role("button", name="发送我的位置").click()
    page.get_by_role("dialog").get_by_role("button", name="同意并发送").click()
    expect(page.locator(BOT_REPLIES).last).to_contain_text(DENIED_TEXT)
    expect(page.locator(USER_MESSAGES)).to_have_count(0)
    page.screenshot(path=str(artifacts / "widget-location-denied.png"))

    before = bot_count(page)
    send(page, "前进街道前悦社区3幢门口的路灯坏了")
    assert replies_after(page, before)


def test_the_chat_framed_on_the_streets_website_may_send_the_position(browser, street_site):
    context = browser.new_context(locale="zh-CN", **PHONE, geolocation=WHERE)
    context.grant_permissions(["geolocation"])
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(street_site.url)
        page.locator("#qianjin-widget-button").click()
        expect(page.locator("iframe[title='前进小助手']")).to_have_attribute("allow", "geolocation")
        chat = page.frame_locator("iframe[title='前进小助手']")
        chat.get_by_role("button", name="发送我的位置").click()
        with sending(page) as request:
            chat.get_by_role("dialog").get_by_role("button", name="同意并发送").click()
        assert json.loads(message_of(request).removeprefix("/share_location")) == {**WHERE, "place_label": ""}
        expect(chat.locator(USER_MESSAGES).last).to_have_text("[我的位置]")
    finally:
        context.close()


def test_during_a_report_the_bot_takes_the_shared_position_and_the_photo(open_page, artifacts):
    page = open_page(**PHONE, geolocation=WHERE, permissions=["geolocation"])
    for words, expected in (("小区里有人乱停车堵住消防通道", "交通停车"), ("对", "问题在什么地方")):
        before = bot_count(page)
        send(page, words)
        assert expected in replies_after(page, before), words

    before = bot_count(page)
    page.get_by_role("button", name="发送我的位置").click()
    page.get_by_role("dialog").get_by_role("button", name="同意并发送").click()
    assert "位置收到了" in replies_after(page, before)

    before = bot_count(page)
    pick(page, "路灯.jpg", "image/jpeg", pictures.jpeg_with_gps())
    assert "照片收到了（第1张）" in replies_after(page, before)
    page.screenshot(path=str(artifacts / "widget-report-photo-location.png"))
