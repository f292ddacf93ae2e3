"""Two rules for the code that ruff does not check.

Only `bot/rasa/` imports Rasa. rasa, rasa_sdk and sanic (Rasa's web server) stay behind `bot/rasa/` (and
`actions/`, outside `bot/`): the rest of `bot/` is plain Python that runs and is tested without them, and a Rasa
upgrade touches only those two places.

Lines fit in 120 characters. Ruff counts a Chinese character as two columns, so its own line-length rule (E501)
is off and the limit is counted here in characters.
"""
import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from tests.conftest import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
RASA_GLUE = BOT / "rasa"
MAX_LINE_CHARS = 120
CHECKED_FOR_LENGTH = ("bot", "actions", "tests")


def is_framework(module: str) -> bool:
    top = module.split(".")[0]
    return top in ("rasa", "rasa_sdk", "sanic") or top.startswith("sanic_")


def framework_imports(source: str, filename: str = "<source>") -> Iterator[Tuple[int, str]]:
    """(line, module) of every import of Rasa, rasa_sdk or sanic in `source`, at any depth, by name or by string."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules = [node.args[0].value]
        else:
            continue
        for module in modules:
            if is_framework(module):
                yield node.lineno, module


def python_files(folder: Path) -> List[Path]:
    return sorted(path for path in folder.rglob("*.py") if "__pycache__" not in path.parts)


def test_only_bot_rasa_imports_rasa_rasa_sdk_or_sanic():
    offences = [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for path in python_files(BOT)
        if RASA_GLUE not in path.parents
        for line, module in framework_imports(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not offences, (
        "only bot/rasa/ may import rasa, rasa_sdk or sanic; move the Rasa side there and hand plain Python values "
        "across:\n" + "\n".join(offences)
    )


def test_the_glue_is_where_the_rule_says():
    """The rule above is not vacuous: bot/rasa/ is found and does import Rasa."""
    glue = [path for path in python_files(RASA_GLUE) if any(framework_imports(path.read_text(encoding="utf-8")))]
    assert RASA_GLUE / "server.py" in python_files(RASA_GLUE)
    assert RASA_GLUE / "channels" / "wechat.py" in glue


@pytest.mark.parametrize(
    "source, found",
    [
        ("import rasa", [(1, "rasa")]),
        ("import os, rasa.core.agent", [(1, "rasa.core.agent")]),
        ("from rasa_sdk import Action", [(1, "rasa_sdk")]),
        ("from sanic.response import json", [(1, "sanic.response")]),
        ("import sanic_cors", [(1, "sanic_cors")]),
        ("def later():\n    from rasa.core.lock_store import LockStore", [(2, "rasa.core.lock_store")]),
        ("import importlib\nimportlib.import_module('rasa.core')", [(2, "rasa.core")]),
        ("__import__('sanic')", [(1, "sanic")]),
        ("from bot.rasa import server", []),
        ("from . import rasa", []),
        ("from .rasa import server", []),
        ("import rasalike, sanitize", []),
    ],
)
def test_the_check_sees_every_way_of_importing(source, found):
    assert list(framework_imports(source)) == found


def test_the_command_line_loads_no_rasa():
    """`python -m bot ...` (knowledge check, queue, run) starts in a fraction of a second: Rasa takes seconds."""
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, bot.cli; bot.cli.build_parser(); "
         "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'sanic')}))"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert loaded == "[]"


def test_lines_fit_in_120_characters():
    too_long = [
        f"{path.relative_to(PROJECT_ROOT)}:{number} has {len(line)} characters"
        for folder in CHECKED_FOR_LENGTH
        for path in python_files(PROJECT_ROOT / folder)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > MAX_LINE_CHARS
    ]
    assert not too_long, f"lines longer than {MAX_LINE_CHARS} characters:\n" + "\n".join(too_long)
