"""The call-back number a resident may leave: a mainland mobile or a landline, or a clear "no"."""
import re
import unicodedata
from typing import Optional

from bot.personal_data.numbers import LANDLINE, MOBILE, phone_numbers

# Words that mean "I'd rather not leave a number" (the answer is then an anonymous report).
NO_PHONE_WORDS = ("不留", "匿名", "不用", "不想留", "跳过", "没有", "不方便", "不给")


def normalise_phone(text: str) -> Optional[str]:
    """The number in `text` as "13812345678" or "0571-87654321"; None unless it holds exactly one phone number,
    a mobile or a landline with area code (bot.personal_data.numbers says what those look like, and masks the
    same numbers)."""
    numbers = phone_numbers(text or "")
    if len(numbers) != 1 or numbers[0].kind not in (MOBILE, LANDLINE):
        return None
    return numbers[0].normalised


def declines_phone(text: str) -> bool:
    """True for "不留", "匿名吧", "不用了" ...: an answer without digits that says no to leaving a number."""
    text = unicodedata.normalize("NFKC", text or "")
    return not re.search(r"\d", text) and any(word in text for word in NO_PHONE_WORDS)
