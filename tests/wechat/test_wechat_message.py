"""Reading WeChat's message XML: what goes to the bot, what is answered at once, and what a retry looks like."""
import pytest

from bot.photos import texts as photo_texts
from bot.photos.payloads import photo_refused
from bot.rasa.channels.wechat import (
    EMPTY_TEXT,
    LOCATION_UNREADABLE,
    NOT_TEXT,
    VOICE_NOT_RECOGNISED,
    WELCOME_REQUEST,
    read_message,
)
from tests.wechat.wechat_server import event_xml, image_xml, location_xml, message_xml, text_xml, voice_xml


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
    (message_xml("o1", "location", {"Label": "前进街道"}, msg_id=3), LOCATION_UNREADABLE),
    (location_xml("o1", "north", "120.35", "前进街道"), LOCATION_UNREADABLE),
    (location_xml("o1", "130.2", "120.35", "前进街道"), LOCATION_UNREADABLE),
    (message_xml("o1", "shortvideo", {"MediaId": "m"}, msg_id=4), NOT_TEXT),
    (message_xml("o1", "link", {"Title": "t", "Url": "http://example.org/"}, msg_id=5), NOT_TEXT),
])
def test_what_the_bot_cannot_read_is_answered_at_once(xml, reply):
    incoming = _read(xml)
    assert incoming.fixed_reply == reply and incoming.text is None


def test_an_image_is_a_photo_to_fetch_by_its_media_id():
    incoming = _read(image_xml("o1", media_id="MEDIA_abc123", pic_url="http://elsewhere.example/x.jpg"))
    assert incoming.media_id == "MEDIA_abc123"
    assert incoming.text is None and incoming.fixed_reply is None


def test_an_image_without_a_media_id_is_a_photo_not_received():
    incoming = _read(image_xml("o1", media_id=""))
    assert incoming.media_id is None and incoming.text == photo_refused(photo_texts.NOT_RECEIVED)


def test_a_location_goes_to_the_bot_with_its_coordinates_and_label():
    incoming = _read(location_xml("o1", "30.280000", "120.350000", "浙江省杭州市钱塘区前进街道前悦社区\"3幢\""))
    assert incoming.fixed_reply is None and incoming.media_id is None
    assert incoming.text == ('/share_location{"latitude": 30.28, "longitude": 120.35, '
                             '"place_label": "浙江省杭州市钱塘区前进街道前悦社区\\"3幢\\""}')
