"""The printed result: one plain-text table of every figure, with the targets and ✓/✗ next to them."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import List, Optional

from bot.benchmarks.accuracy import Accuracy
from bot.benchmarks.load import Cell
from bot.benchmarks.stack import ProcessMemory
from bot.benchmarks.training_time import Training

TARGET_RESIDENTS = 10
TARGET_P95_MS = 150
TARGET_ANSWERS_PER_SECOND = 40
TARGET_TRAINING_SECONDS = 180
# Follow-ups ("能服务多少人") cost at most a tenth of the knowledge answers per second, measured side by side.
TARGET_FOLLOW_UP_RATIO = 0.9


@dataclass
class StackFigures:
    """What one running stack measured besides the load cells."""

    workers: int
    cold_start_seconds: Optional[float] = None
    memory: List[ProcessMemory] = field(default_factory=list)


@dataclass
class Results:
    started: datetime
    nproc: int
    load_at_start: str
    max_requests: int
    max_seconds: float
    questions_file: str
    load_at_end: str = ""
    training: Optional[Training] = None
    stacks: List[StackFigures] = field(default_factory=list)
    cells: List[Cell] = field(default_factory=list)
    bot: Optional[Accuracy] = None
    baseline: Optional[Accuracy] = None

    def cell(self, scenario: str, residents: int, workers: int) -> Optional[Cell]:
        return next((c for c in self.cells
                     if (c.scenario, c.residents, c.workers) == (scenario, residents, workers)), None)

    @property
    def workers(self) -> List[int]:
        return list(dict.fromkeys([s.workers for s in self.stacks] + [c.workers for c in self.cells])) or [1]


@dataclass(frozen=True)
class Target:
    label: str
    limit: str
    shown: str
    met: Optional[bool]

    @property
    def mark(self) -> str:
        return "?" if self.met is None else "✓" if self.met else "✗"


def targets(results: Results) -> List[Target]:
    """The speed targets for each number of workers measured, then the training target."""
    speed = []
    for workers in results.workers:
        cell = results.cell("knowledge", TARGET_RESIDENTS, workers)
        p95 = cell.latency_ms(95) if cell else None
        rate = cell.answers_per_second if cell else None
        where = f"knowledge, {TARGET_RESIDENTS} residents, {_workers(workers)}"
        speed += [
            Target(f"p95 latency, {where}", f"<= {TARGET_P95_MS} ms",
                   "-" if p95 is None else f"{p95:.0f} ms", None if p95 is None else p95 <= TARGET_P95_MS),
            Target(f"throughput, {where}", f">= {TARGET_ANSWERS_PER_SECOND} answers/s",
                   "-" if rate is None else f"{rate:.1f} answers/s",
                   None if rate is None else rate >= TARGET_ANSWERS_PER_SECOND),
        ]
        follow_ups = results.cell("follow-up", TARGET_RESIDENTS, workers)
        ratio = follow_ups.answers_per_second / rate if follow_ups and rate else None
        speed.append(
            Target(f"follow-ups / knowledge answers/s, {TARGET_RESIDENTS} residents, {_workers(workers)}",
                   f">= {TARGET_FOLLOW_UP_RATIO:.2f}", "-" if ratio is None else f"{ratio:.2f}",
                   None if ratio is None else ratio >= TARGET_FOLLOW_UP_RATIO)
        )
    training = results.training.seconds if results.training else None
    return speed + [
        Target("training time", f"<= {TARGET_TRAINING_SECONDS} s", _training(results.training),
               None if training is None else training <= TARGET_TRAINING_SECONDS),
    ]


def render(results: Results) -> str:
    lines = [
        f"Benchmarks {results.started:%Y-%m-%d %H:%M}  nproc={results.nproc}  "
        f"load average at start {results.load_at_start}, at end {results.load_at_end or '-'} (1/5/15 min)",
        "Speed figures compare only side by side within one run: other work on the machine slows them down.",
        "",
    ]
    lines += _rest_section(results)
    lines += _report_steps_section(results)
    lines += _startup_section(results)
    lines += _accuracy_section(results)
    lines += ["Targets (2-core machine)"]
    lines += [f"  {t.label:<50} {t.limit:<20} {t.shown:<18} {t.mark}" for t in targets(results)]
    return "\n".join(lines)


def _rest_section(results: Results) -> List[str]:
    lines = [
        f"REST channel (POST /webhooks/rest/webhook, loopback), each cell stops at {results.max_requests} requests "
        f"or {results.max_seconds:g} s",
        f"  {'workers':>7} {'scenario':<10} {'residents':>9} {'requests':>8} {'failed':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'answers/s':>9}",
    ]
    for cell in results.cells:
        lines.append(
            f"  {cell.workers:>7} {cell.scenario:<10} {cell.residents:>9} {len(cell.turns):>8} "
            f"{len(cell.turns) - len(cell.answered):>6} "
            f"{_ms(cell.latency_ms(50)):>7} {_ms(cell.latency_ms(95)):>7} {_ms(cell.latency_ms(99)):>7} "
            f"{cell.answers_per_second:>9.1f}"
        )
    for cell in results.cells:
        if cell.failures:
            why = ", ".join(f"{count} {reason}" for reason, count in sorted(cell.failures.items()))
            lines.append(f"  failed, {cell.scenario} x {cell.residents}, {_workers(cell.workers)}: {why}")
    lines.append("  (report: one request is one turn of the report conversation; latencies are of answered turns;")
    lines.append("   workers: Sanic workers of the Rasa server, SANIC_WORKERS)")
    return lines + [""]


def _report_steps_section(results: Results) -> List[str]:
    cells = [c for c in results.cells if c.scenario == "report"]
    steps = list(dict.fromkeys(t.step for c in cells for t in c.turns))
    if not steps:
        return []
    lines = ["Report conversation, latency per turn (p50 / p95 ms)",
             f"  {'turn':<18}" + "".join(f"{_column(c, results):>16}" for c in cells)]
    for step in steps:
        lines.append(f"  {step:<18}" + "".join(
            f"{_ms(c.latency_ms(50, step)) + ' / ' + _ms(c.latency_ms(95, step)):>16}" for c in cells))
    return lines + [""]


def _startup_section(results: Results) -> List[str]:
    trained = "skipped (--skip-training-time)" if results.training is None else _training(results.training)
    lines = [
        "Start-up and memory",
        f"  {'training (rasa train --force, empty cache)':<57} {trained}",
    ]
    for stack in results.stacks:
        cold = "-" if stack.cold_start_seconds is None else f"{stack.cold_start_seconds:.1f} s"
        label = f"cold start, {_workers(stack.workers)} (launch `python -m bot run` to first answer)"
        lines.append(f"  {label:<68} {cold}")
    for stack in results.stacks:
        if not stack.memory:
            continue
        lines.append(f"  memory of each process after the load, {_workers(stack.workers)} (VmRSS now / VmHWM peak)")
        lines.append(f"    {'pid':>7}  {'process':<24} {'RSS MB':>7} {'peak MB':>8}")
        for process in sorted(stack.memory, key=lambda p: p.pid):
            lines.append(f"    {process.pid:>7}  {process.command:<24} {process.rss_kb / 1024:>7.0f} "
                         f"{process.peak_rss_kb / 1024:>8.0f}")
        lines.append(f"    {'':>7}  {'total':<24} {sum(p.rss_kb for p in stack.memory) / 1024:>7.0f} "
                     f"{sum(p.peak_rss_kb for p in stack.memory) / 1024:>8.0f}")
    return lines + [""]


def _accuracy_section(results: Results) -> List[str]:
    bot, baseline = results.bot, results.baseline
    if baseline is None:
        return []
    lines = [
        f"Answer accuracy on the held-out questions ({results.questions_file}, {baseline.questions} questions)",
        f"  {'':<36} {'right':>6} {'wrong':>6} {'no answer':>9} {'accuracy':>9}",
    ]
    rows = (("bot (running stack)", bot), ("keyword baseline (titles+keywords)", baseline))
    for name, accuracy in rows:
        if accuracy is not None:
            lines.append(f"  {name:<36} {accuracy.correct:>6} {accuracy.wrong:>6} {accuracy.no_answer:>9} "
                         f"{accuracy.rate:>9.1%}")
    if bot is not None and bot.asked < bot.questions:
        lines.append(f"  ({bot.questions - bot.asked} questions not asked to the bot: time ran out)")
    if bot is not None:
        lines.append(f"  bot / baseline: {bot.rate / baseline.rate:.2f}" if baseline.rate else "  bot / baseline: -")
    return lines + [""]


def _training(training: Optional[Training]) -> str:
    if training is None:
        return "not measured"
    if training.stopped:
        return f"> {training.seconds:.0f} s (stopped)"
    if training.seconds is None:
        return "failed: " + training.problem.splitlines()[0]
    return f"{training.seconds:.0f} s"


def _residents(count: int) -> str:
    return f"{count} resident" if count == 1 else f"{count} residents"


def _workers(count: int) -> str:
    return f"{count} worker" if count == 1 else f"{count} workers"


def _column(cell: Cell, results: Results) -> str:
    """A report-turn column: its residents, and its workers when more than one number of workers was measured."""
    if len(results.workers) == 1:
        return _residents(cell.residents)
    return f"{cell.residents}r/{cell.workers}w"


def _ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0f}"
