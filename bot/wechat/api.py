"""Messages to a resident outside a passive reply: WeChat's customer-service message API (`message/custom/send`);
and the photos residents send, fetched by their MediaId from the temporary-media API (`media/get`).

wechatpy's client caches the access token in memory and fetches a new one shortly before it expires. Two things
are changed here: the API base URL is configurable (a proxy in production, a local fake in tests), and a token
WeChat rejects (40001/40014/42001, e.g. after the secret was reset) is refreshed once and the call retried once;
wechatpy's own retry would loop for as long as WeChat keeps rejecting.
"""
import json
import logging
import threading
from typing import Optional, Tuple

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException, WeChatException
from wechatpy.session.memorystorage import MemoryStorage

from bot import settings

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
TIMEOUT_SECONDS = 10
REJECTED_TOKEN_ERRORS = {40001, 40014, 42001}
MEDIA_CHUNK_BYTES = 64 * 1024


class _SessionWithTimeout(requests.Session):
    """wechatpy fetches tokens without a timeout; a hung connection must not hold a worker thread forever."""

    def request(self, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT_SECONDS
        return super().request(*args, **kwargs)


class CustomerServiceClient(WeChatClient):
    def __init__(self, app_id: str, app_secret: str, api_base_url: str = "") -> None:
        super().__init__(app_id, app_secret, session=MemoryStorage(), timeout=TIMEOUT_SECONDS, auto_retry=False)
        self.API_BASE_URL = (api_base_url or DEFAULT_API_BASE_URL).rstrip("/") + "/"
        self._http = _SessionWithTimeout()
        # One call at a time, so concurrent late replies never fetch two tokens (each fetch revokes the last).
        self._lock = threading.Lock()

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def send_text(self, openid: str, text: str) -> None:
        """Send one text message; raises WeChatClientException or requests.RequestException when WeChat won't."""
        with self._lock:
            try:
                self.message.send_text(openid, text)
            except WeChatClientException as error:
                if error.errcode not in REJECTED_TOKEN_ERRORS:
                    raise
                logger.info("WeChat rejected the cached access token (errcode %s); fetching a new one", error.errcode)
                self.fetch_access_token()
                self.message.send_text(openid, text)

    def temporary_media(self, media_id: str, max_bytes: int) -> bytes:
        """The file of a resident's message (a photo) by its MediaId, never by the PicUrl next to it: that address
        comes in the message and could point anywhere. At most `max_bytes` + 1 bytes are read (more tells the
        caller it is too large). Raises WeChatClientException when WeChat answers with an error instead of the file
        (40007: an unknown or expired media_id), requests.RequestException when it cannot be reached."""
        data, error = self._media(media_id, max_bytes + 1)
        if error is not None and error.errcode in REJECTED_TOKEN_ERRORS:
            logger.info("WeChat rejected the cached access token (errcode %s); fetching a new one", error.errcode)
            with self._lock:
                self.fetch_access_token()
            data, error = self._media(media_id, max_bytes + 1)
        if error is not None:
            raise error
        return data

    def _media(self, media_id: str, limit: int) -> Tuple[bytes, Optional[WeChatClientException]]:
        """The first `limit` bytes `media/get` answers with, and the error they are, if they are one."""
        with self._lock:  # the file itself is read without holding up customer-service messages
            token = self.access_token
        url = f"{self.API_BASE_URL}media/get"
        with self._http.get(url, params={"access_token": token, "media_id": media_id}, stream=True,
                            timeout=TIMEOUT_SECONDS) as reply:
            reply.raise_for_status()
            data = bytearray()
            for chunk in reply.iter_content(MEDIA_CHUNK_BYTES):
                data += chunk
                if len(data) >= limit:
                    break
            kind = reply.headers.get("Content-Type", "")
        data = bytes(data[:limit])
        if not (data.startswith(b"{") or "json" in kind or kind.startswith("text/")):
            return data, None
        try:
            answer = json.loads(data.decode("utf-8"))
            errcode, errmsg = int(answer.get("errcode", -1)), str(answer.get("errmsg", ""))
        except (ValueError, AttributeError, TypeError):
            errcode, errmsg = -1, "not a file"
        return data, WeChatClientException(errcode, errmsg, client=self)


def from_env() -> Optional[CustomerServiceClient]:
    """The account's client from WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_API_BASE_URL; None without an app id
    and secret (then nothing can be sent outside a passive reply)."""
    app_id, app_secret = settings.get("WECHAT_APP_ID").strip(), settings.get("WECHAT_APP_SECRET").strip()
    if not (app_id and app_secret):
        return None
    return CustomerServiceClient(app_id, app_secret, settings.get("WECHAT_API_BASE_URL").strip())


def describe(error: Exception) -> str:
    """An API failure for the log, without the request URL (it carries the access token)."""
    if isinstance(error, WeChatException):
        return f"errcode {error.errcode}: {error.errmsg}"
    return type(error).__name__
