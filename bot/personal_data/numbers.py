"""What a phone or ID-card number looks like, in one place: the report form accepts a call-back number by it, and
such numbers are masked by it wherever residents' words are kept or shown (the conversation store, staff commands,
the report summaries the bot replies with, closed reports).

Numbers are recognised however they are typed: spaces, dashes or brackets between the digits, full-width
characters, +86 / 0086 in front. Dates (20240501), times, amounts and ticket numbers (QJ20240501-0001) are not
numbers of a person and are left alone.
"""
import re
from dataclasses import dataclass
from typing import Iterator, List, Optional

# Full-width digits, X, plus, hyphen, brackets and space as their ASCII twins, one character for one (so positions in
# the folded text are positions in the original).
_FOLD = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                       "＋": "+", "－": "-", "（": "(", "）": ")", "Ｘ": "X", "ｘ": "x", "\u3000": " "})
_SEP = r"[ \-‐‑–—]?"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_18 = rf"(?:18|19|20)[0-9]{{2}}{_DATE}{_SEP}[0-9]{{3}}[0-9Xx]"
_ID_15 = rf"[0-9]{{2}}{_DATE}[0-9]{{3}}"
_COUNTRY = rf"(?:(?:\+|00)?86{_SEP})?"
_NUMBERS = re.compile(
    # Not the inside of a longer number, an amount (3.14) or an identifier (hex ids, the serial of QJ20240501-0001).
    r"(?<![0-9A-Za-z])(?<![0-9A-Za-z][\-‐‑–—_.])(?:"
    # Mainland ID card: region, birth date, serial, check digit (X); the old 15-digit form has a 2-digit year.
    rf"(?P<id>[1-9][0-9]{{5}}{_SEP}(?:{_ID_18}|{_ID_15}))"
    # Mobile, after an optional country code.
    rf"|{_COUNTRY}(?P<mobile>1{_SEP}[3-9](?:{_SEP}[0-9]){{9}})"
    # Landline with area code: 010 and 02x have three digits, all others four (0571 Hangzhou).
    rf"|{_COUNTRY}\(?(?P<area>0(?:10|2[0-9]|[3-9][0-9]{{2}}))\)?{_SEP}(?P<line>[1-9](?:{_SEP}[0-9]){{6,7}})"
    # Local number without area code: 8 digits, alone or as 4 + 4.
    rf"|(?P<local>[2-9][0-9]{{3}}{_SEP}[0-9]{{4}})"
    r")(?![0-9A-Za-z])(?!\.[0-9])"
)
_ANY_DIGIT = re.compile(r"[0-9０-９]")
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")

MOBILE, LANDLINE, LOCAL, ID_CARD = "mobile", "landline", "local", "id_card"
ID_CARD_MASK = "[身份证号已隐藏]"


@dataclass(frozen=True)
class Number:
    """A personal number found in a text: its kind, its digits, and where it was typed."""

    kind: str
    digits: str
    start: int
    end: int
    area: str = ""

    @property
    def normalised(self) -> str:
        """"13812345678", "0571-87654321", "87654321" or the ID number with an upper-case X."""
        if self.kind == LANDLINE:
            return f"{self.area}-{self.digits[len(self.area):]}"
        return self.digits.upper()

    @property
    def masked(self) -> str:
        """What may be shown: the last four digits of a phone (and its prefix or area code), nothing of an ID."""
        if self.kind == MOBILE:
            return f"{self.digits[:3]}****{self.digits[-4:]}"
        if self.kind == LANDLINE:
            return f"{self.area}-****{self.digits[-4:]}"
        if self.kind == LOCAL:
            return f"****{self.digits[-4:]}"
        return ID_CARD_MASK


def fold(text: str) -> str:
    """`text` with full-width digits and signs as ASCII, the same length."""
    return text.translate(_FOLD)


def find_numbers(text: str) -> Iterator[Number]:
    """Every phone and ID-card number in `text`, in order."""
    for match in _NUMBERS.finditer(fold(text)):
        number = _number(match)
        if number is not None:
            yield number


def _number(match: "re.Match[str]") -> Optional[Number]:
    digits = _NOT_DIGIT.sub("", match.group(0))
    start, end = match.span()
    if match.group("id"):
        return Number(ID_CARD, digits, start, end)
    if match.group("mobile"):
        return Number(MOBILE, digits[-11:], start, end)
    if match.group("area"):
        area = match.group("area")
        return Number(LANDLINE, area + _NOT_DIGIT.sub("", match.group("line")), start, end, area)
    if _is_date_or_years(digits, separated=len(match.group(0)) > 8):
        return None
    return Number(LOCAL, digits, start, end)


def _is_date_or_years(digits: str, separated: bool) -> bool:
    """20230615 is a date; "2023-2024" two years: neither is a local phone number."""
    year, rest = digits[:4], digits[4:]
    if not _YEAR.fullmatch(year):
        return False
    return bool(re.fullmatch(_DATE, rest)) or (separated and bool(_YEAR.fullmatch(rest)))


def phone_numbers(text: str) -> List[Number]:
    """The phone numbers (not ID numbers) in `text`."""
    return [number for number in find_numbers(text) if number.kind != ID_CARD]


def may_hold_a_number(text: str) -> bool:
    """Whether `text` has a digit at all: a text without one needs no masking."""
    return bool(text) and _ANY_DIGIT.search(text) is not None


def mask_personal_data(text: str) -> str:
    """`text` with every phone and ID-card number masked, keeping only what identifies no one."""
    if not may_hold_a_number(text):
        return text
    pieces, last = [], 0
    for number in find_numbers(text):
        pieces += [text[last:number.start], number.masked]
        last = number.end
    return "".join(pieces) + text[last:] if pieces else text
