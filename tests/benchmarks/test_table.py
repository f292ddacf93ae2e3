from datetime import datetime

from bot.benchmarks.accuracy import Accuracy
from bot.benchmarks.load import Cell, TimedTurn
from bot.benchmarks.stack import ProcessMemory
from bot.benchmarks.table import Results, StackFigures, render, targets
from bot.benchmarks.training_time import Training


def results(knowledge_seconds, training, follow_ups=48):
    knowledge = Cell("knowledge", 10, elapsed=1.0, turns=[TimedTurn("knowledge", knowledge_seconds)] * 50)
    follow_up = Cell("follow-up", 10, elapsed=1.0, turns=[TimedTurn("follow-up", knowledge_seconds)] * follow_ups)
    report_turns = [
        TimedTurn("describe problem", 0.2),
        TimedTurn("confirm submit", 0.3),
        TimedTurn("confirm submit", 30.0, "timeout"),
    ]
    report = Cell("report", 10, elapsed=2.0, turns=report_turns)
    return Results(
        started=datetime(2026, 11, 23, 15, 0), nproc=2, load_at_start="3.40 4.38 3.27", load_at_end="2.00 3.00 3.00",
        max_requests=200, max_seconds=30, questions_file="tests/nlu/knowledge_test.yml",
        training=training, cells=[knowledge, follow_up, report],
        stacks=[StackFigures(1, 41.5, [ProcessMemory(100, "bot run", 51200, 51200),
                                       ProcessMemory(101, "rasa run", 1024000, 1100000)])],
        bot=Accuracy(10, correct=9, no_answer=1), baseline=Accuracy(10, correct=3, wrong=2, no_answer=5),
    )


def test_targets_are_checked_against_the_knowledge_cell_at_ten_residents():
    met = [t.met for t in targets(results(0.1, Training(120.0)))]
    assert met == [True, True, True, True]
    missed = [t.met for t in targets(results(0.2, Training(200.0), follow_ups=40))]
    assert missed == [False, True, False, False]


def test_a_skipped_training_is_not_judged():
    [_, _, _, training] = targets(results(0.1, None))
    assert training.met is None and training.mark == "?" and training.shown == "not measured"


def test_the_table_shows_every_figure():
    text = render(results(0.1, Training(120.0)))
    assert "nproc=2" in text and "load average at start 3.40 4.38 3.27" in text
    assert "1 timeout" in text and "describe problem" in text
    assert "41.5 s" in text and "rasa run" in text and "120 s" in text
    assert "90.0%" in text and "30.0%" in text and "bot / baseline: 3.00" in text
    assert text.count("✓") == 4 and "✗" not in text


def test_a_training_stopped_at_its_time_limit_misses_the_target():
    [_, _, _, training] = targets(results(0.1, Training(1800.0, "still training after 1800 s", stopped=True)))
    assert training.met is False and training.shown == "> 1800 s (stopped)"


def test_without_a_running_bot_the_other_figures_are_still_shown():
    partial = results(0.1, Training(120.0))
    partial.cells, partial.stacks, partial.bot = [], [], None
    text = render(partial)
    assert "keyword baseline" in text and "30.0%" in text and "bot (running stack)" not in text
    assert "120 s" in text and [t.mark for t in targets(partial)] == ["?", "?", "?", "✓"]


def test_each_number_of_workers_is_judged_on_its_own_cell():
    two = results(0.1, Training(120.0))
    two.cells.append(Cell("knowledge", 10, 2, elapsed=1.0, turns=[TimedTurn("knowledge", 0.05)] * 80))
    two.stacks.append(StackFigures(2, 50.0, [ProcessMemory(102, "bot.rasa.server run", 1024000, 1024000)]))
    two.cells[0] = Cell("knowledge", 10, 1, elapsed=2.0, turns=[TimedTurn("knowledge", 0.2)] * 50)

    marks = {t.label: t.met for t in targets(two)}

    assert marks["p95 latency, knowledge, 10 residents, 1 worker"] is False
    assert marks["throughput, knowledge, 10 residents, 1 worker"] is False
    assert marks["p95 latency, knowledge, 10 residents, 2 workers"] is True
    assert marks["throughput, knowledge, 10 residents, 2 workers"] is True
    text = render(two)
    assert "cold start, 2 workers" in text and "50.0 s" in text and "bot.rasa.server run" in text
