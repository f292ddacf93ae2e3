"""The widget channel over plain HTTP: the page, its files, the ids it issues and what the message endpoint
accepts."""
import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests

from bot import senders
from bot.benchmarks.stack import WIDGET_CONVERSATION_PATH, WIDGET_PATH
from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from bot.rasa.channels.widget import REFUSED_SENDER_TEXT
from tests.reporting.test_report_stack import stored_conversation

pytestmark = pytest.mark.stack

# How the conversation store keeps a message the resident sent (one event per message).
USER_TURN = '"event": "user"'


def webhook(stack) -> str:
    return f"{stack.rasa_url}{WIDGET_PATH}"


def conversation_of(widget_id: str) -> str:
    """The conversation the server files a widget id's messages under."""
    return senders.widget_conversation(widget_id.split(".")[0])


def raw_get(stack, path: str) -> http.client.HTTPResponse:
    """GET exactly `path`: requests would resolve `..` before sending."""
    address = urlsplit(stack.rasa_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", path)
    reply = connection.getresponse()
    reply.body = reply.read()
    connection.close()
    return reply


def test_page_is_the_chinese_chat(stack):
    reply = requests.get(f"{stack.rasa_url}/webhooks/widget/", timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<title>前进小助手</title>" in reply.text
    assert 'lang="zh-CN"' in reply.text


def test_page_without_trailing_slash_redirects_to_the_folder(stack):
    reply = requests.get(f"{stack.rasa_url}/webhooks/widget", timeout=10)
    assert reply.status_code == 200
    assert reply.url == f"{stack.rasa_url}/webhooks/widget/"
    assert "<title>前进小助手</title>" in reply.text


def test_page_may_be_framed_only_by_allowed_sites(stack):
    policy = requests.get(f"{stack.rasa_url}/webhooks/widget/", timeout=10).headers["Content-Security-Policy"]
    ancestors = next(p for p in policy.split(";") if p.strip().startswith("frame-ancestors")).split()[1:]
    allowed = [o for o in stack.env["CORS_ORIGINS"].split(",") if o]
    assert ancestors == ["'self'", *allowed]
    assert "script-src 'self'" in policy


@pytest.mark.parametrize("path", ["/webhooks/widget/embed.js", "/webhooks/widget/static/embed.js"])
def test_embed_script_knows_where_the_page_may_be_framed(stack, path):
    script = requests.get(stack.rasa_url + path, timeout=10).text
    allowed = [o for o in stack.env["CORS_ORIGINS"].split(",") if o]
    assert f"var ALLOWED_ORIGINS = {json.dumps(allowed)};" in script


def test_the_page_script_knows_how_long_to_keep_the_history(stack):
    script = requests.get(f"{stack.rasa_url}/webhooks/widget/static/widget.js", timeout=10).text
    days = int(stack.env.get("RETENTION_WIDGET_HISTORY_DAYS") or 30)
    assert f"var HISTORY_DAYS = {days};" in script and "var HISTORY_DAYS = null;" not in script


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/webhooks/widget/static/widget.js", "text/javascript"),
        ("/webhooks/widget/static/widget.css", "text/css"),
        ("/webhooks/widget/embed.js", "text/javascript"),
    ],
)
def test_assets_are_served_with_their_types(stack, path, content_type):
    reply = requests.get(stack.rasa_url + path, timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith(content_type)
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/widget/static/../widget.py",
        "/webhooks/widget/static/..%2Fwidget.py",
        "/webhooks/widget/static/%2e%2e%2fwidget.py",
        "/webhooks/widget/static/..%2F..%2F..%2Fcredentials.yml",
        "/webhooks/widget/static/%2Fetc%2Fpasswd",
        "/webhooks/widget/static/..%5C..%5Cwidget.py",
        "/webhooks/widget/static/",
        "/webhooks/widget/static/missing.js",
        "/webhooks/widget/static/.",
    ],
)
def test_static_paths_cannot_leave_the_widget_folder(stack, path):
    reply = raw_get(stack, path)
    assert reply.status == 404
    assert b"import" not in reply.body and b"root:" not in reply.body and b"Input" not in reply.body


def test_the_server_issues_a_new_signed_id_for_each_conversation(stack):
    replies = [requests.post(stack.rasa_url + WIDGET_CONVERSATION_PATH, timeout=10) for _ in range(2)]
    assert [reply.status_code for reply in replies] == [200, 200]
    assert all(reply.headers["Cache-Control"] == "no-store" for reply in replies)
    first, second = (reply.json()["sender"] for reply in replies)
    assert first != second and "." in first


def test_a_signed_id_is_answered_and_its_conversation_is_widget_and_its_random_part(stack):
    sender = stack.widget_sender()
    reply = requests.post(webhook(stack), json={"sender": sender, "message": "你好"}, timeout=30)
    assert reply.status_code == 200
    messages = reply.json()
    assert isinstance(messages, list) and messages
    assert "前进小助手" in "".join(m.get("text", "") for m in messages)
    assert USER_TURN in stored_conversation(stack, conversation_of(sender))
    assert stored_conversation(stack, sender) == ""


def refused(stack, sender: str) -> None:
    reply = requests.post(webhook(stack), json={"sender": sender, "message": "你好"}, timeout=30)
    assert reply.status_code == 403, (sender, reply.status_code, reply.text[:200])
    assert reply.json()["message"] == REFUSED_SENDER_TEXT


@pytest.mark.parametrize("sender", [
    "oABCDEFGHIJKLMNOPQRSTUVWXYZ0",  # the shape of a WeChat openid
    "wechat:oABCDEFGHIJKLMNOPQRSTUVWXYZ0",
    "a1b2c3d4-e5f6-4789-8abc-def012345678",  # what the page made itself before ids were signed
    "short",
    "x" * 65,
    "../../etc/passwd",
    "有中文的发送者编号",
], ids=["openid", "wechat-conversation", "old-page-uuid", "short", "long", "path", "chinese"])
def test_an_id_the_server_did_not_issue_is_refused(stack, sender):
    refused(stack, sender)


def test_a_signed_id_with_one_character_changed_is_refused_and_speaks_nowhere(stack):
    sender = stack.widget_sender()
    random_part, signature = sender.split(".")
    flip = {"A": "B"}.get(signature[5], "A")
    for changed in (f"{random_part}.{signature[:5]}{flip}{signature[6:]}",
                    f"{'B' if random_part[0] == 'A' else 'A'}{random_part[1:]}.{signature}",
                    random_part, conversation_of(sender)):
        refused(stack, changed)
    assert stored_conversation(stack, conversation_of(sender)) == ""


def test_a_conversation_is_reached_only_through_its_own_signed_id(stack):
    """A REST client that learns a widget conversation's name (from a log, say) cannot speak in it."""
    sender = stack.widget_sender()
    stack.say(sender, "你好", path=WIDGET_PATH)
    reply = requests.post(stack.webhook_url, json={"sender": conversation_of(sender), "message": "我的工单"}, timeout=30)
    assert reply.status_code == 403
    assert stored_conversation(stack, conversation_of(sender)).count(USER_TURN) == 1


def test_capabilities_payload_brings_quick_replies(stack):
    messages = stack.say(stack.widget_sender(), "/ask_capabilities", path=WIDGET_PATH)
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "90岁以上老人免费午餐" in titles


def test_oversize_message_gets_a_polite_reply_and_the_chat_goes_on(stack):
    sender = stack.widget_sender()
    reply = requests.post(webhook(stack), json={"sender": sender, "message": "路" * 2500}, timeout=30)
    assert reply.status_code == 200
    too_long = TOO_LONG_TEXT.format(length=2500, limit=MAX_MESSAGE_CHARS)
    assert reply.json() == [{"recipient_id": conversation_of(sender), "text": too_long}]
    follow_up = requests.post(webhook(stack), json={"sender": sender, "message": "你好"}, timeout=30).json()
    assert "前进小助手" in "".join(m.get("text", "") for m in follow_up)


def test_a_huge_message_is_refused_unread_with_a_polite_explanation(stack):
    body = json.dumps({"sender": stack.widget_sender(), "message": "路" * 200_000})
    reply = requests.post(
        webhook(stack), data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert reply.status_code == 413
    assert "2000字以内" in reply.text


@pytest.mark.parametrize(
    "body",
    [
        {"sender": 12345678, "message": "你好"},
        {"message": "你好"},
        {"sender": "", "message": "你好"},
        {"sender": "signed-id-is-filled-in", "message": ["你好"]},
        ["你好"],
    ],
)
def test_malformed_requests_get_a_chinese_400(stack, body):
    if isinstance(body, dict) and body.get("sender") == "signed-id-is-filled-in":
        body = {**body, "sender": stack.widget_sender()}
    reply = requests.post(webhook(stack), json=body, timeout=30)
    assert reply.status_code == 400
    assert "不正确" in reply.json()["message"]


def test_body_that_is_not_json_gets_a_400(stack):
    reply = requests.post(webhook(stack), data="你好", headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 400


def test_disallowed_origin_gets_no_cors_header(stack):
    origin = "http://evil.example"
    reply = requests.post(
        webhook(stack), json={"sender": stack.widget_sender(), "message": "你好"}, headers={"Origin": origin},
        timeout=30,
    )
    assert "Access-Control-Allow-Origin" not in reply.headers
    preflight = requests.options(
        webhook(stack),
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_allowed_origin_gets_its_cors_header(stack):
    origin = f"http://127.0.0.1:{stack.env['WIDGET_TEST_ORIGIN_PORT']}"
    preflight = requests.options(
        webhook(stack),
        headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
        timeout=10,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    reply = requests.post(
        webhook(stack), json={"sender": stack.widget_sender(), "message": "你好"}, headers={"Origin": origin},
        timeout=30,
    )
    assert reply.headers["Access-Control-Allow-Origin"] == origin
