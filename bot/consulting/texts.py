"""Every sentence residents read when they leave a question for staff (留言 / 转人工) or rate a closed ticket.

Honest about what happens next: staff answer here, in this conversation; no office hours or response times are
promised, since the documents state none. Urgent matters go to the village/community or the street office.
"""
import json
from typing import Dict, List

from bot.governance.statuses import RATINGS
from bot.replies import Button

STOP_HINT = "不想留言了随时回复“取消”。"
URGENT = "急事请不要等答复，直接联系您所在的村（社区）或前进街道办事处。"

# --- offering it ---
OFFER_BUTTON: Button = ("留言给工作人员", "/request_human")
# A second question in a row the bot could not answer.
OFFER_AFTER_UNANSWERED = "这个问题我还是答不上来。需要的话，可以点「留言给工作人员」，把问题留给街道的工作人员，由他们在这里答复您。"

# --- the question ---
ASK_QUESTION = (
    "好的，我帮您把问题留给街道的工作人员。请把想问的事写清楚一些，比如哪个村（社区）、什么事、想了解什么。" + STOP_HINT
)
OFFER_LAST_QUESTION = "好的，我帮您留言给街道的工作人员。要把您刚才的问题“{question}”发给他们吗？" + STOP_HINT
OFFER_LAST_QUESTION_BUTTONS: List[Button] = [("就发这个问题", "/affirm"), ("换一个问题", "/deny"), ("取消", "/cancel")]
ASK_QUESTION_AGAIN = "请直接写下您想问工作人员的事，写清楚什么事、在哪里。" + STOP_HINT
QUESTION_TOO_SHORT = "就这几个字，工作人员可能看不明白。请再多写几句：什么事、在哪里、想了解什么。"
NOT_A_BUTTON_HERE = "您点的是前面消息里的按钮，这一步用不上。"

# --- the last few turns ---
ASK_CONTEXT = "要不要把我们刚才的几轮对话一起附上，方便工作人员了解情况？里面的电话号码会隐去。"
CONTEXT_BUTTONS: List[Button] = [("附上", "/affirm"), ("不附上", "/deny"), ("取消", "/cancel")]
CONTEXT_UNCLEAR = "请回复“附上”或“不附上”。" + STOP_HINT
# After two replies that were neither: the question goes without the conversation, the safer choice.
CONTEXT_TAKEN_AS_NO = "那就先不附对话记录，只把您的问题发给工作人员。"
BACK_TO_CONSULTATION = "您的留言还没发出，我们接着来。"

# --- sent ---
OPENED = "已经把您的问题留给街道的工作人员，留言编号 {number}。\n工作人员答复后，答复会发到这里（就在这个对话里）。想补充什么，直接说“补充一下：……”。\n" + URGENT
ADDED = "已经补充到留言 {number}，工作人员会一并看到。\n" + URGENT
ASK_ADDITION = "好的，请说您要补充的内容，我会附在留言 {number} 后面。" + STOP_HINT
NOTHING_OPEN = "您目前没有等待答复的留言，我帮您新留一条。"
SAVE_FAILED = "抱歉，留言暂时没有保存成功，请稍后再试一次。" + URGENT
CANCELLED = "好的，已取消，这次的留言不会发给工作人员。还有别的事随时找我。"

# --- the conversation attached ---
CONTEXT_RESIDENT = "居民：{text}"
CONTEXT_BOT = "小助手：{text}"

# --- satisfaction ---

def rating_button(rating: str) -> Button:
    """A rating typed for the resident's latest closed ticket (status messages carry the ticket number too)."""
    return rating, "/rate_report" + json.dumps({"rating": rating}, ensure_ascii=False)


RATING_THANKS: Dict[str, str] = {
    "满意": "感谢您的评价！工单 {ticket_no} 已记为“满意”。",
    "基本满意": "感谢您的评价！工单 {ticket_no} 已记为“基本满意”，我们会继续改进。",
    "不满意": "很抱歉这次没能让您满意。工单 {ticket_no} 已记为“不满意”，并标记为需要回访，工作人员会再跟进。",
}
ASK_COMMENT = "可以说说哪里不满意吗？不想说可以回复“跳过”。"
COMMENT_THANKS = "谢谢您的意见，已经记在工单 {ticket_no} 上，工作人员会看到。"
COMMENT_SKIPPED = "好的。还有别的事随时找我。"
ASK_RATING = "请问您对办理结果是满意、基本满意，还是不满意？点下面的按钮或直接回复都可以。"
RATING_BUTTONS: List[Button] = [rating_button(rating) for rating in RATINGS]
NOTHING_TO_RATE = "您目前没有需要评价的工单：工单办结后，我会在这里请您评价。想查进度，可以说“查询工单”。"
RATE_FAILED = "抱歉，评价暂时没有保存成功，请稍后再试一次。"
