"""A message to the resident, with its buttons: what bot logic returns and the actions send on."""
from dataclasses import dataclass, field
from typing import List, Tuple

# (title, payload): a payload is an intent ("/affirm") or the words a resident could have typed.
Button = Tuple[str, str]


@dataclass(frozen=True)
class Reply:
    """E.g. Reply("您是想问……", [("居家养老服务中心", "/ask_elderly_day_care")])."""

    text: str
    buttons: List[Button] = field(default_factory=list)
