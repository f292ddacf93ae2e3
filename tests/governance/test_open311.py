"""Open311Client over real HTTP: against the bundled events backend, and against a server that answers whatever
a test tells it to (for replies our backend never gives)."""
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests
from PIL import Image

from bot.events_backend import serve
from bot.governance.open311 import BackendRejected, BackendUnavailable, Open311Client, RemoteStatus
from bot.governance.outbox import OutboxWorker
from bot.photos.store import PhotoStore
from bot.photos.urls import photo_url
from tests.governance.conftest import API_KEY, draft, move_event, set_fault


def outgoing(**fields):
    values = dict(ticket_no="QJ20240501-0001", category="交通停车", location="前进初中东门",
                  description="电动车乱停挡住了盲道", phone=None, channel="wechat", latitude=None, longitude=None,
                  photos=())
    values.update(fields)
    return SimpleNamespace(**values)


def test_a_report_is_filed_once_however_often_it_is_sent(backend, client):
    first = client.create(outgoing())
    again = client.create(outgoing())

    assert first == again
    assert backend.store.count() == 1
    event = backend.store.get(first)
    assert (event["service_code"], event["address_string"], event["description"]) == (
        "traffic", "前进初中东门", "电动车乱停挡住了盲道")
    assert (event["ticket_no"], event["channel"], event["phone"], event["posts"]) == (
        "QJ20240501-0001", "wechat", None, 2)
    assert (event["lat"], event["long"], event["media_url"], event["photo2"]) == (None, None, None, None)


def test_a_place_and_photos_go_as_lat_long_media_url_and_photo_attributes(backend, client, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://qianjin.example/")
    photos = (("tok-a", "image/jpeg"), ("tok-b", "image/png"), ("tok-c", "image/webp"))

    request_id = client.create(outgoing(latitude=30.2875, longitude=120.3512, photos=photos))

    event = backend.store.get(request_id)
    assert (event["lat"], event["long"], event["address_string"]) == (30.2875, 120.3512, "前进初中东门")
    assert (event["media_url"], event["photo2"], event["photo3"]) == (
        "https://qianjin.example/photos/tok-a.jpg", "https://qianjin.example/photos/tok-b.png",
        "https://qianjin.example/photos/tok-c.webp")
    shown = requests.get(f"{backend.url}/requests/{request_id}.json", params={"api_key": API_KEY}, timeout=5).json()
    assert (shown[0]["lat"], shown[0]["long"], shown[0]["media_url"]) == (
        30.2875, 120.3512, "https://qianjin.example/photos/tok-a.jpg")


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, kind)
    return buffer.getvalue()


def test_the_outbox_hands_on_a_filed_reports_place_and_photos_in_order(queue, backend, client, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://qianjin.example")
    store = PhotoStore(queue, tmp_path)
    first, second = store.accept("resident-1", image("JPEG")), store.accept("resident-1", image("PNG"))
    ticket = queue.submit(draft(sender_id="resident-1", photos=(second.token, first.token), latitude=30.2875,
                                longitude=120.3512)).ticket_no

    assert OutboxWorker(queue, client).run_once().delivered == [ticket]

    event = backend.store.find_by_ticket(ticket)
    assert (event["lat"], event["long"]) == (30.2875, 120.3512)
    assert (event["media_url"], event["photo2"], event["photo3"]) == (
        photo_url(second.token, "image/png"), photo_url(first.token, "image/jpeg"), None)
    assert event["media_url"] == f"https://qianjin.example/photos/{second.token}.png"


def test_the_phone_is_sent_only_when_the_resident_gave_one(backend, client):
    with_phone = client.create(outgoing(ticket_no="QJ20240501-0002", phone="13812345678"))

    assert backend.store.get(with_phone)["phone"] == "13812345678"


def test_the_backends_progress_maps_to_our_statuses(backend, client):
    request_id = client.create(outgoing())

    assert client.status(request_id) == RemoteStatus("dispatched", "")
    move_event(backend, request_id, "in_progress", "网格员已到现场")
    assert client.status(request_id) == RemoteStatus("in_progress", "网格员已到现场")
    move_event(backend, request_id, "closed", "车辆已挪走")
    assert client.status(request_id) == RemoteStatus("closed", "车辆已挪走")


@pytest.mark.parametrize("mode, message", [
    ("down", "连接不上"),
    ("error500", "HTTP 500"),
    ("garbage", "不是 JSON"),
])
def test_a_misbehaving_backend_is_unavailable_not_rejected(backend, client, mode, message):
    set_fault(backend, mode)

    with pytest.raises(BackendUnavailable, match=message):
        client.create(outgoing())
    with pytest.raises(BackendUnavailable, match=message):
        client.status("YZ000001")


def test_a_backend_slower_than_the_timeout_is_unavailable(backend):
    set_fault(backend, "slow", delay=1.5)
    client = Open311Client(backend.url, API_KEY, timeout=0.3)

    with pytest.raises(BackendUnavailable, match="0.3 秒内没有回应"):
        client.create(outgoing())


def test_nothing_listening_is_unavailable(tmp_path):
    stopped = serve(0, tmp_path / "events.db", api_key=API_KEY)
    stopped.shutdown()

    with pytest.raises(BackendUnavailable, match="连接不上"):
        Open311Client(stopped.url, API_KEY, timeout=1).create(outgoing())


def test_a_wrong_api_key_is_rejected_with_the_backends_reason(backend):
    with pytest.raises(BackendRejected, match="HTTP 403：api_key 无效") as raised:
        Open311Client(backend.url, "wrong-key", timeout=1).create(outgoing())
    assert raised.value.http_status == 403


def test_an_incomplete_report_is_rejected(backend, client):
    with pytest.raises(BackendRejected, match="缺少 description"):
        client.create(outgoing(description=" "))


def test_asking_about_an_unknown_event_is_rejected(backend, client):
    with pytest.raises(BackendRejected, match="HTTP 404"):
        client.status("YZ999999")


class CannedServer:
    """A loopback HTTP server that answers every request with `status`, `content_type` and `body`."""

    def __init__(self):
        self.status, self.content_type, self.body = 200, "application/json", b"[]"
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(canned.status)
                self.send_header("Content-Type", canned.content_type)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def reply(self, status: int, payload) -> None:
        self.status, self.body = status, json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canned():
    server = CannedServer()
    yield server
    server.close()


@pytest.mark.parametrize("status, notes, expected", [
    ("open", None, RemoteStatus("dispatched", "")),
    ("open", "", RemoteStatus("dispatched", "")),
    ("open", "已派单至前悦社区", RemoteStatus("dispatched", "已派单至前悦社区")),
    ("open", "in_progress", RemoteStatus("in_progress", "")),
    ("open", "in_progress：网格员已出发", RemoteStatus("in_progress", "网格员已出发")),
    ("OPEN", "in_progress: 网格员已出发", RemoteStatus("in_progress", "网格员已出发")),
    ("closed", None, RemoteStatus("closed", "")),
    ("closed", "in_progress: 已修好", RemoteStatus("closed", "已修好")),
    ("closed", "已修好", RemoteStatus("closed", "已修好")),
])
def test_status_mapping(canned, status, notes, expected):
    canned.reply(200, [{"service_request_id": "7", "status": status, "status_notes": notes}])

    assert Open311Client(canned.url, API_KEY).status("7") == expected


@pytest.mark.parametrize("status, payload, error", [
    (200, [{"service_request_id": "7", "status": "pending"}], BackendUnavailable),
    (200, [{"service_request_id": "7"}], BackendUnavailable),
    (200, {"unexpected": True}, BackendUnavailable),
    (429, [{"code": 429, "description": "too many requests"}], BackendUnavailable),
    (503, [{"code": 503, "description": "maintenance"}], BackendUnavailable),
    (400, [{"code": 400, "description": "jurisdiction_id required"}], BackendRejected),
])
def test_unexpected_status_replies(canned, status, payload, error):
    canned.reply(status, payload)

    with pytest.raises(error):
        Open311Client(canned.url, API_KEY).status("7")


@pytest.mark.parametrize("payload", [[], [{"token": "abc"}], [{"service_request_id": ""}], {"id": 1}, "ok"])
def test_a_create_reply_without_an_id_is_unavailable(canned, payload):
    canned.reply(201, payload)

    with pytest.raises(BackendUnavailable, match="没有 service_request_id"):
        Open311Client(canned.url, API_KEY).create(outgoing())


def test_a_rejection_without_a_json_body_still_says_why(canned):
    canned.status, canned.content_type, canned.body = 401, "text/plain", "需要登录".encode("utf-8")

    with pytest.raises(BackendRejected, match="HTTP 401：需要登录"):
        Open311Client(canned.url, API_KEY).create(outgoing())
