"""Train the Rasa model only when its inputs changed.

The fingerprint covers everything `rasa train` reads (config, domain, training data, jieba dictionary), so a
restart with unchanged files starts in seconds, while any edit to them retrains. Knowledge YAML is not an
input: answers are rendered from it at run time, and a wording change needs no retraining.
"""
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from bot.settings import PROJECT_ROOT

MODEL_NAME = "qianjin"
MODELS_DIR = PROJECT_ROOT / "models"
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "jieba")


def model_path() -> Path:
    return MODELS_DIR / f"{MODEL_NAME}.tar.gz"


def _files(inputs: Iterable[str]) -> Iterable[Path]:
    for name in inputs:
        path = PROJECT_ROOT / name
        yield from sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for file in _files(TRAINING_INPUTS):
        digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _stamp() -> Path:
    return MODELS_DIR / f"{MODEL_NAME}.fingerprint"


def is_current() -> bool:
    stamp = _stamp()
    return model_path().exists() and stamp.exists() and stamp.read_text().strip() == fingerprint()


def train(force: bool = False) -> int:
    if not force and is_current():
        print(f"Model {model_path().relative_to(PROJECT_ROOT)} is up to date; not retraining.")
        return 0
    wanted = fingerprint()
    command = [
        str(Path(sys.executable).with_name("rasa")), "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(MODELS_DIR), "--fixed-model-name", MODEL_NAME, "--force",
    ]
    code = subprocess.call(command, cwd=PROJECT_ROOT)
    if code == 0:
        _stamp().write_text(wanted + "\n")
    return code


def register(subparsers) -> None:
    parser = subparsers.add_parser("train", help="train the Rasa model if config, domain or data changed")
    parser.add_argument("--force", action="store_true", help="retrain even when nothing changed")
    parser.set_defaults(handler=lambda args: train(force=args.force))
