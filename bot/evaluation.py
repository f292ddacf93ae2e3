"""`python -m bot evaluate`: how well the bot understands residents, in figures.

Held-out: the trained model on `tests/nlu/` (questions written separately and never trained on).
Cross-validation: five folds over `data/nlu/` (five trainings, so minutes, not seconds).
Both print intent accuracy and macro-F1; the held-out figures must reach MIN_SCORE or the command fails.
"""
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict

from bot.settings import PROJECT_ROOT
from bot.training import model_path

MIN_SCORE = 0.95
RESULTS = PROJECT_ROOT / "results"


def _rasa(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).with_name("rasa")), *args], cwd=PROJECT_ROOT, check=True)


def _scores(report: Path) -> Dict[str, float]:
    data = json.loads(report.read_text(encoding="utf-8"))
    intents = [name for name in data if name != "accuracy" and not name.endswith(" avg")]
    return {"accuracy": data["accuracy"], "macro_f1": data["macro avg"]["f1-score"], "intents": len(intents)}


def heldout() -> Dict[str, float]:
    out = RESULTS / "heldout"
    _rasa("test", "nlu", "--model", str(model_path()), "--nlu", "tests/nlu", "--out", str(out), "--no-plot")
    return _scores(out / "intent_report.json")


def cross_validation(folds: int = 5) -> Dict[str, float]:
    out = RESULTS / "cross_validation"
    _rasa("test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation", "--folds",
          str(folds), "--out", str(out), "--no-plot")
    return _scores(out / "intent_report.json")


def _print(name: str, scores: Dict[str, float]) -> None:
    print(f"{name:<24} intents={scores['intents']:<4} accuracy={scores['accuracy']:.4f}  "
          f"macro-F1={scores['macro_f1']:.4f}")


def evaluate(heldout_only: bool) -> int:
    rows = {"held-out test set": heldout()}
    if not heldout_only:
        rows["5-fold cross-validation"] = cross_validation()
    print("\nIntent classification")
    for name, scores in rows.items():
        _print(name, scores)
    held = rows["held-out test set"]
    if min(held["accuracy"], held["macro_f1"]) < MIN_SCORE:
        print(f"Held-out accuracy and macro-F1 must both reach {MIN_SCORE}; see results/heldout/ for the "
              "confused intents.", file=sys.stderr)
        return 1
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="intent accuracy and macro-F1 (held-out set, cross-validation)")
    parser.add_argument("--heldout-only", action="store_true", help="skip the five-fold cross-validation")
    parser.set_defaults(handler=lambda args: evaluate(args.heldout_only))
