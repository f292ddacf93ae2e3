"""What the console's 居民在问, 知识库 and 运行情况 pages say, in one place: polite, plain Chinese."""

# --- 试一试 ---
TRY_TITLE = "试一试：机器人会怎么回答"
TRY_HINT = "输入一个居民可能会问的问题，看看正在运行的机器人会理解成什么主题、回答什么。不会产生对话记录。"
TRY_LABEL = "问题"
TRY_BUTTON = "试一试"
TRY_EMPTY = "请先输入一个问题。"
TRY_TOO_LONG = "问题太长了（{length} 个字），请精简到 {limit} 个字以内再试。"
BOT_NOT_RUNNING = ("连不上机器人（{url}）。机器人可能没有启动：请在服务器上运行 make run 或 python -m bot run，"
                   "启动后再试；如果机器人在另一台机器上，请设置 RASA_HOST 和 RASA_PORT。")
BOT_TOO_OLD = "正在运行的机器人没有“试一试”接口，请重启机器人（make run）后再试。"
BOT_REFUSED = "机器人拒绝了这个请求（HTTP {status}）：{message}"
TRY_TOPIC = "主题（意图）"
TRY_CONFIDENCE = "置信度"
TRY_REPLY = "机器人的回复"
TRY_OTHERS = "其他可能的主题"
TRY_BY_FLOW = ("这句话不是知识库问答：机器人会按对话流程处理（例如开始反映问题、查询工单、转人工）。"
               "要看完整的对话，请在网页聊天里试。")
TRY_BUTTONS = "回复下方的按钮："

# --- 知识库 ---
KNOWLEDGE_TITLE = "知识库"
KNOWLEDGE_INTRO = ("下面是居民问到每个主题时看到的回复（含来源）。内容要在知识库文件里修改（有版本记录），"
                   "改完运行 python -m bot knowledge check 检查。已有条目改动后几秒内自动生效；"
                   "新主题还要按 README 接好意图、训练例句和规则，并重新训练。")
KNOWLEDGE_PROBLEMS = "检查发现的问题："
KNOWLEDGE_NOT_LOADED = "知识库目前无法读取，机器人会继续用上一次正确的版本回答。请按下面的问题修改文件。"
KNOWLEDGE_EDIT = "修改：{file} 中 id 为 {entry_id} 的条目"
KNOWLEDGE_FILES = "文件"
ALL_ENTRIES = "查看知识库的全部条目"
KNOWLEDGE_DRAFTS = "待审核的草稿（还没有上线）"
KNOWLEDGE_ENTRY_COUNT = "{count} 条"

# --- 居民在问 ---
ASKS_TITLE = "居民在问"
ASKS_INTRO = ("机器人没能答上来的问题，问得最多的在前（填表时的回答不算，电话号码已隐藏）。"
              "如果工作人员已经答复过同样的问题，可以一键把答复生成知识条目草稿，审核后上线。")
ASKS_NONE = "最近没有机器人答不上来的问题。"
ASKS_COUNT = "次数"
ASKS_LAST = "最近一次（北京时间）"
ASKS_QUESTION = "问题"
ASKS_GUESS = "机器人猜的主题"
ASKS_STAFF_ANSWER = "工作人员的答复"
ASKS_NO_ANSWER = "还没有答复过的同类留言"
DRAFT_BUTTON = "生成知识草稿"
DRAFT_EXISTS = "草稿已生成：{path}"
DRAFT_WRITTEN = "草稿已写入 {path}，请审核修改；它不会自动上线。"
DRAFT_STEPS = "上线前还要："
DRAFT_PROBLEMS = "草稿还有问题："
DRAFT_UNKNOWN = "找不到留言 {number}，请刷新页面后再试。"

# --- 运行情况 ---
DASHBOARD_TITLE = "运行情况"
DASHBOARD_INTRO = ("过去 {days} 天（{first} 至 {last}，北京时间）。“提问”指居民打字发来的消息，点按钮和填表时的回答不算。"
                   "每张图下面都可以展开数据表。")
NO_DATA = "过去 {days} 天还没有数据。"
CONVERSATIONS_UNREADABLE = "读不到对话记录：{reason}"
PER_DAY_TITLE = "每天的居民提问"
PER_DAY_SUMMARY = "过去 {days} 天共 {total} 条提问，最多的一天是 {day}（{count} 条）。"
PER_DAY_HEADERS = ("日期", "提问数")
OUTCOMES_TITLE = "提问的回答情况"
OUTCOMES_SUMMARY = "共 {total} 条提问：直接回答 {answered}，给出选项 {offered}，没能理解 {not_understood}。"
OUTCOME_LABELS = {"answered": "直接回答", "offered": "给出选项让居民选", "not_understood": "没能理解"}
OUTCOMES_GROUP = "范围"
OUTCOMES_ALL = "全部提问"
TOPICS_TITLE = "问得最多的主题"
TOPICS_SUMMARY = "问得最多的是“{topic}”（{count} 次）。"
TOPICS_HEADERS = ("主题", "次数")
CATEGORY_TITLE = "新工单（按类别）"
CATEGORY_SUMMARY = "过去 {days} 天共收到 {total} 件工单，最多的是“{category}”（{count} 件）。"
CATEGORY_HEADERS = ("类别", "件数")
STATUS_TITLE = "新工单现在的状态"
STATUS_SUMMARY = "这些工单中，{closed} 件已办结，{open} 件还在办理。"
STATUS_HEADERS = ("状态", "件数")
CLOSING_TITLE = "从受理到已办结的时间（中位数）"
CLOSING_SUMMARY = "过去 {days} 天办结 {count} 件，从受理到办结的中位数是 {median}。"
CLOSING_HEADERS = ("类别", "中位数")
SATISFACTION_TITLE = "居民满意度（按类别）"
SATISFACTION_SUMMARY = "过去 {days} 天共 {total} 件工单得到评价，其中满意 {satisfied} 件，不满意 {dissatisfied} 件。"
SATISFACTION_GROUP = "类别"
DURATION = "{days} 天 {hours} 小时"
DURATION_HOURS = "{hours} 小时"
HOURS = "{hours:.1f} 小时"
# A follow-up about the topic just answered ("在哪里"): the detail it asks, as the replies name it.
FOLLOW_UP_NAME = "追问{label}"
# Intents that are not knowledge entries, by the name staff know them by.
INTENT_NAMES = {
    "ask_detail": "追问详情",
    "ask_capabilities": "能问什么",
    "nlu_fallback": "没能理解",
    "out_of_scope": "超出范围",
    "greet": "打招呼",
    "goodbye": "告别",
    "thank": "感谢",
    "bot_challenge": "问是不是机器人",
    "affirm": "肯定",
    "deny": "否定",
    "report_problem": "反映问题",
    "check_ticket": "查询工单",
    "cancel": "取消",
    "correct_field": "修改填写内容",
    "inform_category": "说明问题类别",
    "report_emergency": "紧急情况",
    "attach_photo": "发送照片",
    "share_location": "发送位置",
    "request_human": "转人工 / 留言",
    "add_to_consultation": "补充留言",
    "rate_report": "评价工单",
}
