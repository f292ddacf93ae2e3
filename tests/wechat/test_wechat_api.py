"""The customer-service client against a local WeChat API: token cached, refreshed before expiry, and on rejection."""
import time

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.wechat.api import CustomerServiceClient
from tests.wechat.fake_wechat_api import FakeWeChatAPI

APP_ID, APP_SECRET = "wx00000000000000aa", "secret-for-tests"


@pytest.fixture
def api():
    with FakeWeChatAPI(APP_ID, APP_SECRET) as api:
        yield api


def test_the_token_is_fetched_once_and_reused(api):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    client.send_text("o1", "第一条")
    client.send_text("o1", "第二条")
    assert api.token_fetches == 1
    assert [(m.content, m.access_token) for m in api.messages] == [
        ("第一条", "fake-access-token-1"), ("第二条", "fake-access-token-1"),
    ]


def test_a_token_close_to_expiry_is_replaced_before_use(api):
    api.token_lifetime = 61  # wechatpy renews a token in its last 60 seconds
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    client.send_text("o1", "一")
    time.sleep(1.2)
    client.send_text("o1", "二")
    assert api.token_fetches == 2 and api.rejected_sends == []


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_a_rejected_token_is_refreshed_and_the_message_sent_once(api, errcode):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    client.send_text("o1", "一")
    if errcode == 40001:
        api.revoke_tokens()
    else:
        api.expire_tokens()
    client.send_text("o1", "二")
    assert [m.content for m in api.messages] == ["一", "二"]
    assert api.rejected_sends == [errcode]


def test_a_token_that_keeps_being_rejected_fails_after_one_refresh(api):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    api.refuse_sends_with = 40001
    with pytest.raises(WeChatClientException) as refused:
        client.send_text("o1", "一")
    assert refused.value.errcode == 40001
    assert api.token_fetches == 2 and api.rejected_sends == [40001, 40001]


def test_wrong_credentials_are_reported_not_retried(api):
    client = CustomerServiceClient(APP_ID, "wrong-secret", api.base_url)
    with pytest.raises(WeChatClientException) as refused:
        client.send_text("o1", "一")
    assert refused.value.errcode == 40125 and api.messages == []


def test_temporary_media_reads_a_file_by_media_id_and_stops_one_byte_past_the_limit(api):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    small, large = api.add_media(b"\xff\xd8\xff" + b"x" * 1000), api.add_media(b"\xff\xd8\xff" + b"x" * 500_000)
    assert client.temporary_media(small, 10_000) == b"\xff\xd8\xff" + b"x" * 1000
    assert len(client.temporary_media(large, 10_000)) == 10_001
    assert api.media_requests == [small, large]


def test_temporary_media_raises_wechats_error_instead_of_returning_it_as_a_file(api):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    with pytest.raises(WeChatClientException) as refused:
        client.temporary_media("no-such-media", 10_000)
    assert refused.value.errcode == 40007


@pytest.mark.parametrize("reject", ["revoke_tokens", "expire_tokens"])
def test_temporary_media_renews_a_rejected_token_once(api, reject):
    client = CustomerServiceClient(APP_ID, APP_SECRET, api.base_url)
    media_id = api.add_media(b"\x89PNG\r\n\x1a\n")
    client.temporary_media(media_id, 100)
    getattr(api, reject)()
    assert client.temporary_media(media_id, 100) == b"\x89PNG\r\n\x1a\n"
    assert api.token_fetches == 2
