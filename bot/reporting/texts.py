"""Every sentence residents read in the "report a problem" conversation and the ticket look-up, in one place.

Plain words for older residents; no phone number, address, opening hour or time limit is promised here.
Buttons are (title, payload) pairs; a payload is either an intent ("/affirm") or the words a resident could type.
"""
import json
from typing import Dict, List, Tuple

from bot.governance.categories import CATEGORIES, OTHER
from bot.replies import Button
from bot.reporting.fields import CATEGORY, CONFIRMED, DESCRIPTION, DUPLICATE_CHOICE, LOCATION, PHONE

STOP_HINT = "不想报了随时回复“取消”。"


def category_button(category: str) -> Button:
    """A category as a button; its payload tells a tap (maybe on an old message) from typed words."""
    return category, "/inform_category" + json.dumps({"category": category}, ensure_ascii=False)

# --- starting ---
START_WITH_DESCRIPTION = "好的，我来帮您登记这个问题，再确认几项信息就可以提交。" + STOP_HINT
ASK_DESCRIPTION = "好的，我来帮您登记。请简单说说遇到了什么问题，比如什么东西坏了、是什么情况、持续多久了。"
# "谢谢", "你好" where the place or the description is asked.
COURTESY_IN_FORM = "不客气。这件事还没登记完，我们接着来。"
# "转人工" while a report is filled in: a report is itself handled by staff; a question for them comes after.
PERSON_IN_FORM = (
    "这个问题登记提交后，会由街道的工作人员处理，进度可以随时查询。"
    "如果是想先问工作人员别的事，请回复“取消”，再说“转人工”。"
)
# A button from an earlier message tapped while something else is asked: nothing is filled from it.
OLD_BUTTON = "您点的是前面消息里的按钮，这一步用不上。"
# A category button of a report that is already over, tapped again.
OLD_CATEGORY_BUTTON = (
    "您点的是之前那次反映里的类别按钮，那次已经结束了，这次没有登记任何内容。"
    "如果要反映新的问题，请直接说说是什么问题，或点「反映问题」。"
)
OLD_CATEGORY_BUTTONS: List[Button] = [("反映问题", "/report_problem")]

# --- category ---
ASK_CATEGORY_GUESS = "这个问题看起来属于「{category}」，对吗？回复“对”就行，不对的话直接说是哪一类。"
ASK_CATEGORY_GUESS_OR = "这个问题看起来属于「{category}」，也可能是「{runner_up}」。是「{category}」吗？回复“对”就行，不是的话直接说是哪一类。"
CATEGORY_GUESS_BUTTONS: List[Button] = [("是的", "/affirm"), ("换一个类别", "/deny")]
ASK_CATEGORY = "这个问题属于哪一类？请点下面的按钮，或者直接打字，比如“交通”“卫生”；都不像的话说“其他”。"
CATEGORY_BUTTONS: List[Button] = [category_button(name) for name in CATEGORIES]
CATEGORY_UNCLEAR = "没能看出是哪一类。"
CATEGORY_NO_GUESS = "我还没猜出是哪一类，请直接说一下，比如“交通”“安全”“卫生”。"
CATEGORY_TAKEN_AS_OTHER = "类别先按「其他」登记，工作人员收到后会再分类，不影响处理。"
# Said when the resident gave the place while the category was asked.
PLACE_NOTED = "地点记下了。还差问题的类别。"

# --- location ---
ASK_LOCATION = "问题在什么地方？请说一下具体位置，比如哪个小区（村）、几幢楼下，或者哪条路的哪个路口。"
LOCATION_EMPTY = "地点还没有填，请告诉我问题发生的具体位置。"
LOCATION_NOT_A_PLACE = "“{text}”不像是地点。"
LOCATION_IS_CATEGORY = "「{category}」是问题的类别，不是地点。"
LOCATION_TOO_LONG = "地点写了{length}个字，请控制在{limit}个字以内，写清小区（村）、楼栋或路口就可以。"

# A place shared from the resident's phone without a name for it.
SHARED_POSITION = "共享的位置（纬度{latitude:.4f}，经度{longitude:.4f}）"
LOCATION_SHARED = "位置收到了，地点记为「{place}」。"
LOCATION_UNREADABLE = "没能读出您共享的位置，请直接用文字告诉我地点，比如哪个小区（村）、几幢楼下。"
# "我发个定位" typed where no location can be sent, or typed instead of sending one.
LOCATION_HOW = "可以用聊天窗口里的“位置”功能把位置发给我，也可以直接打字说地点。"
LOCATION_NOT_ON_CHANNEL = "这里发不了定位，请直接打字说一下地点，比如哪个小区（村）、几幢楼下。"

# --- photos (only on channels that can send them) ---
ASK_PHOTO = "方便的话，拍一张现场照片直接发给我（最多{limit}张），工作人员能更快找到问题。没有照片请回复“没有照片”。"
PHOTO_SKIP_BUTTONS: List[Button] = [("没有照片", "没有照片")]
ASK_MORE_PHOTOS = "已收到{count}张照片，还可以再发{left}张。发完了请回复“好了”。"
PHOTOS_DONE_BUTTONS: List[Button] = [("好了", "好了")]
PHOTO_RECEIVED = "照片收到了（第{count}张）。"
PHOTO_LIMIT_REACHED = "{limit}张照片都收到了。"
PHOTO_OVER_LIMIT = "一次反映最多附{limit}张照片，这张就不再收了，前面的{limit}张都已收好。"
PHOTO_NOT_RECEIVED = "抱歉，照片没能收到，可以再发一次；没有照片也不影响登记。"
PHOTO_HOW = "请直接把照片发过来就行（最多{limit}张）；没有照片请回复“没有照片”。"
PHOTO_NOT_ON_CHANNEL = "这里发不了照片，用文字说清楚情况就可以，工作人员会按您说的去现场查看。"
PHOTO_UNCLEAR = "这一步是发照片：请直接把照片发过来；没有照片请回复“没有照片”。"
PHOTO_STEP_LEFT = "照片先不加了，我们接着登记。提交前想补照片，直接发过来就行。"

# --- the same problem already reported ---
DUPLICATE_FOUND = (
    "这个问题可能已经有居民反映过了：\n工单号：{ticket_no}\n类别：{category}\n地点：{place}\n当前状态：{status}\n"
    "如果是同一件事，点「关注这个工单」就行，不用重复提交，处理进展会同样通知您；不是同一件事，请点「仍然提交」。"
)
DUPLICATE_FOUND_HERE = (
    "您之前已经反映过这个问题：工单号 {ticket_no}，当前状态：{status}。"
    "如果是同一件事，点「关注这个工单」就行，不用重复提交；不是同一件事，请点「仍然提交」。"
)
DUPLICATE_BUTTONS: List[Button] = [("关注这个工单", "关注这个工单"), ("仍然提交", "仍然提交")]
DUPLICATE_UNCLEAR = "没看明白您的意思。"
FOLLOWING = (
    "好的，您已关注工单 {ticket_no}（当前状态：{status}），这次没有另外提交新工单。"
    "处理有新进展时会通知您，也可以随时发“查询 {ticket_no}”查看。"
)
FOLLOWING_OWN = "工单 {ticket_no} 就是您提交的（当前状态：{status}），这次不再重复提交。处理有新进展时会通知您。"
FOLLOW_FAILED = "抱歉，系统暂时没能完成关注，您填的内容都还在。请稍后再点一次「关注这个工单」。"
FOLLOW_RETRY_BUTTONS: List[Button] = [("关注这个工单", "/affirm"), ("取消", "/cancel")]

# --- description ---
DESCRIPTION_TOO_SHORT = "内容有点少，请再多说几句（至少{minimum}个字），比如什么东西坏了、是什么情况。"
DESCRIPTION_TOO_LONG = "您写了{length}个字，超过了{limit}字的上限。请精简到{limit}字以内再发给我，写清最关键的情况就可以。"

# --- phone ---
PRIVACY_NOTICE = (
    "留电话是为了工作人员能就这件事回电联系您：号码只用于处理这次反映的问题，会随问题转给街道“云治前进”事件平台办理，"
    "小助手只在问题办理期间保存它。"
)
ASK_PHONE = "请留一个手机号或座机号（座机请带区号）。不想留可以回复“不留”，匿名也可以。"
PHONE_BUTTONS: List[Button] = [("不留电话", "不留")]
PHONE_INVALID = "这个号码好像不对。请输入11位手机号，或带区号的座机号；不想留可以回复“不留”。"
PHONE_NONE = "未留（匿名）"

# --- summary and confirmation ---
SUMMARY = "请核对一下您要反映的内容：\n类别：{category}\n地点：{location}\n问题：{description}\n联系电话：{phone}\n没问题的话请点「确认提交」。"
# A line of the summary (before its last line) and of the ticket (after the phone), only when photos are attached.
PHOTO_COUNT = "照片：{count}张"
CONFIRM_BUTTONS: List[Button] = [("确认提交", "/affirm"), ("修改", "/correct_field"), ("取消", "/cancel")]
CONFIRM_UNCLEAR = "没看明白您的意思。"
ASK_FIELD_TO_FIX = "请问要修改哪一项？"
FIELD_LABELS: Dict[str, str] = {DESCRIPTION: "问题描述", CATEGORY: "类别", LOCATION: "地点", PHONE: "联系电话"}
FIELD_BUTTONS: List[Button] = [(label, label) for label in FIELD_LABELS.values()] + [("不用改了", "/affirm")]
FIX_FIELD = "好的，我们重新填一下{field}。"
FIXED = "好的，{field}改成了「{value}」。"
# The resident gave the place in more detail after it was taken from their first message.
PLACE_REFINED = "好的，地点记为「{place}」。"
WHICH_FIELD = "请问要改哪一项？可以说“地点写错了”“改一下描述”或“电话填错了”。"
CORRECT_NOTHING_OPEN = "现在没有正在填写的内容。已经提交的工单如需补充或更正，可以再反映一次，或联系您所在的村（社区）。"

# --- after two failed tries at a step: a way forward, in two wordings so no question comes a third time alike ---
WAY_FORWARD: Dict[str, Tuple[str, ...]] = {
    DESCRIPTION: (
        "请用一两句话说说是什么问题，比如“3幢楼下路灯不亮了”。不想报了回复“取消”。",
        "还是没能记下问题。您可以说得具体一点，比如“小区门口垃圾好几天没人清”；回复“取消”就不报了。",
    ),
    CATEGORY: (
        "分不清类别也没关系：点「其他」，工作人员会再分类。也可以说“交通”“安全”“卫生”“设施”“纠纷”；回复“取消”就不报了。",
        "还是没能确定类别。直接说“其他”就可以继续；回复“取消”就不报了。",
    ),
    LOCATION: (
        "地点说个大概也可以，比如“前进村三组”“前悦社区3幢楼下”“某某路和某某路路口”。回复“取消”就不报了。",
        "还是没能记下地点。请说一个能找到的位置，比如哪个村（社区）、哪条路；回复“取消”就不报了。",
    ),
    PHONE: (
        "请输入11位手机号，或带区号的座机号；不方便留就点「不留电话」。回复“取消”就不报了。",
        "号码还是不对。不留电话也可以提交，回复“不留”就行；回复“取消”就不报了。",
    ),
    DUPLICATE_CHOICE: (
        "是同一件事请回复“关注”，工单进展会通知您；不是同一件事请回复“仍然提交”；回复“取消”就不报了。",
        "还没有选。回复“关注”就不用重复提交；回复“仍然提交”会登记一张新工单；回复“取消”就不报了。",
    ),
    CONFIRMED: (
        "内容没问题就回复“确认”提交；要改就直接说，比如“地点改成前进村三组”；回复“取消”就不报了。",
        "还没有提交。回复“确认”提交；要改哪一项直接说，比如“类别改成环境卫生”；回复“取消”就不报了。",
    ),
}
WAY_FORWARD_BUTTONS: Dict[str, List[Button]] = {
    DESCRIPTION: [("取消", "/cancel")],
    CATEGORY: [category_button(OTHER), ("取消", "/cancel")],
    LOCATION: [("取消", "/cancel")],
    PHONE: [("不留电话", "不留"), ("取消", "/cancel")],
    DUPLICATE_CHOICE: [*DUPLICATE_BUTTONS, ("取消", "/cancel")],
    CONFIRMED: [("确认提交", "/affirm"), ("修改", "/correct_field"), ("取消", "/cancel")],
}

# --- submitting ---
SUBMITTED = "提交成功，工作人员会尽快处理。\n您的工单号是 {ticket_no}，请记好，可以随时发“查询 {ticket_no}”查看进度。\n{details}"
TICKET_DETAILS = "类别：{category}\n地点：{location}\n联系电话：{phone}"
ALREADY_SUBMITTED = "这次反映已经提交过了，工单号是 {ticket_no}。可以随时发“查询 {ticket_no}”查看进度。"
NOTHING_TO_SUBMIT = "现在没有待提交的内容。需要反映问题的话，跟我说“我要反映问题”就可以。"
SUBMIT_FAILED = "抱歉，系统暂时没能保存，您填的内容都还在。请稍后再点一次「确认提交」。"
RETRY_BUTTONS: List[Button] = [("确认提交", "/affirm"), ("取消", "/cancel")]

# --- cancelling ---
CANCELLED = "好的，已取消，这次填写的内容不会提交。还有别的事随时找我。"
NOTHING_TO_CANCEL = "好的。还有什么可以帮您？"

# --- emergencies ---
EMERGENCY_HEADER = "⚠️ 这是紧急情况，请马上打电话求助，不要等线上处理！"
EMERGENCY_ADVICE: Dict[str, str] = {
    "fire": "着火冒烟：请立即拨打 119 火警电话。人先撤到安全的地方，不要乘电梯，不要回去拿东西。",
    "gas": "燃气（煤气）泄漏：请立即离开，不要开关电灯和电器，不要点火，到室外安全的地方再拨打 119。",
    "medical": "有人受伤或昏迷：请立即拨打 120 急救电话。",
    "violence": "打人、持刀、抢劫：请立即拨打 110 报警，先保护好自己，远离危险。",
}
EMERGENCY_GENERAL = "如果正在发生危险，请立即拨打：110（报警）、119（火警）、120（急救）。"
EMERGENCY_OFFER = "线上登记不能代替紧急求助。等人安全以后，如果还想反映相关问题（比如留下的隐患），可以点下面的按钮登记。"
EMERGENCY_OFFER_BUTTONS: List[Button] = [("登记非紧急问题", "/report_problem")]
EMERGENCY_IN_REPORT = "打完电话、人安全以后，如果还想登记这个问题，可以接着往下填；不需要的话回复“取消”。"

# --- ticket look-up ---
TICKET_STATUS = "工单 {ticket_no}\n当前状态：{status}\n类别：{category}\n地点：{location}\n最近更新：{updated}"
# Ticket numbers are easy to guess, so someone else's ticket shows only its progress.
TICKET_STATUS_OTHERS = (
    "工单 {ticket_no}\n当前状态：{status}\n最近更新：{updated}\n"
    "（这张工单不是在本次对话中提交的，类别和地点只对提交人显示。）"
)
TICKET_NOT_FOUND = "没有找到工单号 {ticket_no}，请核对一下再试。"
NO_TICKETS = "您还没有提交过工单。需要反映问题的话，跟我说“我要反映问题”就可以。"
RECENT_TICKETS = "您最近提交的工单："
RECENT_TICKET_LINE = "{ticket_no}｜{category}｜{status}｜{updated}"
RECENT_TICKETS_HINT = "想看某一件的详情，请发“查询 工单号”。"
LOOKUP_FAILED = "抱歉，暂时查不到工单进度，请稍后再试。"

# How a time is written for residents (Asia/Shanghai): 2026年11月22日 14:05
TIME_FORMAT = "{year}年{month}月{day}日 {hour:02d}:{minute:02d}"
