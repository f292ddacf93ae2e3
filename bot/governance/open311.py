"""A small client for the 云治前进 events backend, which speaks Open311 GeoReport v2.

Every failure is one of two kinds, because the outbox worker treats them differently:
BackendUnavailable (try again later: no connection, timeout, 5xx, a reply we cannot read) and
BackendRejected (the backend refused this very request, 4xx: sending it again will not help).
"""
import re
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

import requests

from bot import settings
from bot.governance.categories import SERVICE_CODES
from bot.governance.statuses import CLOSED, DISPATCHED, IN_PROGRESS
from bot.photos.urls import photo_url

DEFAULT_TIMEOUT = 5.0
# 4xx answers that mean "not now" rather than "not this request".
TRANSIENT_CLIENT_ERRORS = {408, 425, 429}

# (Open311 `status`, detail) -> our status. Our extension: the backend starts `status_notes` with the word
# "in_progress" once someone is working on the event, optionally followed by ": " and a note for the resident.
STATUS_MAP = {
    ("open", ""): DISPATCHED,
    ("open", "in_progress"): IN_PROGRESS,
    ("closed", ""): CLOSED,
    ("closed", "in_progress"): CLOSED,
}
_DETAIL = re.compile(r"\s*(in_progress)\b\s*[:：]?\s*(.*)", re.S)
# Where a report's photos go, in order: the spec's one media_url, the rest as attributes of the bundled backend's
# service definition (GET /services/{code}).
PHOTO_FIELDS = ("media_url", "attribute[photo2]", "attribute[photo3]")


class BackendError(Exception):
    def __init__(self, message: str, http_status: Optional[int] = None):
        super().__init__(message)
        self.http_status = http_status


class BackendUnavailable(BackendError):
    """The backend could not be reached or answered nonsense; the same request may well work later."""


class BackendRejected(BackendError):
    """The backend understood the request and refused it; a person has to look at it."""


@dataclass(frozen=True)
class RemoteStatus:
    status: str  # one of our status codes
    note: str  # what the backend says about it, "" if nothing


class Open311Client:
    """One client per thread (it keeps a `requests.Session` for connection reuse)."""

    def __init__(self, base_url: str, api_key: str, timeout: float = DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._http = requests.Session()

    @classmethod
    def from_env(cls) -> "Open311Client":
        """EVENTS_BACKEND_URL (empty: the bundled backend on EVENTS_BACKEND_PORT), _API_KEY and _TIMEOUT."""
        url = settings.get("EVENTS_BACKEND_URL").strip()
        if not url:
            url = f"http://127.0.0.1:{settings.get('EVENTS_BACKEND_PORT') or 8090}"
        timeout = float(settings.get("EVENTS_BACKEND_TIMEOUT") or DEFAULT_TIMEOUT)
        return cls(url, settings.secret("EVENTS_BACKEND_API_KEY"), timeout)

    def create(self, report) -> str:
        """File `report` (an outbox `Outgoing`: our Report's fields, its photos as (token, content type) pairs in
        order) as a service request; returns its backend id.

        The place goes as `address_string` and, when the resident shared their location, as `lat`/`long` too; the
        photos as URLs the backend can fetch. The backend files one event per `attribute[ticket_no]`, so sending
        the same report twice is harmless.
        """
        form = {
            "api_key": self.api_key,
            "service_code": SERVICE_CODES[report.category],
            "description": report.description,
            "address_string": report.location,
            "attribute[ticket_no]": report.ticket_no,
            "attribute[channel]": report.channel,
        }
        if report.phone:
            form["phone"] = report.phone
        if report.latitude is not None and report.longitude is not None:
            form["lat"], form["long"] = str(report.latitude), str(report.longitude)
        form.update(zip(PHOTO_FIELDS, (photo_url(token, content_type) for token, content_type in report.photos)))
        where = f"POST {self.base_url}/requests.json"
        reply = self._call("POST", "/requests.json", data=form)
        try:
            request_id = reply[0]["service_request_id"]
        except (LookupError, TypeError):
            request_id = None
        if request_id in (None, ""):
            raise BackendUnavailable(f"{where}：回复里没有 service_request_id（{_abridge(reply)}）")
        return str(request_id)

    def status(self, request_id: str) -> RemoteStatus:
        """Where the backend's event stands, in our statuses."""
        path = _request_path(request_id)
        reply = self._call("GET", path, params={"api_key": self.api_key})
        record = reply[0] if isinstance(reply, list) and reply else reply
        remote = record.get("status") if isinstance(record, dict) else None
        notes = (record.get("status_notes") or "") if isinstance(record, dict) else ""
        if not isinstance(remote, str) or not isinstance(notes, str):
            raise BackendUnavailable(f"GET {self.base_url}{path}：回复里没有可识别的 status（{_abridge(reply)}）")
        detail = _DETAIL.fullmatch(notes)
        key = (remote.strip().lower(), detail.group(1) if detail else "")
        if key not in STATUS_MAP:
            raise BackendUnavailable(f"GET {self.base_url}{path}：不认识的状态 {remote!r}")
        return RemoteStatus(STATUS_MAP[key], (detail.group(2) if detail else notes).strip())

    def delete(self, request_id: str) -> bool:
        """Have the backend delete an event (a resident's right to deletion); False if it had no such event.

        `DELETE /requests/{id}.json` is an extension of ours, served by the bundled backend; a platform without
        it refuses (BackendRejected), and its staff must then be asked to delete the event.
        """
        try:
            self._call("DELETE", _request_path(request_id), params={"api_key": self.api_key})
        except BackendRejected as error:
            if error.http_status == 404:
                return False
            raise
        return True

    def _call(self, method: str, path: str, **kwargs) -> Any:
        where = f"{method} {self.base_url}{path}"
        try:
            response = self._http.request(
                method, self.base_url + path, timeout=self.timeout, allow_redirects=False, **kwargs
            )
        except requests.Timeout:
            raise BackendUnavailable(f"{where}：{self.timeout:g} 秒内没有回应") from None
        except requests.ConnectionError as error:
            raise BackendUnavailable(f"{where}：连接不上（{type(error).__name__}）") from None
        except requests.RequestException as error:
            # Some of requests' messages quote the URL, whose query string carries the key.
            raise BackendUnavailable(f"{where}：{str(error).replace(self.api_key, '***')}") from None
        code = response.status_code
        if 400 <= code < 500 and code not in TRANSIENT_CLIENT_ERRORS:
            raise BackendRejected(f"{where}：事件平台拒绝了请求（HTTP {code}：{_reason(response)}）", code)
        if not 200 <= code < 300:
            raise BackendUnavailable(f"{where}：事件平台暂时出错（HTTP {code}）", code)
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "没有 Content-Type")
            raise BackendUnavailable(f"{where}：回复不是 JSON（{kind}）", code) from None


def _request_path(request_id: str) -> str:
    return f"/requests/{quote(str(request_id), safe='')}.json"


def _reason(response: requests.Response) -> str:
    """The Open311 error description(s) in a 4xx reply, or the start of its body."""
    try:
        errors = response.json()
        return "；".join(str(error["description"]) for error in errors) or "没有说明"
    except (ValueError, LookupError, TypeError):
        declared = "charset" in response.headers.get("Content-Type", "").lower()
        # Without a declared charset requests assumes ISO-8859-1; Chinese servers mean UTF-8.
        body = response.text if declared else response.content.decode("utf-8", errors="replace")
        return _abridge(body) or "没有说明"


def _abridge(value: Any, limit: int = 200) -> str:
    text = str(value).strip()
    return text if len(text) <= limit else text[:limit] + "…"
