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
_PLACE_WORDS = re.compile(
    r"村|社区|小区|花园|佳苑|公寓|大厦|广场|园区|"
    r"\d+\s*(幢|栋|号楼|单元|号|组|室)|[一二三四五六七八九十]+(幢|栋|号楼|单元|组)|"
    r"门口|楼下|楼道|路口|附近|旁边|对面"
)


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
