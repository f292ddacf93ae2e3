"""The text residents read: an entry's answer with its source, and follow-up questions about a topic.

Where the documents are silent (an empty `where`, `contact`, ... field) the reply says so and points to the
村（社区） or 前进街道办事处; nothing here ever makes up a phone number, address, time, fee or rule.
"""
import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.schema import ASPECTS, Entry

MAX_BUTTONS = 3
ASK_LOCALLY = "建议直接咨询您所在的村（社区）或前进街道办事处。"

# What each follow-up is called in a reply, and how to say the documents do not give it.
ASPECT_LABELS = {
    "where": "地点",
    "eligibility": "享受条件",
    "contact": "联系方式",
    "hours": "开放时间",
    "fee": "收费情况",
    "how_to_apply": "办理方式",
}
ASPECT_MISSING = {
    "where": "资料里没有「{title}」的具体地点。",
    "eligibility": "资料里没有写明「{title}」的享受条件。",
    "contact": "资料里没有「{title}」的联系电话。",
    "hours": "资料里没有「{title}」的开放或服务时间。",
    "fee": "资料里没有写明「{title}」是否收费。",
    "how_to_apply": "资料里没有写明「{title}」怎么申请办理。",
}
ASPECT_EXAMPLES = {
    "where": "老人免费午餐在哪里",
    "eligibility": "免费午餐谁能享受",
    "contact": "居家养老服务中心的电话",
    "hours": "健康小屋几点开门",
    "fee": "托幼班收费吗",
    "how_to_apply": "春泥计划怎么报名",
}
# Checked in this order, so "在哪里报名" is about the place and "申请条件" about eligibility.
ASPECT_KEYWORDS = (
    ("where", ("在哪", "去哪", "哪里", "哪儿", "哪个地方", "地址", "地点", "位置", "怎么走")),
    ("contact", ("电话", "联系", "号码", "热线")),
    ("hours", ("几点", "时间", "开放", "营业", "开门", "关门")),
    ("fee", ("收费", "多少钱", "免费吗", "费用", "要钱", "收钱")),
    ("eligibility", ("条件", "资格", "谁可以", "谁能", "能不能享受", "可以享受吗", "符合")),
    ("how_to_apply", ("怎么申请", "如何申请", "申请", "报名", "办理", "怎么弄", "手续")),
)
# Every follow-up word, longest first, so that "怎么申请" goes before "申请".
_ASPECT_WORDS = sorted((word for _, words in ASPECT_KEYWORDS for word in words), key=len, reverse=True)
# What a follow-up may say besides its aspect without naming a service: "那个在哪里呀", "你们电话多少".
_NAMES_NOTHING = re.compile(
    r"[\W_]|请问|你们|您们|我们|我|你|您|那个|这个|那|这|它|个|的|是|在|要|去|吗|呢|啊|呀|吧|了|么|"
    r"多少|几|啥|什么|怎么|怎样|如何|有没有|有|可以|能"
)
FALLBACK_TEXT = "抱歉，这个问题我暂时还答不上来。您可以换个说法再问，或者直接咨询您所在的村（社区）或前进街道办事处。"


@dataclass(frozen=True)
class Reply:
    """A message to the resident; each button is (title, payload), e.g. ("居家养老服务中心", "/ask_elderly_day_care")."""

    text: str
    buttons: List[Tuple[str, str]] = field(default_factory=list)


def answer(knowledge: KnowledgeBase, entry_id: str, aspect: Optional[str] = None) -> Reply:
    """The entry's answer and source, related topics as buttons, and the `aspect` line if one was asked."""
    entry = knowledge[entry_id]
    parts = [f"{entry.answer}\n{source_line(entry)}"]
    if aspect is not None and not _answer_says_missing(entry, aspect):
        parts.append(_aspect_text(entry, aspect, with_source=False))
    buttons = [(knowledge[related].title, f"/ask_{related}") for related in entry.related[:MAX_BUTTONS]]
    return Reply("\n\n".join(parts), buttons)


def answer_aspect(knowledge: KnowledgeBase, entry_id: str, aspect: str) -> Reply:
    """A follow-up such as "在哪里" about the topic `entry_id`."""
    return Reply(_aspect_text(knowledge[entry_id], aspect, with_source=True))


def detect_aspect(text: str) -> Optional[str]:
    """Which follow-up a question also asks, e.g. "免费午餐在哪里吃" -> "where"; None if none."""
    for aspect, keywords in ASPECT_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return aspect
    return None


def no_topic_reply(aspect: str, text: str = "") -> Reply:
    """A follow-up arrived before any topic: ask which service the resident means, unless `text` already names
    one the knowledge base does not know ("图书馆在哪里"): then asking again would not help."""
    if names_something(text):
        return fallback_reply()
    return Reply(
        f"请问您想了解哪项服务的{ASPECT_LABELS[aspect]}？"
        f"请把服务名称一起告诉我，例如“{ASPECT_EXAMPLES[aspect]}”。"
    )


def names_something(text: str) -> bool:
    """Whether a follow-up question also names what it is about ("低保怎么申请"), not only asks ("怎么申请")."""
    rest = text
    for word in _ASPECT_WORDS:
        rest = rest.replace(word, "")
    return len(_NAMES_NOTHING.sub("", rest)) >= 2


def fallback_reply() -> Reply:
    """When the knowledge cannot answer at all (unknown topic, knowledge unavailable)."""
    return Reply(FALLBACK_TEXT)


def source_line(entry: Entry) -> str:
    """E.g. （来源：前进街道2023年工作回顾与2024年工作思路，截至2023年6月）; plans are not "as of" a date."""
    as_of = entry.source.as_of
    if not as_of.endswith("计划") and not as_of.startswith("截至"):
        as_of = f"截至{as_of}"
    return f"（来源：{entry.source.title}，{as_of}）"


def _answer_says_missing(entry: Entry, aspect: str) -> bool:
    """Whether the answer itself already says the documents lack `aspect` (e.g. "在哪里吃、几点开饭，文件里没有写")."""
    if getattr(entry, aspect, None):
        return False
    keywords = dict(ASPECT_KEYWORDS)[aspect]
    clauses = re.split(r"[。；！？\n]", entry.answer)
    return any("没有" in clause and any(keyword in clause for keyword in keywords) for clause in clauses)


def _aspect_text(entry: Entry, aspect: str, with_source: bool) -> str:
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}; expected one of {ASPECTS}")
    value = getattr(entry, aspect)
    if not value:
        return ASPECT_MISSING[aspect].format(title=entry.title) + ASK_LOCALLY
    text = f"关于「{entry.title}」的{ASPECT_LABELS[aspect]}：{value}"
    return f"{text}\n{source_line(entry)}" if with_source else text
