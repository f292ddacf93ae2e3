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

# --- staff working the queue ---
UNKNOWN_TICKET = "没有找到工单号 {ticket_no}，请核对后再试。"
ALREADY_DELIVERED = "{ticket_no} 已经转到云治前进平台，不需要重发。"
WAITING_FOR_DELIVERY = "{ticket_no} 没有被拒收，正在等待转派，不需要重发。"
UNKNOWN_STATUS = "没有“{wanted}”这个状态，可选：{choices}。"

# --- what staff and residents see where retention erased a report's personal data ---
ERASED_BY_RETENTION = "（已按保存期限删除）"
