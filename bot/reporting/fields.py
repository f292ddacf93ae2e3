"""The parts of a report a resident fills in and may correct, and how they refer to each one."""
from typing import Optional, Tuple

DESCRIPTION, CATEGORY, LOCATION, PHONE = "description", "category", "location", "phone"
# Not a part of the report but the last question: "is this summary right?"
CONFIRMED = "confirmed"
# Photos (tokens, in the order sent) and a shared location's coordinates: kept with the report, never typed.
PHOTOS, LATITUDE, LONGITUDE = "photos", "latitude", "longitude"
# The photo step is over (or never asked: the channel cannot send photos).
PHOTOS_DONE = "photos_done"
# The open report of the same problem found, and the resident's choice: follow it, or file anyway.
DUPLICATE, DUPLICATE_CHOICE = "duplicate", "duplicate_choice"

# Checked in this order, so "地点的描述不对" is about the place. "问题" is no field word: "没问题" is no correction.
_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    (LOCATION, ("地点", "地址", "位置", "地方", "在哪")),
    (PHONE, ("电话", "手机", "号码", "联系方式")),
    (CATEGORY, ("类别", "类型", "分类", "种类", "哪一类")),
    (DESCRIPTION, ("描述", "内容", "情况", "说明", "事情")),
)


def field_named_in(text: str) -> Optional[str]:
    """Which field `text` is about ("地点写错了" -> location), or None when it names none."""
    for field, words in _WORDS:
        if any(word in (text or "") for word in words):
            return field
    return None
