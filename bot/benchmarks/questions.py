"""The held-out knowledge questions (`tests/nlu/knowledge_test.yml`): each resident question with its entry."""
import re
from dataclasses import dataclass
from pathlib import Path
from typing import List

import yaml

from bot.settings import PROJECT_ROOT

KNOWLEDGE_TEST_SET = PROJECT_ROOT / "tests" / "nlu" / "knowledge_test.yml"
INTENT_PREFIX = "ask_"
# Rasa entity annotations: [前悦社区](place) and [前悦]{"entity": "place", "value": "前悦社区"}.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Question:
    text: str
    entry_id: str


def plain_text(example: str) -> str:
    """What the resident typed: the example without its entity annotations."""
    return _ANNOTATION.sub(r"\1", example).strip()


def load_questions(path: Path = KNOWLEDGE_TEST_SET) -> List[Question]:
    """Every example of every `ask_<entry id>` intent in a Rasa NLU YAML file, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions = []
    for block in data.get("nlu") or []:
        intent = block.get("intent") or ""
        if not intent.startswith(INTENT_PREFIX):
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- ") and plain_text(line[2:]):
                questions.append(Question(plain_text(line[2:]), intent[len(INTENT_PREFIX):]))
    return questions
