"""The one message a channel sends the bot for a photo or a location: an intent with its entities in Rasa's
payload syntax (`/intent{"entity": value}`), as a button would, so the report form reads it as it reads a click.
"""
import json
import logging
import math
from typing import Any, Dict, Optional

from bot.photos import texts
from bot.photos.images import PhotoRejected
from bot.photos.store import PhotoStore
from bot.senders import for_log

logger = logging.getLogger(__name__)

ATTACH_PHOTO = "attach_photo"
SHARE_LOCATION = "share_location"


def _payload(intent: str, entities: Dict[str, Any]) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


def photo_attached(token: str) -> str:
    return _payload(ATTACH_PHOTO, {"photo_token": token})


def photo_refused(reason: str) -> str:
    """`reason`: what the resident is told (bot/photos/texts.py)."""
    return _payload(ATTACH_PHOTO, {"photo_error": reason})


def location_shared(latitude: float, longitude: float, label: str = "") -> Optional[str]:
    """The message for a position (WGS84 degrees) and the place's name if the device gave one; None for a
    position that cannot be one."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return _payload(SHARE_LOCATION, {"latitude": latitude, "longitude": longitude, "place_label": label.strip()})


def photo_message(conversation: str, data: bytes) -> str:
    """The message for a photo `conversation` sent: attached once stored (in the process's PhotoStore), or refused
    with the reason; a database or disk that fails refuses it too, so the resident can send it again."""
    try:
        return photo_attached(PhotoStore.from_env().accept(conversation, data).token)
    except PhotoRejected as refusal:
        logger.info("photo from %s refused: %s", for_log(conversation), refusal.message)
        return photo_refused(refusal.message)
    except Exception:
        logger.exception("photo from %s could not be stored", for_log(conversation))
        return photo_refused(texts.NOT_STORED)
