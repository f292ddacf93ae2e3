"""Read `knowledge/*.yml` into a `KnowledgeBase`, or explain to staff exactly what to fix.

Every problem names the file, the entry (position and id), the field and what is wrong, in Chinese:
    knowledge/elderly.yml 第2条 (elderly_day_care) 字段 answer：不能为空
All problems in all files are reported at once, so one round of editing can fix them all.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

import yaml

from bot.knowledge.schema import (
    OPTIONAL_TEXT_FIELDS,
    REQUIRED_TEXT_FIELDS,
    STAFF_ANSWERS_FILE,
    Entry,
    Fact,
    Source,
    is_staff_source,
    tidy,
    validate_document,
    validate_entry,
)
from bot.knowledge.texts import STAFF_ANSWER_SOURCE

SOURCES_FILE = "sources.yml"
# Returned by read_yaml when the file could not be parsed (the problem is already recorded).
UNREADABLE = object()


class KnowledgeError(Exception):
    """The knowledge files cannot be used as they are; `problems` lists each thing to fix."""

    def __init__(self, problems: List[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries of a valid knowledge directory, in file order (files sorted by name)."""

    entries: Dict[str, Entry]
    files: Tuple[str, ...]

    def get(self, entry_id: str) -> Optional[Entry]:
        return self.entries.get(entry_id)

    def __getitem__(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def knowledge_files(directory: Union[str, Path]) -> List[Path]:
    """The files that make up a knowledge directory: `sources.yml` and every other `*.yml`/`*.yaml`."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix in (".yml", ".yaml") and not path.name.startswith(".") and path.is_file()
    )


def load_knowledge(directory: Union[str, Path]) -> KnowledgeBase:
    """Load and check every knowledge file in `directory`; raise `KnowledgeError` listing all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError([f"{shown(directory)}：找不到知识库目录"])
    problems: List[str] = []
    documents = _load_documents(directory / SOURCES_FILE, problems)
    entry_files = [path for path in knowledge_files(directory) if path.name != SOURCES_FILE]
    if not entry_files:
        problems.append(f"{shown(directory)}：没有知识文件（*.yml）")
    checked: List[Tuple[Path, int, dict]] = []
    # Ids written anywhere, even in entries with other problems, so one mistake is not reported twice.
    written_ids = set()
    all_files_read = True
    for path in entry_files:
        raw_entries = read_entries(path, problems)
        if raw_entries is None:
            all_files_read = False
            continue
        for number, raw in raw_entries:
            entry_problems = validate_entry(raw)
            problems += [f"{entry_label(path, number, raw)} {problem}" for problem in entry_problems]
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                written_ids.add(raw["id"].strip())
            if not entry_problems:
                checked.append((path, number, raw))
    entries = _build_entries(checked, documents, problems)
    if all_files_read:
        problems += _missing_related(checked, written_ids)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(entries=entries, files=tuple(path.name for path in entry_files))


def _load_documents(path: Path, problems: List[str]) -> Optional[Dict[str, str]]:
    """Document name (as entries' source.document writes it) -> title; None when sources.yml is unusable."""
    if not path.is_file():
        problems.append(f"{shown(path)}：找不到文件（每条知识的 source.document 都要在这里登记）")
        return None
    data = read_yaml(path, problems)
    if data is UNREADABLE:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        problems.append(f"{shown(path)}：应以 sources: 开头，下面列出每份原始文件及其 title")
        return None
    problems += [f"{shown(path)}：未知的顶层字段 {key}（只能有 sources）" for key in data if key != "sources"]
    documents = {}
    for name, raw in data["sources"].items():
        document_problems = validate_document(raw)
        problems += [f"{shown(path)} {name} {problem}" for problem in document_problems]
        if not document_problems:
            documents[str(name)] = raw["title"].strip()
    return documents


def read_entries(path: Path, problems: List[str]) -> Optional[List[Tuple[int, object]]]:
    """(position, raw entry) for each entry in the file; None when the entries cannot be found at all."""
    data = read_yaml(path, problems)
    if data is UNREADABLE:
        return None
    if data is None:
        problems.append(f"{shown(path)}：文件是空的，应以 entries: 开头")
        return None
    if not isinstance(data, dict) or "entries" not in data:
        problems.append(f"{shown(path)}：缺少 entries 列表，文件应以 entries: 开头")
        return None
    problems += [f"{shown(path)}：未知的顶层字段 {key}（只能有 entries）" for key in data if key != "entries"]
    if not isinstance(data["entries"], list) or not data["entries"]:
        problems.append(f"{shown(path)}：entries 应为列表，每条以“- id: ...”开头")
        return None
    return list(enumerate(data["entries"], start=1))


def read_yaml(path: Path, problems: List[str]) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{shown(path)}：不是 UTF-8 编码，请另存为 UTF-8")
        return UNREADABLE
    except OSError as error:
        problems.append(f"{shown(path)}：无法读取（{error.strerror}）")
        return UNREADABLE
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        where = f" 第{mark.line + 1}行" if mark is not None else ""
        if mark is not None and context is not None and context.line < mark.line:
            where += f"（可能从第{context.line + 1}行开始）"
        reason = getattr(error, "problem", None) or str(error)
        if "\t" in text and "\\t" in reason:
            reason += "；请用空格缩进，不要用 Tab"
        problems.append(f"{shown(path)}{where}：YAML 格式错误，请检查缩进、冒号和引号（{reason}）")
        return UNREADABLE
    except (ValueError, RecursionError) as error:
        # PyYAML's constructors raise these, not YAMLError, for impossible dates, over-long numbers, deep nesting.
        problems.append(
            f"{shown(path)}：有无法识别的值（{error}），请检查日期（如 2023-02-30）、特别长的数字或层层嵌套的括号；"
            "日期或数字当作文字时请加引号"
        )
        return UNREADABLE


def _build_entries(
    checked: List[Tuple[Path, int, dict]], documents: Optional[Dict[str, str]], problems: List[str]
) -> Dict[str, Entry]:
    """Turn checked entries into `Entry` objects; ids must be unique and documents listed in sources.yml."""
    entries: Dict[str, Entry] = {}
    first_seen: Dict[str, str] = {}
    for path, number, raw in checked:
        label = entry_label(path, number, raw)
        entry_id = raw["id"].strip()
        if entry_id in first_seen:
            problems.append(f"{label} 字段 id：与 {first_seen[entry_id]} 重复，id 在所有文件中必须唯一")
            continue
        first_seen[entry_id] = f"{shown(path)} 第{number}条"
        problems += _misplaced(label, raw, path)
        if is_staff_source(raw["source"]):
            entries[entry_id] = _entry(raw, path.name, STAFF_ANSWER_SOURCE)
            continue
        document = raw["source"]["document"].strip()
        if documents is not None and document not in documents:
            problems.append(f"{label} 字段 source.document：{SOURCES_FILE} 里没有“{document}”")
        entries[entry_id] = _entry(raw, path.name, (documents or {}).get(document, ""))
    return entries


def _misplaced(label: str, raw: dict, path: Path) -> List[str]:
    """Staff answers and document facts are kept in separate files, so anyone can tell where a figure comes from."""
    from_staff = is_staff_source(raw["source"])
    if from_staff and path.name != STAFF_ANSWERS_FILE:
        return [f"{label} 字段 source：工作人员答复（staff_answer）的条目只能放在 {STAFF_ANSWERS_FILE} 里"]
    if not from_staff and path.name == STAFF_ANSWERS_FILE:
        return [f"{label} 字段 source：{STAFF_ANSWERS_FILE} 只收工作人员答复（source 写 staff_answer），"
                "来自原始文件的条目请放在其他文件里"]
    return []


def _missing_related(checked: List[Tuple[Path, int, dict]], written_ids: set) -> List[str]:
    return [
        f"{entry_label(path, number, raw)} 字段 related：找不到 id 为“{target}”的条目"
        for path, number, raw in checked
        for target in raw.get("related") or []
        if target.strip() not in written_ids
    ]


def _entry(raw: dict, file: str, document_title: str) -> Entry:
    text = {name: tidy(raw.get(name) or "") for name in REQUIRED_TEXT_FIELDS + OPTIONAL_TEXT_FIELDS}
    source = raw["source"]
    return Entry(
        **text,
        source=Source(
            document=(source.get("document") or "").strip(),
            as_of=source["as_of"].strip(),
            title=document_title,
            staff_answer=(source.get("staff_answer") or "").strip(),
            answered_by=(source.get("answered_by") or "").strip(),
        ),
        file=file,
        related=tuple(item.strip() for item in raw.get("related") or []),
        keywords=tuple(item.strip() for item in raw.get("keywords") or []),
        facts=tuple(
            Fact(says=tidy(fact["says"]), answers=tuple(question.strip() for question in fact["answers"]))
            for fact in raw.get("facts") or []
        ),
    )


def entry_label(path: Path, number: int, raw: object) -> str:
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    suffix = f" ({entry_id.strip()})" if isinstance(entry_id, str) and entry_id.strip() else ""
    return f"{shown(path)} 第{number}条{suffix}"


def shown(path: Path) -> str:
    """The path as staff would type it: relative to the current directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
