"""Fixtures for the knowledge tests: a writable copy of the small fixture knowledge base."""
import shutil
from pathlib import Path

import pytest

from tests.knowledge.knowledge_paths import FIXTURES


@pytest.fixture
def knowledge_dir(tmp_path, monkeypatch):
    """tmp_path/knowledge, a copy of the fixtures; the working directory is tmp_path, as staff would run it."""
    directory = tmp_path / "knowledge"
    shutil.copytree(FIXTURES, directory)
    monkeypatch.chdir(tmp_path)
    return directory


@pytest.fixture
def edit():
    """Replace text in a file, failing loudly if the text to replace is not there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
