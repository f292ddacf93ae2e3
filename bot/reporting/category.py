"""Guess which of the six kinds a problem is from what the resident wrote, so they only have to confirm it, and
understand the kind a resident names in their own words ("交通方面的吧", "算安全的", "其它")."""
import re
from typing import Dict, NamedTuple, Optional, Tuple

from bot.governance.categories import CATEGORIES

# Words residents use for each kind. A longer word says more: "消防通道" outweighs "堵" (a blocked fire lane is a
# safety hazard, not a parking problem). Fights and gas happening right now are emergencies (see emergency.py).
# Every kind but OTHER, which no word points at (tests/governance/test_categories.py checks both tables).
KEYWORDS: Dict[str, Tuple[str, ...]] = {
    "安全隐患": (
        "火灾隐患", "消防隐患", "安全隐患", "隐患", "电线", "飞线", "私拉", "乱拉", "燃气", "煤气", "天然气",
        "液化气", "堆放杂物", "堆满杂物", "杂物", "消防通道", "消防栓", "消火栓", "灭火器", "楼道充电", "充电",
        "电瓶车进楼", "电动车进楼", "危房", "脱落", "高空抛物", "坠物", "漏电", "没有护栏", "塌陷",
    ),
    "矛盾纠纷": (
        "纠纷", "矛盾", "邻居", "吵架", "吵闹", "吵", "噪音", "噪声", "扰民", "装修", "打架", "争执", "欠薪",
        "拖欠工资", "讨薪", "物业费", "漏水到楼下", "占用公共", "不讲理",
    ),
    "环境卫生": (
        "垃圾", "臭", "异味", "污水", "乱倒", "倾倒", "脏", "卫生", "蚊子", "苍蝇", "老鼠", "蟑螂", "油烟",
        "粪便", "狗屎", "小广告", "牛皮癣", "河道", "死鱼", "排污", "黑水", "焚烧", "烧垃圾",
    ),
    "交通停车": (
        "乱停", "停车", "车位", "占道", "堵车", "堵路", "堵住", "堵门", "拥堵", "僵尸车", "违停", "挡住出口",
        "红绿灯", "斑马线", "共享单车", "逆行", "车辆", "开车",
    ),
    "公共设施": (
        "路灯", "井盖", "电梯", "健身器材", "座椅", "长椅", "水管", "停水", "自来水", "下水道", "破损", "路面",
        "坑", "台阶", "围栏", "护栏", "指示牌", "路牌", "监控", "门禁", "公厕", "厕所", "设施", "坏了",
    ),
}


# How residents name a kind when asked which one it is, as examples: short words and whole answers.
ANSWER_EXAMPLES: Dict[str, Tuple[str, ...]] = {
    "安全隐患": ("安全", "隐患", "消防", "危险", "安全问题", "算安全隐患吧", "有危险的", "防火的"),
    "矛盾纠纷": ("纠纷", "矛盾", "吵架的事", "邻里矛盾", "跟人有纠纷", "扯皮的事"),
    "环境卫生": ("卫生", "环境", "垃圾", "环境问题", "脏乱差", "卫生方面的", "保洁"),
    "交通停车": ("交通", "停车", "乱停车", "道路交通", "车的问题", "停车的事"),
    "公共设施": ("设施", "公共设施", "设备", "东西坏了", "维修", "修东西"),
    "其他": ("其他", "其它", "别的", "另外的", "都不是", "都不像", "不知道哪类", "说不清", "随便"),
}
# Said around the kind without naming one: "应该是交通方面的吧" -> "交通".
_AROUND = re.compile(r"[\W_]|应该|可能|大概|算是|算|就|选|是|的|吧|呢|啊|呀|方面|这块|那块|一类|类别|类|问题|这个|那个|属于|我觉得|感觉")


class Guess(NamedTuple):
    """The likeliest kind, the next likeliest, and whether the likeliest is clear enough to ask only "对吗？"."""

    category: Optional[str]
    runner_up: Optional[str]
    confident: bool


def guess_category(text: str) -> Guess:
    """The kind a problem description points at; a longer matching word weighs more."""
    scores = {name: sum(len(word) for word in words if word in (text or "")) for name, words in KEYWORDS.items()}
    ranked = sorted(((score, name) for name, score in scores.items() if score), reverse=True)
    if not ranked:
        return Guess(None, None, False)
    best_score, best = ranked[0]
    runner_up_score, runner_up = ranked[1] if len(ranked) > 1 else (0, None)
    return Guess(best, runner_up, best_score >= 2 * runner_up_score)


def category_named_in(text: str) -> Optional[str]:
    """The category the resident picked by its full name ("环境卫生", "选交通停车"), if exactly one is named."""
    named = [name for name in CATEGORIES if name in (text or "")]
    return named[0] if len(named) == 1 else None


def category_meant(text: str) -> Optional[str]:
    """The kind a resident means when asked which one: its name, or words like an example ("交通方面的吧")."""
    named = category_named_in(text)
    if named:
        return named
    core = _AROUND.sub("", text or "")
    if not core:
        return None
    meant = {
        name
        for name, examples in ANSWER_EXAMPLES.items()
        for example in examples
        if example in core or (len(core) >= 2 and core in example)
    }
    if len(meant) == 1:
        return meant.pop()
    guess = guess_category(core)
    return guess.category if guess.confident and len(core) <= 6 else None
