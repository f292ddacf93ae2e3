"""KnowledgeStore picks up staff edits within seconds and never stops answering because of a bad edit."""
import logging
import threading
import time

import pytest

from bot.knowledge import KnowledgeError, KnowledgeStore
from tests.knowledge.knowledge_paths import PROJECT_ROOT

NEW_ANSWER = "前进街道的居家养老服务中心占地1000平方米，设立日间托养床位20个，欢迎咨询。"
OLD_ANSWER_LINE = "前进街道新启用居家养老服务中心1家，占地1000平方米，设立日间托养床位20个。"


def errors_logged(caplog):
    return [r for r in caplog.records if r.name == "bot.knowledge.store" and r.levelno == logging.ERROR]


def test_saved_edit_is_served_within_seconds(knowledge_dir, edit):
    store = KnowledgeStore(knowledge_dir)
    assert store.current()["elderly_day_care"].answer == OLD_ANSWER_LINE

    edit(knowledge_dir / "elderly.yml", OLD_ANSWER_LINE, NEW_ANSWER)
    saved_at = time.monotonic()
    while store.current()["elderly_day_care"].answer != NEW_ANSWER:
        assert time.monotonic() - saved_at < 5, "edit not picked up within 5 seconds"
        time.sleep(0.05)

    assert time.monotonic() - saved_at <= store.check_interval + 1


def test_files_are_not_checked_more_often_than_the_interval(knowledge_dir, edit):
    store = KnowledgeStore(knowledge_dir, check_interval=60)
    first = store.current()

    edit(knowledge_dir / "elderly.yml", OLD_ANSWER_LINE, NEW_ANSWER)

    assert store.current() is first


def test_unchanged_files_are_not_reloaded(knowledge_dir):
    store = KnowledgeStore(knowledge_dir, check_interval=0)

    assert store.current() is store.current()


def test_broken_edit_keeps_last_good_version_and_logs_each_problem_once(knowledge_dir, edit, caplog):
    store = KnowledgeStore(knowledge_dir, check_interval=0)
    good = store.current()
    path = knowledge_dir / "elderly.yml"

    edit(path, "    title: 居家养老服务中心\n", "    title: 居家养老服务中心\n    where: [临江村\n")
    for _ in range(3):
        assert store.current() is good
    edit(path, "where: [临江村\n", "where: 临江村\n    anwser: 草稿\n")
    for _ in range(3):
        assert store.current() is good

    logged = [record.getMessage() for record in errors_logged(caplog)]
    assert len(logged) == 2
    assert "still serving the last good version" in logged[0]
    assert "knowledge/elderly.yml 第21行（可能从第20行开始）：YAML 格式错误" in logged[0]
    assert "knowledge/elderly.yml 第2条 (elderly_day_care) 字段 anwser：未知字段（是否想写 answer？）" in logged[1]

    edit(path, "    anwser: 草稿\n", "")
    assert store.current()["elderly_day_care"].where == "临江村"


def test_knowledge_invalid_from_the_start_raises_until_fixed(knowledge_dir, edit, caplog):
    path = knowledge_dir / "services.yml"
    edit(path, "key_fact: 成立15周年", "key_fact: 成立20周年")
    store = KnowledgeStore(knowledge_dir, check_interval=0)

    for _ in range(2):
        with pytest.raises(KnowledgeError, match="成立20周年"):
            store.current()
    assert len(errors_logged(caplog)) == 1

    edit(path, "key_fact: 成立20周年", "key_fact: 成立15周年")
    assert len(store.current()) == 5


def test_added_and_removed_files_are_noticed(knowledge_dir):
    store = KnowledgeStore(knowledge_dir, check_interval=0)
    (knowledge_dir / "transport.yml").write_text(
        "entries:\n"
        "  - id: bus_lines\n"
        "    title: 公交线路\n"
        "    answer: 前进街道开辟公交线路3条、优化线路2条。\n"
        "    key_fact: 开辟公交线路3条\n"
        "    source: {document: 000_dceba612ee25b974.txt, as_of: 2023年}\n",
        encoding="utf-8",
    )
    assert "bus_lines" in store.current()

    (knowledge_dir / "transport.yml").unlink()
    assert "bus_lines" not in store.current()


def test_concurrent_readers_always_get_a_complete_knowledge_base(knowledge_dir, edit):
    store = KnowledgeStore(knowledge_dir, check_interval=0)
    path = knowledge_dir / "elderly.yml"
    sizes, failures = [], []

    def read():
        try:
            for _ in range(200):
                sizes.append(len(store.current()))
        except Exception as error:  # collected and asserted below
            failures.append(error)

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for number in range(20):
        edit(path, "日托]", f"日托, 日托{number}]")
        edit(path, f"日托, 日托{number}]", "日托]")
    for reader in readers:
        reader.join()

    assert failures == []
    assert set(sizes) == {5}


def test_from_env_reads_knowledge_dir_relative_to_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", "tests/knowledge/fixtures")

    store = KnowledgeStore.from_env()

    assert store.directory == PROJECT_ROOT / "tests" / "knowledge" / "fixtures"
    assert len(store.current()) == 5
