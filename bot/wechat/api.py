"""Messages to a resident outside a passive reply: WeChat's customer-service message API (`message/custom/send`).

wechatpy's client caches the access token in memory and fetches a new one shortly before it expires. Two things
are changed here: the API base URL is configurable (a proxy in production, a local fake in tests), and a token
WeChat rejects (40001/40014/42001, e.g. after the secret was reset) is refreshed once and the call retried once;
wechatpy's own retry would loop for as long as WeChat keeps rejecting.
"""
import logging
import threading
from typing import Optional

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException, WeChatException
from wechatpy.session.memorystorage import MemoryStorage

from bot import settings

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
TIMEOUT_SECONDS = 10
REJECTED_TOKEN_ERRORS = {40001, 40014, 42001}


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
