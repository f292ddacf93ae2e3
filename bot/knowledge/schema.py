"""What one knowledge entry is, and what staff may write in `knowledge/*.yml`.

An entry's source is one of the two documents or, for an entry made from a draft (`bot/knowledge/drafts.py`),
staff's answer to a consultation. `validate_entry` checks a single entry on its own; checks that need the whole
knowledge base (unique ids, `related` targets, source documents, which file holds staff answers) live in the loader.
"""
import difflib
import re
import reprlib
from dataclasses import dataclass
from typing import List, NamedTuple, Tuple

from bot.governance.tickets import normalise_consultation

# Follow-up questions about the current topic; each is also an optional entry field and an intent `ask_<aspect>`.
ASPECTS = ("where", "eligibility", "contact", "hours", "fee", "how_to_apply")

REQUIRED_TEXT_FIELDS = ("id", "title", "answer", "key_fact")
OPTIONAL_TEXT_FIELDS = ASPECTS
LIST_FIELDS = ("related", "keywords")
SOURCE_FIELDS = ("document", "as_of")
# A source that is not a document: staff's answer to a resident's consultation (`python -m bot knowledge draft`),
# with the consultation's number, who answered and the day of the answer. Such entries live in STAFF_ANSWERS_FILE.
STAFF_SOURCE_FIELDS = ("staff_answer", "answered_by", "as_of")
STAFF_ANSWERS_FILE = "staff_answers.yml"
ANSWER_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
DOCUMENT_FIELDS = ("title", "published")
# One short fact from the documents (`says`) and the questions residents ask that it answers (`answers`).
FACT_FIELDS = ("says", "answers")
FIELDS = REQUIRED_TEXT_FIELDS + OPTIONAL_TEXT_FIELDS + LIST_FIELDS + ("facts", "source")

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# `ask_<id>` must not clash with the follow-up intents or the core intents.
RESERVED_IDS = frozenset(ASPECTS) | {"capabilities", "detail"}
MAX_ID_LENGTH = 40
MAX_TITLE_LENGTH = 24
MIN_ANSWER_LENGTH = 10
MAX_ANSWER_LENGTH = 400
MAX_KEYWORD_LENGTH = 20
MAX_FACT_LENGTH = 200
MAX_QUESTION_LENGTH = 20
_SPACE_AFTER_CHINESE_PUNCTUATION = re.compile(r"(?<=[。，、；：！？）」』”])[ \t]+")


@dataclass(frozen=True)
class Source:
    """Where an entry's facts come from: a document listed in `knowledge/sources.yml`, or a staff answer.

    A staff answer has no document: `staff_answer` is the consultation's number and `as_of` the day of the answer.
    """

    document: str
    as_of: str
    title: str
    staff_answer: str = ""
    answered_by: str = ""

    @property
    def from_staff(self) -> bool:
        return bool(self.staff_answer)


@dataclass(frozen=True)
class Fact:
    """A sentence a follow-up can be answered with: `says` "中心设有日间托养床位20个" answers "几张床位"."""

    says: str
    answers: Tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One topic a resident can ask about; the intent `ask_<id>` answers it."""

    id: str
    title: str
    answer: str
    key_fact: str
    source: Source
    file: str
    eligibility: str = ""
    where: str = ""
    contact: str = ""
    hours: str = ""
    fee: str = ""
    how_to_apply: str = ""
    related: Tuple[str, ...] = ()
    keywords: Tuple[str, ...] = ()
    facts: Tuple[Fact, ...] = ()


def tidy(text: str) -> str:
    """Text as residents should read it: YAML's folded lines (`>-`) leave a space after 。，； that Chinese has not."""
    return _SPACE_AFTER_CHINESE_PUNCTUATION.sub("", text.strip())


class Problem(NamedTuple):
    """Something wrong with one field, worded for the staff member who edits the file."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"字段 {self.field}：{self.message}" if self.field else self.message


def validate_entry(raw: object) -> List[Problem]:
    """Every problem with one entry as written in YAML; an empty list means the entry is usable."""
    if not isinstance(raw, dict):
        return [Problem("", "每一条都应以“- id: ...”开头，包含 id、title、answer 等字段")]
    problems = [_unknown_field(name, FIELDS) for name in raw if name not in FIELDS]
    for name in REQUIRED_TEXT_FIELDS:
        problems += _check_text(name, raw.get(name), required=True)
    for name in OPTIONAL_TEXT_FIELDS:
        problems += _check_text(name, raw.get(name), required=False)
    for name in LIST_FIELDS:
        problems += _check_list(name, raw.get(name))
    problems += _check_facts(raw.get("facts"))
    problems += _check_source(raw.get("source"))
    if problems:
        return problems
    return _check_content(raw)


def validate_document(raw: object) -> List[Problem]:
    """Problems with one document listed in `knowledge/sources.yml`.

    A document is listed under a short name, which entries give as `source.document`.
    """
    if not isinstance(raw, dict):
        return [Problem("", "应写成 {title: 标题, published: 发布时间}")]
    problems = [_unknown_field(name, DOCUMENT_FIELDS) for name in raw if name not in DOCUMENT_FIELDS]
    problems += _check_text("title", raw.get("title"), required=True)
    problems += _check_text("published", raw.get("published"), required=False)
    return problems


def _unknown_field(name: object, known: Tuple[str, ...], prefix: str = "") -> Problem:
    guess = difflib.get_close_matches(str(name), known, n=1)
    hint = f"（是否想写 {guess[0]}？）" if guess else f"（可用字段：{'、'.join(known)}）"
    return Problem(f"{prefix}{name}", "未知字段" + hint)


def _check_text(name: str, value: object, required: bool) -> List[Problem]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Problem(name, "不能为空")] if required else []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [Problem(name, f"应为文字，不是数字；请加引号，例如 \"{value}\"")]
    if isinstance(value, list):
        return [Problem(name, "应为一段文字，不是列表；请去掉方括号 [ ] 或开头的“- ”")]
    if not isinstance(value, str):
        return [Problem(name, "应为一段文字；文字里如有英文冒号“: ”，请给整段加引号")]
    return []


def _check_list(name: str, value: object) -> List[Problem]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem(name, "应为列表，例如 [甲, 乙]")]
    problems = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(name, f"列表里的 {_shown_value(item)} 应为非空文字"))
    duplicates = sorted({item for item in value if isinstance(item, str) and value.count(item) > 1})
    if duplicates:
        problems.append(Problem(name, f"重复：{'、'.join(duplicates)}"))
    return problems


def _shown_value(value: object) -> str:
    """A short repr: YAML aliases can nest a few lines into a structure whose full repr takes gigabytes."""
    shortened = reprlib.Repr()
    shortened.maxlevel, shortened.maxlist, shortened.maxdict, shortened.maxstring = 2, 4, 4, 40
    return shortened.repr(value)


def _check_facts(value: object) -> List[Problem]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [Problem("facts", "应为列表，每一项写成 {says: 文件里的一句话, answers: [这句话回答的问法, ...]}")]
    problems = []
    for number, fact in enumerate(value, start=1):
        name = f"facts 第{number}项"
        if not isinstance(fact, dict):
            problems.append(Problem(name, "应写成 {says: 文件里的一句话, answers: [这句话回答的问法, ...]}"))
            continue
        problems += [_unknown_field(key, FACT_FIELDS, f"{name} ") for key in fact if key not in FACT_FIELDS]
        problems += _check_text(f"{name} says", fact.get("says"), required=True)
        problems += _check_list(f"{name} answers", fact.get("answers"))
        if not fact.get("answers"):
            problems.append(Problem(f"{name} answers", "至少写一个问法，例如 [几张床位, 多少个床位]"))
        if isinstance(fact.get("says"), str) and len(tidy(fact["says"])) > MAX_FACT_LENGTH:
            problems.append(Problem(f"{name} says", f"太长（{len(tidy(fact['says']))} 个字，最多 {MAX_FACT_LENGTH} 个）"))
        for question in fact.get("answers") or []:
            if isinstance(question, str) and len(question) > MAX_QUESTION_LENGTH:
                problems.append(Problem(f"{name} answers", f"“{question}”太长（最多 {MAX_QUESTION_LENGTH} 个字）"))
    return problems


def is_staff_source(value: object) -> bool:
    """Whether a source as written in YAML says it is a staff answer rather than a document."""
    return isinstance(value, dict) and "staff_answer" in value


def _check_source(value: object) -> List[Problem]:
    if value is None:
        return [Problem("source", "不能为空，应写 {document: sources.yml 里的名称, as_of: 截至时间}")]
    if not isinstance(value, dict):
        return [Problem("source", "应写成 {document: sources.yml 里的名称, as_of: 截至时间}")]
    if is_staff_source(value):
        return _check_staff_source(value)
    problems = [_unknown_field(name, SOURCE_FIELDS, "source.") for name in value if name not in SOURCE_FIELDS]
    for name in SOURCE_FIELDS:
        problems += _check_text(f"source.{name}", value.get(name), required=True)
    return problems


def _check_staff_source(value: dict) -> List[Problem]:
    """A staff answer names its consultation, who answered and the day, and no document."""
    if "document" in value:
        return [Problem("source", "document（原始文件）和 staff_answer（工作人员答复）只能写一种")]
    known = STAFF_SOURCE_FIELDS
    problems = [_unknown_field(name, known, "source.") for name in value if name not in known]
    for name in known:
        problems += _check_text(f"source.{name}", value.get(name), required=True)
    if problems:
        return problems
    number, day = value["staff_answer"].strip(), value["as_of"].strip()
    if normalise_consultation(number) != number:
        problems.append(Problem("source.staff_answer", f"“{number}”应为咨询编号，例如 ZX20261130-0001"))
    if not ANSWER_DATE.match(day):
        problems.append(Problem("source.as_of", f"“{day}”应为答复的日期，例如 2026年11月30日"))
    return problems


def _check_content(raw: dict) -> List[Problem]:
    """Checks that only make sense once every field has the right type."""
    problems = []
    entry_id, title, answer = raw["id"].strip(), tidy(raw["title"]), tidy(raw["answer"])
    if not ID_PATTERN.match(entry_id):
        problems.append(Problem("id", f"“{entry_id}”只能用小写英文字母、数字和下划线，并以字母开头"))
    elif len(entry_id) > MAX_ID_LENGTH:
        problems.append(Problem("id", f"太长（{len(entry_id)} 个字符，最多 {MAX_ID_LENGTH} 个）"))
    elif entry_id in RESERVED_IDS:
        problems.append(Problem("id", f"“{entry_id}”是保留名称，请换一个"))
    if len(title) > MAX_TITLE_LENGTH:
        problems.append(Problem("title", f"太长（{len(title)} 个字，最多 {MAX_TITLE_LENGTH} 个），按钮上放不下"))
    if len(answer) < MIN_ANSWER_LENGTH:
        problems.append(Problem("answer", f"太短（{len(answer)} 个字，至少 {MIN_ANSWER_LENGTH} 个）"))
    if len(answer) > MAX_ANSWER_LENGTH:
        problems.append(
            Problem("answer", f"太长（{len(answer)} 个字，最多 {MAX_ANSWER_LENGTH} 个）；更多内容请写在 facts 里")
        )
    key_fact = tidy(raw["key_fact"])
    if key_fact not in answer:
        problems.append(Problem("key_fact", f"“{key_fact}”必须原样出现在 answer 里"))
    if entry_id in (raw.get("related") or []):
        problems.append(Problem("related", "不能包含这一条自己的 id"))
    for keyword in raw.get("keywords") or []:
        if len(keyword) > MAX_KEYWORD_LENGTH:
            problems.append(Problem("keywords", f"“{keyword}”太长（最多 {MAX_KEYWORD_LENGTH} 个字）"))
    return problems
