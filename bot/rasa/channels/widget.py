"""The web chat widget: a chat page at `/webhooks/widget/`, an embed script for the street's website, and a
message endpoint that speaks the REST channel's JSON.

The page and its endpoint share one origin (the Rasa server), so a resident's browser never needs CORS to chat;
the street's website only loads `embed.js`, which opens the page in an iframe. Only the websites in CORS_ORIGINS
may frame the page; `embed.js` is given that list, so elsewhere it shows a notice instead of a blank frame. The
endpoint is the REST channel's own (same checks, length limit and "busy" answer), narrowed for a public page:
sender ids must look like the page's random ones, and what the browser says about channel or metadata is not
stored.
"""
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.rasa.channels.busy import Handler
from bot.rasa.channels.rest import ResidentRestInput

STATIC_DIR = Path(__file__).with_name("widget_static")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

SENDER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
BAD_SENDER_TEXT = "对话编号不正确，请刷新页面后再试。"

# Name of the handler of GET / in Rasa's RestInput.blueprint, which this channel reuses, as of rasa 3.6.21
# (guard: tests/core/test_rasa_channels.py). The blueprint is built inside RestInput; no hook replaces a route.
REST_HEALTH = "health"

# The line of embed.js that the server fills in with CORS_ORIGINS.
EMBED_ORIGINS_LINE = "var ALLOWED_ORIGINS = null;"


def asset(name: str) -> Optional[Path]:
    """A file directly inside widget_static with a known type; a name is matched, never joined into a path."""
    for path in STATIC_DIR.iterdir():
        if path.name == name and path.suffix in CONTENT_TYPES and path.is_file():
            return path
    return None


def serve(name: str, headers: Optional[Dict[str, str]] = None, origins: Optional[List[str]] = None) -> HTTPResponse:
    """A file of widget_static; embed.js with `origins` written in, so it knows where the page may be framed."""
    path = asset(name)
    if path is None:
        return response.text("Not Found", status=404)
    body = path.read_bytes()
    if name == "embed.js" and origins is not None:
        body = embed_script(body.decode("utf-8"), origins).encode("utf-8")
    return response.raw(
        body,
        content_type=CONTENT_TYPES[path.suffix],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", **(headers or {})},
    )


def page_policy(origins: List[str]) -> str:
    """The page runs only its own files, talks only to its own server, and may be framed by allowed sites."""
    ancestors = "*" if "*" in origins else " ".join(["'self'", *origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def embed_script(source: str, origins: List[str]) -> str:
    """embed.js with the allowed origins (already public in the page's frame-ancestors) as a JavaScript array."""
    if source.count(EMBED_ORIGINS_LINE) != 1:
        raise ValueError(f"embed.js must contain `{EMBED_ORIGINS_LINE}` once")
    # ASCII-only JSON is a valid JavaScript literal.
    return source.replace(EMBED_ORIGINS_LINE, f"var ALLOWED_ORIGINS = {json.dumps(origins, ensure_ascii=True)};")


class WidgetInput(ResidentRestInput):
    """REST's message endpoint (with its "busy" answer) plus the chat page, its assets and the embed script."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    async def _extract_sender(self, request: Request) -> Text:
        # The page makes a random uuid; anything else is not our page, or its storage was tampered with.
        sender = await super()._extract_sender(request)
        if not SENDER_ID.fullmatch(sender):
            raise InvalidUsage(BAD_SENDER_TEXT)
        return sender

    # RestInput internal of rasa 3.6.21 (guard: test_rasa_takes_the_widgets_sender_check_and_channel_name).
    def _extract_input_channel(self, request: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        # Anyone on the web can post here: nothing the browser claims is stored with the conversation.
        return None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        widget = super().blueprint(on_new_message)
        origins = settings.cors_origins()
        page_headers = {"Content-Security-Policy": page_policy(origins)}

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

        @widget.route("/embed.js", methods=["GET"])
        async def embed(request: Request) -> HTTPResponse:
            return serve("embed.js", origins=origins)

        @widget.route("/static/<name:path>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return serve(name, origins=origins)

        return widget
