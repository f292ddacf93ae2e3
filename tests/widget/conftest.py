"""Fixtures for the widget tests: a phone-sized page in the shared browser (tests/conftest.py), and stand-ins for
the street's website."""
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from tests.conftest import free_port

PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser):
    """A fresh phone-sized browser profile (empty localStorage), as in WeChat's in-app browser."""
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def widget_url(stack) -> str:
    return f"{stack.rasa_url}/webhooks/widget/"


@dataclass
class Site:
    origin: str

    @property
    def url(self) -> str:
        return f"{self.origin}/"


def street_page(rasa_url: str) -> bytes:
    """The street's website as the embed snippet expects it: any page, plus one script tag."""
    return (
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>前进街道</title></head>"
        "<body><h1>前进街道</h1><p>欢迎访问前进街道网站。</p>"
        f"<script src=\"{rasa_url}/webhooks/widget/embed.js\" async></script></body></html>"
    ).encode("utf-8")


def serve_site(port: int, page: bytes) -> Iterator[Site]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(origin=f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def street_site(stack) -> Iterator[Site]:
    """The street's website, on the extra origin the stack allows in CORS_ORIGINS."""
    yield from serve_site(int(stack.env["WIDGET_TEST_ORIGIN_PORT"]), street_page(stack.rasa_url))


@pytest.fixture(scope="session")
def stranger_site(stack) -> Iterator[Site]:
    """Some other website, whose origin is not in CORS_ORIGINS."""
    yield from serve_site(free_port(), street_page(stack.rasa_url))
