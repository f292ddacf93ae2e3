"""What reaches `/webhooks/wechat/webhook` with a valid signature but a hostile or broken body: malformed XML,
entity expansion ("billion laughs"), external entities, oversized and random bodies. Each gets a 4xx, fast,
nothing is expanded or read from disk, no turn reaches Rasa, and real messages are still answered afterwards.
"""
import time

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings, strategies as st

from bot.rasa.channels.request_size import MAX_REQUEST_BYTES
from tests.wechat.conftest import user_turns
from tests.wechat.wechat_server import message_xml, new_openid, text_xml

pytestmark = pytest.mark.stack

GREETING = "前进小助手"
REFUSAL_SECONDS = 5
FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
OPENID = new_openid()  # every hostile body claims to come from this resident

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + f"]><xml><ToUserName>gh_qianjin0001</ToUserName><FromUserName>{OPENID}</FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f"<xml><ToUserName>gh_qianjin0001</ToUserName><FromUserName>{OPENID}</FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)
XXE_PARAMETER = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>'
    f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>x</Content><MsgId>3</MsgId></xml>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "file:///etc/passwd">'
    f"<xml><FromUserName>{OPENID}</FromUserName><MsgType>text</MsgType><Content>x</Content><MsgId>4</MsgId></xml>"
)
HOSTILE = {
    "billion-laughs": BILLION_LAUGHS,
    "xxe": XXE,
    "xxe-parameter-entity": XXE_PARAMETER,
    "external-dtd": EXTERNAL_DTD,
    "lower-case-doctype": XXE.replace("DOCTYPE", "doctype").replace("ENTITY", "entity"),
}
# The same attacks in UTF-16, where a byte search for "<!DOCTYPE" finds nothing.
HOSTILE_UTF16 = {
    f"utf-16-{name}": text.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    for name, text in HOSTILE.items()
}


def assert_refused(response: requests.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "lollol" not in response.text and "root:" not in response.text


@pytest.fixture(autouse=True)
def still_answers(wechat, stack):
    """After each test's bodies, no hostile one reached Rasa and a resident's normal message is still answered."""
    yield
    assert user_turns(stack, OPENID) == []
    assert GREETING in wechat.reply_text(wechat.post(text_xml(new_openid(), "你好")))


@pytest.mark.parametrize("body", [*HOSTILE.values(), *HOSTILE_UTF16.values()], ids=[*HOSTILE, *HOSTILE_UTF16])
def test_entity_tricks_are_refused_without_expansion(wechat, body):
    started = time.monotonic()
    assert_refused(wechat.post(body if isinstance(body, bytes) else body.encode()))
    assert time.monotonic() - started < REFUSAL_SECONDS


@pytest.mark.parametrize("xml", HOSTILE.values(), ids=HOSTILE.keys())
def test_entity_tricks_inside_safe_mode_are_refused_without_expansion(wechat, xml):
    """Safe mode: the hostile XML is what the (validly signed and encrypted) envelope decrypts to."""
    started = time.monotonic()
    assert_refused(wechat.post(xml, safe=True))
    assert time.monotonic() - started < REFUSAL_SECONDS


@pytest.mark.parametrize("size", [MAX_REQUEST_BYTES + 1, 10 * 1024 * 1024])
def test_oversized_bodies_are_refused(wechat, size):
    padding = "路" * (size // 3 + 1)
    assert wechat.post(text_xml(OPENID, padding)).status_code == 413


def test_an_oversized_body_without_a_length_is_refused(wechat):
    """Chunked transfer: no Content-Length to refuse up front, so the channel must stop reading on its own."""
    chunks = (b"<xml>" + b"x" * 1024 for _ in range(2 * MAX_REQUEST_BYTES // 1024))
    response = requests.post(wechat.webhook_url, params=wechat.signed_params(), data=chunks, timeout=30,
                             headers={"Content-Type": "text/xml"})
    assert response.status_code == 413


@FUZZ
@given(body=st.binary(max_size=4_000))
@example(body=b"")
@example(body=b"<xml>")
@example(body=b"\x00" * 100)
@example(body=b"<xml><FromUserName>x</FromUserName></xml>")
def test_random_bytes_are_refused(wechat, body):
    assert_refused(wechat.post(body))


@FUZZ
@given(cut=st.integers(min_value=0, max_value=300), text=st.text(max_size=30))
def test_truncated_messages_are_refused(wechat, cut, text):
    xml = text_xml(OPENID, text or "你好").encode()
    assert_refused(wechat.post(xml[: min(cut, len(xml) - 1)]))


@FUZZ
@given(
    msg_type=st.sampled_from(["text", "voice", "event", "image", "location", "link", ""]) | st.text(max_size=10),
    fields=st.dictionaries(st.sampled_from(["Content", "Recognition", "Event", "MediaId", "Format", "PicUrl"]),
                           st.text(max_size=200), max_size=3),
    msg_id=st.none() | st.integers(min_value=-2**70, max_value=2**70),
)
def test_odd_but_well_formed_messages_get_an_answer_or_a_4xx(wechat, msg_type, fields, msg_id):
    """Odd field values (control characters, CDATA terminators, huge ids) in otherwise valid XML: never a 5xx."""
    xml = message_xml(new_openid(), msg_type, fields, msg_id=msg_id)
    response = wechat.post(xml.encode("utf-8", errors="surrogatepass"))
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code == 200:
        assert response.text == "success" or wechat.reply(response)
