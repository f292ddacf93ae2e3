"""Staff save a broken knowledge file while the bot is serving: residents keep getting the last good answer,
and the next good save is served within seconds, without restarting anything.
"""
import time

import pytest
import yaml

from bot.knowledge import KnowledgeStore, load_knowledge
from tests.conftest import new_sender

pytestmark = pytest.mark.stack

TOPIC = "elderly_lunch"
BROKEN_YAML = "entries:\n  - id: elderly_lunch\n    title: [没写完\n    answer: 少了引号\"\n"
PICKUP_TIMEOUT = 15


def with_answer(text: str, entry_id: str, answer: str) -> str:
    """The knowledge file `text` with one entry's answer reworded, as staff would save it."""
    document = yaml.safe_load(text)
    [entry] = [entry for entry in document["entries"] if entry["id"] == entry_id]
    entry["answer"] = answer
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def test_a_broken_save_keeps_the_last_answer_and_the_fix_is_served_within_seconds(fault_stack):
    entry = load_knowledge(fault_stack.knowledge_dir)[TOPIC]
    path = fault_stack.knowledge_dir / entry.file
    original = path.read_text(encoding="utf-8")
    new_answer = f"最新通知：{entry.key_fact}的老人可以享受免费午餐，具体安排请咨询所在村社。"
    sender = new_sender()
    assert entry.answer in fault_stack.say_text(sender, f"/ask_{TOPIC}")
    try:
        path.write_text(BROKEN_YAML, encoding="utf-8")
        time.sleep(KnowledgeStore(fault_stack.knowledge_dir).check_interval + 1)
        assert entry.answer in fault_stack.say_text(sender, f"/ask_{TOPIC}")

        path.write_text(with_answer(original, TOPIC, new_answer), encoding="utf-8")
        saved_at = time.monotonic()
        while new_answer not in fault_stack.say_text(sender, f"/ask_{TOPIC}"):
            assert time.monotonic() - saved_at < PICKUP_TIMEOUT, "the fixed file was not served in time"
            time.sleep(0.5)
    finally:
        path.write_text(original, encoding="utf-8")
