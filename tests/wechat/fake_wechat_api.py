"""A local stand-in for WeChat's API server (`https://api.weixin.qq.com/cgi-bin/`), as far as the channel uses it.

`GET token` hands out access tokens for the right app id and secret; `POST message/custom/send` accepts a
customer-service text message only with a token it issued that is neither revoked nor expired, answering with
WeChat's error codes otherwise (40001 invalid, 42001 expired). `GET media/get` serves the files tests put there
(`add_media`, as if a resident had sent them), with the same token checks, and WeChat's 40007 JSON for any other
media_id. Everything is recorded for the tests to check, and any request to `pic_url` (where a message's PicUrl
may point) too. Tests can make it refuse sends (all of them, or the next few), act at the moment a message is
accepted, and slow down its media.
"""
import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlparse

# The account the test stack runs with (WECHAT_* in its environment).
TEST_CREDENTIALS = {
    "WECHAT_TOKEN": "qianjinTestToken2024",
    "WECHAT_APP_ID": "wx5f0c2d9e8b7a6c41",
    "WECHAT_APP_SECRET": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "WECHAT_ENCODING_AES_KEY": base64.b64encode(bytes(range(1, 33))).decode().rstrip("="),
}


@dataclass
class SentMessage:
    touser: str
    content: str
    access_token: str


class FakeWeChatAPI:
    def __init__(self, app_id: str, app_secret: str, token_lifetime: int = 7200) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.token_lifetime = token_lifetime
        self.token_fetches = 0
        self.messages: List[SentMessage] = []
        self.rejected_sends: List[int] = []
        # When set, every send is refused with this errcode, whatever the token.
        self.refuse_sends_with: Optional[int] = None
        # The next this many sends are refused with `_next_refusal` (see `refuse_next_sends`).
        self._refusals_left = 0
        self._next_refusal = -1
        # Called with each message as it is accepted, before the sender hears back.
        self.on_accept: Optional[Callable[[SentMessage], None]] = None
        self._tokens: Dict[str, float] = {}  # token -> expiry (time.time())
        self._media: Dict[str, Tuple[bytes, str]] = {}  # media_id -> (file, content type)
        self.media_requests: List[str] = []  # the media_id of every media/get, in order
        self.media_delay = 0.0  # seconds each media/get waits before answering
        self.pic_url_requests = 0
        self._numbers = itertools.count(1)
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/cgi-bin/"

    def __enter__(self) -> "FakeWeChatAPI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def revoke_tokens(self) -> None:
        """As WeChat does when the app secret is reset: every token issued so far is refused with 40001."""
        with self._changed:
            self._tokens.clear()

    def expire_tokens(self) -> None:
        """Every token issued so far is refused with 42001, however long the client was told it would last."""
        with self._changed:
            for token in self._tokens:
                self._tokens[token] = 0

    def refuse_next_sends(self, count: int, errcode: int = -1) -> None:
        """Refuse the next `count` sends with `errcode` (-1: WeChat's "system busy"), then accept again."""
        with self._changed:
            self._refusals_left, self._next_refusal = count, errcode

    @property
    def pic_url(self) -> str:
        """An address for a message's PicUrl: the channel must never fetch it."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/mmbiz/picture.jpg"

    def add_media(self, data: bytes, content_type: str = "image/jpeg") -> str:
        """Keep `data` as WeChat keeps a file a resident sent; returns its media_id."""
        media_id = f"fake-media-{next(self._numbers)}-{len(data)}"
        with self._changed:
            self._media[media_id] = (data, content_type)
        return media_id

    def _media_file(self, query: Dict[str, str]):
        """(file, content type), or WeChat's JSON error."""
        token = query.get("access_token", "")
        with self._changed:
            self.media_requests.append(query.get("media_id", ""))
            if token not in self._tokens:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            if self._tokens[token] < time.time():
                return {"errcode": 42001, "errmsg": "access_token expired"}
            found = self._media.get(query.get("media_id", ""))
        return found or {"errcode": 40007, "errmsg": "invalid media_id"}

    def messages_to(self, openid: str) -> List[SentMessage]:
        with self._changed:
            return [m for m in self.messages if m.touser == openid]

    def wait_for_messages(self, openid: str, count: int = 1, timeout: float = 20) -> List[SentMessage]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([m for m in self.messages if m.touser == openid]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [m for m in self.messages if m.touser == openid]

    def _issue_token(self, query: Dict[str, str]) -> dict:
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self._changed:
            self.token_fetches += 1
            token = f"fake-access-token-{next(self._numbers)}"
            self._tokens[token] = time.time() + self.token_lifetime
        return {"access_token": token, "expires_in": self.token_lifetime}

    def _send(self, query: Dict[str, str], body: bytes) -> dict:
        token = query.get("access_token", "")
        with self._changed:
            errcode = self.refuse_sends_with
            if errcode is None and self._refusals_left > 0:
                self._refusals_left -= 1
                errcode = self._next_refusal
            if errcode is None and token not in self._tokens:
                errcode = 40001
            elif errcode is None and self._tokens[token] < time.time():
                errcode = 42001
            if errcode is not None:
                self.rejected_sends.append(errcode)
                return {"errcode": errcode, "errmsg": "access_token is invalid or not latest"}
        try:
            data = json.loads(body.decode("utf-8"))
            touser, msgtype, content = data["touser"], data["msgtype"], data["text"]["content"]
        except (ValueError, KeyError, TypeError):
            return {"errcode": 44002, "errmsg": "empty post data or bad json"}
        if msgtype != "text":
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode("utf-8")) > 2048:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        message = SentMessage(touser, content, token)
        if self.on_accept is not None:
            self.on_accept(message)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return {"errcode": 0, "errmsg": "ok"}

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, payload: dict, content_type: str = "application/json") -> None:
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self):
                url = urlparse(self.path)
                return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}

            def do_GET(self) -> None:
                path, query = self._route()
                if path == "/cgi-bin/token":
                    self._answer(200, api._issue_token(query))
                elif path == "/cgi-bin/media/get":
                    time.sleep(api.media_delay)
                    found = api._media_file(query)
                    if isinstance(found, dict):  # WeChat answers an error as JSON, typed as plain text
                        self._answer(200, found, "text/plain")
                        return
                    data, content_type = found
                    self.send_response(200)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-disposition", 'attachment; filename="photo.jpg"')
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif path == "/mmbiz/picture.jpg":
                    with api._changed:
                        api.pic_url_requests += 1
                    self._answer(404, {"errcode": 404, "errmsg": "never fetch PicUrl"})
                else:
                    self._answer(404, {"errcode": 404, "errmsg": "not found"})

            def do_POST(self) -> None:
                path, query = self._route()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if path == "/cgi-bin/message/custom/send":
                    self._answer(200, api._send(query, body))
                else:
                    self._answer(404, {"errcode": 404, "errmsg": "not found"})

            def log_message(self, format, *args) -> None:
                pass

        return Handler
