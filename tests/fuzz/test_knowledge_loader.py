"""Whatever staff save in knowledge/*.yml, the loader either loads it or says what to fix (KnowledgeError).

Any other exception would take the bot's answers down at start-up, or leave a hot reload half done, so
hypothesis throws random YAML structures, wrong types, huge and control-character strings and raw bytes at it.
"""
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.drafts import check_drafts
from bot.knowledge.schema import FIELDS, SOURCE_FIELDS, STAFF_SOURCE_FIELDS
from tests.knowledge.knowledge_paths import FIXTURES

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# PyYAML is pure Python: a few huge strings per run are enough, not one in every leaf.
huge_strings = st.builds(lambda char, count: char * count, st.characters(), st.integers(2_000, 100_000))
strings = st.text() | st.text(st.characters(max_codepoint=0x9F))
scalars = st.none() | st.booleans() | st.integers() | st.floats() | strings | st.dates() | st.binary(max_size=64)
structures = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12) | st.integers(), children,
                                                                    max_size=4),
    max_leaves=12,
)
values = structures | huge_strings
field_names = st.sampled_from(FIELDS) | st.text(max_size=12)


@contextmanager
def fixture_copy() -> Iterator[Path]:
    """A fresh writable copy of the small valid fixture knowledge base (one per example)."""
    with tempfile.TemporaryDirectory() as root:
        directory = Path(root) / "knowledge"
        shutil.copytree(FIXTURES, directory)
        yield directory


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def loads_or_explains(directory: Path) -> None:
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as error:
        assert error.problems, "KnowledgeError without problems"
        assert all(isinstance(problem, str) and problem.strip() for problem in error.problems), error.problems
        assert str(error)
    else:
        assert len(knowledge) > 0


def first_entry(directory: Path) -> dict:
    return yaml.safe_load((directory / "elderly.yml").read_text(encoding="utf-8"))["entries"][0]


@pytest.mark.parametrize("file_name", ["elderly.yml", "sources.yml"])
@FUZZ
@given(document=structures)
def test_any_yaml_document_as_an_entries_file_or_sources_yml(file_name, document):
    with fixture_copy() as directory:
        (directory / file_name).write_text(dump(document), encoding="utf-8")
        loads_or_explains(directory)


@FUZZ
@given(entries=st.lists(structures, min_size=1, max_size=4))
def test_any_values_as_entries(entries):
    with fixture_copy() as directory:
        (directory / "services.yml").write_text(dump({"entries": entries}), encoding="utf-8")
        loads_or_explains(directory)


@FUZZ
@given(changes=st.dictionaries(field_names, values, min_size=1, max_size=3))
def test_a_valid_entry_with_fields_replaced_by_anything(changes):
    with fixture_copy() as directory:
        entry = {**first_entry(directory), **changes}
        (directory / "elderly.yml").write_text(dump({"entries": [entry]}), encoding="utf-8")
        loads_or_explains(directory)


@FUZZ
@given(source=st.dictionaries(st.sampled_from(SOURCE_FIELDS + STAFF_SOURCE_FIELDS) | st.text(max_size=8), structures,
                              max_size=3),
       name=st.text(max_size=20) | st.integers())
def test_sources_and_entry_source_with_anything(source, name):
    with fixture_copy() as directory:
        entry = {**first_entry(directory), "source": source}
        (directory / "elderly.yml").write_text(dump({"entries": [entry]}), encoding="utf-8")
        sources = yaml.safe_load((directory / "sources.yml").read_text(encoding="utf-8"))
        sources["sources"][name] = source
        (directory / "sources.yml").write_text(dump(sources), encoding="utf-8")
        loads_or_explains(directory)


@FUZZ
@given(source=st.dictionaries(st.sampled_from(STAFF_SOURCE_FIELDS), strings | structures, max_size=3),
       changes=st.dictionaries(field_names, values, max_size=2),
       examples=structures)
def test_a_draft_with_anything_is_checked_or_explained(source, changes, examples):
    with fixture_copy() as directory:
        entry = {**first_entry(directory), "source": {"staff_answer": "ZX20261130-0001", **source}, **changes}
        (directory / "drafts").mkdir()
        (directory / "drafts" / "ZX20261130-0001.yml").write_text(
            dump({"entries": [entry], "examples": examples}), encoding="utf-8"
        )
        problems, passed = check_drafts(directory, directory)
        assert all(isinstance(problem, str) and problem.strip() for problem in problems)
        assert len(problems) + len(passed) >= 1


YAML_PUNCTUATION = "-:[]{}&*!|>'\"%@` \t\n#?,"


@FUZZ
@given(text=st.text() | st.text(st.characters(max_codepoint=0x7F)) | st.text(st.sampled_from(YAML_PUNCTUATION)))
def test_any_text_as_a_file(text):
    with fixture_copy() as directory:
        (directory / "elderly.yml").write_text(text, encoding="utf-8", errors="surrogatepass")
        loads_or_explains(directory)


@FUZZ
@given(data=st.binary(max_size=2_000))
def test_any_bytes_as_a_file(data):
    with fixture_copy() as directory:
        (directory / "elderly.yml").write_bytes(data)
        loads_or_explains(directory)


# What staff might type after a key: impossible dates, over-long numbers, deep brackets, YAML punctuation.
date_like = st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(
    lambda ymd: "%04d-%02d-%02d" % ymd)
long_numbers = st.integers(1, 20_000).map(lambda digits: "9" * digits)
brackets = st.integers(1, 2_000).flatmap(lambda depth: st.sampled_from(["[" * depth, "[" * depth + "]" * depth,
                                                                       "{a: " * depth + "}" * depth]))
raw_values = date_like | long_numbers | brackets | st.text(st.sampled_from("-:[]{}&*!|>'\"%@` #?,0123456789年"))


@FUZZ
@given(value=raw_values)
@example(value="2023-02-30")
@example(value="2023-13-01")
@example(value="9" * 5000)
@example(value="[" * 3000 + "]" * 3000)
def test_raw_values_typed_after_a_key(value):
    with fixture_copy() as directory:
        path = directory / "elderly.yml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("as_of: 2023年6月}", f"as_of: {value}}}", 1)
                        .replace("key_fact: 90周岁以上", f"key_fact: {value}", 1), encoding="utf-8")
        loads_or_explains(directory)


@pytest.mark.parametrize("value", ["2023-02-30", "9" * 5000, "[" * 3000 + "]" * 3000],
                         ids=["impossible-date", "5000-digit-number", "3000-deep-brackets"])
def test_values_yaml_cannot_construct_are_explained(value):
    with fixture_copy() as directory:
        path = directory / "elderly.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("as_of: 2023年6月}", f"as_of: {value}}}", 1),
                        encoding="utf-8")
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(directory)
        assert any("elderly.yml" in problem and "无法识别的值" in problem for problem in caught.value.problems)


def test_an_alias_bomb_gives_a_short_message_quickly():
    """Nine lines of YAML aliases make a list of 9**9 strings: the problem must not print it."""
    levels = ['    x0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"    x{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    with fixture_copy() as directory:
        path = directory / "elderly.yml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    keywords: [免费午餐, 老年餐, 九十岁老人]",
                                     "\n".join(levels) + "\n    keywords: [*l8]", 1), encoding="utf-8")
        started = time.monotonic()
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(directory)
        assert time.monotonic() - started < 5
        assert len(str(caught.value)) < 20_000
        assert any("keywords" in problem for problem in caught.value.problems)
