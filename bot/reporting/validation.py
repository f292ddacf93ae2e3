"""What a report's place and description must look like, and whether a first message already describes one.

Text is kept exactly as written (emoji, quotes, anything that looks like SQL): it is stored through bound
parameters and shown as plain text, so there is nothing to strip. Only surrounding whitespace is dropped.
"""
import re
from typing import Optional

from bot.reporting import texts
from bot.reporting.category import category_meant
from bot.reporting.words import says_no, says_yes, words_only

LOCATION_MAX = 200
DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 2000

# What "I want to report something" sounds like before the resident says what the problem is.
_OPENING_WORDS = re.compile(
    r"我要|我想|想要|帮我|帮忙|麻烦|请问|你好|您好|可以|能不能|怎么|如何|在哪里?|哪里|"
    r"反映|反应|投诉|举报|报修|报事|上报|报告|提交|登记|报个|报一下|"
    r"一个|一下|个|点|些|问题|情况|事情|事儿|事|工单|建议|诉求|意见|"
    r"吗|呢|啊|呀|吧|了|的|要|想|有"
)
# Words that only a place has: a village, estate or building, a house number, or "at the gate of".
_ESTATE_WORDS = "村|社区|小区|花园|佳苑|公寓|大厦|广场|园区"
_UNITS = "幢|栋|号楼|单元|号|组|室"
# Alone, "三号" is more often a date than a house: Chinese numerals count as a place only with a building's unit.
_CHINESE_UNITS = "幢|栋|号楼|单元|组"
_CHINESE_NUMERALS = "[零一二两三四五六七八九十百]+"
_POSITIONS = "门口|村口|楼下|楼道|路口|附近|旁边|对面|[东西南北大]门口?"
# "那边" says where only after a place's name ("前峰村那边"); alone it is no place ("那边有好几盏灯").
_AFTER_A_NAME = "那边"
_PLACE_WORDS = re.compile(
    rf"{_ESTATE_WORDS}|\d+\s*(?:{_UNITS})|{_CHINESE_NUMERALS}(?:{_CHINESE_UNITS})|{_POSITIONS}"
)
# What may directly follow a recognised place name and still describe the place: "3幢", "二单元", "楼下", "村口".
_PLACE_DETAIL = re.compile(
    rf"(?:\s*(?:(?:\d+|{_CHINESE_NUMERALS})\s*(?:{_UNITS})|{_POSITIONS}|{_AFTER_A_NAME}))+"
)
# The village or estate a place starts with: "前悦社区" of "前悦社区3幢楼下", "三丰村" of "三丰村村口".
_ESTATE = re.compile(rf"^[^\W\d_]+?(?:{_ESTATE_WORDS})")
# Around a place typed on its own: "在前悦社区3幢楼下。", "地点是前悦社区3幢楼下"
_PLACE_LEADING = re.compile(r"^\s*(?:(?:地点|地址|位置)[是在为:：]?)?\s*(?:就在|是在|在|是)?")
_PLACE_TRAILING = re.compile(r"[\s。.！!，,]+$")


# What is typed at the place step but is no place: commands and courtesies (yes/no words and the categories'
# names are recognised by words.py and category.py).
NOT_A_PLACE = (
    "提交", "确认", "取消", "修改", "下一步", "继续", "返回", "重来", "重新", "跳过", "不知道", "不清楚", "忘了",
    "谢谢", "你好", "您好", "好的", "收到", "没有", "不留", "随便", "问题", "反映问题", "我要反映",
)


def place_problem(location: str) -> Optional[str]:
    """Why `location` cannot be the place of a report (empty, too long, a yes, a command, a category name, a
    courtesy), as a short reason (the question asked again gives the example); None when it can."""
    location = (location or "").strip()
    core = words_only(location)
    if not core:
        return texts.LOCATION_EMPTY
    if len(location) > LOCATION_MAX:
        return texts.LOCATION_TOO_LONG.format(length=len(location), limit=LOCATION_MAX)
    if looks_like_place(location):
        return None
    category = category_meant(location)
    if category:
        return texts.LOCATION_IS_CATEGORY.format(category=category)
    if says_yes(location) or says_no(location) or any(core.startswith(word) for word in NOT_A_PLACE) or len(core) < 2:
        return texts.LOCATION_NOT_A_PLACE.format(text=location)
    return None


def looks_like_place(text: str) -> bool:
    """True for "在前进村三组" or "3幢楼下", False for "是的" or "不对，是交通的问题"."""
    return bool(_PLACE_WORDS.search(text or ""))


def place_as_written(text: str, name: str) -> str:
    """The place `text` names: the recognised `name` with the building, unit or position written right after it
    ("前悦社区3幢楼下的路灯不亮了" -> "前悦社区3幢楼下"); just `name` when nothing describing the place follows it or
    `text` spells it otherwise."""
    at = (text or "").find(name)
    if at < 0:
        return name
    detail = _PLACE_DETAIL.match(text, at + len(name))
    return name + (detail.group(0) if detail else "")


def under_recognised_name(text: str, said: Optional[str], name: str) -> str:
    """`text` with the place it names under the `name` the NLU recognised it as, from the words `said`, with the
    village or estate word written after them ("前悦小区3幢" from "前悦" -> "前悦社区3幢"), so what follows is
    found and one place keeps one name; `text` itself when it has that name already or `said` is not in it."""
    if not said or not name or name in text:
        return text
    return re.sub(re.escape(said) + rf"(?:{_ESTATE_WORDS})?", lambda _: name, text, count=1)


def estate_of(place: str) -> Optional[str]:
    """The village or estate `place` starts with, if it starts with one."""
    match = _ESTATE.match(_PLACE_LEADING.sub("", place or ""))
    return match.group(0) if match else None


def place_alone(text: str) -> Optional[str]:
    """`text` when it is a place and nothing else, a village or estate with what describes the place after it
    ("在前悦社区3幢楼下。" -> "前悦社区3幢楼下"); None for anything more ("前悦社区3幢楼下的灯还是不亮")."""
    place = _PLACE_TRAILING.sub("", _PLACE_LEADING.sub("", text or ""))
    estate = estate_of(place)
    if estate is None or place_as_written(place, estate) != place:
        return None
    return place


def refined_place(kept: str, text: str) -> Optional[str]:
    """The place `text` gives for the `kept` one, when `text` is a place alone about it: a better one when it
    contains `kept` or starts with the same village or estate ("前悦社区" -> "前悦社区3幢楼下", "前悦社区3幢" ->
    "前悦社区5幢"); `kept` itself when it says the same or less ("前悦社区3幢楼下" -> "前悦社区"); None otherwise."""
    place = place_alone(text)
    if place is None:
        return None
    if words_only(place) in words_only(kept):
        return kept
    estate = estate_of(kept)
    if kept in place or (estate is not None and estate == estate_of(place)):
        return place
    return None


def description_problem(description: str) -> Optional[str]:
    """The polite message for a description we cannot accept, or None when it is fine."""
    description = (description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        return texts.DESCRIPTION_TOO_SHORT.format(minimum=DESCRIPTION_MIN)
    if len(description) > DESCRIPTION_MAX:
        return texts.DESCRIPTION_TOO_LONG.format(length=len(description), limit=DESCRIPTION_MAX)
    return None


def describes_problem(text: str) -> bool:
    """True for "小区门口路灯坏了好几天了", False for "我要反映问题" or a button payload ("/report_problem")."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return False
    return len(words_only(_OPENING_WORDS.sub("", text))) >= 3
