"""The web chat widget: a chat page at `/webhooks/widget/`, an embed script for the street's website, and a
message endpoint that speaks the REST channel's JSON.

The page and its endpoint share one origin (the Rasa server), so a resident's browser never needs CORS to chat;
the street's website only loads `embed.js`, which opens the page in an iframe. Only the websites in CORS_ORIGINS
may frame the page; `embed.js` is given that list, so elsewhere it shows a notice instead of a blank frame. The
endpoint is the REST channel's own (same checks, length limit and "busy" answer), narrowed for a public page: the
page asks `POST conversation` for its id, which the server signs (`bot/widget_ids.py`), and the message endpoint
answers 403 to any other id (unsigned, altered, another server's); the page then gets a new id and sends again.
The page keeps its history for RETENTION_WIDGET_HISTORY_DAYS, a figure the server writes into its script.
Notes for the resident (staff answers, status changes) come with the bot's replies, and the page also asks
`POST notes` for them when it opens and every 15 s while it is shown; the answer is an object, `{"notes": [...]}`,
so that the address rate limit's refusal (a list, the bot's one message) is never taken for a note.
A photo is uploaded to `POST photo` as the request body (the file as it is, its signed id in the X-Widget-Sender
header), up to 10 MB: the only route with more than the server's 16 KB. It is checked and stored there
(bot/photos/), and the answer is the message the page then sends as the resident's, `{"message": "/attach_photo…"}`
(the photo's token, or the reason it was refused); the page shows "[照片]" for it.
"""
import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.exceptions import Forbidden, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings, widget_ids
from bot.personal_data.limits import retention_days
from bot.photos import texts as photo_texts
from bot.photos.images import MAX_PHOTO_BYTES
from bot.photos.payloads import photo_message, photo_refused
from bot.rasa.channels.busy import Handler
from bot.rasa.channels.notes import as_replies, waiting_notes
from bot.rasa.channels.request_size import larger_bodies
from bot.rasa.channels.rest import MAX_SENDER_CHARS, ChatInput

STATIC_DIR = Path(__file__).with_name("widget_static")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

REFUSED_SENDER_TEXT = "抱歉，这个对话编号无效或已过期，请刷新页面后再试。"
SENDER_HEADER = "X-Widget-Sender"
# The photo upload's cap: a photo of 10 MB and a little more, so that one just over 10 MB is read and told so.
MAX_UPLOAD_BYTES = MAX_PHOTO_BYTES + 64 * 1024

# Name of the handler of GET / in Rasa's RestInput.blueprint, which this channel reuses, as of rasa 3.6.21
# (guard: tests/core/test_rasa_channels.py). The blueprint is built inside RestInput; no hook replaces a route.
REST_HEALTH = "health"


def asset(name: str) -> Optional[Path]:
    """A file directly inside widget_static with a known type; a name is matched, never joined into a path."""
    for path in STATIC_DIR.iterdir():
        if path.name == name and path.suffix in CONTENT_TYPES and path.is_file():
            return path
    return None


def serve(name: str, headers: Optional[Dict[str, str]] = None,
          settings_in_scripts: Optional[Dict[str, Dict[str, Any]]] = None) -> HTTPResponse:
    """A file of widget_static; a script named in `settings_in_scripts` with those values written in."""
    path = asset(name)
    if path is None:
        return response.text("Not Found", status=404)
    body = path.read_bytes()
    values = (settings_in_scripts or {}).get(name)
    if values:
        body = filled_in(body.decode("utf-8"), values).encode("utf-8")
    return response.raw(
        body,
        content_type=CONTENT_TYPES[path.suffix],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", **(headers or {})},
    )


def page_policy(origins: List[str]) -> str:
    """The page runs only its own files, talks only to its own server, and may be framed by allowed sites."""
    ancestors = "*" if "*" in origins else " ".join(["'self'", *origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def filled_in(source: str, values: Dict[str, Any]) -> str:
    """A script whose lines `var NAME = null;` get the server's values (public ones only) as JavaScript literals:
    embed.js its allowed origins (already public in the page's frame-ancestors), widget.js how long it keeps
    history. A file served by the server itself, so the page's policy (script-src 'self') allows it."""
    for name, value in values.items():
        line = f"var {name} = null;"
        if source.count(line) != 1:
            raise ValueError(f"the script must contain `{line}` once")
        # ASCII-only JSON is a valid JavaScript literal.
        source = source.replace(line, f"var {name} = {json.dumps(value, ensure_ascii=True)};")
    return source


class WidgetInput(ChatInput):
    """REST's message endpoint (with its checks and "busy" answer) for ids the server signed, plus the id issuer,
    the chat page, its assets and the embed script."""

    def __init__(self) -> None:
        self.secret = settings.secret("WIDGET_SECRET")

    @classmethod
    def name(cls) -> Text:
        return "widget"

    def conversation_of(self, sender: str) -> str:
        conversation = widget_ids.conversation_of(sender, self.secret)
        if conversation is None:
            raise Forbidden(REFUSED_SENDER_TEXT)
        return conversation

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        widget = super().blueprint(on_new_message)
        origins = settings.cors_origins()
        page_headers = {"Content-Security-Policy": page_policy(origins)}
        # How many days the page keeps a turn of its history in the browser.
        history_days = retention_days("RETENTION_WIDGET_HISTORY_DAYS")
        # The page refuses a photo over 10 MB itself, in the words the server would use, without uploading it.
        settings_in_scripts = {
            "embed.js": {"ALLOWED_ORIGINS": origins},
            "widget.js": {"HISTORY_DAYS": history_days, "MAX_PHOTO_BYTES": MAX_PHOTO_BYTES,
                          "PHOTO_TOO_LARGE_MESSAGE": photo_refused(photo_texts.TOO_LARGE)},
        }

        @widget.on_request
        async def page_at_root(request: Request) -> Optional[HTTPResponse]:
            endpoint = request.route.name.rsplit(".", 1)[-1]
            if endpoint != REST_HEALTH:
                return None
            # REST answers GET / with a health check; here that URL is the chat page.
            if not request.path.endswith("/"):
                # The page's links are relative to its folder, so its address must end with a slash.
                return response.redirect(f"{self.url_prefix()}/")
            return serve("index.html", page_headers)

        @widget.route("/conversation", methods=["POST"])
        async def conversation(request: Request) -> HTTPResponse:
            # A new conversation for the page; its id is the only one the message endpoint accepts.
            return response.json({"sender": widget_ids.issue(self.secret)}, headers={"Cache-Control": "no-store"})

        @widget.route("/notes", methods=["POST"])
        async def notes(request: Request) -> HTTPResponse:
            # The page's check for notes that came while it was idle or closed: {"sender": <its signed id>}.
            conversation = await self._extract_sender(request)
            found = as_replies(conversation, await waiting_notes(conversation))
            return response.json({"notes": found}, headers={"Cache-Control": "no-store"})

        @widget.route("/photo", methods=["POST"], stream=True)
        @larger_bodies(MAX_UPLOAD_BYTES)
        async def photo(request: Request) -> HTTPResponse:
            sender = request.headers.get(SENDER_HEADER, "")
            if not sender or len(sender) > MAX_SENDER_CHARS:
                raise Forbidden(REFUSED_SENDER_TEXT)
            conversation = self.conversation_of(sender)
            data = await _upload(request)
            if data is None:
                message = photo_refused(photo_texts.TOO_LARGE)
            else:  # decoding and re-encoding a photo takes a moment of CPU: off the event loop
                message = await asyncio.to_thread(photo_message, conversation, data)
            return response.json({"message": message}, headers={"Cache-Control": "no-store"})

        @widget.route("/embed.js", methods=["GET"])
        async def embed(request: Request) -> HTTPResponse:
            return serve("embed.js", settings_in_scripts=settings_in_scripts)

        @widget.route("/static/<name:path>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return serve(name, settings_in_scripts=settings_in_scripts)

        return widget


async def _upload(request: Request) -> Optional[bytes]:
    """The uploaded file, or None when it is larger than a photo may be (the rest is not read)."""
    body = bytearray()
    try:
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                break
            body += chunk
            if len(body) > MAX_PHOTO_BYTES:
                return None
    except PayloadTooLarge:
        return None
    return bytes(body)
