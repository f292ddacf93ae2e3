"""The WeChat official account (公众号) channel: WeChat's server calls `/webhooks/wechat/webhook`.

GET is WeChat's URL verification; POST carries one resident message as XML, in plaintext or in safe mode (AES,
`encrypt_type=aes`; required once WECHAT_ENCODING_AES_KEY is set). Every request must be signed, recent, and its
nonce new or a retry's (`wechat_guard.py`). The resident's conversation is `wechat:<openid>` (`bot.senders`), so it
spans messages; logs name it only by `senders.for_log`, since an openid is all it takes to speak as the resident.
Each message gets one passive reply: the bot's messages merged into one text, buttons as numbered options. WeChat
gives up after five seconds and retries; a turn that is not ready in `reply_deadline_seconds` is answered with
"success" and its answer is sent later through the customer-service message API. A retry, and a number picking
one of the options listed last, are resolved from the conversation in the tracker store (`wechat_history.py`),
so any Sanic worker of any Rasa server may receive them. Notes for the resident (staff answers, status changes)
that the outbox worker could not push (bot/wechat/push.py) come first in the reply to their next message.
A photo (an image message) is fetched by its MediaId from WeChat's temporary-media API, checked and stored
(bot/photos/), and reaches the bot as `/attach_photo{…}`; the fetch is part of the turn, so a slow one makes the
answer a late reply like any slow turn. A location message reaches it as `/share_location{…}`.

Configured in credentials.yml from the environment: `token`, `app_id`, `app_secret`, `encoding_aes_key`,
`api_base_url` (empty = WeChat itself), and optionally `reply_deadline_seconds` (default 4.5).
"""
import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Dict, Optional, Set, Text

import xmltodict
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.parser import parse_message
from wechatpy.replies import TextReply

from bot import senders
from bot.photos import texts as photo_texts
from bot.photos.images import MAX_PHOTO_BYTES
from bot.photos.payloads import location_shared, photo_message, photo_refused
from bot.rasa.channels import wechat_guard
from bot.rasa.channels.busy import Handler, answer_or_busy
from bot.rasa.channels.message_limit import refuse_too_long
from bot.rasa.channels.notes import waiting_notes
from bot.rasa.channels.rate_limit import limit_per_conversation
from bot.rasa.channels.request_size import MAX_REQUEST_BYTES, cap_request_bodies
from bot.rasa.channels.wechat_history import ConversationHistory
from bot.rasa.channels.wechat_turns import Parts, Turn, Turns
from bot.wechat.api import CustomerServiceClient, describe
from bot.wechat.messages import MAX_TEXT_BYTES, chosen_payload, note_text, option_number, render, split_text

logger = logging.getLogger(__name__)

REPLY_DEADLINE_SECONDS = 4.5
# Without the customer-service API an answer can only ride on a passive reply, so wait through WeChat's retries.
WAIT_WITHOUT_CUSTOMER_SERVICE_SECONDS = 15
# A passive reply is shown before messages sent through the API only if those wait a moment.
REST_OF_ANSWER_DELAY_SECONDS = 1.0
WELCOME_REQUEST = "/ask_capabilities"
# WeChat's "no reply": nothing is shown to the resident and the message is not re-sent.
NO_REPLY = "success"

VOICE_NOT_RECOGNISED = "抱歉，没有听清您的语音。请再说一遍，或者直接打字告诉我您的问题。"
EMPTY_TEXT = "请用文字或语音告诉我您的问题。"
NOT_TEXT = "抱歉，我暂时看不懂视频、链接或文件。请用文字（或语音）简单描述您的问题，我来帮您解答。"
LOCATION_UNREADABLE = "抱歉，没能读出这个位置。请直接用文字告诉我地点，例如小区名和楼号。"
TRUNCATED_NOTE = "\n……（内容较长，未能全部显示）"


class BadMessage(ValueError):
    """The body is not a WeChat message we can read."""


class BadSignature(ValueError):
    """A safe-mode body whose msg_signature is not ours."""


def _forbidden() -> HTTPResponse:
    return response.text("forbidden", status=403)


def _cdata_safe(value: str) -> str:
    """`value` as it may stand inside a CDATA section: each "]]>" splits the section, so it cannot close it."""
    return value.replace("]]>", "]]]]><![CDATA[>")


def reply_xml(account: str, openid: str, text: str) -> str:
    """The passive text reply; wechatpy's TextReply puts each field in CDATA as it is."""
    return TextReply(source=_cdata_safe(account), target=_cdata_safe(openid), content=_cdata_safe(text)).render()


@dataclass
class Incoming:
    openid: str  # what WeChat's API and replies address
    conversation: str  # the Rasa sender id, `wechat:<openid>`
    account: str
    key: str  # the same for WeChat's retries of one message; stored as the Rasa message id
    text: Optional[str]  # what goes to Rasa; None: nothing does (or a photo's message, once it is fetched)
    fixed_reply: Optional[str]  # answered without a turn
    media_id: Optional[str] = None  # a photo to fetch, whose message then goes to Rasa


def _declares_entities(xml: bytes) -> bool:
    """WeChat never sends a DTD; any DOCTYPE or ENTITY declaration is an attack (entity expansion, XXE)."""
    upper = xml.upper()
    return b"<!DOCTYPE" in upper or b"<!ENTITY" in upper


def _string(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadMessage(f"expected text, got {type(value).__name__}")
    return value.strip()


def read_message(xml: bytes) -> Incoming:
    """What a resident sent, from WeChat's XML; raises BadMessage (or a parser error) on anything else."""
    message = parse_message(xml)
    if message is None:
        raise BadMessage("empty body")
    openid, account = _string(message.source), _string(message.target)
    if not openid:
        raise BadMessage("no FromUserName")
    if not isinstance(message.id, int):
        raise BadMessage("MsgId is not a number")
    key = f"msg:{openid}:{message.id}" if message.id else f"event:{openid}:{message.time}"
    text = fixed_reply = media_id = None
    if message.type == "text":
        text = _string(message.content)
        fixed_reply = None if text else EMPTY_TEXT
    elif message.type == "voice":
        text = _string(message.recognition)
        fixed_reply = None if text else VOICE_NOT_RECOGNISED
    elif message.type == "event":
        text = WELCOME_REQUEST if message.event in ("subscribe", "subscribe_scan") else None
    elif message.type == "image":
        media_id = _string(message.media_id) or None
        text = None if media_id else photo_refused(photo_texts.NOT_RECEIVED)
    elif message.type == "location":
        text = _location(message)
        fixed_reply = None if text else LOCATION_UNREADABLE
    else:
        fixed_reply = NOT_TEXT
    return Incoming(openid, senders.wechat_conversation(openid), account, key, text or None, fixed_reply, media_id)


def _location(message: Any) -> Optional[str]:
    """The message for a location (Location_X: latitude, Location_Y: longitude, Label: the place's name)."""
    try:
        latitude, longitude = float(_string(message.location_x)), float(_string(message.location_y))
    except ValueError:
        return None
    return location_shared(latitude, longitude, _string(message.label))


async def _read_body(request: Request) -> Optional[bytes]:
    """The request body, or None as soon as it is known to exceed MAX_REQUEST_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        return None
    body = bytearray()
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return bytes(body)
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            return None


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        credentials = credentials or {}
        return cls(
            token=credentials.get("token") or "",
            app_id=credentials.get("app_id") or "",
            app_secret=credentials.get("app_secret") or "",
            encoding_aes_key=credentials.get("encoding_aes_key") or "",
            api_base_url=credentials.get("api_base_url") or "",
            reply_deadline_seconds=float(credentials.get("reply_deadline_seconds") or REPLY_DEADLINE_SECONDS),
        )

    def __init__(
        self,
        token: str,
        app_id: str = "",
        app_secret: str = "",
        encoding_aes_key: str = "",
        api_base_url: str = "",
        reply_deadline_seconds: float = REPLY_DEADLINE_SECONDS,
    ) -> None:
        self.token = token
        self.crypto = self._crypto(token, encoding_aes_key, app_id)
        self.customer_service = (
            CustomerServiceClient(app_id, app_secret, api_base_url) if app_id and app_secret else None
        )
        self.wait_seconds = reply_deadline_seconds if self.customer_service else WAIT_WITHOUT_CUSTOMER_SERVICE_SECONDS
        self.turns = Turns()
        self._background: Set[asyncio.Task] = set()
        if not token:
            logger.warning(
                "WeChat channel is off: WECHAT_TOKEN is empty, so /webhooks/wechat/webhook answers 503. "
                "Set WECHAT_TOKEN (and WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_ENCODING_AES_KEY) in .env."
            )
        elif not self.customer_service:
            logger.warning(
                "WeChat channel without WECHAT_APP_ID/WECHAT_APP_SECRET: slow answers can only ride on WeChat's "
                "retries, and long answers are cut short."
            )

    @staticmethod
    def _crypto(token: str, encoding_aes_key: str, app_id: str) -> Optional[WeChatCrypto]:
        if not (token and encoding_aes_key):
            return None
        try:
            return WeChatCrypto(token, encoding_aes_key, app_id)
        except (ValueError, AssertionError):
            logger.error("WECHAT_ENCODING_AES_KEY is not a valid 43-character key; safe-mode messages answer 503.")
            return None

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = limit_per_conversation(refuse_too_long(answer_or_busy(on_new_message)))
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "not configured"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.token:
                return self._not_configured()
            if not self._signed_now(request):
                return _forbidden()
            return response.text(request.args.get("echostr", ""))

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.token:
                return self._not_configured()
            body = await _read_body(request)
            if body is None:
                return response.text("payload too large", status=413)
            if not self._signed_now(request):
                return _forbidden()
            if self.crypto is not None and request.args.get("encrypt_type") != "aes":
                logger.warning("WeChat plaintext message refused: WECHAT_ENCODING_AES_KEY is set, safe mode only")
                return _forbidden()
            try:
                return await self._receive(request, body, handle, _history(request))
            except Exception:
                logger.exception("WeChat message could not be answered")
                return response.text(NO_REPLY)

        return cap_request_bodies(webhook)

    @staticmethod
    def _not_configured() -> HTTPResponse:
        logger.warning("WeChat request refused with 503: WECHAT_TOKEN is empty (see .env.example).")
        return response.text("wechat channel not configured", status=503)

    def _signed_now(self, request: Request) -> bool:
        """Signed with our token, and sent within the last (or next) few minutes."""
        args = request.args
        if not wechat_guard.signed(args.get("signature"), self.token, args.get("timestamp"), args.get("nonce")):
            logger.warning("WeChat request with a bad signature refused")
            return False
        if not wechat_guard.fresh(args.get("timestamp")):
            logger.warning("WeChat request refused: its timestamp is more than %d s off", wechat_guard.MAX_AGE_SECONDS)
            return False
        return True

    def _decrypt(self, request: Request, body: bytes) -> bytes:
        """The message inside a safe-mode body; raises BadSignature, or anything else for an undecryptable body."""
        args = request.args
        encrypted = xmltodict.parse(body.decode("utf-8"))["xml"]["Encrypt"]
        if not isinstance(encrypted, str):
            raise BadMessage("no Encrypt text")
        if not wechat_guard.signed(args.get("msg_signature"), self.token, args.get("timestamp"), args.get("nonce"),
                                   encrypted):
            raise BadSignature()
        # wechatpy 1.8.18's decrypt_message compares msg_signature with `!=`: its cipher only, after our check.
        return PrpCrypto(self.crypto.key).decrypt(encrypted, self.crypto.app_id).encode("utf-8")

    async def _receive(
        self, request: Request, body: bytes, handle: Handler, history: Optional[ConversationHistory]
    ) -> HTTPResponse:
        args = request.args
        safe_mode = args.get("encrypt_type") == "aes"
        if _declares_entities(body):
            return self._bad_request("DOCTYPE or ENTITY declaration")
        xml = body
        if safe_mode:
            if self.crypto is None:
                logger.error("WeChat sent a safe-mode message but WECHAT_ENCODING_AES_KEY is missing or invalid")
                return response.text("wechat channel not configured", status=503)
            try:
                xml = self._decrypt(request, body)
            except BadSignature:
                logger.warning("WeChat safe-mode message with a bad msg_signature refused")
                return _forbidden()
            except Exception as error:
                return self._bad_request(f"undecryptable body ({type(error).__name__})")
            if _declares_entities(xml):
                return self._bad_request("DOCTYPE or ENTITY declaration")
        try:
            incoming = read_message(xml)
        except Exception as error:  # whatever a hostile or broken body makes the parser raise
            return self._bad_request(f"unreadable XML ({type(error).__name__})")
        fingerprint = wechat_guard.digest(incoming.key, incoming.text or "", incoming.fixed_reply or "")
        # The shared memory may be a SQLite file other processes write: off the event loop.
        if not await asyncio.to_thread(wechat_guard.first_use, args.get("timestamp"), args.get("nonce"), fingerprint):
            logger.warning("WeChat message refused: its nonce already came with another message (%s)",
                           senders.for_log(incoming.conversation))
            return _forbidden()

        text = await self._reply_text(incoming, handle, history)
        if text is None:
            return response.text(NO_REPLY)
        reply = reply_xml(incoming.account, incoming.openid, text)
        if safe_mode:
            reply = self.crypto.encrypt_message(reply, args.get("nonce"), args.get("timestamp"))
        return response.text(reply, content_type="application/xml")

    @staticmethod
    def _bad_request(reason: str) -> HTTPResponse:
        logger.warning("WeChat request refused with 400: %s", reason)
        return response.text("bad request", status=400)

    async def _reply_text(
        self, incoming: Incoming, handle: Handler, history: Optional[ConversationHistory]
    ) -> Optional[str]:
        if incoming.fixed_reply is not None:
            return incoming.fixed_reply
        if incoming.text is None and incoming.media_id is None:
            return None
        if not self.turns.has(incoming.key) and history is not None:
            # A retry of a message another process answered: its answer again, not a second turn.
            earlier = await history.answer_to(incoming.conversation, incoming.key)
            if earlier is not None:
                return self._parts(render(earlier).text)[0]
        turn = self.turns.get_or_start(incoming.key, lambda: self._start_turn(incoming, handle, history))
        return await turn.passive_reply(self.wait_seconds)

    def _start_turn(self, incoming: Incoming, handle: Handler, history: Optional[ConversationHistory]) -> Turn:
        return Turn(
            self._answer(handle, incoming, history),
            lambda parts, after_passive_reply: self._in_background(
                self._send_later(incoming.conversation, parts, after_passive_reply)
            ),
        )

    async def _answer(self, handle: Handler, incoming: Incoming, history: Optional[ConversationHistory]) -> Parts:
        if incoming.media_id is not None:
            text = await self._photo(incoming)
        else:
            text = await _chosen_option(incoming, history) or incoming.text
        # Notes that could not be pushed (48 hours since the resident last wrote, or no customer-service API).
        notes = await waiting_notes(incoming.conversation)
        collector = CollectingOutputChannel()
        await handle(
            UserMessage(text, collector, incoming.conversation, input_channel=self.name(), message_id=incoming.key)
        )
        said = [note_text(note.text, note.buttons) for note in notes] + [render(collector.messages).text]
        return self._parts("\n\n".join(part for part in said if part))

    async def _photo(self, incoming: Incoming) -> str:
        """The message for a photo: fetched from WeChat (at most 10 MB and a byte), checked and stored, or refused."""
        if not self.customer_service:
            logger.warning("a WeChat photo was not fetched: no WECHAT_APP_ID/WECHAT_APP_SECRET for WeChat's API")
            return photo_refused(photo_texts.NOT_RECEIVED)
        try:
            data = await asyncio.to_thread(self.customer_service.temporary_media, incoming.media_id, MAX_PHOTO_BYTES)
        except Exception as error:  # WeChat's refusal (e.g. 40007, an expired media_id) or the network
            logger.warning("WeChat photo of %s not fetched: %s", senders.for_log(incoming.conversation),
                           describe(error))
            return photo_refused(photo_texts.NOT_RECEIVED)
        # Decoding and re-encoding a photo takes a moment of CPU: off the event loop.
        return await asyncio.to_thread(photo_message, incoming.conversation, data)

    def _parts(self, text: str) -> Parts:
        """The messages that carry `text`: one passive reply, the rest through the customer-service API."""
        parts = split_text(text)
        if self.customer_service or len(parts) == 1:
            return parts
        # Without the customer-service API only the passive reply reaches the resident: cut it short, visibly.
        return [split_text(text, MAX_TEXT_BYTES - len(TRUNCATED_NOTE.encode("utf-8")))[0] + TRUNCATED_NOTE]

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send_later(self, conversation: str, parts: Parts, after_passive_reply: bool) -> None:
        """Send what no passive reply carried; the rest of a long answer waits so it shows after the first part."""
        if not self.customer_service:
            logger.warning("a WeChat answer was not delivered: no WECHAT_APP_ID/WECHAT_APP_SECRET for late replies")
            return
        if after_passive_reply:
            await asyncio.sleep(REST_OF_ANSWER_DELAY_SECONDS)
        for part in parts:
            try:
                await asyncio.to_thread(self.customer_service.send_text, senders.openid_of(conversation), part)
            except Exception as error:  # network or WeChat refusal: nothing to retry with, the resident may ask again
                logger.error(
                    "WeChat customer-service message to %s failed: %s", senders.for_log(conversation), describe(error)
                )
                return
        logger.info("WeChat late reply sent to %s (%d message(s))", senders.for_log(conversation), len(parts))


def _history(request: Request) -> Optional[ConversationHistory]:
    """The conversations of the Rasa server this channel runs in (none when hosted elsewhere, as in tests)."""
    # Where rasa 3.6.21 keeps its agent, as its own channel handler reads it (guard: tests/core/test_rasa_channels.py);
    # Rasa hands a channel only that handler, with no way to read a conversation.
    agent = getattr(request.app.ctx, "agent", None)
    tracker_store = getattr(agent, "tracker_store", None)
    return ConversationHistory(tracker_store) if tracker_store is not None else None


async def _chosen_option(incoming: Incoming, history: Optional[ConversationHistory]) -> Optional[str]:
    """The payload of the option a number picks among those the bot listed last, by whichever process."""
    number = option_number(incoming.text or "")
    if number is None or history is None:
        return None
    return chosen_payload(await history.last_buttons(incoming.conversation), number)

