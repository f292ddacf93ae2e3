"""The running bot refuses a body over 16 KB with 413 before reading it (REST and the widget alike) and answers on,
while a resident's longest message still fits. (Rate limits: test_rate_limits_stack.py.)"""
import json

import pytest
import requests

from bot.benchmarks.stack import REST_PATH, WIDGET_PATH, reply_text
from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from bot.rasa.channels.request_size import MAX_REQUEST_BYTES
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

MEGABYTE = 1 << 20
GREETING = "前进小助手"


@pytest.mark.parametrize("path", [REST_PATH, WIDGET_PATH])
def test_a_megabyte_body_is_refused_with_413_and_the_server_answers_on(stack, path):
    body = json.dumps({"sender": new_sender(), "message": "路" * (MEGABYTE // 3)}, ensure_ascii=False).encode("utf-8")
    refused = requests.post(stack.rasa_url + path, data=body, headers={"Content-Type": "application/json"},
                            timeout=30)
    assert refused.status_code == 413
    assert GREETING in stack.say_text(new_sender(), "你好")


def test_the_longest_message_a_resident_may_send_still_passes(stack):
    """2,000 Chinese characters as \\u escapes (the largest way to write them in JSON) are within the cap."""
    text = "路" * MAX_MESSAGE_CHARS
    assert len(json.dumps({"sender": new_sender(), "message": text})) < MAX_REQUEST_BYTES
    reply = requests.post(stack.webhook_url, json={"sender": new_sender(), "message": text}, timeout=60)
    assert reply.status_code == 200
    assert reply_text(reply.json()) and TOO_LONG_TEXT.format(length=len(text), limit=MAX_MESSAGE_CHARS) not in \
        reply_text(reply.json())

