"""The web widget's conversation ids: the server issues them, signed, so that no one can speak in a resident's
conversation by knowing its id (a WeChat openid, a logged id) — only by holding the signed id the page was given.

An id is `<random>.<signature>`: 24 random URL-safe characters and their HMAC-SHA256 under WIDGET_SECRET. Its
conversation is `senders.widget_conversation(<random>)`; the signature never reaches the conversation store.
"""
import base64
import hashlib
import hmac
import re
import secrets
from typing import Optional

from bot import senders

RANDOM_BYTES = 18  # 24 URL-safe characters
# Binds a signature to this use of the secret, so that no other HMAC made with it can pass for a widget id.
PURPOSE = b"qianjin widget conversation\0"
SIGNED_ID = re.compile(r"(?P<random>[A-Za-z0-9_-]{24})\.(?P<signature>[A-Za-z0-9_-]{43})")


def _signature(random_part: str, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), PURPOSE + random_part.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def issue(secret: str) -> str:
    """A new widget id, signed under `secret`."""
    random_part = secrets.token_urlsafe(RANDOM_BYTES)
    return f"{random_part}.{_signature(random_part, secret)}"


def conversation_of(widget_id: str, secret: str) -> Optional[str]:
    """The conversation a widget id opens, or None when `secret` did not sign it (unsigned, altered, another
    server's); the signature is compared in constant time."""
    match = SIGNED_ID.fullmatch(widget_id)
    if match is None:
        return None
    expected = _signature(match["random"], secret)
    if not hmac.compare_digest(expected.encode("ascii"), match["signature"].encode("ascii")):
        return None
    return senders.widget_conversation(match["random"])
