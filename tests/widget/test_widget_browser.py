"""The chat page in Debian's headless Chromium at phone size (375×667), against the running bot."""
import json
import re
from typing import List

import pytest
from playwright.sync_api import Page, expect

from bot import senders
from bot.knowledge.loader import load_knowledge
from tests.conftest import PROJECT_ROOT
from tests.reporting.test_report_stack import stored_conversation
from tests.widget.conftest import PHONE

pytestmark = pytest.mark.stack

# How the conversation store keeps a message the resident sent (one event per message).
USER_TURN = '"event": "user"'

WELCOME = "您好！我是前进小助手"
HISTORY_KEY = "qianjin-widget-history"
SENDER_KEY = "qianjin-widget-sender"
BOT_MESSAGES = "#messages .msg-bot:not(.typing):not(.msg-error)"
BOT_REPLIES = f"{BOT_MESSAGES} .bubble"
USER_MESSAGES = "#messages .msg-user .bubble"
WEBHOOK_ROUTE = "**/webhooks/widget/webhook"
REPLY_TIMEOUT_MS = 30_000
def test_a_paste_too_large_to_read_is_explained_not_shown_as_unreachable(phone, widget_url):
    page = phone
    page.goto(widget_url)
    expect(page.locator(BOT_REPLIES)).to_have_count(1)
    before = bot_count(page)
    send(page, "路灯坏了" * 2000)
    assert "2000字以内" in replies_after(page, before)
    expect(page.get_by_role("button", name="重试")).to_have_count(0)


SIGNED_ID = re.compile(r"[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def send(page: Page, text: str) -> None:
    box = page.get_by_label("输入您的问题")
    box.fill(text)
    box.press("Enter")


def replies_after(page: Page, count: int) -> str:
    """Wait until the bot has answered (a reply beyond the first `count`, no typing indicator); return the new text.

    The page adds all replies of a turn at once, as it removes the typing indicator.
    """
    expect(page.locator(BOT_REPLIES).nth(count)).to_be_attached(timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#messages .typing")).to_have_count(0)
    return "\n".join(page.locator(BOT_REPLIES).all_inner_texts()[count:])


def bot_count(page: Page) -> int:
    return page.locator(BOT_REPLIES).count()


def font_size(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")


def test_resident_asks_by_quick_replies_and_by_typing_and_history_survives_reload(phone, widget_url, artifacts):
    page = phone
    page.goto(widget_url)
    expect(page).to_have_title("前进小助手")
    expect(page.locator(BOT_REPLIES)).to_have_count(1)
    expect(page.locator(BOT_REPLIES).first).to_contain_text(WELCOME)
    expect(page.locator(USER_MESSAGES)).to_have_count(0)

    before = bot_count(page)
    page.get_by_role("button", name="我能问什么", exact=True).click()
    expect(page.locator(USER_MESSAGES).last).to_have_text("我能问什么")
    assert "我可以帮您" in replies_after(page, before)

    lunch = load_knowledge(PROJECT_ROOT / "knowledge")["elderly_lunch"]
    before = bot_count(page)
    page.get_by_role("button", name="90岁以上老人免费午餐", exact=True).click()
    expect(page.locator(USER_MESSAGES).last).to_have_text("90岁以上老人免费午餐")
    assert lunch.key_fact in replies_after(page, before)

    before = bot_count(page)
    send(page, "你好")
    expect(page.locator(USER_MESSAGES).last).to_have_text("你好")
    assert "前进小助手" in replies_after(page, before)
    expect(page.get_by_label("输入您的问题")).to_have_value("")
    page.screenshot(path=str(artifacts / "widget-phone.png"))

    shown = page.locator("#messages .bubble").all_inner_texts()
    sender = page.evaluate(f"localStorage.getItem('{SENDER_KEY}')")
    page.reload()
    expect(page.locator("#messages .bubble")).to_have_text(shown)
    assert page.evaluate(f"localStorage.getItem('{SENDER_KEY}')") == sender
    page.screenshot(path=str(artifacts / "widget-phone-reloaded.png"))


def test_a_report_typed_from_start_to_end_shows_every_message_of_every_turn(phone, widget_url, artifacts):
    """Typed, not tapped: each refusal comes with the question again, and a turn of two messages shows both; the
    widget can send photos, so one is asked for after the place."""
    page = phone
    page.goto(widget_url)
    expect(page.locator(BOT_REPLIES)).to_have_count(1)
    turns = [
        ("小区里有人乱停车堵住消防通道", ["好的，我来帮您登记", "看起来属于「交通停车」"]),
        ("对", ["问题在什么地方"]),
        ("提交吧", ["“提交吧”不像是地点", "问题在什么地方"]),
        ("交通", ["「交通停车」是问题的类别", "回复“取消”就不报了"]),
        ("前新社区西门口", ["拍一张现场照片", "没有照片请回复“没有照片”"]),
        ("没拍", ["留电话是为了", "不想留可以回复“不留”"]),
        ("不留", ["类别：交通停车", "地点：前新社区西门口"]),
        ("地点错了，是前新社区西门", ["地点改成了「前新社区西门」", "地点：前新社区西门\n"]),
        ("提交吧", ["工单号", "地点：前新社区西门"]),
    ]
    for text, expected in turns:
        before = bot_count(page)
        send(page, text)
        said = replies_after(page, before)
        for fragment in expected:
            assert fragment in said, (text, said)
    page.screenshot(path=str(artifacts / "widget-report-typed.png"), full_page=True)


def test_page_fits_a_phone_and_text_is_large_enough(phone, widget_url):
    page = phone
    page.goto(widget_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    composer = page.locator("#composer").bounding_box()
    assert composer["y"] + composer["height"] <= 667
    for selector in ("#messages .bubble", "#input", "#send", ".quick-reply", "#large-text", "#clear-history"):
        assert font_size(page, selector) >= 16, selector
    expect(page.locator("#messages")).to_have_attribute("aria-live", "polite")


def test_large_text_mode_is_remembered(phone, widget_url, artifacts):
    page = phone
    page.goto(widget_url)
    toggle = page.get_by_role("button", name="大字模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = font_size(page, "#messages .bubble")

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    for selector in ("#messages .bubble", "#input", "#send", ".quick-reply"):
        assert font_size(page, selector) >= 22, selector
    assert font_size(page, "#messages .bubble") > normal
    page.screenshot(path=str(artifacts / "widget-large-text.png"))

    page.reload()
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    assert font_size(page, "#messages .bubble") >= 22

    page.get_by_role("button", name="大字模式").click()
    assert font_size(page, "#messages .bubble") == normal


SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}
# A real answer of a few hundred characters: it fits a 360×640 screen in normal text, not in 大字模式.
REAL_QUESTION = "四治协同"
LONG_TURN_CHARS = 600


def long_turn() -> List[dict]:
    """A turn longer than a small phone's screen in any text size: the longest answers as one, then a question."""
    answers = sorted((entry.answer for entry in load_knowledge(PROJECT_ROOT / "knowledge")), key=len, reverse=True)
    text = ""
    for answer in answers:
        text = f"{text}{answer}\n"
        if len(text) > LONG_TURN_CHARS:
            break
    return [
        {"recipient_id": "x", "text": f"{text}（来源：前进街道2023年工作回顾与2024年工作思路）"},
        {"recipient_id": "x", "text": "还想了解什么？", "buttons": [{"title": "云治前进平台", "payload": "云治前进平台"}]},
    ]


def top_in_view(page: Page, selector: str) -> float:
    """How far below the top of the visible conversation the element starts (negative: scrolled out above)."""
    view = page.locator("#messages").bounding_box()
    return page.locator(selector).bounding_box()["y"] - view["y"]


def bottom_in_view(page: Page, selector: str) -> float:
    """How far above the bottom of the visible conversation the element ends (negative: hidden below)."""
    view = page.locator("#messages").bounding_box()
    box = page.locator(selector).bounding_box()
    return view["y"] + view["height"] - (box["y"] + box["height"])


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
def test_an_answer_opens_at_its_beginning(browser, widget_url, artifacts, large):
    context = browser.new_context(locale="zh-CN", **SMALL_PHONE)
    context.set_default_timeout(30_000)
    mode = "large" if large else "normal"
    try:
        page = context.new_page()
        page.goto(widget_url)
        if large:
            page.get_by_role("button", name="大字模式").click()
        view_height = page.locator("#messages").bounding_box()["height"]

        before = bot_count(page)
        send(page, REAL_QUESTION)
        replies_after(page, before)
        first_new = f"{BOT_MESSAGES} >> nth={before}"
        if page.locator(first_new).bounding_box()["height"] > view_height:
            assert 0 <= top_in_view(page, first_new) <= 30, "the answer's first line is hidden above"
        else:
            assert top_in_view(page, first_new) >= 0 and bottom_in_view(page, first_new) >= 0, "not shown whole"
        page.screenshot(path=str(artifacts / f"widget-answer-{mode}.png"))

        held = []
        page.route(WEBHOOK_ROUTE, lambda route: held.append(route))
        before = bot_count(page)
        send(page, "前进街道今年有哪些工作？")
        expect(page.locator("#messages .typing")).to_be_visible()
        own = f"{USER_MESSAGES} >> nth=-1"
        assert top_in_view(page, own) >= 0 and bottom_in_view(page, own) >= 0, "the resident's message is not in view"
        while not held:
            page.wait_for_timeout(50)
        held[0].fulfill(json=long_turn())
        replies_after(page, before)
        first_new = f"{BOT_MESSAGES} >> nth={before}"
        assert page.locator(first_new).bounding_box()["height"] > view_height
        assert 0 <= top_in_view(page, first_new) <= 30, "the long answer's first line is hidden above"
        page.screenshot(path=str(artifacts / f"widget-long-answer-{mode}.png"))

        # Switching the text size while reading keeps the resident's place.
        page.get_by_role("button", name="大字模式").click()
        assert 0 <= top_in_view(page, first_new) <= 30, "the text size change lost the reading place"
    finally:
        context.close()


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.textContent")


def test_only_the_latest_quick_replies_can_be_reached_with_tab(phone, widget_url, artifacts):
    page = phone
    page.goto(widget_url)
    before = bot_count(page)
    page.get_by_role("button", name="我能问什么", exact=True).click()
    replies_after(page, before)

    for attempt in ("after the answer", "after a reload"):
        old = page.locator(f"{BOT_MESSAGES} >> nth=0").locator(".quick-reply")
        latest = page.locator(f"{BOT_MESSAGES} >> nth=-1").locator(".quick-reply")
        titles = latest.all_inner_texts()
        assert titles, attempt
        expect(old).to_have_text(["我能问什么"])
        expect(old).to_be_disabled()
        expect(old).to_have_attribute("aria-disabled", "true")
        expect(old).to_have_attribute("tabindex", "-1")
        for button in latest.all():
            expect(button).to_be_enabled()
            expect(button).not_to_have_attribute("aria-disabled", "true")
        assert old.evaluate("e => getComputedStyle(e).color") != latest.first.evaluate(
            "e => getComputedStyle(e).color"
        ), "an old button should look different"

        page.get_by_label("输入您的问题").focus()
        page.keyboard.press("Tab")
        assert focused(page) == "send", attempt
        page.get_by_label("输入您的问题").focus()
        backwards = []
        for _ in range(len(titles) + 1):
            page.keyboard.press("Shift+Tab")
            backwards.append(focused(page))
        assert backwards == [*reversed(titles), "messages"], attempt
        page.keyboard.press("Tab")
        assert focused(page) == titles[0], attempt
        if attempt == "after the answer":
            page.screenshot(path=str(artifacts / "widget-old-quick-replies.png"))
            page.reload()


FAILURES = {
    "network error": lambda route: route.abort("connectionrefused"),
    "server error": lambda route: route.fulfill(status=502, body="Bad Gateway"),
    "no answer in 15 s": lambda route: None,
}


@pytest.mark.parametrize("failure", FAILURES)
def test_unreachable_bot_says_so_and_retry_resends(phone, widget_url, artifacts, failure):
    page = phone
    page.goto(widget_url)
    page.route(WEBHOOK_ROUTE, FAILURES[failure])
    send(page, "你好")
    if failure == "no answer in 15 s":
        expect(page.locator("#messages .typing")).to_contain_text("小助手正在输入")
        expect(page.get_by_role("button", name="发送", exact=True)).to_be_disabled()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("暂时连不上小助手", timeout=25_000)
    expect(page.locator("#messages .typing")).to_have_count(0)
    if failure == "network error":
        page.screenshot(path=str(artifacts / "widget-unreachable.png"))

    page.unroute(WEBHOOK_ROUTE)
    before = bot_count(page)
    alert.get_by_role("button", name="重试").click()
    assert "前进小助手" in replies_after(page, before)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(USER_MESSAGES)).to_have_text(["你好"])


def test_text_is_shown_as_text_and_addresses_become_links(phone, widget_url):
    page = phone
    page.goto(widget_url)
    stored = [
        {"role": "bot", "text": "详情见 https://www.example.gov.cn/notice?id=1。<script>window.pwned = 1</script>"},
        {"role": "user", "text": "<b>粗体</b>"},
    ]
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [HISTORY_KEY, json.dumps(stored)])
    page.reload()
    link = page.locator("#messages a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://www.example.gov.cn/notice?id=1")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(BOT_REPLIES).nth(1)).to_have_text(stored[0]["text"])

    hostile = '<img src=x onerror="window.pwned = 1">你好'
    before = bot_count(page)
    send(page, hostile)
    replies_after(page, before)
    expect(page.locator(USER_MESSAGES)).to_have_text(["<b>粗体</b>", hostile])
    expect(page.locator("#messages img, #messages b, #messages script")).to_have_count(0)
    assert page.evaluate("window.pwned") is None


def test_embed_script_opens_the_chat_on_the_streets_website(browser, street_site, stack, artifacts):
    for name, device in (("phone", PHONE), ("desktop", {"viewport": {"width": 1280, "height": 800}})):
        context = browser.new_context(locale="zh-CN", **device)
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            page.goto(street_site.url)
            launcher = page.locator("#qianjin-widget-button")
            expect(launcher).to_have_text("前进小助手")
            expect(launcher).to_have_attribute("aria-expanded", "false")
            launcher.click()
            expect(launcher).to_have_attribute("aria-expanded", "true")
            frame = page.locator("iframe[title='前进小助手']")
            expect(frame).to_be_visible()
            if name == "phone":
                box = frame.bounding_box()
                assert box["width"] == 375 and box["height"] >= 600
                expect(launcher).to_be_hidden()

            chat = page.frame_locator("iframe[title='前进小助手']")
            expect(chat.locator(BOT_REPLIES).first).to_contain_text(WELCOME)
            chat.get_by_role("button", name="我能问什么", exact=True).click()
            expect(chat.locator(BOT_REPLIES)).to_have_count(2, timeout=REPLY_TIMEOUT_MS)
            expect(chat.locator(BOT_REPLIES).last).to_contain_text("我可以帮您")
            page.screenshot(path=str(artifacts / f"widget-embed-{name}.png"))

            page.get_by_role("button", name="关闭").click()
            expect(frame).to_be_hidden()
            expect(launcher).to_be_visible()
            expect(launcher).to_have_attribute("aria-expanded", "false")
        finally:
            context.close()


FETCH_FROM_PAGE = """async (url) => {
  try {
    const issued = await fetch(url.replace(/webhook$/, "conversation"), {method: "POST"});
    const sender = (await issued.json()).sender;
    const reply = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({sender: sender, message: "你好"})});
    return (await reply.json()).map(m => m.text).join("");
  } catch (error) {
    return error.name;
  }
}"""


def test_allowed_website_may_call_the_webhook(phone, street_site, stack):
    phone.goto(street_site.url)
    assert "前进小助手" in phone.evaluate(FETCH_FROM_PAGE, f"{stack.rasa_url}/webhooks/widget/webhook")


def test_other_websites_can_neither_call_nor_frame_the_bot(phone, stranger_site, stack):
    page = phone
    page.goto(stranger_site.url)
    assert page.evaluate(FETCH_FROM_PAGE, f"{stack.rasa_url}/webhooks/widget/webhook") == "TypeError"

    # A frame made by hand (not by embed.js, which does not try there) is refused by the page's own policy.
    refused = "frame-ancestors"
    with page.expect_console_message(lambda message: refused in message.text):
        page.evaluate(
            """(url) => {
              const frame = document.createElement("iframe");
              frame.title = "手工框架";
              frame.src = url;
              document.body.appendChild(frame);
            }""",
            f"{stack.rasa_url}/webhooks/widget/",
        )
    frame = page.locator("iframe[title='手工框架']").element_handle().content_frame()
    assert not frame.url.startswith(stack.rasa_url)


NOT_OPEN = "本网站暂未开通前进小助手"


def test_embed_on_a_website_not_in_cors_origins_says_so(browser, stranger_site, street_site, artifacts):
    for name, device in (("phone", PHONE), ("desktop", {"viewport": {"width": 1280, "height": 800}})):
        for site, allowed in ((stranger_site, False), (street_site, True)):
            context = browser.new_context(locale="zh-CN", **device)
            context.set_default_timeout(30_000)
            try:
                page = context.new_page()
                warnings = []
                page.on("console", lambda message: message.type == "warning" and warnings.append(message.text))
                page.goto(site.url)
                launcher = page.get_by_role("button", name="前进小助手")
                launcher.click()
                panel = page.get_by_role("dialog", name="前进小助手")
                expect(panel).to_be_visible()
                chat = page.frame_locator("iframe[title='前进小助手']")
                if allowed:
                    expect(chat.locator(BOT_REPLIES).first).to_contain_text(WELCOME)
                    expect(panel).not_to_contain_text(NOT_OPEN)
                    assert not [text for text in warnings if "CORS_ORIGINS" in text]
                    continue
                expect(panel).to_contain_text(NOT_OPEN)
                expect(page.locator("iframe")).to_have_count(0)
                assert [text for text in warnings if site.origin in text and "CORS_ORIGINS" in text], warnings
                page.screenshot(path=str(artifacts / f"widget-embed-not-open-{name}.png"))
                page.get_by_role("button", name="关闭").click()
                expect(panel).to_be_hidden()
                expect(launcher).to_be_visible()
            finally:
                context.close()


def senders_posted(page: Page) -> List[str]:
    """Every sender the page posts to the webhook from now on, in order (filled in as requests leave)."""
    posted: List[str] = []
    page.on("request", lambda request: request.url.endswith("/webhooks/widget/webhook")
            and posted.append(json.loads(request.post_data)["sender"]))
    return posted


def stored_sender(page: Page):
    return page.evaluate(f"localStorage.getItem('{SENDER_KEY}')")


def stored_history(page: Page) -> List[dict]:
    return json.loads(page.evaluate(f"localStorage.getItem('{HISTORY_KEY}')") or "[]")


def test_the_page_chats_with_an_id_the_server_signed(phone, widget_url, stack):
    page = phone
    posted = senders_posted(page)
    page.goto(widget_url)
    before = bot_count(page)
    send(page, "你好")
    assert "前进小助手" in replies_after(page, before)
    sender = stored_sender(page)
    assert SIGNED_ID.fullmatch(sender) and posted == [sender]
    assert USER_TURN in stored_conversation(stack, senders.widget_conversation(sender.split(".")[0]))

    page.reload()
    before = bot_count(page)
    send(page, "你能做什么")
    replies_after(page, before)
    assert posted == [sender, sender] and stored_sender(page) == sender


@pytest.mark.parametrize("old", [
    "a1b2c3d4-e5f6-4789-8abc-def012345678",  # made by the page itself before ids were signed
    f"{'A' * 24}.{'B' * 43}",  # signed, but not by this server (its secret changed, another server's)
], ids=["unsigned", "signed-elsewhere"])
def test_a_page_with_an_old_id_keeps_chatting_under_a_new_one(phone, widget_url, stack, old):
    page = phone
    page.goto(widget_url)
    history = [{"role": "user", "text": "我之前问过"}, {"role": "bot", "text": "之前的回答"}]
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [SENDER_KEY, old])
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [HISTORY_KEY, json.dumps(history)])
    posted = senders_posted(page)
    page.reload()
    before = bot_count(page)
    send(page, "你好")
    assert "前进小助手" in replies_after(page, before)
    expect(page.get_by_role("alert")).to_have_count(0)
    sender = stored_sender(page)
    assert SIGNED_ID.fullmatch(sender) and sender != old
    # An unsigned id is replaced before sending; one the server refuses is sent once, then replaced.
    assert posted == ([sender] if "." not in old else [old, sender])
    expect(page.locator(USER_MESSAGES)).to_have_text(["我之前问过", "你好"])
    assert USER_TURN in stored_conversation(stack, senders.widget_conversation(sender.split(".")[0]))


def test_clearing_the_history_asks_first_then_forgets_it_and_starts_a_new_conversation(phone, widget_url, artifacts):
    page = phone
    posted = senders_posted(page)
    page.goto(widget_url)
    before = bot_count(page)
    send(page, "你好")
    replies_after(page, before)
    first_sender = stored_sender(page)
    assert len(stored_history(page)) >= 2

    # By keyboard: the button opens the question, Escape (or 取消) leaves everything as it was.
    clear = page.get_by_role("button", name="清除聊天记录")
    clear.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="清除聊天记录？")
    expect(dialog).to_be_visible()
    assert focused(page) == "confirm-clear-no"
    page.screenshot(path=str(artifacts / "widget-clear-confirm-phone.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page) == "clear-history"
    clear.click()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(USER_MESSAGES)).to_have_text(["你好"])
    assert stored_sender(page) == first_sender

    clear.click()
    dialog.get_by_role("button", name="清除", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator(USER_MESSAGES)).to_have_count(0)
    expect(page.locator(BOT_REPLIES)).to_have_count(1)
    expect(page.locator(BOT_REPLIES).first).to_contain_text(WELCOME)
    assert stored_history(page) == [] and stored_sender(page) is None
    assert focused(page) == "input"

    page.reload()
    expect(page.locator(BOT_REPLIES)).to_have_count(1)
    expect(page.locator(USER_MESSAGES)).to_have_count(0)
    before = bot_count(page)
    send(page, "你能做什么")
    replies_after(page, before)
    second_sender = stored_sender(page)
    assert SIGNED_ID.fullmatch(second_sender) and second_sender != first_sender
    assert posted == [first_sender, second_sender]


DAY_MS = 24 * 60 * 60 * 1000


def test_turns_older_than_the_retention_are_gone_after_a_reload(phone, widget_url, stack):
    page = phone
    page.goto(widget_url)
    days = int(stack.env.get("RETENTION_WIDGET_HISTORY_DAYS") or 30)
    now = page.evaluate("Date.now()")
    history = [
        {"role": "user", "text": "很久以前的问题", "at": now - (days + 5) * DAY_MS},
        {"role": "bot", "text": "很久以前的回答", "at": now - (days * DAY_MS + 60_000)},
        {"role": "user", "text": "上周的问题", "at": now - 7 * DAY_MS},
        {"role": "bot", "text": "上周的回答", "at": now - 7 * DAY_MS + 1000},
    ]
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [HISTORY_KEY, json.dumps(history)])
    page.reload()
    expect(page.locator(USER_MESSAGES)).to_have_text(["上周的问题"])
    expect(page.locator(BOT_REPLIES)).to_have_count(2)
    expect(page.locator(BOT_REPLIES).last).to_have_text("上周的回答")
    assert [entry["text"] for entry in stored_history(page)] == ["上周的问题", "上周的回答"]

    old = [{"role": "user", "text": "很久以前的问题", "at": now - (days + 1) * DAY_MS}]
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [HISTORY_KEY, json.dumps(old)])
    page.reload()
    expect(page.locator(USER_MESSAGES)).to_have_count(0)
    assert page.evaluate(f"localStorage.getItem('{HISTORY_KEY}')") is None


@pytest.mark.parametrize("device, large", [(PHONE, False), (PHONE, True), (SMALL_PHONE, True), (DESKTOP, False)],
                         ids=["phone", "phone-large-text", "small-phone-large-text", "desktop"])
def test_the_header_buttons_fit_every_screen_and_text_size(browser, widget_url, artifacts, device, large):
    context = browser.new_context(locale="zh-CN", **device)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(widget_url)
        if large:
            page.get_by_role("button", name="大字模式").click()
        width = device["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        title = page.locator(".bar-title").bounding_box()
        for name in ("清除聊天记录", "大字模式"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, name
            assert box["height"] >= 44, name
            apart = (box["x"] >= title["x"] + title["width"] or box["y"] >= title["y"] + title["height"]
                     or box["x"] + box["width"] <= title["x"] or box["y"] + box["height"] <= title["y"])
            assert apart, f"{name} covers the title"
        label = page.get_by_role("button", name="清除聊天记录").evaluate(
            "e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
        assert label, "the label does not fit its button"
        name = "-".join(["widget-header", "desktop" if device is DESKTOP else f"{width}px",
                         *(["large"] if large else [])])
        page.screenshot(path=str(artifacts / f"{name}.png"))
        page.get_by_role("button", name="清除聊天记录").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        box = page.get_by_role("dialog").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        page.screenshot(path=str(artifacts / f"{name}-confirm.png"))
    finally:
        context.close()
