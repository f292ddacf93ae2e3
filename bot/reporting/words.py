"""What short typed answers say: a yes ("对的，提交吧"), a no ("不对"), "stop reporting" ("算了"), whatever
the classifier made of them; residents type these far more often than they tap the buttons offered."""
import re

# "算了吧" is sometimes classified as a plain "no" (deny); with one of these words a "no" means "stop reporting".
CANCEL_WORDS = ("算了", "取消", "不报", "不反映", "不填", "不弄", "不要了", "不用了", "放弃", "撤销", "退出")
YES_WORDS = ("确认提交", "确认", "确定", "提交", "没问题", "没错", "对的", "对", "是的", "是", "嗯嗯", "嗯", "好的", "好",
             "可以", "行", "就这样", "没毛病", "ok", "OK", "Ok")
NO_WORDS = ("不是", "不对", "不行", "错了", "不要", "换一个", "换个", "否")
_PARTICLES = re.compile(r"[吧啊呀了哈呢的嘛哦噢啦]")
_NOT_WORDS = re.compile(r"[\W_]+")


def words_only(text: str) -> str:
    """`text` without punctuation, spaces or emoji: "好的，谢谢！" -> "好的谢谢"."""
    return _NOT_WORDS.sub("", text or "")


def says_yes(text: str, intent: str = "") -> bool:
    """"对", "是的", "嗯", "提交吧", "对的，提交": a yes and nothing else."""
    if says_stop(text):
        return False
    return intent == "affirm" or _only(text, YES_WORDS)


def says_no(text: str, intent: str = "") -> bool:
    """"不是", "不对", "换一个": a no that does not mean "stop reporting"."""
    if says_stop(text):
        return False
    return intent == "deny" or _only(text, NO_WORDS)


def says_stop(text: str) -> bool:
    return any(word in (text or "") for word in CANCEL_WORDS)


def _only(text: str, words) -> bool:
    rest = _PARTICLES.sub("", words_only(text))
    if not rest:
        return False
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    return not rest
