"""Concurrent residents on the REST channel, bounded by a number of requests and a number of seconds.

Each virtual resident is a thread with its own HTTP session and sender ids. A cell (scenario x residents)
stops sending when either bound is reached; requests already sent finish (each has its own timeout).
"""
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import requests

from bot.benchmarks.scenarios import Step
from bot.benchmarks.stack import is_answer
from bot.benchmarks.stats import percentile

REQUEST_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class TimedTurn:
    step: str
    seconds: float
    failure: str = ""


@dataclass
class Cell:
    """What one scenario at one number of concurrent residents measured."""

    scenario: str
    residents: int
    workers: int = 1
    elapsed: float = 0.0
    turns: List[TimedTurn] = field(default_factory=list)

    @property
    def answered(self) -> List[TimedTurn]:
        return [t for t in self.turns if not t.failure]

    @property
    def failures(self) -> Dict[str, int]:
        return dict(Counter(t.failure for t in self.turns if t.failure))

    @property
    def answers_per_second(self) -> float:
        return len(self.answered) / self.elapsed if self.elapsed else 0.0

    def latency_ms(self, p: float, step: Optional[str] = None) -> Optional[float]:
        seconds = [t.seconds for t in self.answered if step is None or t.step == step]
        value = percentile(seconds, p)
        return None if value is None else value * 1000


class Budget:
    """Hands out at most `max_requests` turns, and none after `max_seconds`."""

    def __init__(self, max_requests: int, max_seconds: float) -> None:
        self.left = max_requests
        self.deadline = time.monotonic() + max_seconds
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True


def run_cell(webhook_url: str, scenario, residents: int, max_requests: int, max_seconds: float,
             workers: int = 1) -> Cell:
    """`residents` virtual residents running `scenario` visits until the budget is spent (`workers`: of the server)."""
    cell = Cell(scenario.name, residents, workers)
    budget = Budget(max_requests, max_seconds)
    run_id = uuid.uuid4().hex[:8]
    lock = threading.Lock()

    def resident(number: int) -> None:
        with requests.Session() as session:
            visit = 0
            while True:
                sender = f"bench-{run_id}-{scenario.name}-{number}-{visit}"
                steps = scenario.steps(number, visit)
                visit += 1
                previous: List[dict] = []
                for step in steps:
                    if not budget.take():
                        return
                    turn, previous = _send(session, webhook_url, sender, step, previous)
                    with lock:
                        cell.turns.append(turn)
                    if turn.failure:
                        break

    threads = [threading.Thread(target=resident, args=(n,), daemon=True) for n in range(residents)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cell.elapsed = time.monotonic() - started
    return cell


def _send(session: requests.Session, url: str, sender: str, step: Step, previous: List[dict]):
    """One timed turn; returns the TimedTurn and the bot's messages (empty on failure)."""
    text = step.text
    if step.button:
        payloads = {b.get("title"): b.get("payload") for m in previous for b in m.get("buttons") or []}
        if step.button not in payloads:
            return TimedTurn(step.name, 0.0, f"no button {step.button}"), []
        text = payloads[step.button]
    started = time.perf_counter()
    try:
        response = session.post(url, json={"sender": sender, "message": text}, timeout=REQUEST_TIMEOUT_SECONDS)
        response.raise_for_status()
        messages = response.json()
    except requests.Timeout:
        return TimedTurn(step.name, time.perf_counter() - started, "timeout"), []
    except requests.HTTPError as error:
        return TimedTurn(step.name, time.perf_counter() - started, f"HTTP {error.response.status_code}"), []
    except requests.RequestException:
        return TimedTurn(step.name, time.perf_counter() - started, "connection error"), []
    except ValueError:
        return TimedTurn(step.name, time.perf_counter() - started, "reply not JSON"), []
    seconds = time.perf_counter() - started
    if not is_answer(messages):
        return TimedTurn(step.name, seconds, "busy or empty reply"), []
    if not step.expect(messages):
        return TimedTurn(step.name, seconds, "unexpected reply"), []
    return TimedTurn(step.name, seconds), messages
