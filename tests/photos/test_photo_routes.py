"""The photo routes of the Rasa server over real HTTP, mounted by Rasa's own `register` as under `rasa run`: the
widget's upload (`POST /webhooks/widget/photo`, signed id, its own size cap, rate-limited) answers with the message
the page sends next, and `GET /photos/<token>.<ext>` serves what was stored, without EXIF, and nothing else."""
import asyncio
import io
import json
import re
import socket

import pytest
import requests
from PIL import Image
from rasa.core.channels.channel import register
from sanic import Sanic
from sqlalchemy import select

from bot import rate_limits, senders, widget_ids
from bot.governance.models import Photo
from bot.governance.queue import open_queue
from bot.photos import texts
from bot.photos.images import MAX_PHOTO_BYTES
from bot.photos.payloads import photo_refused
from bot.rasa.channels.photos import PhotoFiles
from bot.rasa.channels.widget import SENDER_HEADER, WidgetInput
from tests.core.serving import serving
from tests.photos import pictures

SECRET = "photo-routes-test-secret"
ATTACHED = re.compile(r'/attach_photo\{"photo_token": "([A-Za-z0-9_-]{32})"\}')


@pytest.fixture
async def server(monkeypatch, tmp_path):
    monkeypatch.setenv("WIDGET_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("PHOTO_DIR", str(tmp_path / "photos"))
    monkeypatch.setenv("RATE_LIMIT_ADDRESS_PER_MINUTE", "8")
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic("photo_routes")
    register([WidgetInput(), PhotoFiles()], app, "/webhooks/")
    async with serving(app) as url:
        yield url


def upload(url: str, data: bytes, sender: str, content_type: str = "image/jpeg") -> requests.Response:
    return requests.post(f"{url}/webhooks/widget/photo", data=data, timeout=30,
                         headers={SENDER_HEADER: sender, "Content-Type": content_type})


async def send(url: str, data: bytes, sender: str = "") -> requests.Response:
    return await asyncio.to_thread(upload, url, data, sender or widget_ids.issue(SECRET))


async def get(url: str) -> requests.Response:
    return await asyncio.to_thread(requests.get, url, timeout=10)


def stored_rows():
    with open_queue().reading() as session:
        return list(session.scalars(select(Photo)))


@pytest.mark.parametrize("data, content_type, extension, size", [
    (pictures.jpeg_with_gps(), "image/jpeg", "jpg", (640, 480)),
    (pictures.png(), "image/png", "png", (300, 200)),
    (pictures.webp(), "image/webp", "webp", (320, 240)),
], ids=["jpeg-with-gps", "png", "webp"])
async def test_an_uploaded_photo_is_served_at_its_link_without_exif(server, data, content_type, extension, size):
    sender = widget_ids.issue(SECRET)
    reply = await send(server, data, sender)
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    token = ATTACHED.fullmatch(reply.json()["message"]).group(1)

    served = await get(f"{server}/photos/{token}.{extension}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert served.headers["Cache-Control"] == "private"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert b"Exif" not in served.content and b"EXIF" not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.size == size and not image.getexif()
    [row] = stored_rows()
    assert (row.token, row.conversation, row.report_id) == (
        token, senders.widget_conversation(sender.split(".")[0]), None)


@pytest.mark.parametrize("data, reason", [
    (pictures.truncated_jpeg(), texts.DAMAGED),
    (pictures.text_renamed_jpg(), texts.NOT_AN_IMAGE),
    (pictures.decompression_bomb(), texts.TOO_MANY_PIXELS),
    (b"\xff\xd8\xff" + bytes(MAX_PHOTO_BYTES), texts.TOO_LARGE),  # 10 MB and 3 bytes: read, and refused
], ids=["truncated", "text-renamed-jpg", "bomb", "just-over-10MB"])
async def test_a_file_we_do_not_take_is_answered_with_its_refusal_and_nothing_is_kept(server, tmp_path, data, reason):
    reply = await send(server, data)
    assert reply.status_code == 200
    assert reply.json() == {"message": photo_refused(reason)}
    assert json.loads(reply.json()["message"].removeprefix("/attach_photo")) == {"photo_error": reason}
    assert stored_rows() == [] and list((tmp_path / "photos").iterdir()) == []


@pytest.mark.parametrize("sender", ["", "made-up-by-the-page", widget_ids.issue("another-servers-secret")])
async def test_an_upload_without_an_id_the_server_signed_is_refused(server, tmp_path, sender):
    reply = await asyncio.to_thread(upload, server, pictures.png(), sender)
    assert reply.status_code == 403
    assert not (tmp_path / "photos").exists() or list((tmp_path / "photos").iterdir()) == []


async def test_uploads_count_against_the_address_limit(server):
    replies = [await send(server, pictures.png()) for _ in range(9)]
    assert [reply.status_code for reply in replies] == [200] * 9
    assert all("message" in reply.json() for reply in replies[:8])
    assert replies[8].json()[0]["text"] == rate_limits.TOO_MANY_MESSAGES_TEXT


@pytest.mark.parametrize("name", [
    "x" * 32 + ".jpg",  # our shape, never stored
    "..%2F..%2Fgovernance.db", "%2e%2e", "governance.db", "x" * 31 + ".jpg", "x" * 32 + ".gif",
    "x" * 32 + ".JPG", "x" * 32 + ".jpg.part",
])
async def test_anything_but_a_stored_photo_is_404(server, name):
    reply = await get(f"{server}/photos/{name}")
    assert reply.status_code == 404


async def test_a_photo_is_served_only_with_its_own_extension(server):
    token = ATTACHED.fullmatch((await send(server, pictures.png())).json()["message"]).group(1)
    assert (await get(f"{server}/photos/{token}.png")).status_code == 200
    assert (await get(f"{server}/photos/{token}.jpg")).status_code == 404
    assert (await get(f"{server}/photos/{token}")).status_code == 404


def _declare_and_send_little(url: str, sender: str, declared: int) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"POST /webhooks/widget/photo HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/jpeg\r\n"
            f"{SENDER_HEADER}: {sender}\r\nContent-Length: {declared}\r\n\r\n".encode() + b"\xff\xd8\xff" + bytes(100)
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


async def test_an_upload_declaring_more_than_the_cap_is_refused_before_it_is_sent(server, tmp_path):
    """The answer comes as soon as the declared length is seen: 200 MB are never waited for."""
    answer = await asyncio.to_thread(_declare_and_send_little, server, widget_ids.issue(SECRET), 200 * 1024 * 1024)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body) == {"message": photo_refused(texts.TOO_LARGE)}
    assert list((tmp_path / "photos").iterdir()) == []
