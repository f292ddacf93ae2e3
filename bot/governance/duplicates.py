"""Whether a problem a resident is about to report is already reported and still open, so they can follow that
ticket instead of filing the same problem twice.

Same problem means: same category, not yet 已办结, filed within WINDOW_DAYS, and at the same place: the same
place text once written the same way (`normalise_place`), or within NEAR_METRES when both reports carry the
coordinates the resident's phone shared. Several matches give the oldest, the ticket others follow already.
"""
import math
import re
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING, Optional

from sqlalchemy import select

from bot.governance.models import Report
from bot.governance.statuses import CLOSED
from bot.governance.views import ReportView, report_view

if TYPE_CHECKING:  # the queue's module imports nothing from here
    from bot.governance.queue import ReportQueue

WINDOW_DAYS = 30
NEAR_METRES = 50
EARTH_RADIUS_METRES = 6_371_000
# A place shorter than this once normalised ("门口", "楼下") says too little to call two reports the same.
MIN_PLACE_CHARS = 2

# Words around a place that do not make it another place: "在前悦社区3幢楼下附近" is "前悦社区3幢".
_LEADING = re.compile(r"^(?:就在|位于|地址是|地点是|在)")
_TRAILING = re.compile(r"(?:附近|旁边|边上|周边|周围|一带|那边|这边|那里|这里|那儿|这儿|楼下|底下|下面|对面|处|边)$")
# "南门口" is the south gate (南门); a plain "门口" or "大门" adds nothing to the estate before it.
_GATE = re.compile(r"(东|南|西|北|正|前|后|侧|小)门口$")
_PLAIN_GATE = re.compile(r"(?:大门口|大门|门口)$")
_NOT_WORDS = re.compile(r"[\W_]+")
_BUILDING = re.compile(r"(\d+)(?:号楼|栋|幢)")
_CHINESE_NUMBER = re.compile(r"[一二两三四五六七八九十]+(?=幢|栋|号楼|号|单元|组|楼|层|室|弄|区)")
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def normalise_place(text: str) -> str:
    """One spelling for the ways residents write the same place: full-width to half-width, no spaces or
    punctuation, no 的, Chinese numbers before a unit as digits (三幢 = 3幢 = 3栋 = 3号楼), and without the words
    that only point near it (在…, …附近/旁边/楼下, a plain …门口)."""
    place = unicodedata.normalize("NFKC", text or "").lower()
    place = _NOT_WORDS.sub("", place).replace("的", "")
    place = _CHINESE_NUMBER.sub(lambda match: str(_chinese_number(match.group(0))), place)
    place = _BUILDING.sub(r"\1幢", place)
    place = _LEADING.sub("", place)
    while True:
        shorter = _TRAILING.sub("", place)
        shorter = _GATE.sub(r"\1门", shorter)
        shorter = _PLAIN_GATE.sub("", shorter)
        if shorter == place or len(shorter) < MIN_PLACE_CHARS:
            return place
        place = shorter


def _chinese_number(text: str) -> int:
    """一…九十九 as a number ("十二" = 12, "二十" = 20); anything longer is read digit by digit."""
    if "十" not in text:
        return int("".join(str(_DIGITS[char]) for char in text))
    tens, _, ones = text.partition("十")
    return _DIGITS.get(tens, 1) * 10 + (_DIGITS[ones] if ones else 0)


def distance_metres(latitude: float, longitude: float, other_latitude: float, other_longitude: float) -> float:
    """The great-circle (haversine) distance between two WGS84 points."""
    phi, other_phi = math.radians(latitude), math.radians(other_latitude)
    d_phi = other_phi - phi
    d_lambda = math.radians(other_longitude - longitude)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi) * math.cos(other_phi) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(min(1.0, a)))


def same_place(place: str, other_place: str, latitude: Optional[float] = None, longitude: Optional[float] = None,
               other_latitude: Optional[float] = None, other_longitude: Optional[float] = None) -> bool:
    """The same written place, or within NEAR_METRES when both have coordinates."""
    wanted = normalise_place(place)
    if len(wanted) >= MIN_PLACE_CHARS and wanted == normalise_place(other_place):
        return True
    if None in (latitude, longitude, other_latitude, other_longitude):
        return False
    return distance_metres(latitude, longitude, other_latitude, other_longitude) <= NEAR_METRES


def find_duplicate(queue: "ReportQueue", category: str, place: str, latitude: Optional[float] = None,
                   longitude: Optional[float] = None) -> Optional[ReportView]:
    """The open report of `category` at this place filed in the last WINDOW_DAYS, the oldest if several; None if
    there is none. Reports whose words retention erased are left out: their place is gone."""
    since = queue.clock() - timedelta(days=WINDOW_DAYS)
    query = (
        select(Report)
        .where(Report.category == category, Report.status != CLOSED, Report.created_at >= since,
               Report.words_erased_at.is_(None))
        .order_by(Report.created_at, Report.id)
    )
    with queue.reading() as session:
        for report in session.scalars(query):
            if same_place(place, report.location, latitude, longitude, report.latitude, report.longitude):
                return report_view(report)
    return None
