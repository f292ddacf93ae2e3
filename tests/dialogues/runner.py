"""Scripted resident conversations (tests/dialogues/*.yml): loading, playing them against a bot, reporting.

A file is a list of conversations; each has a `name` and `turns`. A turn is what the resident does, `say` (typed
text) or `tap` (the payload of the most recent button with that title shown so far in this conversation: an old
button), and what the bot's reply to it must hold, the reply being all the turn's messages joined with newlines:

    expect:     every string must appear
    expect_any: at least one must appear; or a list of such lists, each of which must be satisfied
    reject:     none may appear

Every turn of every conversation is also checked for what no reply may ever do (see `check_turn`). A conversation
fails as a whole at its first failed turn; the rest of its turns are not played. A conversation is typed over the
REST channel unless it names another `channel` (widget: one that can send photos and locations, as payloads).
"""
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

DIALOGUES_DIR = Path(__file__).resolve().parent
MIN_PASS_RATE = 0.95
TURN_TIMEOUT = 30
# Words no reply to a resident may contain: a crash leaking through.
FORBIDDEN = ("Traceback", "Exception", "error")
# The same message in this many consecutive replies is a loop (a prompt may be repeated once, not twice).
LOOP_TURNS = 3

TURN_KEYS = {"say", "tap", "expect", "expect_any", "reject"}
CONVERSATION_KEYS = {"name", "turns"}
OPTIONAL_CONVERSATION_KEYS = {"channel"}
CHANNELS = ("rest", "widget")

# (sender, text) -> the bot's messages, each a dict with "text" and maybe "buttons" ({"title", "payload"}).
Send = Callable[[str, str], List[dict]]


@dataclass(frozen=True)
class Turn:
    say: Optional[str] = None
    tap: Optional[str] = None
    expect: Tuple[str, ...] = ()
    expect_any: Tuple[Tuple[str, ...], ...] = ()
    reject: Tuple[str, ...] = ()

    @property
    def said(self) -> str:
        return self.say if self.say is not None else f"[点按钮] {self.tap}"


@dataclass(frozen=True)
class Conversation:
    file: str
    name: str
    turns: Tuple[Turn, ...]
    channel: str = "rest"


@dataclass(frozen=True)
class Failure:
    turn: int  # 1-based
    said: str
    got: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    conversation: Conversation
    failure: Optional[Failure] = None
    # (what the resident said, what the bot replied) for every turn played
    exchanges: Tuple[Tuple[str, str], ...] = ()

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass
class FileResult:
    file: str
    outcomes: List[Outcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def failures(self) -> List[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.passed]

    def summary_line(self) -> str:
        return f"dialogues {self.file}: {self.passed}/{self.total} passed ({self.rate:.1%})"


# --- loading ---------------------------------------------------------------------------------------------------


class DialogueFileError(ValueError):
    pass


def _strings(value, where: str) -> Tuple[str, ...]:
    """A non-empty list of words; a bare whole number (`expect: [108]`) is its digits. Write decimals in quotes
    ("90.44"): YAML would make 4.80 into 4.8."""
    if isinstance(value, list):
        value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    if not isinstance(value, list) or not value or not all(isinstance(s, str) and s for s in value):
        raise DialogueFileError(f"{where}: expected a non-empty list of non-empty strings, got {value!r}")
    return tuple(value)


def _groups(value, where: str) -> Tuple[Tuple[str, ...], ...]:
    """expect_any: one list of alternatives, or a list of such lists."""
    if isinstance(value, list) and value and all(isinstance(group, list) for group in value):
        return tuple(_strings(group, f"{where}[{i}]") for i, group in enumerate(value))
    return (_strings(value, where),)


def _turn(raw, where: str) -> Turn:
    if not isinstance(raw, dict):
        raise DialogueFileError(f"{where}: a turn is a mapping, got {raw!r}")
    unknown = set(raw) - TURN_KEYS
    if unknown:
        raise DialogueFileError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(TURN_KEYS)})")
    if ("say" in raw) == ("tap" in raw):
        raise DialogueFileError(f"{where}: a turn has exactly one of `say` and `tap`")
    action = raw.get("say", raw.get("tap"))
    if not isinstance(action, str) or not action.strip():
        raise DialogueFileError(f"{where}: `say`/`tap` must be non-empty text, got {action!r}")
    return Turn(
        say=raw.get("say"),
        tap=raw.get("tap"),
        expect=_strings(raw["expect"], f"{where}.expect") if "expect" in raw else (),
        expect_any=_groups(raw["expect_any"], f"{where}.expect_any") if "expect_any" in raw else (),
        reject=_strings(raw["reject"], f"{where}.reject") if "reject" in raw else (),
    )


def load_file(path: Path) -> List[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        raise DialogueFileError(f"{path.name}: expected a non-empty list of conversations")
    conversations = []
    for i, raw in enumerate(data, 1):
        where = f"{path.name} #{i}"
        allowed = CONVERSATION_KEYS | OPTIONAL_CONVERSATION_KEYS
        if not isinstance(raw, dict) or not CONVERSATION_KEYS <= set(raw) <= allowed:
            raise DialogueFileError(f"{where}: a conversation has `name`, `turns` and maybe `channel`, got {raw!r}")
        name, turns, channel = raw["name"], raw["turns"], raw.get("channel", "rest")
        if not isinstance(name, str) or not name.strip():
            raise DialogueFileError(f"{where}: `name` must be non-empty text")
        if not isinstance(turns, list) or not turns:
            raise DialogueFileError(f"{where} ({name}): `turns` must be a non-empty list")
        if channel not in CHANNELS:
            raise DialogueFileError(f"{where} ({name}): `channel` is one of {CHANNELS}, got {channel!r}")
        parsed = tuple(_turn(turn, f"{where} ({name}) turn {j}") for j, turn in enumerate(turns, 1))
        conversations.append(Conversation(path.name, name, parsed, channel))
    return conversations


def dialogue_files(directory: Path = DIALOGUES_DIR) -> List[Path]:
    return sorted(directory.glob("*.yml"))


def load_all(directory: Path = DIALOGUES_DIR) -> Dict[str, List[Conversation]]:
    """Every file's conversations, by file name; names are unique across all files."""
    loaded = {path.name: load_file(path) for path in dialogue_files(directory)}
    seen: Dict[str, str] = {}
    for file, conversations in loaded.items():
        for conversation in conversations:
            if conversation.name in seen:
                raise DialogueFileError(
                    f"conversation name {conversation.name!r} is used in {seen[conversation.name]} and {file}")
            seen[conversation.name] = file
    return loaded


# --- checking ----------------------------------------------------------------------------------------------------


def message_texts(messages: Sequence[dict]) -> List[str]:
    return [(message.get("text") or "") for message in messages]


def reply_text(messages: Sequence[dict]) -> str:
    return "\n".join(message_texts(messages))


def check_turn(turn: Turn, messages: Sequence[dict], earlier: Sequence[Sequence[str]]) -> Optional[str]:
    """Why this reply fails the turn, or None. `earlier` holds the message texts of this conversation's earlier
    replies, oldest first."""
    got = reply_text(messages)
    if not got.strip():
        return "empty reply"
    for word in FORBIDDEN:
        if word.lower() in got.lower():
            return f"reply contains {word!r}"
    if len(earlier) >= LOOP_TURNS - 1:
        recent = earlier[-(LOOP_TURNS - 1):]
        for text in message_texts(messages):
            if text.strip() and all(text in previous for previous in recent):
                return f"loop: the same message in {LOOP_TURNS} replies in a row: {_one_line(text, 60)}"
    missing = [word for word in turn.expect if word not in got]
    if missing:
        return f"missing {missing}"
    for group in turn.expect_any:
        if not any(word in got for word in group):
            return f"none of {list(group)}"
    found = [word for word in turn.reject if word in got]
    if found:
        return f"rejected {found} present"
    return None


def _button_payload(shown: Sequence[Tuple[str, str]], title: str) -> Optional[str]:
    for shown_title, payload in reversed(shown):
        if shown_title == title:
            return payload
    return None


def run_conversation(conversation: Conversation, send: Send, sender: str) -> Outcome:
    shown: List[Tuple[str, str]] = []  # every button shown so far: (title, payload)
    earlier: List[List[str]] = []
    exchanges: List[Tuple[str, str]] = []
    for number, turn in enumerate(conversation.turns, 1):
        said = turn.said
        if turn.tap is not None:
            payload = _button_payload(shown, turn.tap)
            if payload is None:
                # The bot never showed that button in this conversation: the resident types its title instead.
                payload = turn.tap
                said = f"{said}（没出现过这个按钮，改为打字）"
            text = payload
        else:
            text = turn.say
        try:
            messages = send(sender, text)
        except Exception as error:  # a timeout or an HTTP error is this turn's failure, not the run's
            reason = f"no reply: {type(error).__name__}: {error}"
            return Outcome(conversation, Failure(number, said, "", reason), tuple(exchanges + [(said, "")]))
        exchanges.append((said, reply_text(messages)))
        reason = check_turn(turn, messages, earlier)
        if reason:
            return Outcome(conversation, Failure(number, said, reply_text(messages), reason), tuple(exchanges))
        earlier.append(message_texts(messages))
        for message in messages:
            for button in message.get("buttons") or []:
                shown.append((button.get("title") or "", button.get("payload") or ""))
    return Outcome(conversation, None, tuple(exchanges))


def run_file(conversations: Iterable[Conversation], send: Send, new_sender: Callable[[str], str]) -> FileResult:
    """`new_sender(channel)`: a new conversation id on that channel (`send` tells the channel by the id)."""
    conversations = list(conversations)
    result = FileResult(conversations[0].file if conversations else "")
    for conversation in conversations:
        result.outcomes.append(run_conversation(conversation, send, new_sender(conversation.channel)))
    return result


# --- reporting ---------------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _one_line(text: str, limit: int) -> str:
    text = " ⏎ ".join(line for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else text[:limit] + "…"


def failures_table(result: FileResult, got_limit: int = 160) -> List[str]:
    rows = [("conversation", "turn", "said", "why / got")]
    for outcome in result.failures:
        failure = outcome.failure
        rows.append((
            outcome.conversation.name,
            str(failure.turn),
            failure.said,
            f"{failure.reason} / {_one_line(failure.got, got_limit) or '(nothing)'}",
        ))
    widths = [max(_width(row[column]) for row in rows) for column in range(3)]
    return [" | ".join([*(_pad(row[c], widths[c]) for c in range(3)), row[3]]) for row in rows]


def combined_line(results: Iterable[FileResult]) -> str:
    results = list(results)
    passed = sum(result.passed for result in results)
    total = sum(result.total for result in results)
    rate = passed / total if total else 0.0
    return f"dialogues all files: {passed}/{total} passed ({rate:.1%})"


def render_transcripts(results: Dict[str, FileResult]) -> str:
    """Every conversation as played: each turn's words and the bot's whole reply, to read what happened."""
    lines: List[str] = []
    for result in results.values():
        for outcome in result.outcomes:
            verdict = "PASS" if outcome.passed else f"FAIL at turn {outcome.failure.turn}: {outcome.failure.reason}"
            lines.append(f"=== {result.file} | {outcome.conversation.name} | {verdict}")
            for said, got in outcome.exchanges:
                lines.append(f"居民：{said}")
                lines.extend(f"  bot：{line}" for line in (got.splitlines() or [""]))
            lines.append("")
    return "\n".join(lines)


def render_report(results: Dict[str, FileResult], got_limit: int = 160) -> str:
    lines: List[str] = []
    for result in results.values():
        lines.append(result.summary_line())
        if result.failures:
            lines.extend("  " + row for row in failures_table(result, got_limit))
        lines.append("")
    lines.extend(result.summary_line() for result in results.values())
    lines.append(combined_line(results.values()))
    return "\n".join(lines) + "\n"
