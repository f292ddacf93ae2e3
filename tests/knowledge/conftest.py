"""Fixtures for the knowledge tests: a writable copy of the small fixture knowledge base, with training data."""
import shutil
from pathlib import Path

import pytest

from tests.knowledge.knowledge_paths import FIXTURE_IDS, FIXTURES
from tests.knowledge.training_data import write_training_data


@pytest.fixture
def knowledge_dir(tmp_path, monkeypatch):
    """tmp_path/knowledge, a copy of the fixtures; the working directory is tmp_path, as staff would run it."""
    directory = tmp_path / "knowledge"
    shutil.copytree(FIXTURES, directory)
    monkeypatch.chdir(tmp_path)
    return directory


@pytest.fixture
def project(knowledge_dir):
    """tmp_path as a project: the fixture knowledge base in knowledge/ and training data that matches it."""
    write_training_data(knowledge_dir.parent, FIXTURE_IDS)
    return knowledge_dir.parent


@pytest.fixture
def edit():
    """Replace text in a file, failing loudly if the text to replace is not there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return replace
