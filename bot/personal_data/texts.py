"""What `python -m bot privacy ...` tells staff, in one place: polite Chinese, fit to show as it is."""

NOT_FOUND = "没有找到“{wanted}”：它既不是已有的工单号，也不是有记录的对话编号。请核对后再试。"
UNKNOWN_TICKET = "没有找到工单号 {ticket_no}，请核对后再试。"
PLAN_HEADER = "将删除对话 {conversation} 的全部个人信息："
PLAN_CONVERSATION = "  对话记录：{events} 条"
PLAN_NO_CONVERSATION = "  对话记录：无（已删除或从未保存）"
PLAN_REPORTS = "  工单 {count} 件：{tickets}（连同处理经过、转派记录）"
PLAN_NO_REPORTS = "  工单：无"
PLAN_CONSULTATIONS = "  留言 {count} 条：{numbers}（连同补充和答复），以及发给该居民的通知"
CONFIRM = "删除后无法恢复。确认删除请输入 yes："
CANCELLED = "已取消，没有删除任何内容。"
BACKEND_UNREACHABLE = ("本地事件平台暂时连不上（{error}），为免留下副本，这次没有删除任何内容。"
                       "请确认事件平台在运行后再执行一次。")
DONE_HEADER = "已删除对话 {conversation} 的个人信息："
DONE_CONVERSATION = "  对话记录 {events} 条"
DONE_REPORTS = "  工单 {count} 件：{tickets}（连同处理经过、转派记录）"
DONE_NO_REPORTS = "  工单 0 件"
DONE_CONSULTATIONS = "  留言 {count} 条：{numbers}（连同补充和答复）"
DONE_NOTIFICATIONS = "  发给该居民的通知 {count} 条"
DONE_BACKEND = "  本地事件平台的副本 {count} 件：{request_ids}"
EXTERNAL_BACKEND = ("  这些工单已转到云治前进平台（{url}），本程序无法在那里删除。"
                    "请联系平台工作人员删除以下事件：{request_ids}")
BACKEND_LEFT = ("  本地事件平台中途连不上，以下副本未能删除，请在它恢复后用 DELETE /requests/<事件编号>.json"
                "（带 api_key）删除：{request_ids}")
SEPARATOR = "、"

RETENTION_DONE = "已按保存期限清理：{summary}。"
