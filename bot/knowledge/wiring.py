"""Whether every knowledge entry can be asked about, and whether anything is trained for an entry that is gone.

A topic is an entry in `knowledge/*.yml` plus four things in the training data, all named by its intent
`ask_<id>`: the intent in `domain.yml`, at least `MIN_EXAMPLES` training examples in `data/nlu/`, a rule in
`data/rules/knowledge.yml` that answers it with `action_answer_question`, and its place in the report form's rule
for questions asked while a report is being filled in (`data/rules/report.yml`). A forgotten piece would only
show when a resident's question goes unanswered, so `python -m bot knowledge check` reports it, naming the file
and the entry:
    knowledge/elderly.yml 第2条 (elderly_day_care)：domain.yml 的 intents 里缺少 ask_elderly_day_care
and every `ask_<x>` intent, example set or rule step left without an entry (the follow-up intents excepted).

The files are read with PyYAML, as staff and engineers write them; Rasa is not needed.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple, Union

from bot.knowledge.dialogue import INTENT_PREFIX
from bot.knowledge.loader import SOURCES_FILE, UNREADABLE, entry_label, knowledge_files, read_entries, read_yaml, shown
from bot.knowledge.schema import RESERVED_IDS

DOMAIN_FILE = "domain.yml"
DATA_DIR = "data"
NLU_DIR = "data/nlu"
KNOWLEDGE_RULES_FILE = "data/rules/knowledge.yml"
REPORT_RULES_FILE = "data/rules/report.yml"
# The report form's rule that answers a question about any topic and then goes on with the form.
REPORT_INTERRUPTION_RULE = "填写中问了别的事，答完接着填"
ANSWER_ACTION = "action_answer_question"
# Follow-ups ("在哪里", "要钱吗") and "what can you do": intents of their own that no entry stands behind.
FOLLOW_UP_INTENTS = frozenset(INTENT_PREFIX + name for name in RESERVED_IDS)
# The fewest examples any topic was trained with when this check was written (ask_three_complexes,
# ask_reform_projects); the held-out accuracy in the README was measured with none below it.
MIN_EXAMPLES = 22


@dataclass(frozen=True)
class WrittenEntry:
    """An entry as staff wrote it: where it is (for messages) and its id, even if the entry has other problems."""

    label: str
    id: str

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id


@dataclass
class TrainingData:
    """What the project's training data says about `ask_<x>` intents; None where a file could not be read."""

    domain_intents: Optional[List[str]] = None
    # intent -> number of examples, summed over every file under data/ that has them
    examples: Dict[str, int] = field(default_factory=dict)
    # intent -> the files whose `nlu:` section has examples for it
    example_files: Dict[str, List[str]] = field(default_factory=dict)
    # intents that a rule in data/rules/knowledge.yml answers with action_answer_question
    answered: Optional[Set[str]] = None
    # intents listed in the report form's interruption rule
    interruption: Optional[Set[str]] = None
    # (file, "规则“…”" or "故事“…”", intent) for every intent a rule or story step names
    steps: List[Tuple[str, str, str]] = field(default_factory=list)
    # False when a file under data/ could not be read: its examples are unknown
    nlu_read: bool = True
    report_rules_read: bool = False


def check_wiring(knowledge_dir: Union[str, Path], project_dir: Union[str, Path]) -> List[str]:
    """Every missing or left-over piece of a topic, one Chinese line each; an empty list means all is wired."""
    knowledge_dir, project_dir = Path(knowledge_dir), Path(project_dir)
    entries, complete = written_entries(knowledge_dir)
    problems: List[str] = []
    data = read_training_data(project_dir, problems)
    problems += _missing_pieces(entries, data, project_dir)
    # With a knowledge file unreadable, its entries' intents would all look left over: the loader reports the file.
    if complete:
        problems += _left_over(entries, data, knowledge_dir, project_dir)
    return problems


def written_entries(knowledge_dir: Path) -> Tuple[List[WrittenEntry], bool]:
    """Every entry with an id, first of each id only, and whether every knowledge file could be read."""
    paths = [path for path in knowledge_files(knowledge_dir) if path.name != SOURCES_FILE]
    complete = bool(paths)
    entries: List[WrittenEntry] = []
    seen: Set[str] = set()
    for path in paths:
        # Problems with the knowledge files themselves are the loader's to report.
        raw_entries = read_entries(path, [])
        if raw_entries is None:
            complete = False
            continue
        for number, raw in raw_entries:
            entry_id = raw.get("id") if isinstance(raw, dict) else None
            if not isinstance(entry_id, str) or not entry_id.strip():
                continue
            entry_id = entry_id.strip()
            if entry_id in seen or entry_id in RESERVED_IDS:
                continue
            seen.add(entry_id)
            entries.append(WrittenEntry(entry_label(path, number, raw), entry_id))
    return entries, complete


def read_training_data(project_dir: Path, problems: List[str]) -> TrainingData:
    """The intents, examples and rules of the project; a file that cannot be read adds its problem."""
    data = TrainingData()
    domain = _read_mapping(project_dir / DOMAIN_FILE, problems)
    if domain is not None:
        data.domain_intents = list(_domain_intents(domain.get("intents")))
    data_dir = project_dir / DATA_DIR
    if not data_dir.is_dir():
        problems.append(f"{shown(data_dir)}：找不到训练数据目录")
        data.nlu_read = False
        return data
    for path in sorted(data_dir.rglob("*.y*ml")):
        if path.suffix not in (".yml", ".yaml") or not path.is_file():
            continue
        content = _read_mapping(path, problems)
        if content is None:
            data.nlu_read = False
            continue
        _add_file(data, path, content, project_dir)
    knowledge_rules, report_rules = project_dir / KNOWLEDGE_RULES_FILE, project_dir / REPORT_RULES_FILE
    for path in (knowledge_rules, report_rules):
        if not path.is_file():
            problems.append(f"{shown(path)}：找不到文件")
    if data.report_rules_read and data.interruption is None:
        problems.append(
            f"{shown(report_rules)}：找不到规则“{REPORT_INTERRUPTION_RULE}”（报事表单填写中问了别的事时回答，"
            f"它应列出每个知识条目的 {INTENT_PREFIX}<id> 意图）"
        )
    return data


def _read_mapping(path: Path, problems: List[str]) -> Optional[dict]:
    if not path.is_file():
        if path.name == DOMAIN_FILE:
            problems.append(f"{shown(path)}：找不到文件")
        return None
    content = read_yaml(path, problems)
    if content is UNREADABLE:
        return None
    if content is None:
        return {}
    if not isinstance(content, dict):
        problems.append(f"{shown(path)}：应为 YAML 映射（version:、intents:、nlu:、rules: 等）")
        return None
    return content


def _domain_intents(intents: object) -> Iterator[str]:
    """Intent names in domain.yml: `- name` or `- name: {use_entities: ...}`."""
    for item in intents if isinstance(intents, list) else []:
        if isinstance(item, str):
            yield item.strip()
        elif isinstance(item, dict):
            yield from (str(name).strip() for name in item)


def _add_file(data: TrainingData, path: Path, content: dict, project_dir: Path) -> None:
    file = shown(path)
    for item in _items(content.get("nlu")):
        intent = item.get("intent")
        if isinstance(intent, str) and intent.startswith(INTENT_PREFIX):
            data.examples[intent] = data.examples.get(intent, 0) + _count_examples(item.get("examples"))
            data.example_files.setdefault(intent, [])
            if file not in data.example_files[intent]:
                data.example_files[intent].append(file)
    is_knowledge_rules = path.resolve() == (project_dir / KNOWLEDGE_RULES_FILE).resolve()
    is_report_rules = path.resolve() == (project_dir / REPORT_RULES_FILE).resolve()
    if is_knowledge_rules:
        data.answered = set()
    data.report_rules_read = data.report_rules_read or is_report_rules
    for kind, word in (("rules", "规则"), ("stories", "故事")):
        for item in _items(content.get(kind)):
            name = item.get("rule" if kind == "rules" else "story")
            steps = _items(item.get("steps"))
            step_intents = [_step_intents(step) for step in steps]
            for intents in step_intents:
                data.steps += [(file, f"{word}“{name}”", intent) for intent in intents]
            if is_knowledge_rules and kind == "rules":
                for intents, following in zip(step_intents, steps[1:]):
                    if following.get("action") == ANSWER_ACTION:
                        data.answered.update(intents)
            if is_report_rules and kind == "rules" and name == REPORT_INTERRUPTION_RULE:
                data.interruption = {intent for intents in step_intents for intent in intents}


def _items(section: object) -> List[dict]:
    return [item for item in section if isinstance(item, dict)] if isinstance(section, list) else []


def _step_intents(step: dict) -> List[str]:
    """The `ask_<x>` intents a step waits for: `- intent: …` or each of `- or: [- intent: …]`."""
    alternatives = step.get("or") if isinstance(step.get("or"), list) else [step]
    return [
        alternative["intent"].strip()
        for alternative in alternatives
        if isinstance(alternative, dict)
        and isinstance(alternative.get("intent"), str)
        and alternative["intent"].strip().startswith(INTENT_PREFIX)
    ]


def _count_examples(examples: object) -> int:
    """Examples as Rasa reads them: a block of `- text` lines, or a list of `{text: …}`."""
    if isinstance(examples, str):
        return sum(1 for line in examples.splitlines() if line.strip().startswith("-") and line.strip()[1:].strip())
    if isinstance(examples, list):
        return sum(1 for example in examples if isinstance(example, (str, dict)))
    return 0


def _missing_pieces(entries: List[WrittenEntry], data: TrainingData, project_dir: Path) -> List[str]:
    return [f"{entry.label}：{piece}" for entry in entries for piece in missing_pieces(entry.intent, data, project_dir)]


def missing_pieces(intent: str, data: TrainingData, project_dir: Path) -> List[str]:
    """What the training data still lacks for `intent` to be asked about, one Chinese phrase each."""
    domain = shown(project_dir / DOMAIN_FILE)
    nlu = shown(project_dir / NLU_DIR) + "/"
    knowledge_rules = shown(project_dir / KNOWLEDGE_RULES_FILE)
    report_rules = shown(project_dir / REPORT_RULES_FILE)
    pieces = []
    if data.domain_intents is not None and intent not in data.domain_intents:
        pieces.append(f"{domain} 的 intents 里缺少 {intent}")
    if data.nlu_read:
        count = data.examples.get(intent, 0)
        if count == 0:
            pieces.append(f"{nlu} 里没有 {intent} 的训练例句（至少要 {MIN_EXAMPLES} 句）")
        elif count < MIN_EXAMPLES:
            pieces.append(f"{intent} 只有 {count} 句训练例句（{nlu}），至少要 {MIN_EXAMPLES} 句")
    if data.answered is not None and intent not in data.answered:
        pieces.append(f"{knowledge_rules} 里缺少回答它的规则（intent: {intent}，然后 action: {ANSWER_ACTION}）")
    if data.interruption is not None and intent not in data.interruption:
        pieces.append(f"{report_rules} 的规则“{REPORT_INTERRUPTION_RULE}”里缺少 - intent: {intent}")
    return pieces


def _left_over(entries: List[WrittenEntry], data: TrainingData, knowledge_dir: Path, project_dir: Path) -> List[str]:
    known = {entry.intent for entry in entries} | FOLLOW_UP_INTENTS

    def no_entry(intent: str) -> str:
        entry_id = intent[len(INTENT_PREFIX):]
        return f"{intent} 没有对应的知识条目（{shown(knowledge_dir)}/ 里没有 id 为 {entry_id} 的条目）"

    problems = [
        f"{shown(project_dir / DOMAIN_FILE)} 的 intents：{no_entry(intent)}"
        for intent in data.domain_intents or ()
        if intent.startswith(INTENT_PREFIX) and intent not in known
    ]
    problems += [
        f"{file} 的训练例句：{no_entry(intent)}"
        for intent, files in data.example_files.items()
        if intent not in known
        for file in files
    ]
    problems += [f"{file} {where}：{no_entry(intent)}" for file, where, intent in data.steps if intent not in known]
    return problems
