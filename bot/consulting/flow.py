"""Leaving a question for staff (留言 / 转人工): what a message means for the step asked, and what to ask next.

Two steps: the question (or the one the bot just could not answer, offered with one tap), then whether to attach
the last few turns of the conversation (phones masked). State in, a message in, changes and replies out; the
actions translate slots through `SLOTS` (actions/consult.py). Residents type rather than tap: yes and no are
understood as words, "取消" always stops, a question about a topic asked instead of the yes/no is answered and the
step asked again, and nothing is asked a third time in the same words.
"""
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.consulting import texts
from bot.personal_data.numbers import mask_personal_data
from bot.replies import Reply
from bot.reporting.emergency import advice, detect_emergency
from bot.reporting.form import FormMessage
from bot.reporting.turns import MIN_CONFIDENCE, looks_like_question
from bot.reporting.words import says_no, says_yes, words_only

QUESTION, CONTEXT = "question", "context"
OFFERED, ADDING, SNAPSHOT, ATTEMPTS = "offered", "adding", "snapshot", "attempts"
# Every value the flow keeps, and the Rasa slot that holds it.
SLOTS: Dict[str, str] = {
    QUESTION: "consult_question",
    CONTEXT: "consult_context",
    OFFERED: "consult_offered",
    ADDING: "consult_adding",
    SNAPSHOT: "consult_snapshot",
    ATTEMPTS: "consult_attempts",
}
REQUEST_INTENT, ADDITION_INTENT = "request_human", "add_to_consultation"
# Fewer characters than this tell staff nothing ("燃气", "好的"); an addition to a question may be short ("3幢").
MIN_QUESTION_CHARS = 5
MIN_ADDITION_CHARS = 2
# A question carried in the request itself ("转人工，小区什么时候通燃气") is taken when it is at least this long.
MIN_CARRIED_CHARS = 6
# Failed tries at one step before the question changes (the question step) or a safe choice is made (context).
TRIES_BEFORE_HELP = 2
# Turns of the conversation attached (a resident's message and a reply are two).
CONTEXT_TURNS = 6
# Unanswered questions in a row before the bot offers to pass the question on.
OFFER_AFTER_UNANSWERED = 2
# "取消" stops in a short message; a long one is a question that happens to contain the word ("怎么取消预约").
STOP_WORDS = ("取消", "算了", "不留言", "不留了", "不问了", "不想问了", "不转人工", "不找人工", "放弃", "退出", "撤销")
MAX_STOP_CHARS = 8
# "转人工", "我要留言", "找工作人员": a request on its own is this short.
MAX_REQUEST_CHARS = 6
# Words asking for a person, and of the request itself: a piece of the message holding one is not the question.
_PERSON_WORDS = ("人工", "真人", "工作人员", "留言", "留个言", "客服", "转接", "找人")
_REQUEST_WORDS = _PERSON_WORDS + ("补充",)
_PIECES = re.compile(r"[:：，,。.！!？?；;\s]+")
_CONTEXT_NO = ("不附", "不用", "不要", "不需要", "别附", "不带", "不加", "没必要", "不必")
_CONTEXT_YES = ("附上", "附吧", "要附", "需要", "带上", "加上", "一起发", "可以附")
_SHOWN_QUESTION_CHARS = 40


@dataclass(frozen=True)
class ConsultState:
    """The consultation so far; `asking` is the step the last question asked for (Rasa's requested_slot)."""

    question: Optional[str] = None
    context: Optional[bool] = None
    offered: Optional[str] = None
    adding: Optional[str] = None
    snapshot: Optional[str] = None
    attempts: int = 0
    asking: Optional[str] = None


@dataclass
class ConsultStep:
    """What one message does: values to set (by name), replies; `cancelled` ends the flow; `answer_aside` means the
    message is a question about a topic, to be answered before the step is asked again."""

    changes: Dict[str, Any] = field(default_factory=dict)
    replies: List[Reply] = field(default_factory=list)
    cancelled: bool = False
    answer_aside: bool = False


def start(
    text: str,
    intent: str,
    offered: Optional[str],
    open_number: Optional[str],
    turns: Sequence[Tuple[bool, str]],
) -> ConsultStep:
    """A request for staff ("转人工") or an addition ("补充一下：…"). `offered` is a question the bot just could not
    answer, `open_number` the resident's open consultation, `turns` the conversation before this message
    ((said by the resident, text), oldest first)."""
    step = ConsultStep({name: None for name in SLOTS})
    step.changes[ATTEMPTS] = 0
    carried = carried_question(text)
    if intent == ADDITION_INTENT and open_number:
        step.changes.update({ADDING: open_number, CONTEXT: False, QUESTION: carried})
        return step
    if intent == ADDITION_INTENT:
        step.replies.append(Reply(texts.NOTHING_OPEN))
    snapshot = context_of(turns)
    step.changes[SNAPSHOT] = snapshot or None
    if not snapshot:
        step.changes[CONTEXT] = False
    if carried:
        step.changes[QUESTION] = carried
    elif offered:
        step.changes[OFFERED] = offered
    return step


def take(state: ConsultState, message: FormMessage) -> ConsultStep:
    """Read `message` as the answer to the step asked."""
    text = (message.text or "").strip()
    asking = state.asking
    if _stops(text):
        return ConsultStep(cancelled=True, replies=[Reply(texts.CANCELLED)])
    if detect_emergency(text):
        return ConsultStep({asking: None}, [Reply(advice(detect_emergency(text))), Reply(texts.BACK_TO_CONSULTATION)])
    if text.startswith("/") and not _is_yes_or_no_tap(text):
        if text == "/cancel":
            return ConsultStep(cancelled=True, replies=[Reply(texts.CANCELLED)])
        return ConsultStep({asking: None}, [Reply(texts.NOT_A_BUTTON_HERE)])
    if asking == CONTEXT:
        return _take_context(state, message)
    if message.intent == "cancel" and message.confidence >= MIN_CONFIDENCE and _short(text):
        return ConsultStep(cancelled=True, replies=[Reply(texts.CANCELLED)])
    return _take_question(state, message)


def ask(state: ConsultState) -> List[Reply]:
    """The question for `state.asking`; after failed tries, other words rather than the same ones again."""
    if state.asking == QUESTION:
        if state.adding:
            return [Reply(texts.ASK_ADDITION.format(number=state.adding))]
        if state.offered:
            shown = _shortened(state.offered)
            return [Reply(texts.OFFER_LAST_QUESTION.format(question=shown), texts.OFFER_LAST_QUESTION_BUTTONS)]
        if state.attempts >= TRIES_BEFORE_HELP:
            return [Reply(texts.ASK_QUESTION_AGAIN, [("取消", "/cancel")])]
        return [Reply(texts.ASK_QUESTION)]
    if state.asking == CONTEXT:
        return [Reply(texts.ASK_CONTEXT, texts.CONTEXT_BUTTONS)]
    raise ValueError(f"a consultation asks no step {state.asking!r}")


def carried_question(text: str) -> Optional[str]:
    """The question a request already carries: the pieces of "转人工，小区什么时候通燃气" that do not ask for a
    person. None when what is left is too short to be a question, and for a tapped button ("/request_human")."""
    if (text or "").startswith("/"):
        return None
    pieces = [piece for piece in _PIECES.split(text or "") if piece]
    kept = [piece for piece in pieces if not any(word in piece for word in _REQUEST_WORDS)]
    question = "，".join(kept)
    return question if len(words_only(question)) >= MIN_CARRIED_CHARS else None


def leads_with_request(text: str) -> bool:
    """"转人工，前悦社区的健身器材坏了归谁修": a short request for a person first, then the question itself. The
    classifier reads the question ("坏了" as a report); the request said first is what the resident wants."""
    if (text or "").startswith("/"):
        return False
    first = ([piece for piece in _PIECES.split(text) if piece] or [""])[0]
    leads = len(first) <= MAX_REQUEST_CHARS and any(word in first for word in _PERSON_WORDS)
    return leads and carried_question(text) is not None


def context_of(turns: Sequence[Tuple[bool, str]]) -> str:
    """The last few turns as staff read them, numbers masked; button taps ("/affirm") say nothing and are left out."""
    lines = []
    for by_resident, text in turns:
        text = (text or "").strip()
        if not text or text.startswith("/"):
            continue
        template = texts.CONTEXT_RESIDENT if by_resident else texts.CONTEXT_BOT
        lines.append(template.format(text=mask_personal_data(text)))
    return "\n".join(lines[-CONTEXT_TURNS:])


def question_to_offer(
    last_question: Optional[str], unanswered: int, earlier: Sequence[Tuple[str, str]]
) -> Optional[str]:
    """The question to offer with one tap: the one the bot just could not answer (`unanswered` in a row, ending with
    `last_question`), or the one whose answer the resident just called wrong ("都不是"). `earlier` is the
    resident's messages before this one, newest first, as (text, intent)."""
    if not last_question or not earlier:
        return None
    text, intent = earlier[0]
    if text == last_question:
        return last_question if unanswered else None
    if intent == "deny" and len(earlier) > 1 and earlier[1][0] == last_question:
        return last_question
    return None


def with_offer(reply: Reply, unanswered_in_a_row: int) -> Reply:
    """An unsure reply; from the second unanswered question in a row, with the offer to ask staff."""
    if unanswered_in_a_row < OFFER_AFTER_UNANSWERED:
        return reply
    return Reply(reply.text + "\n" + texts.OFFER_AFTER_UNANSWERED, list(reply.buttons) + [texts.OFFER_BUTTON])


def sent_question(state: ConsultState) -> Tuple[str, str]:
    """What goes to staff: the question and, only with the resident's agreement, the conversation (both masked)."""
    context = state.snapshot if state.context and state.snapshot else ""
    return mask_personal_data(state.question or ""), context


# --- each step's answer --------------------------------------------------------------------------------------


def _take_question(state: ConsultState, message: FormMessage) -> ConsultStep:
    text = message.text.strip()
    if state.offered and not state.adding:
        if says_yes(text, message.intent):
            return _accepted(QUESTION, state.offered, {OFFERED: None})
        if says_no(text, message.intent):
            return ConsultStep({QUESTION: None, OFFERED: None, ATTEMPTS: 0})
    if len(words_only(text)) < (MIN_ADDITION_CHARS if state.adding else MIN_QUESTION_CHARS):
        return ConsultStep({QUESTION: None, ATTEMPTS: state.attempts + 1}, [Reply(texts.QUESTION_TOO_SHORT)])
    return _accepted(QUESTION, text, {OFFERED: None})


def _take_context(state: ConsultState, message: FormMessage) -> ConsultStep:
    text = message.text.strip()
    if text == "/deny" or any(word in text for word in _CONTEXT_NO) or says_no(text, message.intent):
        return _accepted(CONTEXT, False)
    if text == "/affirm" or any(word in text for word in _CONTEXT_YES) or says_yes(text, message.intent):
        return _accepted(CONTEXT, True)
    if message.intent == "cancel" and message.confidence >= MIN_CONFIDENCE and _short(text):
        return ConsultStep(cancelled=True, replies=[Reply(texts.CANCELLED)])
    if _asks_a_topic(message):
        return ConsultStep({CONTEXT: None}, answer_aside=True)
    attempts = state.attempts + 1
    if attempts >= TRIES_BEFORE_HELP:
        return _accepted(CONTEXT, False, replies=[Reply(texts.CONTEXT_TAKEN_AS_NO)])
    return ConsultStep({CONTEXT: None, ATTEMPTS: attempts}, [Reply(texts.CONTEXT_UNCLEAR)])


# --- small helpers -------------------------------------------------------------------------------------------


def _accepted(which: str, value: Any, more: Optional[Dict[str, Any]] = None, replies=()) -> ConsultStep:
    return ConsultStep({which: value, ATTEMPTS: 0, **(more or {})}, list(replies))


def _asks_a_topic(message: FormMessage) -> bool:
    """A question the knowledge answers, asked instead of the yes/no ("老人午餐在哪吃")."""
    return (
        message.intent.startswith("ask_")
        and message.confidence >= MIN_CONFIDENCE
        and looks_like_question(message.text)
    )


def _stops(text: str) -> bool:
    return _short(text) and any(word in text for word in STOP_WORDS)


def _short(text: str) -> bool:
    return len(words_only(text)) <= MAX_STOP_CHARS


def _is_yes_or_no_tap(text: str) -> bool:
    return text in ("/affirm", "/deny")


def _shortened(question: str) -> str:
    return question if len(question) <= _SHOWN_QUESTION_CHARS else question[:_SHOWN_QUESTION_CHARS] + "…"
