"""Whatever arrives at the chat entry points (REST `/webhooks/rest/webhook`, the web widget's
`/webhooks/widget/webhook`), the answer is a 4xx or a polite reply with text, never a 5xx; and the bot still
answers a normal "你好" afterwards. Real HTTP against the running stack; hypothesis picks the inputs.
"""
import json

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings, strategies as st

from bot.benchmarks.stack import WIDGET_PATH, widget_sender
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

ENDPOINTS = ["rest", "widget"]
GREETING = "前进小助手"
TIMEOUT = 60
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

any_text = (
    st.text()
    | st.text(st.characters(max_codepoint=0x1F) | st.sampled_from("\u200b\u202e\ufeff\ufffd"))
    | st.text(st.characters(blacklist_categories=()), max_size=50)  # lone surrogates too
    | st.from_regex(r"\A/[a-z_]{0,20}(\{.{0,40}\})?\Z")  # intent payloads, as buttons send them
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)


@pytest.fixture(scope="module", params=ENDPOINTS)
def webhook(request, stack) -> str:
    name = request.param
    if requests.get(f"{stack.rasa_url}/webhooks/{name}/", timeout=10).status_code == 404:
        pytest.skip(f"no {name} channel in this stack")
    return f"{stack.rasa_url}/webhooks/{name}/webhook"


@pytest.fixture(autouse=True)
def still_answers(webhook):
    """After each test's inputs, a resident's normal greeting is still answered."""
    yield
    reply = post(webhook, json={"sender": sender_for(webhook), "message": "你好"})
    assert reply.status_code == 200 and GREETING in json.dumps(reply.json(), ensure_ascii=False), reply.text[:300]


def sender_for(url: str) -> str:
    """A new sender the endpoint takes: the widget's webhook takes only ids its server issued."""
    if url.endswith(WIDGET_PATH):
        return widget_sender(url[:-len(WIDGET_PATH)])
    return new_sender()


def post(url: str, **kwargs) -> requests.Response:
    return requests.post(url, timeout=TIMEOUT, **kwargs)


def assert_polite(response: requests.Response) -> None:
    """A 4xx, or a 200 whose body is the bot's messages, at least one with text."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code == 200:
        messages = response.json()
        assert isinstance(messages, list), messages
        assert any(isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"].strip()
                   for m in messages), messages
    else:
        assert 400 <= response.status_code < 500, response.status_code


@FUZZ
@given(text=any_text)
@example(text="路" * 100_000)
@example(text="\x00" * 1000)
@example(text="")
def test_any_message_text(webhook, text):
    assert_polite(post(webhook, json={"sender": sender_for(webhook), "message": text}))


@FUZZ
@given(sender=st.text(min_size=1) | st.text(st.characters(max_codepoint=0x1F), min_size=1))
@example(sender="s" * 100_000)
@example(sender="../../etc/passwd")
def test_any_sender_id(webhook, sender):
    assert_polite(post(webhook, json={"sender": sender, "message": "你好"}))


@FUZZ
@given(body=json_values | st.fixed_dictionaries({"sender": json_values, "message": json_values}))
@example(body={"sender": "test-wrongtype", "message": 12345})
@example(body={"sender": "test-wrongtype", "message": ["你好"]})
@example(body={"sender": "test-wrongtype", "message": None})
@example(body={"sender": "test-wrongtype", "message": {"text": "你好"}})
@example(body={"message": "你好"})
@example(body={"sender": None, "message": "你好"})
@example(body={"sender": 12345, "message": "你好"})
@example(body={"sender": ["a"], "message": "你好"})
@example(body={})
@example(body=[])
@example(body=["你好"])
@example(body=None)
@example(body="你好")
@example(body=42)
def test_any_json_body(webhook, body):
    assert_polite(post(webhook, data=json.dumps(body), headers={"Content-Type": "application/json"}))


@FUZZ
@given(data=st.binary(max_size=2_000), content_type=st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""]))
@example(data=b"", content_type="application/json")
@example(data=b'{"sender": "x", "message": ', content_type="application/json")
@example(data=b'{"sender": "test-invalid-utf8", "message": "\xff\xfe"}', content_type="application/json")
@example(data=b"sender=x&message=hi", content_type="application/x-www-form-urlencoded")
def test_any_bytes(webhook, data, content_type):
    assert_polite(post(webhook, data=data, headers={"Content-Type": content_type} if content_type else {}))


@pytest.mark.parametrize("size", [100 * 1024, 2 * 1024 * 1024])
def test_a_huge_message_is_answered_at_once(webhook, size):
    """Understanding it would hold up every resident's turn for minutes; it must never reach the model."""
    response = post(webhook, json={"sender": sender_for(webhook), "message": "路" * (size // 3)})
    assert_polite(response)
    assert response.elapsed.total_seconds() < 10


@pytest.mark.parametrize("body", [
    {"message": "我的工单怎么样了"},
    {"sender": None, "message": "我的工单怎么样了"},
    {"sender": "", "message": "我的工单怎么样了"},
    {"sender": "   ", "message": "我的工单怎么样了"},
], ids=["missing", "null", "empty", "blank"])
def test_a_message_without_a_sender_is_refused(webhook, body):
    """Without a sender id Rasa would file it under one shared conversation, where residents see each other's
    tickets and half-filled reports."""
    response = post(webhook, json=body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


@pytest.mark.parametrize("body", [
    {"sender": "test-stream-ok", "message": "你好"},
    {"sender": "test-stream-long", "message": "路" * 100_000},
    {"sender": "test-stream-number", "message": 5},
    ["not", "an", "object"],
], ids=["greeting", "100k-characters", "number", "list"])
def test_streamed_replies(webhook, body):
    """`?stream=true` (Rasa's streaming variant of the same endpoint) answers bad input no worse."""
    response = post(webhook, params={"stream": "true"}, data=json.dumps(body),
                    headers={"Content-Type": "application/json"})
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code == 200:
        assert response.text.strip(), "a streamed reply without any message"
