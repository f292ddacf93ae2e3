"""Every benchmark, once, in an order that keeps them from disturbing each other, then the table."""
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import List

from bot import settings
from bot.benchmarks.accuracy import baseline_accuracy, bot_accuracy
from bot.benchmarks.load import run_cell
from bot.benchmarks.questions import KNOWLEDGE_TEST_SET, Question, load_questions
from bot.benchmarks.scenarios import FollowUpVisit, KnowledgeVisit, ReportVisit
from bot.benchmarks.stack import LocalStack, StackError
from bot.benchmarks.table import Results, StackFigures, render
from bot.benchmarks.training_time import time_training
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.settings import PROJECT_ROOT
from bot.training import model_path

ACCURACY_MAX_SECONDS = 600.0
STACK_LOG = PROJECT_ROOT / "results" / "bench" / "stack.log"


def run_all(residents: List[int], workers: List[int], max_requests: int, max_seconds: float, time_train: bool) -> int:
    try:
        knowledge = load_knowledge(settings.path("KNOWLEDGE_DIR"))
    except KnowledgeError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 1
    if not model_path().exists():
        print("No trained model: run `make bench` (it trains first) or `python -m bot train`.", file=sys.stderr)
        return 1
    questions = load_questions()
    results = Results(
        started=datetime.now(), nproc=os.cpu_count() or 0, load_at_start=_load_average(),
        max_requests=max_requests, max_seconds=max_seconds,
        questions_file=str(KNOWLEDGE_TEST_SET.relative_to(PROJECT_ROOT)),
    )
    results.baseline = baseline_accuracy(knowledge, questions)
    if time_train:
        _progress("timing a full training (minutes)")
        results.training = time_training()
    started = True
    for count in workers:
        _progress(f"starting `python -m bot run` with {count} Rasa worker(s)")
        started = _measure_running_bot(results, knowledge, questions, residents, count, max_requests,
                                       max_seconds) and started
    results.load_at_end = _load_average()
    print(render(results))
    print(f"The servers' log of the last stack: {STACK_LOG.relative_to(PROJECT_ROOT)}")
    return 0 if started else 1


def _measure_running_bot(results: Results, knowledge: KnowledgeBase, questions: List[Question], residents: List[int],
                         workers: int, max_requests: int, max_seconds: float) -> bool:
    """Cold start, the load cells and memory (and accuracy, on the first stack), on one running stack with
    `workers` Sanic workers; False if it did not start."""
    with LocalStack(keep_log=STACK_LOG, workers=workers) as stack:
        try:
            figures = StackFigures(workers, stack.start())
        except StackError as error:
            print(f"The bot did not start, so only the figures without it are shown: {error}", file=sys.stderr)
            return False
        if results.bot is None:
            _progress(f"asking the {len(questions)} held-out questions")
            results.bot = bot_accuracy(stack.webhook_url, knowledge, questions, ACCURACY_MAX_SECONDS)
        for scenario in (KnowledgeVisit(questions), FollowUpVisit(knowledge), ReportVisit()):
            for count in residents:
                _progress(f"{scenario.name}: {count} concurrent residents, {workers} worker(s)")
                results.cells.append(run_cell(stack.webhook_url, scenario, count, max_requests, max_seconds, workers))
        figures.memory = stack.memory()
        results.stacks.append(figures)
    return True


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _progress(what: str) -> None:
    print(f"[bench] {what} ...", file=sys.stderr, flush=True)
