"""`knowledge check` also finds a topic that cannot be asked about, and training data left without a topic.

Each test breaks one piece of a copy of the project's own files: the entry in knowledge/, its intent in domain.yml,
its examples in data/nlu/, its rule in data/rules/knowledge.yml, its place in the report form's interruption rule.
"""
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import load_knowledge
from bot.knowledge.schema import RESERVED_IDS
from bot.knowledge.wiring import FOLLOW_UP_INTENTS, MIN_EXAMPLES, REPORT_INTERRUPTION_RULE, check_wiring
from tests.knowledge.knowledge_paths import PROJECT_ROOT, REAL_KNOWLEDGE

TOPIC = next(iter(load_knowledge(REAL_KNOWLEDGE)))
INTENT = f"ask_{TOPIC.id}"
POSITION = [entry.id for entry in load_knowledge(REAL_KNOWLEDGE) if entry.file == TOPIC.file].index(TOPIC.id) + 1
LABEL = f"knowledge/{TOPIC.file} 第{POSITION}条 ({TOPIC.id})"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's knowledge base and training data; the working directory, as staff run the check."""
    shutil.copytree(PROJECT_ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    shutil.copy(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(project: Path):
    return check_wiring(project / "knowledge", project)


def change(path: Path, how) -> None:
    """Load a YAML file, let `how` change it, write it back."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    how(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def without_intent(steps):
    kept = []
    for step in steps:
        if "or" in step:
            step = {**step, "or": [choice for choice in step["or"] if choice.get("intent") != INTENT]}
        if step.get("intent") != INTENT:
            kept.append(step)
    return kept


def topic_examples(project: Path) -> Path:
    return next(
        path for path in sorted((project / "data" / "nlu").rglob("*.yml"))
        if any(item.get("intent") == INTENT for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"])
    )


def test_the_project_as_it_is_is_wired():
    assert check_wiring(REAL_KNOWLEDGE, PROJECT_ROOT) == []


def test_the_follow_up_intents_are_the_ids_no_entry_may_take():
    assert FOLLOW_UP_INTENTS == {f"ask_{name}" for name in RESERVED_IDS}
    assert FOLLOW_UP_INTENTS == {
        "ask_where", "ask_eligibility", "ask_contact", "ask_hours", "ask_fee", "ask_how_to_apply", "ask_detail",
        "ask_capabilities",
    }


def test_an_intent_missing_from_the_domain(project):
    change(project / "domain.yml", lambda domain: domain["intents"].remove(INTENT))

    assert problems(project) == [f"{LABEL}：domain.yml 的 intents 里缺少 {INTENT}"]


def test_a_missing_rule_that_answers_it(project):
    def remove(rules):
        rules["rules"] = [rule for rule in rules["rules"] if without_intent(rule["steps"]) == rule["steps"]]

    change(project / "data" / "rules" / "knowledge.yml", remove)

    assert problems(project) == [
        f"{LABEL}：data/rules/knowledge.yml 里缺少回答它的规则（intent: {INTENT}，然后 action: action_answer_question）"
    ]


def test_a_rule_that_runs_another_action_does_not_answer_it(project):
    def other_action(rules):
        for rule in rules["rules"]:
            if {"intent": INTENT} in rule["steps"]:
                rule["steps"] = [{"intent": INTENT}, {"action": "utter_capabilities"}]

    change(project / "data" / "rules" / "knowledge.yml", other_action)

    assert problems(project) == [
        f"{LABEL}：data/rules/knowledge.yml 里缺少回答它的规则（intent: {INTENT}，然后 action: action_answer_question）"
    ]


def test_a_topic_missing_from_the_report_forms_interruption_rule(project):
    def remove(rules):
        for rule in rules["rules"]:
            if rule["rule"] == REPORT_INTERRUPTION_RULE:
                rule["steps"] = without_intent(rule["steps"])

    change(project / "data" / "rules" / "report.yml", remove)

    assert problems(project) == [
        f"{LABEL}：data/rules/report.yml 的规则“{REPORT_INTERRUPTION_RULE}”里缺少 - intent: {INTENT}"
    ]


def test_the_interruption_rule_itself_missing(project):
    def rename(rules):
        for rule in rules["rules"]:
            if rule["rule"] == REPORT_INTERRUPTION_RULE:
                rule["rule"] = "另一个名字"

    change(project / "data" / "rules" / "report.yml", rename)

    [problem] = problems(project)
    assert problem.startswith(f"data/rules/report.yml：找不到规则“{REPORT_INTERRUPTION_RULE}”")


def test_too_few_training_examples(project):
    def shorten(nlu):
        for item in nlu["nlu"]:
            if item.get("intent") == INTENT:
                item["examples"] = "".join(item["examples"].splitlines(keepends=True)[: MIN_EXAMPLES - 1])

    change(topic_examples(project), shorten)

    assert problems(project) == [
        f"{LABEL}：{INTENT} 只有 {MIN_EXAMPLES - 1} 句训练例句（data/nlu/），至少要 {MIN_EXAMPLES} 句"
    ]


def test_no_training_examples(project):
    change(topic_examples(project), lambda nlu: nlu.update(nlu=[i for i in nlu["nlu"] if i.get("intent") != INTENT]))

    assert problems(project) == [f"{LABEL}：data/nlu/ 里没有 {INTENT} 的训练例句（至少要 {MIN_EXAMPLES} 句）"]


def test_a_new_entry_alone_is_missing_all_four_pieces(project):
    path = project / "knowledge" / TOPIC.file

    def add(knowledge):
        knowledge["entries"].append({**knowledge["entries"][0], "id": "new_topic"})

    change(path, add)
    label = f"knowledge/{TOPIC.file} 第{len(yaml.safe_load(path.read_text(encoding='utf-8'))['entries'])}条 (new_topic)"

    assert problems(project) == [
        f"{label}：domain.yml 的 intents 里缺少 ask_new_topic",
        f"{label}：data/nlu/ 里没有 ask_new_topic 的训练例句（至少要 {MIN_EXAMPLES} 句）",
        f"{label}：data/rules/knowledge.yml 里缺少回答它的规则"
        "（intent: ask_new_topic，然后 action: action_answer_question）",
        f"{label}：data/rules/report.yml 的规则“{REPORT_INTERRUPTION_RULE}”里缺少 - intent: ask_new_topic",
    ]


def test_a_removed_entry_leaves_its_intent_examples_and_rules_without_a_topic(project):
    path = project / "knowledge" / TOPIC.file
    change(path, lambda knowledge: knowledge.update(entries=[e for e in knowledge["entries"] if e["id"] != TOPIC.id]))
    no_entry = f"{INTENT} 没有对应的知识条目（knowledge/ 里没有 id 为 {TOPIC.id} 的条目）"
    rules = yaml.safe_load((project / "data" / "rules" / "knowledge.yml").read_text(encoding="utf-8"))["rules"]
    [answer_rule] = [rule["rule"] for rule in rules if {"intent": INTENT} in rule["steps"]]

    assert problems(project) == [
        f"domain.yml 的 intents：{no_entry}",
        f"{topic_examples(project).relative_to(project)} 的训练例句：{no_entry}",
        f"data/rules/knowledge.yml 规则“{answer_rule}”：{no_entry}",
        f"data/rules/report.yml 规则“{REPORT_INTERRUPTION_RULE}”：{no_entry}",
    ]


def test_an_unreadable_knowledge_file_does_not_make_its_topics_look_left_over(project):
    (project / "knowledge" / TOPIC.file).write_text("entries: [\n", encoding="utf-8")

    assert problems(project) == []


def test_a_missing_domain_is_named_once(project):
    (project / "domain.yml").unlink()

    assert problems(project) == ["domain.yml：找不到文件"]
