"""Everything the staff console and the `staff` command say, in one place: polite, plain Chinese."""

ERROR_TITLE = "出错了"
NOT_FOUND = "没有这个页面，请从上方导航进入。"
SERVER_ERROR = "系统处理时出了问题，请稍后再试；如果一直这样，请联系系统管理员。"
BODY_TOO_LARGE = "提交的内容太长了，请精简后再试。"
BAD_FORM = "提交的内容无法识别，请刷新页面后重试。"
CSRF_REFUSED = "页面已过期或来源无法确认，为安全起见没有执行。请刷新页面后再操作一次。"
METHOD_NOT_ALLOWED = "这个地址不支持这种操作。"
OPEN_WITHOUT_HTTPS = ("工作台在 {host} 上对网络开放，但没有设置 CONSOLE_SECURE_COOKIES=true：请只通过 HTTPS 反向代理访问"
                      "（并把代理地址写进 TRUSTED_PROXIES），否则密码和登录状态会以明文在网络上传输。")

# --- signing in ---
SIGNIN_TITLE = "工作人员登录"
NO_ACCOUNTS = ("还没有任何工作人员账号。请系统管理员在服务器上运行：python -m bot staff add 您的名字 ，"
               "按提示设置密码后即可登录。")
SESSION_RULES = "登录后，8 小时内没有操作或登录满 24 小时，需要重新登录。"
WRONG_CREDENTIALS = "用户名或密码不正确，请再试一次。"
TOO_MANY_ATTEMPTS = "登录尝试次数过多，为保护账号安全，请 15 分钟后再试。"
SIGNED_OUT = "您已退出登录。"
SESSION_ENDED = "登录已过期，请重新登录。"
UNKNOWN_ACCOUNT = "（不存在的账号）"

# --- accounts (`python -m bot staff`) ---
NAME_INVALID = "用户名只能用汉字、字母、数字和 . _ -，最长 {limit} 个字符。"
PASSWORD_TOO_SHORT = "密码至少要 {minimum} 个字符，请设置一个更长的密码。"
PASSWORD_TOO_LONG = "密码最长 {maximum} 个字符。"
PASSWORDS_DIFFER = "两次输入的密码不一致，请重新设置。"
ACCOUNT_EXISTS = "已经有名为 {name} 的账号了。"
ACCOUNT_UNKNOWN = "没有名为 {name} 的账号。"
ACCOUNT_ADDED = "已创建账号 {name}。打开工作台（{url}）用它登录。"
PASSWORD_CHANGED = "已修改 {name} 的密码，该账号的登录状态都已退出。"
ACCOUNT_DISABLED = "已停用账号 {name}，它的登录状态都已退出，之后无法再登录。"
ACCOUNT_ALREADY_DISABLED = "账号 {name} 早已停用。"
ACCOUNT_ENABLED = "已重新启用账号 {name}，可以用原来的密码登录。"
ACCOUNT_ALREADY_ENABLED = "账号 {name} 本来就可以使用。"
NO_ACCOUNT_YET = "还没有工作人员账号。用 python -m bot staff add 名字 创建。"
PASSWORD_PROMPT = "为 {name} 设置密码（至少 {minimum} 个字符）："
PASSWORD_AGAIN = "再输入一次："
ACCOUNT_LINE = "{name}  {state}  创建于 {created}  最近登录 {last}"
ENABLED, DISABLED = "可用", "已停用"
NEVER = "从未"

# --- the audit log: what each action is called ---
ACTION_LABELS = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "sign_in_refused": "登录被限制",
    "sign_out": "退出登录",
    "set_status": "修改工单状态",
    "answer": "答复留言",
    "show_phone": "查看完整电话",
    "staff_add": "创建账号",
    "staff_passwd": "修改密码",
    "staff_disable": "停用账号",
    "staff_enable": "启用账号",
    "draft_knowledge": "生成知识草稿",
}

# --- lists and tickets ---
CHANNEL_LABELS = {"rest": "REST 接口", "widget": "网页聊天", "wechat": "微信公众号"}
NOTHING_FOUND = "没有符合条件的记录。可以放宽筛选条件再试。"
FILTER_IGNORED = "{what}的格式看不懂，这一项暂未用于筛选（日期请写成 2024-05-01 这样）。"
UNKNOWN_TICKET_PAGE = "没有找到工单号 {ticket_no}，请核对后再试。"
UNKNOWN_CONSULTATION_PAGE = "没有找到留言编号 {number}，请核对后再试。"
STATUS_SAVED = "已保存，居民会在所用渠道收到这条进度。"
STATUS_SAVED_WITH_NOTE = "已保存，居民会在所用渠道收到这条进度（连同说明）。"
ANSWER_SAVED = "答复已保存，居民会在所用渠道收到。"
PHONE_SHOWN = "完整号码已显示，这次查看已记入审计日志。"
PHONE_NONE = "居民没有留电话。"
PHONE_MASKED_FOR_GOOD = "这张工单已办结或已过保存期限，完整号码已按规定隐藏，无法再显示。"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)
