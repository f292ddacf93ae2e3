""""Does this apply to me?": the rule the documents state, quoted, and how the resident's case compares.

Only the entry's `eligibility` field is a rule; where it is empty the documents state none and the reply says
so. A comparison is made only where both sides are plain: an age limit in the rule and an age in the question.
Whatever else the question says (户口, 外地企业 ...) is answered with the rule as written and where to ask.
"""
import re
from typing import Optional

from bot.knowledge import texts
from bot.knowledge.schema import Entry

_AGE_LIMIT = re.compile(r"(\d{1,3})\s*周?岁\s*(及?以上|及?以下)")
_CHINESE_DIGITS = "零一二三四五六七八九"
_AGE_ASKED = re.compile(r"(\d{1,3}|[一二三四五六七八九十百零两]{1,4})\s*(?:周岁|岁|了)")
# Who a question about one's own case speaks of; "90岁老人吃饭免费吗" asks in general.
_OWN_CASE = re.compile(r"我|俺|咱|家里|妈|爸|奶奶|爷爷|外婆|外公|姥姥|姥爷|老伴|孩子|儿子|女儿|老公|老婆|父母|老人家")
_ABOUT_RESIDENCE = re.compile(r"户口|户籍|外地|本地|外来|外省|外区|新居民|不住|租房|辖区外|区外")


def eligibility_reply(entry: Entry, question: str) -> str:
    """The stated rule, a plain comparison where the question gives an age, and where to ask about one's case."""
    rule = entry.eligibility
    if not rule:
        return texts.RULE_NOT_STATED.format(title=entry.title) + texts.ASK_LOCALLY
    lines = [texts.RULE_QUOTED.format(title=entry.title, rule=rule)]
    comparison = _compare_age(rule, question)
    if comparison:
        lines.append(comparison)
    elif _ABOUT_RESIDENCE.search(question or ""):
        lines.append(texts.RULE_SILENT_ON_RESIDENCE)
    lines.append(texts.RULE_CASE_BY_CASE + texts.ASK_LOCALLY)
    return "".join(lines)


def asks_about_own_case(question: str) -> bool:
    """Whether a question gives the resident's own situation ("我妈88岁", "我不是本地户口")."""
    if not _OWN_CASE.search(question or ""):
        return False
    return age_in(question) is not None or bool(_ABOUT_RESIDENCE.search(question))


def age_in(question: str) -> Optional[int]:
    """The age a question gives ("我妈88岁", "我爸九十一了"), or None."""
    match = _AGE_ASKED.search(question or "")
    if not match:
        return None
    number = match.group(1)
    age = int(number) if number.isdigit() else _chinese_number(number)
    return age if age is not None and 0 < age < 130 else None


def _compare_age(rule: str, question: str) -> Optional[str]:
    limit_match = _AGE_LIMIT.search(rule)
    age = age_in(question)
    if not limit_match or age is None:
        return None
    limit, direction = int(limit_match.group(1)), limit_match.group(2)
    fits = age >= limit if direction.endswith("以上") else age <= limit
    template = texts.AGE_FITS if fits else (texts.AGE_BELOW if direction.endswith("以上") else texts.AGE_ABOVE)
    return template.format(age=age, limit=limit)


def _chinese_number(text: str) -> Optional[int]:
    """一百零二, 九十一, 八十八, 两 ... as a number; None for anything else."""
    text = text.replace("两", "二")
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        head = _chinese_number(hundreds) if hundreds else 1
        tail = _chinese_number(rest.lstrip("零")) if rest.strip("零") else 0
        return None if head is None or tail is None else head * 100 + tail
    if "十" in text:
        tens, _, ones = text.partition("十")
        if (tens and tens not in _CHINESE_DIGITS) or (ones and ones not in _CHINESE_DIGITS):
            return None
        return (_CHINESE_DIGITS.index(tens) if tens else 1) * 10 + (_CHINESE_DIGITS.index(ones) if ones else 0)
    if len(text) == 1 and text in _CHINESE_DIGITS:
        return _CHINESE_DIGITS.index(text)
    return None
