"""While the report form waits for an answer, decide whether a message is that answer or something to handle first.

Residents do not only answer: they cancel ("算了"), correct ("地点写错了"), ask about something else, check a
ticket, or suddenly describe an emergency. Only answers are put into the form; everything else is left to the
conversation rules (which return to the form afterwards). The classifier's intent is trusted only when it is
confident, and a knowledge question must also look like a question, so "前悦社区3幢" given as a place stays a place.
"""
import re
from enum import Enum

from bot.reporting import duplicate
from bot.reporting.attachments import ends_photo_step
from bot.reporting.category import category_meant
from bot.reporting.emergency import detect_emergency
from bot.reporting.fields import CATEGORY, CONFIRMED, DESCRIPTION, DUPLICATE_CHOICE, LOCATION, PHONE, PHOTOS_DONE
from bot.reporting.phone import declines_phone, normalise_phone
from bot.reporting.words import says_no, says_stop, says_yes, words_only

# Fields answered in the resident's own words (the others are answered by a choice, a yes or a number).
FREE_TEXT_FIELDS = (DESCRIPTION, LOCATION)
MIN_CONFIDENCE = 0.6
# An emergency without any of the words in emergency.py is believed only at this confidence.
MIN_EMERGENCY_CONFIDENCE = 0.8

# Courtesies, and how long one can be: "好的谢谢" is small talk, "前悦社区3幢楼下，谢谢" a place.
SMALL_TALK_INTENTS = ("thank", "greet", "goodbye")
SMALL_TALK_MAX_CHARS = 5

_QUESTION = re.compile(r"[?？]|吗|么|呢|怎么|如何|哪|什么|啥|多少|几|能不能|可不可以|有没有|是不是|是否|谁|请问|想问|问一下|咨询")


class TurnKind(str, Enum):
    ANSWER = "answer"
    EMERGENCY = "emergency"
    CANCEL = "cancel"
    CORRECT = "correct"
    QUESTION = "question"
    CHECK_TICKET = "check_ticket"
    # A button from an earlier message ("/report_problem") where words are expected: ask the question again.
    STRAY_BUTTON = "stray_button"
    # "谢谢", "你好" where a place or a description is expected: not an answer, so the question is asked again.
    SMALL_TALK = "small_talk"
    # "转人工" while a report is being filled in: say how to leave a question for staff, and go on with the report.
    ASKS_FOR_PERSON = "asks_for_person"


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


def read_turn(text: str, intent: str, confidence: float, asking: str) -> TurnKind:
    """What `text` (classified as `intent`) is while the form asks for the field `asking`."""
    if detect_emergency(text) or (intent == "report_emergency" and confidence >= MIN_EMERGENCY_CONFIDENCE):
        return TurnKind.EMERGENCY
    if _answers_directly(text, intent, asking):
        return TurnKind.ANSWER
    if confidence < MIN_CONFIDENCE:
        return TurnKind.ANSWER
    if intent == "cancel" or (intent == "deny" and says_stop(text)):
        return TurnKind.CANCEL
    if intent == "correct_field":
        return TurnKind.CORRECT
    if intent == "check_ticket":
        return TurnKind.CHECK_TICKET
    if intent == "request_human":
        return TurnKind.ASKS_FOR_PERSON
    if intent.startswith("ask_") and looks_like_question(text):
        return TurnKind.QUESTION
    if asking in FREE_TEXT_FIELDS and text.startswith("/"):
        return TurnKind.STRAY_BUTTON
    if asking in FREE_TEXT_FIELDS and _is_courtesy(text, intent):
        return TurnKind.SMALL_TALK
    return TurnKind.ANSWER


def _is_courtesy(text: str, intent: str) -> bool:
    return intent in SMALL_TALK_INTENTS and len(words_only(text)) <= SMALL_TALK_MAX_CHARS


def _answers_directly(text: str, intent: str, asking: str) -> bool:
    """Replies that can only be the answer to this question, whatever the classifier made of them."""
    if asking == PHONE:
        return bool(normalise_phone(text)) or declines_phone(text)
    if asking == PHOTOS_DONE:
        # "不用了" is no photo here, not "stop reporting".
        return ends_photo_step(text)
    if asking == DUPLICATE_CHOICE:
        return duplicate.choice(text, intent) is not None
    plain_yes_or_no = says_yes(text, intent) or says_no(text, intent)
    if asking == CATEGORY:
        return bool(category_meant(text)) or plain_yes_or_no
    if asking == CONFIRMED:
        return plain_yes_or_no
    return False
