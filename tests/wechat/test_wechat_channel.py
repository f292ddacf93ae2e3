"""The WeChat channel of the running stack, called as WeChat's server calls it: signed XML over HTTP."""
import re
import sqlite3
import threading
import time

import pytest
import requests
import yaml

from bot.rasa.channels.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from tests.conftest import PROJECT_ROOT
from tests.photos import pictures
from tests.wechat.conftest import user_turns
from tests.wechat.wechat_server import (
    event_xml,
    image_xml,
    message_xml,
    new_msg_id,
    new_openid,
    sha1_signature,
    text_xml,
    voice_xml,
)

pytestmark = pytest.mark.stack

GREETING = "前进小助手"


def _key_fact(entry_id: str) -> str:
    entries = yaml.safe_load((PROJECT_ROOT / "knowledge" / "elderly.yml").read_text(encoding="utf-8"))["entries"]
    return next(e["key_fact"] for e in entries if e["id"] == entry_id)


# URL verification

def test_url_verification_echoes_echostr(wechat):
    response = wechat.verify("8430195627341")
    assert response.status_code == 200
    assert response.text == "8430195627341"


def test_url_verification_with_a_bad_signature_is_refused(wechat):
    response = wechat.verify("8430195627341", signature=sha1_signature("wrong-token", "1", "2"))
    assert response.status_code == 403
    assert "8430195627341" not in response.text


# Messages

def test_plaintext_message_gets_the_bots_reply(plaintext_channel, stack):
    wechat, _ = plaintext_channel
    openid = new_openid()
    reply = wechat.reply(wechat.post(text_xml(openid, "你好")))
    assert GREETING in reply["Content"]
    assert reply["ToUserName"] == openid and reply["FromUserName"] == "gh_qianjin0001"
    assert user_turns(stack, openid) == ["你好"]


def test_with_an_aes_key_a_plaintext_message_is_refused_and_nothing_reaches_rasa(wechat, stack):
    openid = new_openid()
    assert wechat.post(text_xml(openid, "你好"), safe=False).status_code == 403
    assert user_turns(stack, openid) == []


def test_safe_mode_message_gets_an_encrypted_reply(wechat):
    openid = new_openid()
    response = wechat.post(text_xml(openid, "你好"), safe=True)
    assert "<Encrypt>" in response.text and GREETING not in response.text
    reply = wechat.reply(response)  # checks MsgSignature and decrypts
    assert GREETING in reply["Content"] and reply["ToUserName"] == openid


def test_the_conversation_is_the_openid_in_the_wechat_namespace(wechat, stack):
    openid = new_openid()
    wechat.reply_text(wechat.post(text_xml(openid, "你好")))
    wechat.reply_text(wechat.post(text_xml(openid, "谢谢")))
    with sqlite3.connect(stack.data_dir / "tracker.db") as db:
        conversations = db.execute("SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE ?",
                                   (f"%{openid}",)).fetchall()
    assert conversations == [(f"wechat:{openid}",)]
    assert user_turns(stack, openid) == ["你好", "谢谢"]


@pytest.mark.parametrize("safe", [False, True])
def test_bad_signature_is_refused_and_nothing_reaches_rasa(wechat, stack, safe):
    openid = new_openid()
    response = wechat.post(text_xml(openid, "你好"), safe=safe, signature="0" * 40)
    assert response.status_code == 403
    assert user_turns(stack, openid) == []


def test_bad_msg_signature_in_safe_mode_is_refused(wechat, stack):
    openid = new_openid()
    response = wechat.post(text_xml(openid, "你好"), safe=True, msg_signature=sha1_signature("forged"))
    assert response.status_code == 403
    assert user_turns(stack, openid) == []


def test_voice_message_uses_wechats_recognition(wechat, stack):
    openid = new_openid()
    assert GREETING in wechat.reply_text(wechat.post(voice_xml(openid, "你好")))
    assert user_turns(stack, openid) == ["你好"]


def test_unrecognised_voice_asks_to_try_again(wechat, stack):
    openid = new_openid()
    reply = wechat.reply_text(wechat.post(voice_xml(openid, "")))
    assert "没有听清" in reply and "打字" in reply
    assert user_turns(stack, openid) == []


def test_a_photo_reaches_the_bot_as_attach_photo_and_is_served_at_its_link_without_exif(wechat, stack, wechat_api):
    openid = new_openid()
    media_id = wechat_api.add_media(pictures.jpeg_with_gps())
    wechat.post(image_xml(openid, media_id=media_id, pic_url=wechat_api.pic_url), timeout=30)
    deadline = time.monotonic() + 20  # the turn may end after the passive reply's deadline
    while not user_turns(stack, openid) and time.monotonic() < deadline:
        time.sleep(0.2)
    [turn] = user_turns(stack, openid)
    token = re.fullmatch(r'/attach_photo\{"photo_token": "([A-Za-z0-9_-]{32})"\}', turn).group(1)
    served = requests.get(f"{stack.rasa_url}/photos/{token}.jpg", timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert b"Exif" not in served.content and pictures.CAMERA.encode() not in served.content


def test_a_video_gets_a_polite_request_for_words(wechat, stack):
    openid = new_openid()
    reply = wechat.reply_text(wechat.post(message_xml(openid, "shortvideo", {"MediaId": "m"}, new_msg_id())))
    assert "文字" in reply and "描述" in reply
    assert user_turns(stack, openid) == []


def test_subscribe_welcomes_with_numbered_options_and_a_number_picks_one(wechat, stack):
    openid = new_openid()
    welcome = wechat.reply_text(wechat.post(event_xml(openid, "subscribe")))
    assert "我可以帮您" in welcome
    assert "回复数字选择：\n1. 90岁以上老人免费午餐\n2. " in welcome

    answer = wechat.reply_text(wechat.post(text_xml(openid, "1")))
    assert _key_fact("elderly_lunch") in answer
    assert user_turns(stack, openid) == ["/ask_capabilities", "/ask_elderly_lunch"]


def test_a_number_without_options_shown_is_just_text(wechat, stack):
    openid = new_openid()
    wechat.reply_text(wechat.post(text_xml(openid, "你好")))
    wechat.reply_text(wechat.post(text_xml(openid, "1")))
    assert user_turns(stack, openid) == ["你好", "1"]


def test_a_number_picks_from_the_options_another_process_listed(wechat, other_process, stack):
    other, _ = other_process
    openid = new_openid()
    assert "回复数字选择：\n1. 90岁以上老人免费午餐\n2. " in wechat.reply_text(wechat.post(event_xml(openid, "subscribe")))

    answer = other.reply_text(other.post(text_xml(openid, "1")))

    assert _key_fact("elderly_lunch") in answer
    assert user_turns(stack, openid) == ["/ask_capabilities", "/ask_elderly_lunch"]


def test_other_events_get_no_reply_and_no_turn(wechat, stack):
    openid = new_openid()
    assert wechat.reply(wechat.post(event_xml(openid, "unsubscribe"))) is None
    assert user_turns(stack, openid) == []


# WeChat's retries

def test_a_retry_during_the_turn_gets_the_same_reply_and_no_second_turn(wechat, stack):
    openid, msg_id = new_openid(), new_msg_id()
    xml = text_xml(openid, "你好", msg_id)
    replies = []

    def deliver():
        replies.append(wechat.reply_text(wechat.post(xml)))

    first = threading.Thread(target=deliver)
    first.start()
    time.sleep(0.02)  # the retry arrives while the first request's turn is running
    deliver()
    first.join()
    deliver()  # and once more after it finished
    assert len(replies) == 3 and GREETING in replies[0] and len(set(replies)) == 1
    assert user_turns(stack, openid) == ["你好"]


def test_a_retry_reaching_another_process_gets_the_answer_and_no_second_turn(wechat, other_process, stack):
    other, _ = other_process
    openid, msg_id = new_openid(), new_msg_id()
    first = wechat.reply_text(wechat.post(text_xml(openid, "我要反映问题", msg_id)))

    retry = other.reply_text(other.post(text_xml(openid, "我要反映问题", msg_id), safe=True))

    assert "问题" in first and retry == first
    assert user_turns(stack, openid) == ["我要反映问题"]


def test_wechats_retry_with_the_same_nonce_at_another_process_gets_the_answer_once(wechat, other_process, stack):
    other, _ = other_process
    openid, msg_id = new_openid(), new_msg_id()
    first = wechat.reply_text(wechat.post(text_xml(openid, "我要反映问题", msg_id)))
    used = wechat.last_params

    retry = other.post(text_xml(openid, "我要反映问题", msg_id), timestamp=int(used["timestamp"]), nonce=used["nonce"])

    assert other.reply_text(retry) == first
    assert user_turns(stack, openid) == ["我要反映问题"]


def test_a_nonce_replayed_at_another_process_with_another_message_is_refused(wechat, other_process, stack):
    """The nonces are remembered in the memory every process shares, so a replay cannot pick another server."""
    other, _ = other_process
    openid = new_openid()
    wechat.reply_text(wechat.post(text_xml(openid, "你好")))
    used = wechat.last_params

    replayed = other.post(text_xml(openid, "取消我的工单"), timestamp=int(used["timestamp"]), nonce=used["nonce"])

    assert replayed.status_code == 403
    assert user_turns(stack, openid) == ["你好"]


def test_a_repeated_subscribe_event_is_one_turn(wechat, stack):
    openid, created = new_openid(), int(time.time())
    first = wechat.reply_text(wechat.post(event_xml(openid, "subscribe", created)))
    again = wechat.reply_text(wechat.post(event_xml(openid, "subscribe", created)))
    assert first == again
    assert user_turns(stack, openid) == ["/ask_capabilities"]


# Late answers through the customer-service API

def test_a_late_answer_is_success_then_a_customer_service_message(late_channel, wechat_api, stack):
    wechat, _ = late_channel
    fetches = wechat_api.token_fetches
    openid, msg_id = new_openid(), new_msg_id()
    assert wechat.reply(wechat.post(text_xml(openid, "你好", msg_id))) is None  # "success"
    [sent] = wechat_api.wait_for_messages(openid)
    assert GREETING in sent.content
    # WeChat's retry of the same message neither starts a turn nor sends the answer twice.
    assert wechat.reply(wechat.post(text_xml(openid, "你好", msg_id))) is None
    time.sleep(1)
    assert len(wechat_api.messages_to(openid)) == 1 and user_turns(stack, openid) == ["你好"]

    wechat.post(text_xml(openid, "谢谢"))
    first, second = wechat_api.wait_for_messages(openid, count=2)
    assert second.access_token == first.access_token, "the access token is cached"
    assert wechat_api.token_fetches - fetches <= 1


def test_a_rejected_access_token_is_refreshed_once(late_channel, wechat_api):
    wechat, _ = late_channel
    openid = new_openid()
    wechat.post(text_xml(openid, "你好"))
    [before] = wechat_api.wait_for_messages(openid)
    fetches, rejected = wechat_api.token_fetches, len(wechat_api.rejected_sends)

    wechat_api.revoke_tokens()
    wechat.post(text_xml(openid, "你好"))
    _, after = wechat_api.wait_for_messages(openid, count=2)
    assert after.access_token != before.access_token
    assert wechat_api.token_fetches == fetches + 1
    assert wechat_api.rejected_sends[rejected:] == [40001]


def test_an_unconfigured_channel_answers_503(unconfigured_channel):
    wechat, started = unconfigured_channel
    assert wechat.verify("123").status_code == 503
    assert wechat.post(text_xml(new_openid(), "你好")).status_code == 503
    assert "WECHAT_TOKEN is empty" in started.log()


# Hostile and broken bodies

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "笑笑笑笑笑笑笑笑笑笑">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prolog, content", [(BILLION_LAUGHS, "&c;"), (EXTERNAL_ENTITY, "&x;")])
@pytest.mark.parametrize("safe", [False, True])
def test_entity_declarations_are_refused(wechat, plaintext_channel, stack, prolog, content, safe):
    openid = new_openid()
    xml = message_xml(openid, "text", {}, new_msg_id()).replace("</xml>", f"<Content>{content}</Content></xml>")
    xml = prolog + xml
    response = (wechat if safe else plaintext_channel[0]).post(xml)
    assert response.status_code == 400
    assert "笑" not in response.text and "root:" not in response.text
    assert user_turns(stack, openid) == []


def test_a_message_longer_than_any_answer_is_refused_politely_without_a_turn(wechat, stack):
    openid = new_openid()
    text = "路灯坏了" * 600  # 2,400 characters: within the body limit, beyond any answer the bot takes
    reply = wechat.reply_text(wechat.post(text_xml(openid, text)))
    assert reply == TOO_LONG_TEXT.format(length=len(text), limit=MAX_MESSAGE_CHARS)
    assert user_turns(stack, openid) == []


def test_an_oversized_body_is_refused(wechat, stack):
    openid = new_openid()
    response = wechat.post(text_xml(openid, "路" * 30_000))
    assert response.status_code == 413
    assert user_turns(stack, openid) == []


@pytest.mark.parametrize("body", [
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o",
    b"not xml at all",
    b"",
    b"<xml><FromUserName>o123</FromUserName></xml>",
    b"<xml><FromUserName><a>1</a></FromUserName><MsgType>text</MsgType><Content>x</Content></xml>",
    b"<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><MsgId>12ab</MsgId></xml>",
    "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>".encode("gbk") + "你好".encode("gbk"),
])
def test_malformed_bodies_are_refused_without_a_trace(wechat, body):
    response = wechat.post(body)
    assert response.status_code == 400
    assert "Traceback" not in response.text and "Error" not in response.text


def test_a_safe_mode_body_that_does_not_decrypt_is_refused(wechat):
    params = wechat.signed_params()
    encrypted = "bm90IHJlYWxseSBlbmNyeXB0ZWQ="
    signature = sha1_signature(wechat.token, params["timestamp"], params["nonce"], encrypted)
    params.update(encrypt_type="aes", msg_signature=signature)
    body = f"<xml><Encrypt>{encrypted}</Encrypt></xml>"
    response = requests.post(wechat.webhook_url, params=params, data=body, timeout=10)
    assert response.status_code == 400
