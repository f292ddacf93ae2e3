"""What a WeChat resident sees of a turn: one plain text, buttons as numbered options, within WeChat's size limit.

WeChat text messages have no buttons, so options are listed as "1. …", and a resident who answers with a number
picks that option of the last list shown to them. A note (an answer from staff, a status change) is not part of the
conversation store those numbers are resolved from, so its choices are words the resident types instead.
"""
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

# WeChat refuses a text message over 2048 bytes (UTF-8), passive reply and customer-service message alike.
MAX_TEXT_BYTES = 2048
CHOICE_PROMPT = "回复数字选择："
TYPED_CHOICE_PROMPT = "请直接回复：{choices}"


@dataclass
class Reply:
    text: str
    buttons: List[Dict[str, Any]]


def render(messages: List[Dict[str, Any]]) -> Reply:
    """Merge the bot's messages (as collected by Rasa) into one text; all their buttons become one numbered list."""
    blocks: List[str] = []
    buttons: List[Dict[str, Any]] = []
    for message in messages:
        for key in ("text", "image", "attachment"):
            if isinstance(message.get(key), str) and message[key].strip():
                blocks.append(message[key].strip())
        buttons += message.get("buttons") or []
    if buttons:
        options = "\n".join(f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1))
        blocks.append(f"{CHOICE_PROMPT}\n{options}")
    return Reply("\n\n".join(blocks), buttons)


def note_text(text: str, buttons: Sequence[Tuple[str, str]]) -> str:
    """A note as one text: its choices named in words, unless its text already names each of them."""
    missing = [title for title, _ in buttons if title not in text]
    if not missing:
        return text
    choices = " / ".join(f"“{title}”" for title, _ in buttons)
    return f"{text}\n{TYPED_CHOICE_PROMPT.format(choices=choices)}"


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _longest_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` bytes without cutting a character in half."""
    return len(text.encode("utf-8")[:limit].decode("utf-8", "ignore"))


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> List[str]:
    """Cut `text` into messages of at most `limit` bytes, at line ends where possible."""
    parts: List[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if _utf8_size(current + line) <= limit:
            current += line
            continue
        if current:
            parts.append(current)
        while _utf8_size(line) > limit:
            cut = _longest_prefix(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()] or [""]


def option_number(text: str) -> Optional[int]:
    """The number a resident typed to pick an option ("2", " ２ ", "2."), or None if `text` is not one."""
    number = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
    if not number.isdecimal() or len(number) > 3:
        return None
    return int(number)


def chosen_payload(buttons: List[Dict[str, Any]], number: int) -> Optional[str]:
    """The payload of option `number` (from 1) of `buttons`, or None if there is no such option.

    Only the latest reply's buttons count: after a reply without any, a number typed (a house number, say)
    reaches the bot as what it is.
    """
    if not 1 <= number <= len(buttons):
        return None
    button = buttons[number - 1]
    return button.get("payload") or button.get("title")
