"""An answer longer than WeChat's 2048-byte limit: the first part as the passive reply, the rest right after it
through the customer-service API, in order and complete.

No bot answer is that long yet, so the channel here talks to a stand-in for the Rasa server's REST channel that
answers with a long text; the WeChat channel, WeChat's API (fake) and the requests are as in production.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import Processes, free_port
from tests.wechat.fake_wechat_api import TEST_CREDENTIALS, FakeWeChatAPI
from tests.wechat.wechat_server import WeChatServer, new_openid, text_xml

LONG_ANSWER = "\n".join(f"第{n}条：前进街道的服务与政策说明，内容较长，需要分几条消息发送。" for n in range(1, 61))


class LongAnswerBot(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps([{"recipient_id": "x", "text": LONG_ANSWER}], ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture(scope="module")
def bot_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), LongAnswerBot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def channel(bot_url, tmp_path_factory):
    credentials = TEST_CREDENTIALS
    with FakeWeChatAPI(credentials["WECHAT_APP_ID"], credentials["WECHAT_APP_SECRET"]) as api:
        port = free_port()
        env = dict(os.environ, **credentials, WECHAT_API_BASE_URL=api.base_url)
        with Processes(tmp_path_factory.mktemp("wechat-long")) as processes:
            started = processes.start(
                "wechat-long",
                [sys.executable, "-m", "tests.wechat.second_channel", "--port", str(port), "--rasa-url", bot_url],
                env,
            )
            started.wait_until_ready(f"http://127.0.0.1:{port}/webhooks/wechat/")
            server = WeChatServer(
                f"http://127.0.0.1:{port}/webhooks/wechat/webhook",
                token=credentials["WECHAT_TOKEN"],
                encoding_aes_key=credentials["WECHAT_ENCODING_AES_KEY"],
                app_id=credentials["WECHAT_APP_ID"],
            )
            yield server, api


@pytest.mark.parametrize("safe", [False, True])
def test_a_long_answer_is_split_passive_first_then_customer_service(channel, safe):
    wechat, api = channel
    openid = new_openid()
    first = wechat.reply_text(wechat.post(text_xml(openid, "介绍一下"), safe=safe))
    assert first.startswith("第1条：") and len(first.encode("utf-8")) <= 2048
    assert api.messages_to(openid) == []  # the rest waits until the passive reply is shown
    rest = api.wait_for_messages(openid, count=2)
    assert "\n".join([first] + [m.content for m in rest]) == LONG_ANSWER
    assert all(len(m.content.encode("utf-8")) <= 2048 for m in rest)
