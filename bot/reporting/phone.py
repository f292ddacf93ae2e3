"""The call-back number a resident may leave: a mainland mobile or a landline, or a clear "no"."""
import re
import unicodedata
from typing import Optional

# Words that mean "I'd rather not leave a number" (the answer is then an anonymous report).
NO_PHONE_WORDS = ("不留", "匿名", "不用", "不想留", "跳过", "没有", "不方便", "不给")

_NUMBER = re.compile(r"\+?\d[\d\s\-()（）]*\d")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# Area codes 010 and 02x have three digits, all others four (0571 Hangzhou).
_LANDLINE = re.compile(r"(0[12]\d|0[3-9]\d{2})(\d{7,8})")


def normalise_phone(text: str) -> Optional[str]:
    """The number in `text` as "13812345678" or "0571-87654321"; None unless it is exactly one valid number."""
    numbers = _NUMBER.findall(unicodedata.normalize("NFKC", text or ""))
    if len(numbers) != 1:
        return None
    digits = _SEPARATORS.sub("", numbers[0])
    mobile = _MOBILE.fullmatch(digits)
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.fullmatch(digits)
    return f"{landline.group(1)}-{landline.group(2)}" if landline else None


def declines_phone(text: str) -> bool:
    """True for "不留", "匿名吧", "不用了" ...: an answer without digits that says no to leaving a number."""
    text = unicodedata.normalize("NFKC", text or "")
    return not re.search(r"\d", text) and any(word in text for word in NO_PHONE_WORDS)
