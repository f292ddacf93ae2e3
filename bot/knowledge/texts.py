"""Every sentence residents read when they ask a question (answers, follow-ups, "does it apply to me", topics
offered when the bot is unsure), in one place.

Nothing here states a fact: facts come from the knowledge entries. Where the documents are silent the reply
says "文件里没有写" and where to ask, and never makes up a phone number, address, time, fee or rule.
"""
from typing import Dict, List

from bot.replies import Button

ASK_LOCALLY = "建议直接咨询您所在的村（社区）或前进街道办事处。"

# The source named in the source line of an entry that comes from staff's answer to a consultation, not from the
# documents: "（来源：前进街道工作人员答复，2026年11月30日）".
STAFF_ANSWER_SOURCE = "前进街道工作人员答复"

# --- a detail of the current topic ---
DETAIL_GIVEN = "关于「{title}」：{text}"
DETAIL_FIELD = "关于「{title}」的{label}：{value}"
# What an entry field is called when the documents give it ("关于「…」的地点：临江村").
FIELD_LABELS: Dict[str, str] = {
    "where": "地点",
    "eligibility": "享受条件",
    "contact": "联系电话",
    "hours": "开放或服务时间",
    "fee": "收费情况",
    "how_to_apply": "申请办理方式",
}
# How to say the documents do not give a kind of detail ("文件里没有写「…」的具体地点").
DETAIL_MISSING = "文件里没有写「{title}」{label}。"
MISSING_LABELS: Dict[str, str] = {
    **{kind: f"的{label}" for kind, label in FIELD_LABELS.items()},
    "what_to_bring": "需要带哪些证件和材料",
    "how_many": "的相关数字",
    "size": "的面积和规模",
    "next": "下一次的安排",
    "when": "的相关时间",
    "offers": "有没有这项服务",
    "what": "的更多具体内容",
}

# --- does it apply to me ---
RULE_QUOTED = "关于「{title}」，文件写的是：{rule}。"
RULE_NOT_STATED = "文件里没有写「{title}」对哪些人开放、要什么条件。"
AGE_BELOW = "您说的{age}岁还不到{limit}周岁，按文件写的，不在这个范围内。"
AGE_ABOVE = "您说的{age}岁已经超过{limit}周岁，按文件写的，不在这个范围内。"
AGE_FITS = "您说的{age}岁已经达到了这个年龄要求。"
RULE_SILENT_ON_RESIDENCE = "文件没有写户籍方面的要求。"
RULE_CASE_BY_CASE = "具体到您家的情况，"

# --- a follow-up before any topic ---
WHICH_SERVICE = "请问您问的是哪项服务？请把服务名称告诉我，例如“{example}”。"
WHICH_SERVICE_EXAMPLES: Dict[str, str] = {
    "where": "老人免费午餐在哪里吃",
    "eligibility": "免费午餐谁能吃",
    "contact": "居家养老服务中心的电话",
    "hours": "健康小屋几点开门",
    "fee": "托幼班收费吗",
    "how_to_apply": "春泥计划怎么报名",
    "what_to_bring": "办托育要带什么材料",
    "how_many": "共享电动车有多少辆",
    "size": "居家养老服务中心有多大",
    "next": "义诊下次什么时候",
    "when": "前进初中什么时候建成的",
    "offers": "健康小屋能不能量血压",
    "what": "春泥计划是做什么的",
}

# --- not understood ---
FALLBACK = "抱歉，这个问题我暂时还答不上来。您可以换个说法再问，或者直接咨询您所在的村（社区）或前进街道办事处。"
OUTSIDE_WHAT_I_KNOW = (
    "抱歉，前进街道的资料里没有这方面的内容，我答不上来。您可以：\n"
    "· 换个说法再问我，比如说出具体的服务名称；\n"
    "· 身边有问题要反映，说“我要反映问题”；\n"
    "· 直接咨询您所在的村（社区）或前进街道办事处。"
)
OUTSIDE_BUTTONS: List[Button] = [("反映问题", "/report_problem"), ("我能问些什么", "/ask_capabilities")]
SUGGEST = "您是想问下面哪一项？请点选或回复序号，也可以换个说法再问我。"
NONE_OF_THESE: Button = ("都不是", "/deny")
