"""Conversation ids, one namespace per channel, so that no channel can speak in another's conversation.

A WeChat conversation is `wechat:<openid>` and a web widget one `widget:<id the server signed>`; the REST channel
(trusted integrations) may use any other id, but none that starts with another channel's prefix, nor `erased:`,
which retention puts in place of the id of a resident whose words it erased (`erased_conversation`).
"""
import hashlib
from typing import Optional

WECHAT_PREFIX = "wechat:"
WIDGET_PREFIX = "widget:"
ERASED_PREFIX = "erased:"
ERASED_DIGEST_CHARS = 16  # 64 bits: no two conversations of one report share a digest
RESERVED_PREFIXES = (WECHAT_PREFIX, WIDGET_PREFIX, ERASED_PREFIX)


def wechat_conversation(openid: str) -> str:
    return f"{WECHAT_PREFIX}{openid}"


def openid_of(conversation_id: str) -> Optional[str]:
    """The WeChat openid a conversation belongs to; None for a conversation of another channel."""
    if conversation_id.startswith(WECHAT_PREFIX):
        return conversation_id[len(WECHAT_PREFIX):] or None
    return None


def widget_conversation(widget_id: str) -> str:
    return f"{WIDGET_PREFIX}{widget_id}"


def claims_another_channel(sender: str) -> bool:
    """True for an id a REST client must not use: it names a WeChat or widget conversation, or one retention
    erased (whoever used it would see that resident's old tickets as theirs)."""
    return sender.strip().lower().startswith(RESERVED_PREFIXES)


def for_log(conversation_id: str) -> str:
    """How logs name a conversation: its channel and a short digest, never an openid that lets one speak as the
    resident (an openid is all the widget or WeChat's webhook needed)."""
    prefix = next((p for p in RESERVED_PREFIXES if conversation_id.startswith(p)), "")
    digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:10]
    return f"{prefix}#{digest}"


def erased_conversation(conversation_id: str) -> str:
    """What stays of a conversation id once retention erased the resident's words: a one-way digest, the same for
    every row of that conversation (statistics can still count repeat reporters) that no longer names the resident
    or lets anyone speak as them. Idempotent."""
    if conversation_id.startswith(ERASED_PREFIX):
        return conversation_id
    return ERASED_PREFIX + hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:ERASED_DIGEST_CHARS]
