"""What the conversation layer hands in when a resident confirms a report, and the checks it must pass."""
from dataclasses import dataclass
from typing import Optional, Tuple

from bot.governance import messages
from bot.governance.categories import CATEGORIES
from bot.governance.errors import InvalidReport
from bot.governance.models import CHANNEL_LENGTH, KEY_LENGTH, LOCATION_LENGTH, PHONE_LENGTH

MAX_DESCRIPTION = 5000
# Photos one report carries: the first is the report's media_url, the others its attributes.
MAX_PHOTOS = 3


@dataclass(frozen=True)
class ReportDraft:
    sender_id: str
    category: str
    location: str
    description: str
    phone: Optional[str]
    channel: str
    # The same key always means the same report: a resubmission (double tap, retried action) returns it again.
    idempotency_key: str
    # Tokens of photos this conversation sent while filling in the report, in the order sent.
    photos: Tuple[str, ...] = ()
    # A shared location (WGS84): both or neither.
    latitude: Optional[float] = None
    longitude: Optional[float] = None


def validate(draft: ReportDraft) -> None:
    """Raise InvalidReport for a draft we cannot store exactly as given; nothing is trimmed or cut silently."""
    if draft.category not in CATEGORIES:
        raise InvalidReport(messages.CATEGORY_UNKNOWN.format(categories="、".join(CATEGORIES)))
    if not (draft.location or "").strip():
        raise InvalidReport(messages.LOCATION_EMPTY)
    if not (draft.description or "").strip():
        raise InvalidReport(messages.DESCRIPTION_EMPTY)
    if len(draft.location) > LOCATION_LENGTH:
        raise InvalidReport(messages.LOCATION_TOO_LONG.format(length=len(draft.location), limit=LOCATION_LENGTH))
    if len(draft.description) > MAX_DESCRIPTION:
        raise InvalidReport(
            messages.DESCRIPTION_TOO_LONG.format(length=len(draft.description), limit=MAX_DESCRIPTION)
        )
    if draft.phone is not None and len(draft.phone) > PHONE_LENGTH:
        raise InvalidReport(messages.PHONE_TOO_LONG)
    if any("\x00" in (value or "") for value in (draft.location, draft.description, draft.phone)):
        raise InvalidReport(messages.UNSTORABLE_CHARACTER)
    if len(draft.photos) > MAX_PHOTOS:
        raise InvalidReport(messages.TOO_MANY_PHOTOS.format(limit=MAX_PHOTOS))
    if not _coordinates_valid(draft.latitude, draft.longitude):
        raise InvalidReport(messages.PLACE_COORDINATES_INVALID)
    origin = ((draft.sender_id, KEY_LENGTH), (draft.idempotency_key, KEY_LENGTH), (draft.channel, CHANNEL_LENGTH))
    for value, limit in origin:
        if not (value or "").strip() or len(value) > limit:
            raise InvalidReport(messages.ORIGIN_UNKNOWN)


def _coordinates_valid(latitude: Optional[float], longitude: Optional[float]) -> bool:
    if latitude is None and longitude is None:
        return True
    if not all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in (latitude, longitude)):
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180
