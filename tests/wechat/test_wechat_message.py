"""Reading WeChat's message XML: what goes to the bot, what is answered at once, and what a retry looks like."""
import pytest

from bot.rasa.channels.wechat import EMPTY_TEXT, NOT_TEXT, VOICE_NOT_RECOGNISED, WELCOME_REQUEST, read_message
from tests.wechat.wechat_server import event_xml, image_xml, message_xml, text_xml, voice_xml


def _read(xml: str):
    return read_message(xml.encode("utf-8"))


def test_text_goes_to_the_bot_under_the_openid():
    incoming = _read(text_xml("oResident1", "  老人午餐在哪里  ", msg_id=6054768590064713728))
    assert (incoming.openid, incoming.account) == ("oResident1", "gh_qianjin0001")
    assert incoming.text == "老人午餐在哪里" and incoming.fixed_reply is None
    assert incoming.key == "msg:oResident1:6054768590064713728"


def test_retries_share_a_key_and_other_messages_do_not():
    assert _read(text_xml("o1", "你好", msg_id=7)).key == _read(text_xml("o1", "你好", msg_id=7)).key
    assert _read(text_xml("o1", "你好", msg_id=7)).key != _read(text_xml("o1", "你好", msg_id=8)).key
    assert _read(event_xml("o1", "subscribe", 1700000000)).key == _read(event_xml("o1", "subscribe", 1700000000)).key
    assert _read(event_xml("o1", "subscribe", 1700000000)).key != _read(event_xml("o2", "subscribe", 1700000000)).key


@pytest.mark.parametrize("xml", [
    event_xml("o1", "subscribe"),
    message_xml("o1", "event", {"Event": "subscribe", "EventKey": "qrscene_123"}),  # subscribed by scanning a code
])
def test_subscribing_asks_the_bot_what_it_can_do(xml):
    incoming = _read(xml)
    assert incoming.text == WELCOME_REQUEST and incoming.fixed_reply is None


@pytest.mark.parametrize("event", ["unsubscribe", "CLICK", "VIEW", "LOCATION"])
def test_other_events_need_no_reply(event):
    incoming = _read(event_xml("o1", event))
    assert incoming.text is None and incoming.fixed_reply is None


@pytest.mark.parametrize("xml, reply", [
    (voice_xml("o1", ""), VOICE_NOT_RECOGNISED),
    (text_xml("o1", "   "), EMPTY_TEXT),
    (image_xml("o1"), NOT_TEXT),
    (message_xml("o1", "location", {"Label": "前进街道"}, msg_id=3), NOT_TEXT),
    (message_xml("o1", "shortvideo", {"MediaId": "m"}, msg_id=4), NOT_TEXT),
])
def test_what_the_bot_cannot_read_is_answered_at_once(xml, reply):
    incoming = _read(xml)
    assert incoming.fixed_reply == reply and incoming.text is None
