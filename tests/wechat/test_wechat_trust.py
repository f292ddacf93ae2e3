"""Only WeChat, now, once: signed requests that are recent and not replayed; safe mode required once configured;
conversations named by channel and never logged by openid; reply XML that no text can break out of.

The channel runs in this test process (`channel_in_process`), answering with a fixed text, so these tests see its
log and every sender id it hands on; the same rules on the whole stack are in test_wechat_channel.py.
"""
import asyncio
import socket
import time

import pytest

from bot import senders
from bot.rasa.channels import wechat_guard
from bot.rasa.channels.request_size import MAX_REQUEST_BYTES
from tests.wechat.wechat_server import new_msg_id, new_openid, sha1_signature, text_xml

MINUTES = 60


async def post(served, *args, **kwargs):
    return await asyncio.to_thread(served.wechat.post, *args, **kwargs)


# Replays and retries

async def test_a_nonce_replayed_with_another_message_is_refused(channel_in_process):
    served, openid = channel_in_process, new_openid()
    assert served.wechat.reply_text(await post(served, text_xml(openid, "你好"))) == served.answer
    used = served.wechat.last_params

    replayed = await post(served, text_xml(openid, "帮我取消工单"), timestamp=int(used["timestamp"]),
                          nonce=used["nonce"])

    assert replayed.status_code == 403
    assert served.senders == [senders.wechat_conversation(openid)]


async def test_wechats_retry_with_the_same_nonce_gets_the_earlier_answer_and_no_second_turn(channel_in_process):
    served, openid, msg_id = channel_in_process, new_openid(), new_msg_id()
    first = served.wechat.reply_text(await post(served, text_xml(openid, "你好", msg_id)))
    used = served.wechat.last_params
    served.answer = "另一个回答"

    retry = await post(served, text_xml(openid, "你好", msg_id), timestamp=int(used["timestamp"]),
                       nonce=used["nonce"])

    assert served.wechat.reply_text(retry) == first == "好的"
    assert len(served.senders) == 1
    # While the same nonce with another message is a replay.
    other = await post(served, text_xml(openid, "你好", new_msg_id()), timestamp=int(used["timestamp"]),
                       nonce=used["nonce"])
    assert other.status_code == 403 and len(served.senders) == 1


# Timestamps

@pytest.mark.parametrize("offset", [-6 * MINUTES, 6 * MINUTES, -24 * 60 * MINUTES])
@pytest.mark.parametrize("channel_in_process", ["safe", "plaintext"], indirect=True)
async def test_a_message_with_an_old_or_future_timestamp_is_refused(channel_in_process, offset):
    served = channel_in_process
    response = await post(served, text_xml(new_openid(), "你好"), timestamp=int(time.time()) + offset)
    assert response.status_code == 403
    assert served.senders == []
    # A clock a few minutes off is not refused.
    a_few_minutes = 4 * MINUTES if offset > 0 else -4 * MINUTES
    response = await post(served, text_xml(new_openid(), "你好"), timestamp=int(time.time()) + a_few_minutes)
    assert served.wechat.reply_text(response) == served.answer


@pytest.mark.parametrize("offset", [-6 * MINUTES, 6 * MINUTES])
async def test_url_verification_with_an_old_or_future_timestamp_is_refused(channel_in_process, offset):
    wechat = channel_in_process.wechat
    response = await asyncio.to_thread(wechat.verify, "6218590", timestamp=int(time.time()) + offset)
    assert response.status_code == 403 and "6218590" not in response.text
    assert (await asyncio.to_thread(wechat.verify, "6218590")).text == "6218590"


# Safe mode

async def test_with_an_aes_key_a_plaintext_message_is_refused_and_a_safe_mode_one_answered(channel_in_process):
    served, openid = channel_in_process, new_openid()
    assert (await post(served, text_xml(openid, "你好"), safe=False)).status_code == 403
    assert (await post(served, text_xml(openid, "你好"), msg_signature="")).status_code == 403
    assert served.senders == []
    assert served.wechat.reply_text(await post(served, text_xml(openid, "你好"), safe=True)) == served.answer


# Conversations and logs

async def test_the_conversation_is_named_by_channel_and_the_api_gets_the_openid(channel_in_process, wechat_api):
    served, openid = channel_in_process, new_openid()
    served.delay = 1.0  # beyond the reply deadline: the answer goes out through the customer-service API
    assert served.wechat.reply(await post(served, text_xml(openid, "你好"))) is None
    [sent] = await asyncio.to_thread(wechat_api.wait_for_messages, openid)
    assert sent.content == served.answer
    assert served.senders == [f"wechat:{openid}"]


async def test_no_openid_in_the_log(channel_in_process, wechat_api, caplog):
    caplog.set_level("INFO")
    served, openid = channel_in_process, new_openid()
    served.delay = 1.0
    await post(served, text_xml(openid, "你好"))
    await asyncio.to_thread(wechat_api.wait_for_messages, openid)
    used = served.wechat.last_params
    await post(served, text_xml(openid, "再见"), timestamp=int(used["timestamp"]), nonce=used["nonce"])
    await asyncio.sleep(0.2)

    assert "WeChat late reply sent to" in caplog.text and "its nonce already came" in caplog.text
    assert senders.for_log(senders.wechat_conversation(openid)) in caplog.text
    assert openid not in caplog.text


# The reply

@pytest.mark.parametrize("channel_in_process", ["safe", "plaintext"], indirect=True)
@pytest.mark.parametrize("answer", ["请注意]]><ToUserName>gh_other</ToUserName>", "]]>", "a]]]]>b]]>>", "<![CDATA[x"])
async def test_a_reply_text_that_closes_cdata_comes_back_exactly(channel_in_process, answer):
    served, openid = channel_in_process, new_openid()
    served.answer = answer
    fields = served.wechat.reply(await post(served, text_xml(openid, "你好")))
    assert fields["Content"] == answer and fields["ToUserName"] == openid


# Body size

async def test_a_body_over_the_shared_cap_is_refused_and_a_1_mb_one_before_it_is_read(channel_in_process):
    """For the megabyte only the headers are sent: the answer comes without the channel waiting for the body."""
    served = channel_in_process
    response = await post(served, text_xml(new_openid(), "路" * (MAX_REQUEST_BYTES // 3 + 1)), safe=False)
    assert response.status_code == 413
    assert served.senders == []

    path = served.wechat.webhook_url.split("127.0.0.1:", 1)[1]
    port, path = path.split("/", 1)
    query = "&".join(f"{name}={value}" for name, value in served.wechat.signed_params().items())

    def send_headers_only() -> bytes:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as connection:
            connection.sendall(
                f"POST /{path}?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                f"Content-Length: {1024 * 1024}\r\n\r\n".encode()
            )
            return connection.recv(1024)

    assert (await asyncio.to_thread(send_headers_only)).startswith(b"HTTP/1.1 413")


# Signatures

def test_signatures_are_checked_whole():
    expected = sha1_signature("token", "1700000000", "42")
    assert wechat_guard.signed(expected, "token", "1700000000", "42")
    for forged in ("", expected[:-1], expected.upper(), "0" * 40, None):
        assert not wechat_guard.signed(forged, "token", "1700000000", "42")
    assert not wechat_guard.signed(expected, "token", None, "42")
