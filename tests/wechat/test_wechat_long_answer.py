"""An answer longer than WeChat's 2048-byte limit: the first part as the passive reply, the rest right after it
through the customer-service API, in order and complete.

No bot answer is that long yet, so the channel here (served from the test process) answers every message with a
long text; the WeChat channel, WeChat's API (fake) and the requests are as in production.
"""
import asyncio

import pytest

from tests.wechat.wechat_server import new_openid, text_xml

LONG_ANSWER = "\n".join(f"第{n}条：前进街道的服务与政策说明，内容较长，需要分几条消息发送。" for n in range(1, 61))


@pytest.mark.parametrize("channel_in_process", ["plaintext", "safe"], indirect=True)
async def test_a_long_answer_is_split_passive_first_then_customer_service(channel_in_process, wechat_api):
    served, openid = channel_in_process, new_openid()
    served.answer = LONG_ANSWER
    wechat = served.wechat
    first = wechat.reply_text(await asyncio.to_thread(wechat.post, text_xml(openid, "介绍一下")))
    assert first.startswith("第1条：") and len(first.encode("utf-8")) <= 2048
    assert wechat_api.messages_to(openid) == []  # the rest waits until the passive reply is shown
    rest = await asyncio.to_thread(wechat_api.wait_for_messages, openid, 2)
    assert "\n".join([first] + [m.content for m in rest]) == LONG_ANSWER
    assert all(len(m.content.encode("utf-8")) <= 2048 for m in rest)
