"""Knowledge entry drafts made from staff's answers to residents' consultations.

`python -m bot knowledge draft ZX20261130-0001` writes `knowledge/drafts/ZX20261130-0001.yml`: one entry whose
answer is staff's answer and whose source is that staff answer (`source.staff_answer`), plus the resident's
question as the first training example. The bot never reads `drafts/` (the loader reads only the files directly
in the knowledge directory), so a draft goes live only when staff move its entry into `knowledge/staff_answers.yml`
and wire its intent. This is the one way facts that are not in the documents enter the knowledge base, and the
entry says so in its source line. `python -m bot knowledge check` checks each draft as it checks an entry and
lists what it still needs to go live.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple, Union

import yaml

from bot.governance.clock import local
from bot.governance.consultations import ConsultationView
from bot.governance.messages import ERASED_BY_RETENTION
from bot.governance.tickets import CONSULTATION_PREFIX
from bot.knowledge.dialogue import INTENT_PREFIX
from bot.knowledge.loader import UNREADABLE, entry_label, knowledge_files, read_yaml, shown
from bot.knowledge.schema import (
    MAX_TITLE_LENGTH,
    STAFF_ANSWERS_FILE,
    is_staff_source,
    tidy,
    validate_entry,
)
from bot.knowledge.wiring import MIN_EXAMPLES, missing_pieces, read_training_data, written_entries

DRAFTS_DIR = "drafts"
DRAFT_FIELDS = ("entries", "examples")
# The id a draft starts with (staff_zx20261130_0001): valid, but it names no topic, so staff should change it.
SUGGESTED_ID_PREFIX = "staff_"
_SENTENCE_END = "。！？；!?;\n"
# Every live entry's facts are each asked about in a few ways (tests/knowledge checks the real knowledge base).
MIN_WAYS_TO_ASK = 3

HEADER = """\
# 知识条目草稿：咨询 {number} 的工作人员答复（{answered_by}，{day}）。
# 这里的内容不来自两份原始文件，而是工作人员的答复。机器人不读 drafts/ 目录，草稿不会自动上线。
# 请审核：删去居民的姓名、住址等个人信息；核实答复；改好 id（小写英文，也是意图 ask_<id> 的名字）、
# title（按钮上的主题名称）、key_fact（answer 里原样出现的一句要点）；答复写到的地点、电话、时间、收费、
# 办理方式填进 where、contact、hours、fee、how_to_apply，没写的留空。source 不要改。
# facts 写答复里的要点，每句配 3 到 8 种问法（不提主题名称，例如“几点开饭”）。
# examples 是居民的问法（第一句是原话），上线时作为 ask_<id> 的训练例句，至少要 {min_examples} 句。
# 上线：把 entries 下的这一条移到 knowledge/{staff_file} 的 entries 里，再按 README“Adding a knowledge topic”
# 的步骤接好意图、训练例句和规则。python -m bot knowledge check 检查这份草稿，并列出上线前还缺什么。
"""


class DraftRefused(Exception):
    """No draft was written; the message tells staff why, in Chinese."""


@dataclass(frozen=True)
class DraftStatus:
    """A draft that passed the entry checks, and what it still needs before residents can be answered with it."""

    path: Path
    entry_id: str
    to_go_live: Tuple[str, ...]


def drafts_dir(knowledge_dir: Union[str, Path]) -> Path:
    return Path(knowledge_dir) / DRAFTS_DIR


def write_draft(knowledge_dir: Union[str, Path], consultation: ConsultationView) -> Path:
    """Write the draft of `consultation`'s answer; never over a draft staff may already have edited."""
    if consultation.answer is None or consultation.answered_at is None:
        raise DraftRefused(
            f"咨询 {consultation.number} 还没有答复，不能生成草稿。请先答复："
            f"python -m bot queue answer {consultation.number} \"答复内容\""
        )
    path = drafts_dir(knowledge_dir) / f"{consultation.number}.yml"
    if path.exists():
        raise DraftRefused(f"{shown(path)} 已经存在（可能已经改过）。如需重新生成，请先删除或改名这个文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(draft_text(consultation))
    return path


def draft_text(consultation: ConsultationView) -> str:
    """The draft file: a header for the reviewer, then the entry in the form of `knowledge/*.yml`."""
    answer = consultation.answer.strip()
    day = local(consultation.answered_at)
    # A question erased by retention leaves no wording to learn from, nor a title to suggest.
    erased = consultation.question == ERASED_BY_RETENTION
    source = {
        "staff_answer": consultation.number,
        "answered_by": " ".join((consultation.answered_by or "").split()),
        "as_of": f"{day.year}年{day.month}月{day.day}日",
    }
    entry = {
        "id": _suggested_id(consultation.number),
        "title": "" if erased else _suggested_title(consultation.question),
        "answer": answer,
        "key_fact": _suggested_key_fact(answer),
        **{field: "" for field in ("where", "eligibility", "contact", "hours", "fee", "how_to_apply")},
        "facts": [],
        "source": source,
        "related": [],
        "keywords": [],
    }
    header = HEADER.format(
        number=consultation.number, answered_by=source["answered_by"], day=source["as_of"],
        staff_file=STAFF_ANSWERS_FILE, min_examples=MIN_EXAMPLES,
    )
    body = {"entries": [entry], "examples": [] if erased else [" ".join(consultation.question.split())]}
    return header + yaml.dump(body, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=100)


class _DraftDumper(yaml.SafeDumper):
    """Safe YAML, with an answer of several lines written as a block staff can read and edit."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_DraftDumper.add_representer(str, _represent_text)


def _suggested_id(number: str) -> str:
    return SUGGESTED_ID_PREFIX + number.lower().replace("-", "_")


def _suggested_title(question: str) -> str:
    """The question's first clause ("社区有没有老年食堂" of "社区有没有老年食堂？我爸82岁"), to be made a topic name."""
    words = "".join(question.split())
    return _first_sentence(words, _SENTENCE_END + "，,")[:MAX_TITLE_LENGTH]


def _first_sentence(text: str, ends: str) -> str:
    for end, char in enumerate(text):
        if char in ends and text[:end].strip():
            return text[:end].strip()
    return text.strip()


def _suggested_key_fact(answer: str) -> str:
    """The answer's first sentence, which must appear in it word for word."""
    return _first_sentence(tidy(answer), _SENTENCE_END)


def check_drafts(
    knowledge_dir: Union[str, Path], project_dir: Union[str, Path], only: Optional[Path] = None
) -> Tuple[List[str], List[DraftStatus]]:
    """Problems with the drafts in `knowledge_dir/drafts/` (or just `only`), one Chinese line each, and the drafts
    that passed."""
    knowledge_dir, project_dir = Path(knowledge_dir), Path(project_dir)
    paths = [only] if only else knowledge_files(drafts_dir(knowledge_dir))
    if not paths:
        return [], []
    live, _ = written_entries(knowledge_dir)
    live_ids = {entry.id for entry in live}
    taken = {entry.id: entry.label for entry in live}
    data = read_training_data(project_dir, [])
    problems: List[str] = []
    passed: List[DraftStatus] = []
    for path in paths:
        entry, draft_problems = _check_draft(path, taken, live_ids)
        problems += draft_problems
        if draft_problems:
            continue
        entry_id = entry["id"].strip()
        taken[entry_id] = f"草稿 {shown(path)}"
        to_go_live = []
        if entry_id.startswith(_suggested_id(CONSULTATION_PREFIX)):
            to_go_live.append(f"把自动生成的 id“{entry_id}”改成说明主题的英文名")
        facts = entry.get("facts") or []
        if not facts or any(len(fact["answers"]) < MIN_WAYS_TO_ASK for fact in facts):
            to_go_live.append(f"facts 里写上答复的要点，每句至少配 {MIN_WAYS_TO_ASK} 种问法")
        to_go_live.append(f"把 entries 下的这一条移到 {shown(knowledge_dir / STAFF_ANSWERS_FILE)} 的 entries 里")
        to_go_live += missing_pieces(INTENT_PREFIX + entry_id, data, project_dir)
        passed.append(DraftStatus(path, entry_id, tuple(to_go_live)))
    return problems, passed


def describe(status: DraftStatus) -> str:
    """What `knowledge check` prints about a draft that passed."""
    steps = "".join(f"\n  {number}. {step}" for number, step in enumerate(status.to_go_live, start=1))
    return f"草稿 {shown(status.path)} ({status.entry_id}) 检查通过，尚未上线。上线前还要：{steps}"


def _check_draft(path: Path, taken: Dict[str, str], live_ids: Set[str]) -> Tuple[Optional[dict], List[str]]:
    """The draft's entry and every problem with the file, each naming the file (and the id once known).

    `taken` is every id in use (live entries and drafts checked before); `related` may name live entries only.
    """
    problems: List[str] = []
    data = read_yaml(path, problems)
    if data is UNREADABLE:
        return None, problems
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or len(data["entries"]) != 1:
        return None, [f"{shown(path)}：草稿应以 entries: 开头，下面只有一条（以“- id:”开头），再加 examples: 居民的问法"]
    entry = data["entries"][0]
    label = entry_label(path, 1, entry).replace(" 第1条", "", 1)
    problems += [f"{label}：未知的顶层字段 {key}（只能有 entries 和 examples）" for key in data if key not in DRAFT_FIELDS]
    examples = data.get("examples")
    if not isinstance(examples, list) or not all(isinstance(example, str) and example.strip() for example in examples):
        problems.append(f"{label} 字段 examples：应为居民问法的列表，例如 [社区有没有老年食堂, 有老年食堂吗]")
    entry_problems = validate_entry(entry)
    if entry_problems:
        return None, problems + [f"{label} {problem}" for problem in entry_problems]
    if not is_staff_source(entry["source"]):
        problems.append(
            f"{label} 字段 source：草稿来自工作人员答复，应保留 staff_answer、answered_by 和 as_of；"
            "原始文件里的内容请直接写进知识文件"
        )
    entry_id = entry["id"].strip()
    if entry_id in taken:
        problems.append(f"{label} 字段 id：与 {taken[entry_id]} 重复。这份草稿如已上线，请删除草稿文件；否则请换一个 id")
    problems += [
        f"{label} 字段 related：找不到 id 为“{target.strip()}”的条目"
        for target in entry.get("related") or []
        if target.strip() not in live_ids
    ]
    return entry, problems
