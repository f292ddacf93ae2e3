"""试一试: what the running bot would answer a question, with no conversation started and nothing stored.

The running Rasa server (RASA_HOST, RASA_PORT) says how its model reads the text, through its parse-only route
(bot/rasa/channels/parse.py); the console then builds the reply as the answering action does for the first
question of a conversation (actions/knowledge.py): the knowledge's answer, or else the unsure reply. The console
loads no model. Intents the answering action does not take (反映问题, greetings, …) go to a conversation flow: the
result says so instead of guessing a reply.
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import requests

from bot import settings
from bot.console import insights_texts as texts
from bot.knowledge import KnowledgeBase, Question, Reply, respond
from bot.knowledge.dialogue import INTENT_PREFIX
from bot.knowledge.schema import ASPECTS
from bot.staff_reports.unanswered import FALLBACK_INTENTS
from bot.suggestions import unsure_reply

PARSE_PATH = "/webhooks/parse/webhook"
# Follow-ups about the topic just answered ("在哪里", "要钱吗", "详细说说"): asked alone, the bot asks which topic.
FOLLOW_UPS = frozenset(ASPECTS) | {"detail"}
TIMEOUT_SECONDS = 10


class BotUnreachable(Exception):
    """The bot could not be asked; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class TriedQuestion:
    """How the model read `text`, and the reply the bot would give (None: a conversation flow answers it)."""

    text: str
    intent: str
    confidence: float
    ranking: Tuple[Tuple[str, float], ...]
    reply: Optional[Reply]


def parse_url() -> str:
    return f"http://{settings.reachable(settings.get('RASA_HOST'))}:{settings.get('RASA_PORT')}{PARSE_PATH}"


def parse(text: str) -> dict:
    """The running model's reading of `text`: {"intent": {...}, "intent_ranking": [...]}."""
    token = settings.get("REST_API_TOKEN").strip()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        reply = requests.post(parse_url(), json={"text": text}, headers=headers, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise BotUnreachable(texts.BOT_NOT_RUNNING.format(url=parse_url())) from error
    try:
        body = reply.json()
    except ValueError:
        body = None
    if isinstance(body, list):  # the rate limit answers as the bot would, with its one message
        raise BotUnreachable(" ".join(str(message.get("text") or "") for message in body if isinstance(message, dict)))
    if reply.status_code == 404:
        raise BotUnreachable(texts.BOT_TOO_OLD)
    if not reply.ok or not isinstance(body, dict):
        message = body.get("message") if isinstance(body, dict) else ""
        raise BotUnreachable(texts.BOT_REFUSED.format(status=reply.status_code, message=message or ""))
    return body


def answered_by_knowledge(intent: str, knowledge: KnowledgeBase) -> bool:
    """Whether the answering action takes this intent: a topic, a follow-up about one, or a message not understood
    (ask_capabilities has a response of its own)."""
    name = intent[len(INTENT_PREFIX):] if intent.startswith(INTENT_PREFIX) else None
    return intent in FALLBACK_INTENTS or name in knowledge or name in FOLLOW_UPS


def try_question(text: str, knowledge: KnowledgeBase) -> TriedQuestion:
    """Ask the running bot's model about `text` and build the reply its first answer in a conversation would be."""
    parsed = parse(text)
    intent = parsed.get("intent") or {}
    name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    ranking: List[Tuple[str, float]] = [
        (str(item.get("name") or ""), float(item.get("confidence") or 0.0))
        for item in parsed.get("intent_ranking") or []
    ]
    reply = None
    if answered_by_knowledge(name, knowledge):
        answered = respond(knowledge, Question(text, name, confidence), None, None)
        reply = answered.reply or unsure_reply(ranking, knowledge, text)
    return TriedQuestion(text, name, confidence, tuple(ranking), reply)
