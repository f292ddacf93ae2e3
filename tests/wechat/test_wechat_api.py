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
