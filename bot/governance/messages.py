"""Every message the governance queue gives a resident (a report it cannot store as given) or a staff member (a
ticket that does not exist, a report that needs no resend), in one place: polite Chinese, fit to show as it is."""

# --- a report that cannot be stored as given (shown to the resident who confirmed it) ---
CATEGORY_UNKNOWN = "请从这几类里选一个：{categories}。"
LOCATION_EMPTY = "请告诉我问题发生的具体地点。"
DESCRIPTION_EMPTY = "请简单描述一下遇到的问题。"
LOCATION_TOO_LONG = "地点写了{length}个字，最多{limit}个字，请写得简短一些。"
DESCRIPTION_TOO_LONG = "问题描述有{length}个字，最多{limit}个字，请精简后再提交。"
PHONE_TOO_LONG = "联系电话太长了，请检查一下再填。"
UNSTORABLE_CHARACTER = "内容里有无法保存的特殊字符，请删掉后再提交。"
ORIGIN_UNKNOWN = "暂时无法确认这次报事的来源，请稍后再试。"
TOO_MANY_PHOTOS = "一次报事最多附{limit}张照片。"
PLACE_COORDINATES_INVALID = "共享的位置无法识别，请直接用文字告诉我地点。"

# --- staff working the queue ---
UNKNOWN_TICKET = "没有找到工单号 {ticket_no}，请核对后再试。"
ALREADY_DELIVERED = "{ticket_no} 已经转到云治前进平台，不需要重发。"
WAITING_FOR_DELIVERY = "{ticket_no} 没有被拒收，正在等待转派，不需要重发。"
UNKNOWN_STATUS = "没有“{wanted}”这个状态，可选：{choices}。"

# --- what staff and residents see where retention erased a report's personal data ---
ERASED_BY_RETENTION = "（已按保存期限删除）"

# --- what reaches a resident on their channel (bot/governance/notifications.py) ---
STATUS_CHANGED = "您的报事工单 {ticket_no} 有新进展：{status}。"
STATUS_NOTE = "说明：{note}"
# To a resident who reported the same problem and chose to follow the ticket filed first.
FOLLOWED_STATUS_CHANGED = "您关注的报事工单 {ticket_no} 有新进展：{status}。"
SATISFACTION_QUESTION = "这件事处理得您满意吗？请选择“满意”“基本满意”或“不满意”，您的评价会帮助我们改进工作。"
CONSULTATION_ANSWERED = "您的留言（编号 {number}）工作人员已答复：\n{answer}"

# --- a question left for staff, and its rating counterpart ---
QUESTION_EMPTY = "请写下您想问工作人员的问题。"
QUESTION_TOO_LONG = "留言有{length}个字，最多{limit}个字，请精简后再发。"
ANSWER_EMPTY = "答复内容是空的，请写上要告诉居民的话。"
UNKNOWN_CONSULTATION = "没有找到留言编号 {number}，请核对后再试。"
ALREADY_ANSWERED = "留言 {number} 已由 {staff} 于 {at:%Y-%m-%d %H:%M} 答复过，不能再答复一次，以免居民收到两种说法。"
ADDITION_TO_ANSWERED = "留言 {number} 已经答复了。如果还有问题，可以再留一条新的留言。"
UNKNOWN_RATING = "请从“满意”“基本满意”“不满意”中选一个。"
