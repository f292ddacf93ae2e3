"""Photos and a shared location in the report form: which channels can send them, how a shared position becomes
the report's place, and the typed words that end the photo step.

A channel turns a photo or a location into one payload message (bot/photos/payloads.py): `/attach_photo{…}` with
a stored photo's token or the reason it was refused, `/share_location{…}` with coordinates and maybe a label.
The form takes them whatever it is asking at the time (form.py).
"""
import math
from dataclasses import dataclass
from typing import Any, Optional

from bot.governance.models import LOCATION_LENGTH
from bot.photos.channels import CHANNELS_WITH_PHOTOS
from bot.reporting import texts
from bot.reporting.words import words_only

# Typed at the photo step: no photo to send ("没拍"), or no more to send ("好了"). Whole answers only ("好的" is
# not one of them: it means a photo is coming), or a phrase that says no photo anywhere in it.
_END_ANSWERS = frozenset((
    "没有", "没", "不用", "不用了", "不要", "不需要", "不必", "没有了", "没了", "好了", "好啦", "就这些", "就这些了",
    "就这么多", "就这样", "发完了", "发完啦", "发完", "完了", "可以了", "行了", "够了", "不发了", "ok",
))
_NO_PHOTO_PHRASES = ("没有照片", "没照片", "没有图", "没拍", "不拍", "不发", "不用发", "不用拍", "不需要照片", "跳过",
                     "拍不了", "没法拍", "不方便拍", "不加照片")
_TRAILING_PARTICLES = "吧啊呀哈呢嘛哦噢啦"


@dataclass(frozen=True)
class SharedPlace:
    """Where a shared location puts the report: the words the resident will read, and the coordinates."""

    place: str
    latitude: float
    longitude: float


def can_send_photos(channel: Optional[str]) -> bool:
    return (channel or "") in CHANNELS_WITH_PHOTOS


def shared_place(latitude: Any, longitude: Any, label: Any = "") -> Optional[SharedPlace]:
    """The place a shared location names: the device's label ("前悦社区3幢") when it gives one that fits, or else
    the coordinates in words; None for coordinates that are no position on Earth."""
    position = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if None in position:
        return None
    latitude, longitude = position
    label = " ".join(str(label or "").split())
    if words_only(label) and len(label) <= LOCATION_LENGTH:
        return SharedPlace(label, latitude, longitude)
    return SharedPlace(texts.SHARED_POSITION.format(latitude=latitude, longitude=longitude), latitude, longitude)


def _coordinate(value: Any, limit: float) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def ends_photo_step(text: str) -> bool:
    """"没有" / "没拍" / "跳过" / "好了" / "就这些": the resident sends no (more) photos."""
    core = words_only(text).lower().rstrip(_TRAILING_PARTICLES)
    return core in _END_ANSWERS or any(phrase in core for phrase in _NO_PHOTO_PHRASES)
