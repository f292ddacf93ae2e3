"""Resident text as staff commands print it: personal numbers masked, and no control characters, so a report
description cannot clear the staff member's screen, recolour it, or reorder what follows it (bidi overrides)."""
import re

from bot.personal_data.numbers import mask_personal_data

# A whole escape sequence (CSI such as ESC[2J, OSC such as a window title, or ESC and one character).
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?", re.DOTALL)
_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\u2028\u2029\x85]+")
# C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def for_staff(text: str) -> str:
    """`text` from a resident (or relayed from the events platform) on one line, safe to print to a terminal."""
    text = _ESCAPE.sub("", mask_personal_data(text or ""))
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text))
