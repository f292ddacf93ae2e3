"""Where a stored photo is served: the Rasa server's /photos/<token>.<ext>, under the address the events backend and
staff reach it by (PUBLIC_BASE_URL; empty = this machine's Rasa server). The token is the URL's only secret."""
from bot import settings

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
ROUTE_PREFIX = "/photos/"


def public_base_url() -> str:
    configured = settings.get("PUBLIC_BASE_URL").strip().rstrip("/")
    return configured or f"http://{settings.reachable(settings.get('RASA_HOST'))}:{settings.get('RASA_PORT')}"


def photo_path(token: str, content_type: str) -> str:
    """The route's path for this photo ("/photos/<token>.jpg")."""
    return f"{ROUTE_PREFIX}{token}.{EXTENSIONS[content_type]}"


def photo_url(token: str, content_type: str) -> str:
    return public_base_url() + photo_path(token, content_type)
