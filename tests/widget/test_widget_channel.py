"""The widget channel over plain HTTP: the page, its files, and what the message endpoint accepts."""
import http.client
import json
from urllib.parse import urlsplit

import pytest
import requests

from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from tests.conftest import new_sender

pytestmark = pytest.mark.stack


def webhook(stack) -> str:
    return f"{stack.rasa_url}/webhooks/widget/webhook"


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


def test_webhook_answers_like_the_rest_channel(stack):
    reply = requests.post(webhook(stack), json={"sender": new_sender(), "message": "你好"}, timeout=30)
    assert reply.status_code == 200
    messages = reply.json()
    assert isinstance(messages, list) and messages
    assert "前进小助手" in "".join(m.get("text", "") for m in messages)


def test_capabilities_payload_brings_quick_replies(stack):
    messages = requests.post(
        webhook(stack), json={"sender": new_sender(), "message": "/ask_capabilities"}, timeout=30
    ).json()
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert "90岁以上老人免费午餐" in titles


def test_oversize_message_gets_a_polite_reply_and_the_chat_goes_on(stack):
    sender = new_sender()
    reply = requests.post(webhook(stack), json={"sender": sender, "message": "路" * 4000}, timeout=30)
    assert reply.status_code == 200
    too_long = TOO_LONG_TEXT.format(length=4000, limit=MAX_MESSAGE_CHARS)
    assert reply.json() == [{"recipient_id": sender, "text": too_long}]
    follow_up = requests.post(webhook(stack), json={"sender": sender, "message": "你好"}, timeout=30).json()
    assert "前进小助手" in "".join(m.get("text", "") for m in follow_up)


def test_huge_message_gets_the_same_polite_reply(stack):
    body = json.dumps({"sender": new_sender(), "message": "路" * 200_000})
    reply = requests.post(
        webhook(stack), data=body.encode(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert reply.status_code == 200
    assert "超过了" in reply.json()[0]["text"]


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "short", "message": "你好"},
        {"sender": "x" * 65, "message": "你好"},
        {"sender": "../../etc/passwd", "message": "你好"},
        {"sender": "有中文的发送者编号", "message": "你好"},
        {"sender": 12345678, "message": "你好"},
        {"message": "你好"},
        {"sender": "abcdef12-3456", "message": ["你好"]},
        ["你好"],
    ],
)
def test_malformed_requests_get_a_chinese_400(stack, body):
    reply = requests.post(webhook(stack), json=body, timeout=30)
    assert reply.status_code == 400
    assert "不正确" in reply.json()["message"]


def test_body_that_is_not_json_gets_a_400(stack):
    reply = requests.post(webhook(stack), data="你好", headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 400


def test_disallowed_origin_gets_no_cors_header(stack):
    origin = "http://evil.example"
    reply = requests.post(
        webhook(stack), json={"sender": new_sender(), "message": "你好"}, headers={"Origin": origin}, timeout=30
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
        webhook(stack), json={"sender": new_sender(), "message": "你好"}, headers={"Origin": origin}, timeout=30
    )
    assert reply.headers["Access-Control-Allow-Origin"] == origin
