"""The same problem already reported: what the resident is shown of that ticket, and what their answer means.

The form looks for an open report of the same category at the same place as soon as both are known
(bot/governance/duplicates.py finds it), before asking for photos or a phone: a resident who follows that ticket
is asked nothing more and files nothing. The ticket is shown by number, category, status and place (masked): it
may be another resident's, whose description is never shown.
"""
from typing import Dict, Optional

from bot.governance import ReportView
from bot.personal_data.numbers import mask_personal_data
from bot.reporting.words import says_no, says_yes, words_only

# The resident's choice: follow the ticket found, or file this report anyway.
FOLLOW, FILE = "follow", "file"

# Checked in this order: "不用再提交" follows (though it says 提交), "不是同一件" files (though it says 同一件).
_NO_NEW_REPORT = ("不用提交", "不提交", "不用再提交", "别提交", "不重复", "不用重复", "不再提交")
_NEW_REPORT = ("仍然", "照样", "坚持", "还是提交", "继续提交", "重新提交", "再提交", "提交", "不是同一", "不是一回事",
               "不一样", "不同", "另一", "别的事", "新的")
_SAME = ("关注", "跟进", "同一", "一样", "就是这个", "就这个", "是这个", "一回事")


def offer(view: ReportView, conversation: str) -> Dict[str, object]:
    """What the form keeps of the ticket found (a slot holds it), all of it fit to show to `conversation`."""
    return {
        "ticket_no": view.ticket_no,
        "category": view.category,
        "status": view.status_label,
        "place": mask_personal_data(view.location),
        "filed_here": view.sender_id == conversation,
    }


def choice(text: str, intent: str = "") -> Optional[str]:
    """FOLLOW for "关注这个工单" / "是同一件事" / "对", FILE for "仍然提交" / "不是同一件事"; None if neither."""
    core = words_only(text)
    if any(word in core for word in _NO_NEW_REPORT):
        return FOLLOW
    if any(word in core for word in _NEW_REPORT):
        return FILE
    if any(word in core for word in _SAME) or says_yes(text, intent):
        return FOLLOW
    if says_no(text, intent):
        return FILE
    return None
