"""Recognise danger happening right now, so the resident is told to call 119/110/120 before anything else.

Only the present counts: "楼下着火了" is an emergency, "楼道堆满杂物有火灾隐患" (a risk) and "上周楼下着火了"
(already over) are reports. Deliberately simple word lists: a false alarm costs one extra line, a miss costs more.
"""
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from bot.reporting import texts

FIRE, GAS, MEDICAL, VIOLENCE = "fire", "gas", "medical", "violence"

# Which number each kind of danger needs; a gas leak is reported to the fire service (119).
NUMBERS = {FIRE: "119", GAS: "119", MEDICAL: "120", VIOLENCE: "110"}

SIGNS = (
    (GAS, ("煤气泄漏", "燃气泄漏", "天然气泄漏", "液化气泄漏", "煤气泄露", "燃气泄露", "天然气泄露", "漏气了",
           "闻到煤气", "闻到燃气", "闻到天然气", "煤气味", "燃气味", "天然气味", "一股煤气")),
    (FIRE, ("着火", "起火", "失火", "冒烟", "烧起来", "火很大", "火烧", "火灾了", "爆炸")),
    (MEDICAL, ("有人受伤", "受伤了", "受了伤", "流血", "出血", "晕倒", "昏倒", "昏迷", "不省人事", "没有呼吸",
               "没呼吸", "没气了", "心脏病", "抽搐", "摔倒了起不来", "倒地不起", "溺水", "掉进河", "掉河里",
               "触电", "中毒", "快不行了", "一动不动", "叫不醒", "没反应", "倒在地上", "被车撞", "撞伤", "烫伤")),
    (VIOLENCE, ("打人", "持刀", "拿刀", "砍人", "捅人", "正在打架", "在打架", "打起来了", "抢劫", "抢包",
                "抢东西", "行凶", "家暴", "绑架", "救命", "有人闹事", "砸东西", "被打", "打伤", "捅伤", "被人砍")),
)

# A sign right after one of these words is a worry or a risk, not something happening now ("容易着火").
_NOT_NOW_BEFORE = ("容易", "可能", "会", "怕", "担心", "防止", "预防", "以免", "避免", "万一", "小心", "隐患", "有没有")
# These mean it already happened; unless the resident also says it is still going on.
_PAST = re.compile(r"上周|上个月|上次|以前|之前|去年|前几天|前些天|昨天|前天|几天前|曾经")
_STILL = re.compile(r"现在|正在|还在|一直在|马上|快来|赶紧|快点")


@dataclass(frozen=True)
class Emergency:
    kinds: Tuple[str, ...]

    @property
    def numbers(self) -> Tuple[str, ...]:
        """The numbers to call, most urgent kind first, each once."""
        return tuple(dict.fromkeys(NUMBERS[kind] for kind in self.kinds))


def _happening(text: str, sign: str) -> bool:
    for match in re.finditer(re.escape(sign), text):
        before = text[max(0, match.start() - 3):match.start()]
        if not any(word in before for word in _NOT_NOW_BEFORE):
            return True
    return False


def detect_emergency(text: str) -> Optional[Emergency]:
    """The kinds of danger `text` says are happening now, or None."""
    text = re.sub(r"\s+", "", text or "")
    if _PAST.search(text) and not _STILL.search(text):
        return None
    kinds = tuple(kind for kind, signs in SIGNS if any(_happening(text, sign) for sign in signs))
    return Emergency(kinds) if kinds else None


def advice(emergency: Optional[Emergency]) -> str:
    """What to do right now: the numbers to call for these kinds of danger, or all three when unsure."""
    if emergency is None:
        return "\n".join([texts.EMERGENCY_HEADER, texts.EMERGENCY_GENERAL])
    return "\n".join([texts.EMERGENCY_HEADER, *(texts.EMERGENCY_ADVICE[kind] for kind in emergency.kinds)])
