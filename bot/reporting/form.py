"""The report form's decisions: what a message means for the question being asked, and what to ask next.

State in (what is filled so far and which field is asked), a message in, changes and replies out. The actions
only translate slots to a `FormState` and `Step.changes` back (actions/report.py, through `SLOTS`). A message
that is not for the form (cancel, a question, a ticket look-up) is `aside`: the conversation rules handle it
and come back to the form.

Residents type rather than tap: every step understands words (对, 交通方面的吧, 地点错了，是…), refuses what
cannot be its answer with a reason and an example, and never asks the same thing a third time in the same words:
after two failed tries it offers a way forward, and "取消" always stops.
"""
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from bot.governance.categories import OTHER
from bot.replies import Reply
from bot.reporting import texts
from bot.reporting.category import category_meant, category_named_in, guess_category
from bot.reporting.emergency import advice, detect_emergency
from bot.reporting.fields import CATEGORY, CONFIRMED, DESCRIPTION, LOCATION, PHONE, field_named_in
from bot.reporting.phone import declines_phone, normalise_phone
from bot.reporting.summary import render_summary, shown_phone
from bot.reporting.turns import TurnKind, read_turn
from bot.reporting.validation import describes_problem, description_problem, looks_like_place, place_problem
from bot.reporting.words import says_no, says_yes

GUESS, FIX_PENDING, ATTEMPTS = "category_guess", "fix_pending", "attempts"
# Every value the form keeps, and the Rasa slot that holds it: the one table the actions translate with.
SLOTS: Dict[str, str] = {
    DESCRIPTION: "report_description",
    CATEGORY: "report_category",
    LOCATION: "report_location",
    PHONE: "report_phone",
    CONFIRMED: "report_confirmed",
    GUESS: "report_category_guess",
    FIX_PENDING: "report_fix_pending",
    ATTEMPTS: "report_attempts",
}
# The fields asked, in order (the form's required slots).
ASKED = (DESCRIPTION, CATEGORY, LOCATION, PHONE, CONFIRMED)
# Failed tries at one step before the question changes to offer a way forward.
TRIES_BEFORE_HELP = 2
# Failed tries at the category before the report goes on as 其他 (staff re-file it).
TRIES_BEFORE_OTHER = 3
# "地点错了，是前新社区西门": the new value follows one of these.
_NEW_VALUE = re.compile(r"(?:应该是在|应该是|应该在|改成|改为|换成|写成|更正为|更正成|是在|在|是|为)[:：\s]*(?P<value>.+)$")
_NEGATION = re.compile(r"不|没")
_CATEGORY_TAP = re.compile(r"^/inform_category\b")


@dataclass(frozen=True)
class FormState:
    """The report so far; `asking` is the field the last question asked for (Rasa's requested_slot)."""

    description: Optional[str] = None
    category: Optional[str] = None
    location: Optional[str] = None
    phone: Optional[str] = None
    confirmed: Optional[bool] = None
    category_guess: Optional[str] = None
    fix_pending: bool = False
    attempts: int = 0
    asking: Optional[str] = None


@dataclass(frozen=True)
class FormMessage:
    """A resident's message: its words, the classifier's reading, and a place the NLU recognised in it."""

    text: str
    intent: str = ""
    confidence: float = 0.0
    place: Optional[str] = None


@dataclass
class Step:
    """What one message does to the form: values to set (by field), replies, or `aside` for the rules."""

    changes: Dict[str, Any] = field(default_factory=dict)
    replies: List[Reply] = field(default_factory=list)
    aside: bool = False


def start(text: str, place: Optional[str] = None) -> Step:
    """A new report from its first message: keep what it already says ("小区门口路灯坏了" is the description)."""
    step = Step()
    emergency = detect_emergency(text)
    if emergency:
        step.replies += _emergency(text)
    category = category_named_in(text)
    if category:
        step.changes[CATEGORY] = category
    if describes_problem(text.replace(category, "") if category else text):
        step.changes[DESCRIPTION] = text.strip()
        if not category:
            step.changes[GUESS] = guess_category(text).category
        if not emergency:
            step.replies.append(Reply(texts.START_WITH_DESCRIPTION))
    if place:
        step.changes[LOCATION] = place
    return step


def take(state: FormState, message: FormMessage) -> Step:
    """Read `message` as the answer to the field asked, if it is one."""
    asking = state.asking
    if asking is None:
        return Step()
    if _CATEGORY_TAP.match(message.text) and asking != CATEGORY:
        return _ask_again(asking, texts.OLD_BUTTON)
    turn = read_turn(message.text, message.intent, message.confidence, asking)
    if turn is TurnKind.EMERGENCY:
        return Step({asking: None}, _emergency(message.text))
    if turn is TurnKind.STRAY_BUTTON:
        return _ask_again(asking, texts.OLD_BUTTON)
    if turn is TurnKind.SMALL_TALK:
        return _failed(state, texts.COURTESY_IN_FORM)
    if turn is TurnKind.ASKS_FOR_PERSON:
        return _ask_again(asking, texts.PERSON_IN_FORM)
    if turn is TurnKind.CORRECT:
        return _correct(state, message.text)
    if turn is not TurnKind.ANSWER:
        return Step(aside=True)
    return _TAKERS[asking](state, message)


def ask(state: FormState) -> List[Reply]:
    """The question for `state.asking`; after two failed tries, a way forward instead of the same words again."""
    asking = state.asking
    if state.attempts >= TRIES_BEFORE_HELP and asking in texts.WAY_FORWARD:
        variants = texts.WAY_FORWARD[asking]
        return [Reply(variants[state.attempts % len(variants)], texts.WAY_FORWARD_BUTTONS[asking])]
    if asking == DESCRIPTION:
        return [Reply(texts.ASK_DESCRIPTION)]
    if asking == CATEGORY:
        return [_ask_category(state)]
    if asking == LOCATION:
        return [Reply(texts.ASK_LOCATION)]
    if asking == PHONE:
        return [Reply(texts.PRIVACY_NOTICE), Reply(texts.ASK_PHONE, texts.PHONE_BUTTONS)]
    if asking == CONFIRMED and state.fix_pending:
        return [Reply(texts.ASK_FIELD_TO_FIX, texts.FIELD_BUTTONS)]
    if asking == CONFIRMED:
        summary = render_summary(state.category or "", state.location or "", state.description or "", state.phone)
        return [Reply(summary, texts.CONFIRM_BUTTONS)]
    raise ValueError(f"the report form asks no field {asking!r}")


# --- each field's answer -------------------------------------------------------------------------------------


def _take_description(state: FormState, message: FormMessage) -> Step:
    problem = description_problem(message.text)
    if problem:
        return _failed(state, problem)
    step = _accepted(DESCRIPTION, message.text.strip())
    if state.category is None:
        step.changes[GUESS] = guess_category(message.text).category
    if message.place and state.location is None:
        step.changes[LOCATION] = message.place
    return step


def _take_category(state: FormState, message: FormMessage) -> Step:
    text = message.text
    meant = category_meant(text)
    if meant:
        return _accepted(CATEGORY, meant, {GUESS: None})
    if says_yes(text, message.intent):
        if state.category_guess:
            return _accepted(CATEGORY, state.category_guess, {GUESS: None})
        return _failed(state, texts.CATEGORY_NO_GUESS)
    if says_no(text, message.intent):
        return Step({CATEGORY: None, GUESS: None})
    guess = guess_category(text)
    if guess.category and guess.confident:
        return _accepted(CATEGORY, guess.category, {GUESS: None})
    if state.location is None and looks_like_place(text) and not place_problem(text):
        # Asked the category, the resident went on to say where: the place is kept, a guess stands.
        place = {LOCATION: text.strip(), GUESS: None}
        if state.category_guess:
            return _accepted(CATEGORY, state.category_guess, place)
        return Step({CATEGORY: None, **place}, [Reply(texts.PLACE_NOTED)])
    return _failed(state, texts.CATEGORY_UNCLEAR)


def _take_location(state: FormState, message: FormMessage) -> Step:
    text = message.text.strip()
    if field_named_in(text) == LOCATION:
        text = _new_value(text, LOCATION) or text
    problem = place_problem(text)
    if problem:
        return _failed(state, problem)
    return _accepted(LOCATION, text)


def _take_phone(state: FormState, message: FormMessage) -> Step:
    number = normalise_phone(message.text)
    if number:
        return _accepted(PHONE, number)
    if declines_phone(message.text):
        return _accepted(PHONE, "")
    return _failed(state, texts.PHONE_INVALID)


def _take_confirmation(state: FormState, message: FormMessage) -> Step:
    text = message.text
    if says_yes(text, message.intent):
        # Confirming the summary submits; "不用改了" while choosing what to fix shows the summary again.
        return Step({CONFIRMED: None if state.fix_pending else True, FIX_PENDING: False, ATTEMPTS: 0})
    if field_named_in(text):
        return _correct(state, text)
    if says_no(text, message.intent):
        return Step({CONFIRMED: None, FIX_PENDING: True, ATTEMPTS: 0})
    return _failed(state, texts.CONFIRM_UNCLEAR)


_TAKERS: Dict[str, Callable[[FormState, FormMessage], Step]] = {
    DESCRIPTION: _take_description,
    CATEGORY: _take_category,
    LOCATION: _take_location,
    PHONE: _take_phone,
    CONFIRMED: _take_confirmation,
}


# --- corrections ---------------------------------------------------------------------------------------------


def _correct(state: FormState, text: str) -> Step:
    """"地点错了，是前新社区西门" applies the new place at once; "地点写错了" asks for it again; "修改" asks which."""
    which = field_named_in(text)
    if which is None:
        if state.asking == CONFIRMED:
            return Step({CONFIRMED: None, FIX_PENDING: True, ATTEMPTS: 0})
        return _ask_again(state.asking, texts.WHICH_FIELD)
    value = _new_value(text, which)
    if value is None:
        changes: Dict[str, Any] = {which: None, CONFIRMED: None, FIX_PENDING: False, ATTEMPTS: 0}
        if which == CATEGORY:
            changes[GUESS] = None
        return Step(changes, [Reply(texts.FIX_FIELD.format(field=texts.FIELD_LABELS[which]))])
    shown = shown_phone(value) if which == PHONE else value
    changes = {which: value, CONFIRMED: None, FIX_PENDING: False, ATTEMPTS: 0}
    return Step(changes, [Reply(texts.FIXED.format(field=texts.FIELD_LABELS[which], value=shown))])


def _new_value(text: str, which: str) -> Optional[str]:
    """The corrected value a message carries for `which`, if it is one that field takes."""
    if which == PHONE:
        number = normalise_phone(text)
        return number if number else ("" if declines_phone(text) else None)
    match = _NEW_VALUE.search(text)
    if not match or _NEGATION.search(text[: match.start()]):
        return None
    value = match.group("value").strip(" 。！!")
    if which == CATEGORY:
        return category_meant(value)
    if which == LOCATION:
        return None if place_problem(value) else value
    return None if description_problem(value) else value


# --- small helpers -------------------------------------------------------------------------------------------


def _accepted(which: str, value: Any, more: Optional[Dict[str, Any]] = None) -> Step:
    return Step({which: value, ATTEMPTS: 0, **(more or {})})


def _failed(state: FormState, reason: str) -> Step:
    """One more failed try at this step: the reason now, the question (or a way forward) from `ask`."""
    attempts = state.attempts + 1
    if state.asking == CATEGORY and attempts >= TRIES_BEFORE_OTHER:
        return Step({CATEGORY: OTHER, GUESS: None, ATTEMPTS: 0}, [Reply(texts.CATEGORY_TAKEN_AS_OTHER)])
    return Step({state.asking: None, ATTEMPTS: attempts}, [Reply(reason)])


def _ask_again(asking: str, reason: str) -> Step:
    """Not an answer, and not a failed try either (an old button, "修改" without saying what)."""
    return Step({asking: None}, [Reply(reason)])


def _emergency(text: str) -> List[Reply]:
    return [Reply(advice(detect_emergency(text))), Reply(texts.EMERGENCY_IN_REPORT)]


def _ask_category(state: FormState) -> Reply:
    """One tap (or one typed 对) when a guess can be made; the runner-up as a second button when it is close."""
    guess = state.category_guess
    if not guess:
        return Reply(texts.ASK_CATEGORY, texts.CATEGORY_BUTTONS)
    reading = guess_category(state.description or "")
    if reading.category == guess and not reading.confident and reading.runner_up:
        return Reply(
            texts.ASK_CATEGORY_GUESS_OR.format(category=guess, runner_up=reading.runner_up),
            [
                texts.CATEGORY_GUESS_BUTTONS[0],
                texts.category_button(reading.runner_up),
                texts.CATEGORY_GUESS_BUTTONS[1],
            ],
        )
    return Reply(texts.ASK_CATEGORY_GUESS.format(category=guess), texts.CATEGORY_GUESS_BUTTONS)
