"""The photos residents sent, served at `/photos/<token>.<ext>` of the Rasa server: the events backend and staff
follow these links (bot/photos/urls.py). The token is the link's only secret, so anything that is not a token of
ours with one of our extensions is 404, as is a photo already deleted; nothing in the URL is joined into a path.

Not a chat channel: Rasa adds routes to its server only as channels (credentials.yml), so the route joins it as one.
"""
import asyncio
from pathlib import Path
from typing import Optional, Text

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.photos.store import photo_dir, served_file
from bot.rasa.channels.busy import Handler
from bot.rasa.channels.request_size import cap_request_bodies

HEADERS = {"Cache-Control": "private", "X-Content-Type-Options": "nosniff"}


class PhotoFiles(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "photos"

    def url_prefix(self) -> Text:
        # rasa 3.6.21 mounts a channel's blueprint at urljoin("/webhooks/", url_prefix()): an absolute path puts it
        # at the server's root, where photo links point (guard: tests/core/test_rasa_channels.py).
        return "/photos"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        directory = photo_dir()
        photos = Blueprint("photo_files", __name__)

        @photos.route("/<name>", methods=["GET"])
        async def photo(request: Request, name: str) -> HTTPResponse:
            found = served_file(directory, name)
            body = await asyncio.to_thread(_read, found[0]) if found else None
            if body is None:
                return response.text("Not Found", status=404, headers=HEADERS)
            return response.raw(body, content_type=found[1], headers=HEADERS)

        return cap_request_bodies(photos)


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except FileNotFoundError:  # deleted since it was found
        return None
