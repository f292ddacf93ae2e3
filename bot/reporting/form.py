"""The report form's decisions: what a message means for the question being asked, and what to ask next.

State in (what is filled so far and which field is asked), a message in, changes and replies out. The actions
only translate slots to a `FormState` and `Step.changes` back (actions/report.py, through `SLOTS`). A message
that is not for the form (cancel, a question, a ticket look-up) is `aside`: the conversation rules handle it
and come back to the form.

Residents type rather than tap: every step understands words (对, 交通方面的吧, 地点错了，是…), refuses what
cannot be its answer with a reason and an example, and never asks the same thing a third time in the same words:
after two failed tries it offers a way forward, and "取消" always stops.

Photos and a shared location are taken whenever they arrive (attachments.py); the photo step itself is asked once,
only on channels that can send a photo. As soon as the category and the place are known, the open report of the
same problem is looked up (`Lookup`, given by the action) and offered to follow instead (duplicate.py).

A place named in a message that describes the problem is kept as written, with its building and "楼下"
(validation.place_as_written), so the place is not asked; a resident who gives it anyway, in more detail, at a
later step is heard: that place replaces the kept one as a typed correction would.
"""
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.governance.categories import OTHER
from bot.governance.drafts import MAX_PHOTOS
from bot.personal_data.numbers import mask_personal_data
from bot.photos.payloads import ATTACH_PHOTO, SHARE_LOCATION
from bot.replies import Reply
from bot.reporting import duplicate, texts
from bot.reporting.attachments import can_send_photos, ends_photo_step, shared_place
from bot.reporting.category import category_meant, category_named_in, guess_category
from bot.reporting.emergency import advice, detect_emergency
from bot.reporting.fields import (
    CATEGORY,
    CONFIRMED,
    DESCRIPTION,
    DUPLICATE,
    DUPLICATE_CHOICE,
    LATITUDE,
    LOCATION,
    LONGITUDE,
    PHONE,
    PHOTOS,
    PHOTOS_DONE,
    field_named_in,
)
from bot.reporting.phone import declines_phone, normalise_phone
from bot.reporting.summary import render_summary, shown_phone
from bot.reporting.turns import MIN_CONFIDENCE, TurnKind, read_turn
from bot.reporting.validation import (
    describes_problem,
    description_problem,
    looks_like_place,
    place_as_written,
    place_problem,
    refined_place,
    under_recognised_name,
)
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
    PHOTOS: "report_photos",
    PHOTOS_DONE: "report_photos_done",
    LATITUDE: "report_latitude",
    LONGITUDE: "report_longitude",
    DUPLICATE: "report_duplicate",
    DUPLICATE_CHOICE: "report_duplicate_choice",
}
# The fields asked, in order (the form's required slots). The same problem is looked for right after the place,
# so a resident who follows the ticket found is not asked for photos or a phone for nothing.
ASKED = (DESCRIPTION, CATEGORY, LOCATION, DUPLICATE_CHOICE, PHOTOS_DONE, PHONE, CONFIRMED)
# (category, place, latitude, longitude) -> what to show of the open report of the same problem
# (duplicate.offer), or None when there is none.
Lookup = Callable[[str, str, Optional[float], Optional[float]], Optional[Dict[str, Any]]]
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
    photos: Tuple[str, ...] = ()
    photos_done: Optional[bool] = None
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    duplicate: Optional[Dict[str, Any]] = None
    duplicate_choice: Optional[str] = None
    asking: Optional[str] = None
    # The channel the resident writes on: the photo step is asked only where a photo can be sent.
    channel: str = ""


@dataclass(frozen=True)
class FormMessage:
    """A resident's message: its words, the classifier's reading, a place the NLU recognised in it (and the words
    it was recognised from, when they spell it otherwise: "前悦小区" for 前悦社区), and what a photo or location
    message carries (its entities)."""

    text: str
    intent: str = ""
    confidence: float = 0.0
    place: Optional[str] = None
    photo_token: Optional[str] = None
    photo_error: Optional[str] = None
    latitude: Any = None
    longitude: Any = None
    place_label: Optional[str] = None
    place_said: Optional[str] = None

    @property
    def sent(self) -> bool:
        """A photo or a location the channel sent (its payload), rather than words about one."""
        return self.intent in (ATTACH_PHOTO, SHARE_LOCATION) and self.text.startswith("/" + self.intent)


@dataclass
class Step:
    """What one message does to the form: values to set (by field), replies, or `aside` for the rules."""

    changes: Dict[str, Any] = field(default_factory=dict)
    replies: List[Reply] = field(default_factory=list)
    aside: bool = False
    # The form is over without filing: the resident follows the open ticket of the same problem.
    ends: bool = False


def start(text: str, place: Optional[str] = None, channel: str = "", message: Optional[FormMessage] = None,
          lookup: Optional[Lookup] = None) -> Step:
    """A new report from its first message: keep what it already says ("小区门口路灯坏了" is the description); a
    photo or a location sent with no report open starts one and is kept."""
    state = FormState(channel=channel)
    if message is not None and message.intent in (ATTACH_PHOTO, SHARE_LOCATION):
        step = _attachment(state, message) if message.sent else _how_to_send(state, message.intent)
        return _settled(state, step, lookup, whole=True)
    said = message.place_said if message is not None else None
    return _settled(state, _described(text, place, said), lookup, whole=True)


def _described(text: str, place: Optional[str], said: Optional[str]) -> Step:
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
        step.changes[LOCATION] = place_as_written(under_recognised_name(text, said, place), place)
    return step


def take(state: FormState, message: FormMessage, lookup: Optional[Lookup] = None) -> Step:
    """Read `message` as the answer to the field asked, if it is one; a photo or a location whenever it comes."""
    if state.asking is None:
        return Step()
    if message.sent:
        step = _attachment(state, message)
        if step.changes.get(state.asking) is None:
            step.changes[state.asking] = None  # not this step's answer: its question comes again
        else:
            step.changes[ATTEMPTS] = 0
        return _settled(state, step, lookup)
    step = _answer(state, message)
    return step if step.aside else _settled(state, step, lookup)


def _answer(state: FormState, message: FormMessage) -> Step:
    asking = state.asking
    if _CATEGORY_TAP.match(message.text) and asking != CATEGORY:
        return _ask_again(asking, texts.OLD_BUTTON)
    turn = read_turn(message.text, message.intent, message.confidence, asking)
    if turn is TurnKind.EMERGENCY:
        return Step({asking: None}, _emergency(message.text))
    place = _place_given_again(state, under_recognised_name(message.text, message.place_said, message.place or ""))
    if place:
        said = texts.PLACE_REFINED.format(place=place)
        return _ask_again(asking, said) if place == state.location else _fixed(LOCATION, place, said)
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
    if _about_sending(message, asking):
        return _how_to_send(state, message.intent)
    return _TAKERS[asking](state, message)


def _place_given_again(state: FormState, text: str) -> Optional[str]:
    """"前悦社区3幢楼下" typed after the place was taken from the first message, when the phone, a photo, the
    choice or the confirmation is asked: the resident gives the place they expected to be asked for. The place
    to keep (that one when it says more, else the kept one); None when `text` is no place alone about the kept
    one. A place alone is never a phone number, a yes or no, or a skip word: no step's answer is taken for one."""
    if state.location is None or state.asking in (DESCRIPTION, CATEGORY, LOCATION):
        return None
    return refined_place(state.location, text)


def _about_sending(message: FormMessage, asking: str) -> bool:
    """"我拍了照片" / "我发个定位给你" typed where words are asked for: not the problem, not the place."""
    if message.intent not in (ATTACH_PHOTO, SHARE_LOCATION) or message.confidence < MIN_CONFIDENCE:
        return False
    return asking == DESCRIPTION or (asking == LOCATION and not looks_like_place(message.text))


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
    if asking == DUPLICATE_CHOICE:
        found = state.duplicate or {}
        wording = texts.DUPLICATE_FOUND_HERE if found.get("filed_here") else texts.DUPLICATE_FOUND
        return [Reply(wording.format(**found), texts.DUPLICATE_BUTTONS)]
    if asking == PHOTOS_DONE and state.photos:
        count = len(state.photos)
        return [Reply(texts.ASK_MORE_PHOTOS.format(count=count, left=MAX_PHOTOS - count), texts.PHOTOS_DONE_BUTTONS)]
    if asking == PHOTOS_DONE:
        return [Reply(texts.ASK_PHOTO.format(limit=MAX_PHOTOS), texts.PHOTO_SKIP_BUTTONS)]
    if asking == CONFIRMED:
        summary = render_summary(
            state.category or "", state.location or "", state.description or "", state.phone, len(state.photos)
        )
        return [Reply(summary, texts.CONFIRM_BUTTONS)]
    raise ValueError(f"the report form asks no field {asking!r}")


def next_asked(state: FormState) -> Optional[str]:
    """The field the form asks next: the first one still empty."""
    return next((name for name in ASKED if getattr(state, name) is None), None)


# --- each field's answer -------------------------------------------------------------------------------------


def _take_description(state: FormState, message: FormMessage) -> Step:
    problem = description_problem(message.text)
    if problem:
        return _failed(state, problem)
    step = _accepted(DESCRIPTION, message.text.strip())
    if state.category is None:
        step.changes[GUESS] = guess_category(message.text).category
    if message.place and state.location is None:
        step.changes[LOCATION] = place_as_written(
            under_recognised_name(message.text, message.place_said, message.place), message.place
        )
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


def _take_duplicate_choice(state: FormState, message: FormMessage) -> Step:
    chosen = duplicate.choice(message.text, message.intent)
    if chosen == duplicate.FOLLOW:
        return Step({DUPLICATE_CHOICE: chosen, ATTEMPTS: 0}, ends=True)
    if chosen == duplicate.FILE:
        return _accepted(DUPLICATE_CHOICE, chosen)
    return _failed(state, texts.DUPLICATE_UNCLEAR)


def _take_photos_done(state: FormState, message: FormMessage) -> Step:
    """"没有照片" / "好了" end the step; "好的" or "我拍了照片" are told to send it; a second answer that is
    neither moves on without a photo, which may still come later."""
    if ends_photo_step(message.text):
        return _accepted(PHOTOS_DONE, True)
    if state.attempts + 1 >= TRIES_BEFORE_HELP:
        return Step({PHOTOS_DONE: True, ATTEMPTS: 0}, [Reply(texts.PHOTO_STEP_LEFT)])
    if message.intent == ATTACH_PHOTO or says_yes(message.text, message.intent):
        return _failed(state, texts.PHOTO_HOW.format(limit=MAX_PHOTOS))
    return _failed(state, texts.PHOTO_UNCLEAR)


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
    DUPLICATE_CHOICE: _take_duplicate_choice,
    PHOTOS_DONE: _take_photos_done,
    PHONE: _take_phone,
    CONFIRMED: _take_confirmation,
}


# --- photos and locations -----------------------------------------------------------------------------------


def _attachment(state: FormState, message: FormMessage) -> Step:
    """A photo the channel stored (or refused, with the reason), or a location shared: kept, whatever is asked."""
    if message.intent == SHARE_LOCATION:
        shared = shared_place(message.latitude, message.longitude, message.place_label)
        if shared is None:
            return Step(replies=[Reply(texts.LOCATION_UNREADABLE)])
        changes = {LOCATION: shared.place, LATITUDE: shared.latitude, LONGITUDE: shared.longitude}
        return Step(changes, [Reply(texts.LOCATION_SHARED.format(place=mask_personal_data(shared.place)))])
    if message.photo_error:
        return Step(replies=[Reply(message.photo_error)])
    token = (message.photo_token or "").strip()
    if not token:
        return Step(replies=[Reply(texts.PHOTO_NOT_RECEIVED)])
    if token in state.photos:  # the same message again (a retry): kept once
        return Step()
    if len(state.photos) >= MAX_PHOTOS:
        return Step(replies=[Reply(texts.PHOTO_OVER_LIMIT.format(limit=MAX_PHOTOS))])
    photos = (*state.photos, token)
    step = Step({PHOTOS: photos}, [Reply(texts.PHOTO_RECEIVED.format(count=len(photos)))])
    if len(photos) == MAX_PHOTOS and not state.photos_done:
        step.changes[PHOTOS_DONE] = True
        step.replies.append(Reply(texts.PHOTO_LIMIT_REACHED.format(limit=MAX_PHOTOS)))
    return step


def _how_to_send(state: FormState, intent: str) -> Step:
    """"我拍了照片" / "我发个定位" typed: how to send one here, or that this channel cannot."""
    here = can_send_photos(state.channel)
    if intent == ATTACH_PHOTO:
        reason = texts.PHOTO_HOW.format(limit=MAX_PHOTOS) if here else texts.PHOTO_NOT_ON_CHANNEL
    else:
        reason = texts.LOCATION_HOW if here else texts.LOCATION_NOT_ON_CHANNEL
    return _ask_again(state.asking, reason) if state.asking else Step(replies=[Reply(reason)])


def settle(state: FormState, lookup: Optional[Lookup] = None) -> Step:
    """The steps `state` needs no question for: no photo step where none can be sent, no choice when no open
    report of the same problem exists. `start` and every new place or category settle this already; a report begun
    before the form had these steps is settled when it reaches them."""
    return _settled(state, Step(), lookup, whole=True)


def _settled(state: FormState, step: Step, lookup: Optional[Lookup], whole: bool = False) -> Step:
    """What follows from a step's changes: a typed place drops the shared coordinates (they no longer describe
    it), and a new place or category is looked up again for the same problem. `whole`: `settle` as well."""
    changes = step.changes
    if LOCATION in changes and LATITUDE not in changes and state.latitude is not None:
        changes.update({LATITUDE: None, LONGITUDE: None})
    moved = any(name in changes and changes[name] != getattr(state, name) for name in (LOCATION, CATEGORY))
    if moved:
        changes.update({DUPLICATE: None, DUPLICATE_CHOICE: None})
    after = replace(state, **changes)
    if whole and after.photos_done is None and not can_send_photos(after.channel):
        changes[PHOTOS_DONE] = True
    unchecked = after.duplicate is None and after.duplicate_choice is None
    if (moved or whole) and after.category and after.location and unchecked:
        found = lookup(after.category, after.location, after.latitude, after.longitude) if lookup else None
        changes.update({DUPLICATE: found} if found else {DUPLICATE_CHOICE: duplicate.FILE})
    return step


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
    return _fixed(which, value, texts.FIXED.format(field=texts.FIELD_LABELS[which], value=shown))


def _fixed(which: str, value: Any, said: str) -> Step:
    """A corrected value, applied at once; the summary is shown (and confirmed) again."""
    return Step({which: value, CONFIRMED: None, FIX_PENDING: False, ATTEMPTS: 0}, [Reply(said)])


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
