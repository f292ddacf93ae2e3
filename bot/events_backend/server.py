"""The events backend's HTTP side: Open311 GeoReport v2 routes on the standard library's threading server.

GeoReport v2, each as .xml (the spec's required format) and .json: GET /services, GET /services/{code} (the
service definition), POST /requests (file one), GET /requests (list, with the spec's filters), GET /requests/{id}.
Ours besides: DELETE /requests/{id} (a resident's right to deletion), POST /requests/{id}/status (staff move an
event along), and POST /_faults (only when faults are allowed: mode=none|down|slow|error500|garbage, delay=seconds
for slow). Requests come form-encoded; XML is only written, never read.

Every route needs the key, as GeoReport v2 clients send it: `api_key` in the query string (GET, DELETE) or in the
form (POST). Ids are sequential, so an open read would hand out every resident's words to whoever counts.
"""
import hmac
import json
import logging
import math
import re
import threading
import time
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

from bot import settings
from bot.events_backend.store import EventStore
from bot.governance.categories import SERVICE_CODES
from bot.governance.clock import SHANGHAI
from bot.governance.messages import ERASED_BY_RETENTION
from bot.http_server import BackgroundHTTPServer, serve_in_foreground
from bot.personal_data.limits import SWEEP_INTERVAL_SECONDS, RetentionLimits

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
FAULT_MODES = ("none", "down", "slow", "error500", "garbage")
DEFAULT_SLOW_SECONDS = 3.0
# A client that connects and then goes quiet gives its thread back after this long.
SOCKET_TIMEOUT_SECONDS = 10.0
_KEY_IN_LOG = re.compile(r"(api_key=)[^&\s\"]*")
AGENCY = "前进街道 云治前进"
STAFF_STATUSES = {"in_progress": ("open", "in_progress"), "closed": ("closed", "")}
OPEN311_STATUSES = ("open", "closed")
# GET /requests as the spec has it: the most recent 90 days unless asked otherwise, never a longer span, and at most
# 1000 requests, newest first.
REQUESTS_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
# The attributes a request may carry besides the spec's own fields (`attribute[code]` in the form).
ATTRIBUTES = (
    ("ticket_no", "前进小助手的工单号：同一工单号只立一件事件"),
    ("channel", "居民提交的渠道（wechat、widget 或 rest）"),
    ("photo2", "第二张照片的网址（http 或 https）"),
    ("photo3", "第三张照片的网址（http 或 https）"),
)
MAX_URL_LENGTH = 2048
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The spec's XML: a list is an element named for it holding one element per item.
XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute"}
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W3_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


class EventsBackendServer(BackgroundHTTPServer):
    thread_name = "events-backend"

    def __init__(self, host: str, port: int, store: EventStore, api_key: str, allow_faults: bool = False,
                 socket_timeout: float = SOCKET_TIMEOUT_SECONDS):
        if not api_key:
            raise ValueError("the events backend needs an api_key (EVENTS_BACKEND_API_KEY)")
        super().__init__((host, port), RequestHandler)
        self.store = store
        self.api_key = api_key
        self.allow_faults = allow_faults
        self.socket_timeout = socket_timeout
        self.fault_mode = "none"
        self.slow_seconds = DEFAULT_SLOW_SECONDS
        self._stop_sweeping = threading.Event()

    def sweep_daily(self, limits: RetentionLimits, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
        """Apply the retention limits to the stored events now and then every `interval` seconds, in a thread."""
        def sweep() -> None:
            while True:
                try:
                    erased = self.store.erase_expired(limits)
                    if any(erased):
                        logger.info("retention: erased the personal data of %d closed events and the phone of %d "
                                    "open ones", *erased)
                except Exception:
                    logger.exception("retention sweep failed; trying again in %s s", interval)
                if self._stop_sweeping.wait(interval):
                    return

        threading.Thread(target=sweep, name=f"events-backend-retention-{self.port}", daemon=True).start()

    def shutdown(self) -> None:
        """Stop serving and free the port (requests still sleeping in `slow` mode finish on their own)."""
        self._stop_sweeping.set()
        super().shutdown()


def serve(port: int, db, api_key: Optional[str] = None, host: str = "127.0.0.1", allow_faults: bool = False,
          socket_timeout: float = SOCKET_TIMEOUT_SECONDS) -> EventsBackendServer:
    """Start a backend in a background thread (port 0: any free port); stop it with `server.shutdown()`.

    `api_key` defaults to EVENTS_BACKEND_API_KEY, the key our own client sends.
    """
    key = settings.secret("EVENTS_BACKEND_API_KEY") if api_key is None else api_key
    return EventsBackendServer(host, port, EventStore(db), key, allow_faults, socket_timeout).start()


def run(port: int, db, api_key: str, host: str = "127.0.0.1", allow_faults: bool = False) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM, applying the retention limits of the settings daily."""
    server = EventsBackendServer(host, port, EventStore(db), api_key, allow_faults)
    server.sweep_daily(RetentionLimits.from_env())
    logger.info("events backend listening on %s (data: %s)", server.url, db)
    return serve_in_foreground(server)


class RequestHandler(BaseHTTPRequestHandler):
    server: EventsBackendServer
    server_version = "YunzhiEvents/1.0"
    fmt = "json"  # of the request being answered: "json" or "xml", from its path

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout  # read by StreamRequestHandler.setup: applies to every recv
        super().setup()

    def log_message(self, format: str, *args) -> None:
        logger.debug("%s %s", self.address_string(), _KEY_IN_LOG.sub(r"\1***", format % args))

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path
        self.fmt = "xml" if path.endswith(".xml") else "json"  # errors too come in the format asked for
        form = self._read_form() if method == "POST" else {
            key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        if form is None or not self._authorised(form):
            return
        if method == "POST" and path == "/_faults" and self.server.allow_faults:
            return self._set_faults(form)
        if self._misbehave():
            return
        for route_method, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler(self, form, **match.groupdict())
        self._error(404, f"没有这个接口：{method} {path}")

    def _read_form(self) -> Optional[Dict[str, str]]:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._error(413 if length > MAX_BODY else 400, "请求太大" if length > MAX_BODY else "Content-Length 无效")
            return None
        try:
            body = self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError:
            self._error(400, "请求内容不是 UTF-8")
            return None
        return {key: values[-1] for key, values in parse_qs(body, keep_blank_values=True).items()}

    def _misbehave(self) -> bool:
        """Act out the current fault; True when the request must not be answered normally."""
        mode = self.server.fault_mode
        if mode == "down":
            self.close_connection = True  # hang up without a word, as a dead upstream behind a proxy does
            return True
        if mode == "slow":
            time.sleep(self.server.slow_seconds)
        elif mode == "error500":
            self._error(500, "内部错误")
            return True
        elif mode == "garbage":
            self._send(200, "<html><body>系统维护中</body></html>".encode("utf-8"), "text/html; charset=utf-8")
            return True
        return False

    def _authorised(self, form: Dict[str, str]) -> bool:
        if hmac.compare_digest(form.get("api_key", "").encode(), self.server.api_key.encode()):
            return True
        self._error(403, "api_key 无效")
        return False

    def _services(self, form) -> None:
        self._answer(200, "services", [
            {"service_code": code, "service_name": name, "description": name, "metadata": True,
             "type": "realtime", "keywords": "", "group": "基层治理"}
            for name, code in SERVICE_CODES.items()
        ])

    def _definition(self, form, service_code: str) -> None:
        if service_code not in SERVICE_CODES.values():
            return self._error(404, f"service_code 不存在：{service_code}")
        self._answer(200, "service_definition", {"service_code": service_code, "attributes": [
            {"variable": True, "code": code, "datatype": "string", "required": False, "datatype_description": None,
             "order": order, "description": description}
            for order, (code, description) in enumerate(ATTRIBUTES, start=1)
        ]})

    def _create(self, form) -> None:
        fields, problem = _filing(form)
        if fields is None:
            return self._error(400, problem)
        service_request_id, created = self.server.store.create(fields)
        logger.info("event %s %s", service_request_id, "filed" if created else "already filed (same ticket)")
        self._answer(201 if created else 200, "service_requests", [
            {"service_request_id": service_request_id, "token": None}])

    def _list(self, form) -> None:
        """GET /requests: by `service_request_id` (which overrides the other filters), else by `service_code`,
        `status`, `start_date` and `end_date`."""
        store = self.server.store
        ids = _listed(form.get("service_request_id"))
        if ids:
            return self._answer(200, "service_requests", [
                _open311_record(event) for event in store.find(ids=ids[:MAX_REQUESTS])])
        codes = _listed(form.get("service_code"))
        unknown = [code for code in codes if code not in SERVICE_CODES.values()]
        if unknown:
            return self._error(400, f"service_code 不存在：{'、'.join(unknown)}")
        statuses = [status.lower() for status in _listed(form.get("status"))]
        if any(status not in OPEN311_STATUSES for status in statuses):
            return self._error(400, f"status 只能是 {' 或 '.join(OPEN311_STATUSES)}（可用逗号分隔多个）")
        try:
            since, until = _window(form.get("start_date", ""), form.get("end_date", ""))
        except ValueError as problem:
            return self._error(400, str(problem))
        events = store.find(service_codes=codes, statuses=statuses, since=since, until=until, limit=MAX_REQUESTS)
        self._answer(200, "service_requests", [_open311_record(event) for event in events])

    def _show(self, form, request_id: str) -> None:
        event = self.server.store.get(request_id)
        if event is None:
            return self._error(404, f"没有这个事件：{request_id}")
        self._answer(200, "service_requests", [_open311_record(event)])

    def _delete(self, form, request_id: str) -> None:
        """Forget an event and everything the resident said in it, on their request."""
        if not self.server.store.delete(request_id):
            return self._error(404, f"没有这个事件：{request_id}")
        logger.info("event %s deleted on request", request_id)
        self._answer(200, "service_requests", [{"service_request_id": request_id, "deleted": True}])

    def _set_status(self, form, request_id: str) -> None:
        if form.get("status") not in STAFF_STATUSES:
            return self._error(400, f"status 只能是 {' 或 '.join(STAFF_STATUSES)}")
        status, detail = STAFF_STATUSES[form["status"]]
        event = self.server.store.set_status(request_id, status, detail, form.get("note", "").strip())
        if event is None:
            return self._error(404, f"没有这个事件：{request_id}")
        self._answer(200, "service_requests", [_open311_record(event)])

    def _set_faults(self, form: Dict[str, str]) -> None:
        mode = form.get("mode", "none")
        if mode not in FAULT_MODES:
            return self._error(400, f"mode 只能是 {'、'.join(FAULT_MODES)}")
        try:
            delay = float(form.get("delay") or DEFAULT_SLOW_SECONDS)
        except ValueError:
            return self._error(400, "delay 应为秒数")
        self.server.fault_mode = mode
        self.server.slow_seconds = delay
        logger.info("fault mode: %s", mode)
        self._answer(200, "faults", {"mode": mode, "delay": self.server.slow_seconds})

    def _error(self, code: int, description: str) -> None:
        self._answer(code, "errors", [{"code": code, "description": description}])

    def _answer(self, code: int, root: str, payload) -> None:
        """Send `payload` as JSON or, for a .xml route, as the spec's XML with `root` as its document element."""
        if self.fmt == "xml":
            body = ElementTree.tostring(_xml(root, payload), encoding="utf-8", xml_declaration=True)
        else:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(code, body, CONTENT_TYPES[self.fmt])

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _open311_record(event: Dict) -> Dict:
    notes = event["detail"] + (": " if event["detail"] and event["note"] else "") + event["note"]
    erased = event["erased_at"] is not None
    return {
        "service_request_id": event["service_request_id"],
        "status": event["status"],
        "status_notes": notes or None,
        "service_name": next(name for name, code in SERVICE_CODES.items() if code == event["service_code"]),
        "service_code": event["service_code"],
        "description": ERASED_BY_RETENTION if erased else event["description"],
        "agency_responsible": AGENCY,
        "service_notice": None,
        "requested_datetime": event["requested_at"],
        "updated_datetime": event["updated_at"],
        "expected_datetime": None,
        "address": ERASED_BY_RETENTION if erased else event["address_string"] or None,
        "address_id": None,
        "zipcode": None,
        "lat": event["lat"],
        "long": event["long"],
        "media_url": event["media_url"],
    }


def _filing(form: Dict[str, str]) -> Tuple[Optional[Dict], str]:
    """The event a POST /requests form files, or None and what is wrong with the form.

    The spec asks for a location: `address_string`, or `lat` and `long` (we keep no address ids).
    """
    if form.get("service_code") not in SERVICE_CODES.values():
        return None, f"service_code 不存在：{form.get('service_code', '')}"
    if not form.get("description", "").strip():
        return None, "缺少 description"
    latitude_text, longitude_text = form.get("lat", "").strip(), form.get("long", "").strip()
    if bool(latitude_text) != bool(longitude_text):
        return None, "lat 和 long 要一起给出"
    latitude = longitude = None
    if latitude_text:
        latitude, longitude = _number(latitude_text, 90), _number(longitude_text, 180)
        if latitude is None:
            return None, "lat 应为 -90 到 90 之间的纬度"
        if longitude is None:
            return None, "long 应为 -180 到 180 之间的经度"
    elif not form.get("address_string", "").strip():
        return None, "缺少 address_string"
    links = {}
    for column, key in (("media_url", "media_url"), ("photo2", "attribute[photo2]"), ("photo3", "attribute[photo3]")):
        links[column] = form.get(key, "").strip() or None
        if links[column] is not None and not _is_web_url(links[column]):
            return None, f"{key} 应为 http 或 https 网址"
    return {
        "ticket_no": form.get("attribute[ticket_no]") or None,
        "service_code": form["service_code"],
        "description": form["description"],
        "address_string": form.get("address_string", "").strip(),
        "phone": form.get("phone") or None,
        "channel": form.get("attribute[channel]") or None,
        "lat": latitude,
        "long": longitude,
        **links,
    }, ""


def _number(text: str, limit: float) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and len(text) <= MAX_URL_LENGTH
            and not any(character.isspace() for character in text))


def _listed(value: Optional[str]) -> List[str]:
    """A comma-separated filter's values."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _window(start_text: str, end_text: str) -> Tuple[datetime, datetime]:
    """The span GET /requests covers: the most recent 90 days by default, 90 days from a lone start or up to a lone
    end; ValueError (its message for the caller) when a date is not a w3 date-time or the span is wrong."""
    start = _w3_datetime("start_date", start_text) if start_text.strip() else None
    end = _w3_datetime("end_date", end_text) if end_text.strip() else None
    if start is None and end is None:
        end = datetime.now(SHANGHAI)
    start = start or end - REQUESTS_WINDOW
    end = end or start + REQUESTS_WINDOW
    if end < start:
        raise ValueError("end_date 早于 start_date")
    if end - start > REQUESTS_WINDOW:
        raise ValueError("start_date 到 end_date 不能超过 90 天")
    return start, end


def _w3_datetime(name: str, text: str) -> datetime:
    text = text.strip()
    try:
        if _W3_DATETIME.fullmatch(text):
            # Python 3.10 reads only "Z"-less times with 3 or 6 digits of a second
            microseconds = re.sub(r"\.(\d+)", lambda match: "." + match.group(1)[:6].ljust(6, "0"), text)
            return datetime.fromisoformat(microseconds.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise ValueError(f"{name} 应为带时区的 W3C 日期时间，例如 2026-01-01T00:00:00+08:00 或 2026-01-01T00:00:00Z")


def _xml(tag: str, value) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, list):
        element.extend(_xml(XML_ITEMS[tag], item) for item in value)
    elif isinstance(value, dict):
        element.extend(_xml(key, item) for key, item in value.items())
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
    return element


FORMAT = r"\.(?:json|xml)"
ROUTES = (
    ("GET", re.compile(rf"/services{FORMAT}"), RequestHandler._services),
    ("GET", re.compile(rf"/services/(?P<service_code>[^/]+){FORMAT}"), RequestHandler._definition),
    ("POST", re.compile(rf"/requests{FORMAT}"), RequestHandler._create),
    ("GET", re.compile(rf"/requests{FORMAT}"), RequestHandler._list),
    ("GET", re.compile(rf"/requests/(?P<request_id>[^/]+){FORMAT}"), RequestHandler._show),
    ("DELETE", re.compile(rf"/requests/(?P<request_id>[^/]+){FORMAT}"), RequestHandler._delete),
    ("POST", re.compile(r"/requests/(?P<request_id>[^/]+)/status"), RequestHandler._set_status),
)
