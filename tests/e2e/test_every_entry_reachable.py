"""Every knowledge entry can be reached by a plain question through the running bot, and the reply names its key fact.

The question is the one a resident reading the entry's title would type ("我想了解一下{title}"); a failure means
either the entry cannot be asked for (no training examples for its title) or its answer lost its key fact.
"""
import pytest

from bot.knowledge import load_knowledge
from bot.settings import PROJECT_ROOT
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

ENTRIES = list(load_knowledge(PROJECT_ROOT / "knowledge"))


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_answers_with_its_key_fact(stack, entry):
    reply = stack.say_text(new_sender(), f"我想了解一下{entry.title}")
    assert entry.key_fact in reply, f"asked about {entry.title!r}, got: {reply[:200]}"
