"""Guess which of the six kinds a problem is from what the resident wrote, so they only have to confirm it."""
from typing import Dict, Optional, Tuple

from bot.governance.categories import CATEGORIES

OTHER = "其他"

# Words residents use for each kind. A longer word says more: "消防通道" outweighs "堵" (a blocked fire lane is a
# safety hazard, not a parking problem). Fights and gas happening right now are emergencies (see emergency.py).
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


def guess_category(text: str) -> Tuple[Optional[str], bool]:
    """(category, confident): confident when the words point at one kind clearly enough to ask only "对吗？"."""
    scores = {name: sum(len(word) for word in words if word in (text or "")) for name, words in KEYWORDS.items()}
    ranked = sorted(((score, name) for name, score in scores.items() if score), reverse=True)
    if not ranked:
        return None, False
    best_score, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0
    return best, best_score >= 2 * runner_up


def category_named_in(text: str) -> Optional[str]:
    """The category the resident picked by name ("环境卫生", "选交通停车"), if exactly one is named."""
    named = [name for name in CATEGORIES if name in (text or "")]
    return named[0] if len(named) == 1 else None
