"""Fixtures for the report actions: a real governance queue in a fresh SQLite file, and rasa_sdk trackers."""
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker

from bot.governance import ReportQueue

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORM = "report_form"


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The real domain, as the action server receives it."""
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def queue_url(tmp_path, monkeypatch) -> str:
    """DATABASE_URL for this test: a new SQLite file, so every test starts with an empty queue."""
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def queue(queue_url) -> ReportQueue:
    """The same database the actions write to, opened separately, as staff tools would."""
    opened = ReportQueue.from_url(queue_url)
    yield opened
    opened.close()


def make_tracker(
    domain: Dict[str, Any],
    text: str,
    intent: str,
    confidence: float = 1.0,
    slots: Optional[Dict[str, Any]] = None,
    entities: Iterable[Dict[str, Any]] = (),
    active_loop: Optional[str] = FORM,
    sender_id: str = "resident-1",
    candidates: Optional[Dict[str, Any]] = None,
    earlier: Iterable[Dict[str, Any]] = (),
    channel: str = "rest",
) -> Tracker:
    """A tracker right after the resident said `text` on `channel`; `candidates` are slot events the form hands in
    to validate, `earlier` the events before that message."""
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    all_slots = {name: None for name in domain["slots"]}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    events: List[Dict[str, Any]] = [
        *earlier,
        {"event": "user", "text": text, "parse_data": parse_data, "input_channel": channel},
        {"event": "action", "name": active_loop or "action_listen"},
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in (candidates or {}).items()]
    all_slots.update(candidates or {})
    return Tracker(
        sender_id, all_slots, parse_data, events, False, None,
        {"name": active_loop} if active_loop else {}, "action_listen",
    )


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots the action set, last value wins."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts_of(dispatcher) -> List[str]:
    return [message.get("text") or "" for message in dispatcher.messages]


def buttons_of(dispatcher) -> List[tuple]:
    return [(b["title"], b["payload"]) for message in dispatcher.messages for b in message.get("buttons") or []]
