"""One namespace of conversation ids per channel."""
from bot import senders


def test_a_wechat_conversation_names_its_openid_and_no_other_channel_does():
    conversation = senders.wechat_conversation("oABC123")
    assert senders.openid_of(conversation) == "oABC123"
    assert senders.openid_of(senders.widget_conversation("x1")) is None
    assert senders.openid_of("oABC123") is None


def test_rest_clients_cannot_use_another_channels_ids():
    for sender in ("wechat:oABC123", "WeChat:oABC", " widget:abc", "widget:", senders.erased_conversation("crm:42")):
        assert senders.claims_another_channel(sender)
    for sender in ("test-1234", "oABC123", "crm:42"):
        assert not senders.claims_another_channel(sender)


def test_logs_name_a_conversation_without_its_openid():
    logged = senders.for_log(senders.wechat_conversation("oABC123"))
    assert logged.startswith("wechat:#") and "oABC123" not in logged
    assert senders.for_log("test-1") == senders.for_log("test-1") != senders.for_log("test-2")


def test_an_erased_conversation_is_a_digest_that_no_longer_names_the_resident():
    erased = senders.erased_conversation(senders.wechat_conversation("oABC123"))
    assert erased.startswith("erased:") and "oABC123" not in erased
    assert senders.erased_conversation(erased) == erased
    assert senders.erased_conversation("wechat:oABC123") != senders.erased_conversation("wechat:oABC124")
