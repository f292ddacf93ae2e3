"""Whether a request to the WeChat webhook comes from WeChat, now, for the first time.

WeChat signs the query string only (token, timestamp, nonce; in safe mode also the encrypted body), and that query
string ends up in proxy access logs. So a signature alone proves little: a request is taken only if its timestamp
is within `MAX_AGE_SECONDS` of now and its nonce has not come with another message (the shared short memory, so
every process and server knows every nonce). WeChat's retries of a message carry the same message (same MsgId,
"all text identical", as WeChat documents it) and may carry the same nonce: a nonce seen with the same message
again is a retry and passes, to be answered as the retry it is.

Signatures are compared in constant time; wechatpy 1.8.18 compares them with `!=`.
"""
import hashlib
import hmac
import time
from typing import Optional

from bot import short_memory

MAX_AGE_SECONDS = 5 * 60
# A nonce must be remembered as long as its timestamp is accepted: up to MAX_AGE_SECONDS either side of now.
NONCE_MEMORY_SECONDS = 2 * MAX_AGE_SECONDS


def signature(*values: str) -> str:
    """WeChat's signature: sha1 of the values sorted and joined."""
    return hashlib.sha1("".join(sorted(values)).encode("utf-8")).hexdigest()


def signed(given: Optional[str], *values: Optional[str]) -> bool:
    """True if `given` is WeChat's signature of `values` (token, timestamp, nonce, [encrypted body])."""
    if not given or any(value is None for value in values):
        return False
    return hmac.compare_digest(given.encode("utf-8"), signature(*values).encode("utf-8"))


def fresh(timestamp: Optional[str], now: Optional[float] = None) -> bool:
    """True if `timestamp` (seconds since the epoch, as WeChat sends it) is within MAX_AGE_SECONDS of now."""
    if not timestamp or not timestamp.isdigit():
        return False
    return abs(int(timestamp) - (time.time() if now is None else now)) <= MAX_AGE_SECONDS


def first_use(timestamp: str, nonce: str, message_digest: str) -> bool:
    """Remember the nonce with the message it came with; False if it already came with another message."""
    kept = short_memory.shared().remember(f"wechat-nonce:{timestamp}:{nonce}", message_digest, NONCE_MEMORY_SECONDS)
    return kept is None or hmac.compare_digest(kept, message_digest)


def digest(*parts: str) -> str:
    """A message's fingerprint for the nonce memory: what WeChat repeats identically when it retries."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
