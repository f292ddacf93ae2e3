"""How long a full `rasa train` of this project takes, into a throw-away directory (models/ is not touched).

`--force` and an empty cache directory make Rasa train every component, as on a fresh checkout.
"""
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.settings import PROJECT_ROOT

TIMEOUT_SECONDS = 30 * 60


@dataclass(frozen=True)
class Training:
    """`seconds` of a finished training; when `stopped`, it was still training after `seconds`."""

    seconds: Optional[float]
    problem: str = ""
    stopped: bool = False


def time_training(timeout: float = TIMEOUT_SECONDS) -> Training:
    with tempfile.TemporaryDirectory(prefix="qianjin-bench-train-") as scratch:
        scratch = Path(scratch)
        command = [
            str(Path(sys.executable).with_name("rasa")), "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(scratch / "models"), "--fixed-model-name", "bench", "--force",
        ]
        env = dict(os.environ, RASA_CACHE_DIRECTORY=str(scratch / "cache"))
        log_path = scratch / "train.log"
        started = time.monotonic()
        try:
            with open(log_path, "wb") as log:
                code = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return Training(timeout, f"still training after {timeout:.0f} s", stopped=True)
        seconds = time.monotonic() - started
        if code != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            return Training(None, f"rasa train exited with {code}:\n{tail}")
        return Training(seconds)
