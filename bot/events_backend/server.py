"""The events backend's HTTP side: Open311 GeoReport v2 routes on the standard library's threading server.

Routes: GET /services.json, POST /requests.json, GET /requests/{id}.json, POST /requests/{id}/status (staff),
DELETE /requests/{id}.json (our extension: a resident's right to deletion), and POST /_faults (only when faults
are allowed: mode=none|down|slow|error500|garbage, delay=seconds for slow).

Every route needs the key, as GeoReport v2 clients send it: `api_key` in the query string (GET, DELETE) or in the
form (POST). Ids are sequential, so an open read would hand out every resident's words to whoever counts.
"""
import hmac
import json
import logging
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Optional
from urllib.parse import parse_qs, urlsplit

from bot import settings
from bot.events_backend.store import EventStore
from bot.governance.categories import SERVICE_CODES
from bot.governance.messages import ERASED_BY_RETENTION
from bot.personal_data.limits import SWEEP_INTERVAL_SECONDS, RetentionLimits

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
FAULT_MODES = ("none", "down", "slow", "error500", "garbage")
DEFAULT_SLOW_SECONDS = 3.0
# How soon `shutdown()` returns: tests start and stop many servers.
SHUTDOWN_POLL_SECONDS = 0.05
# A client that connects and then goes quiet gives its thread back after this long.
SOCKET_TIMEOUT_SECONDS = 10.0
_KEY_IN_LOG = re.compile(r"(api_key=)[^&\s\"]*")
AGENCY = "前进街道 云治前进"
STAFF_STATUSES = {"in_progress": ("open", "in_progress"), "closed": ("closed", "")}


class EventsBackendServer(ThreadingHTTPServer):
    daemon_threads = True

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
        self._thread: Optional[threading.Thread] = None
        self._stop_sweeping = threading.Event()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.port}"

    def start(self) -> "EventsBackendServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
                                        name=f"events-backend-{self.port}", daemon=True)
        self._thread.start()
        return self

    def handle_error(self, request, client_address) -> None:
        """A client that hung up before its answer (its own timeout) is routine, not a traceback on stderr."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            logger.debug("client %s hung up before its answer", client_address[0])
            return
        super().handle_error(request, client_address)

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
        if self._thread is not None:
            super().shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()


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

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    logger.info("events backend listening on %s (data: %s)", server.url, db)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


class RequestHandler(BaseHTTPRequestHandler):
    server: EventsBackendServer
    server_version = "YunzhiEvents/1.0"

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
        self._json(200, [
            {"service_code": code, "service_name": name, "description": name, "metadata": False,
             "type": "realtime", "keywords": "", "group": "基层治理"}
            for name, code in SERVICE_CODES.items()
        ])

    def _create(self, form) -> None:
        if form.get("service_code") not in SERVICE_CODES.values():
            return self._error(400, f"service_code 不存在：{form.get('service_code', '')}")
        if not form.get("description", "").strip():
            return self._error(400, "缺少 description")
        if not form.get("address_string", "").strip():
            return self._error(400, "缺少 address_string")
        service_request_id, created = self.server.store.create({
            "ticket_no": form.get("attribute[ticket_no]") or None,
            "service_code": form["service_code"],
            "description": form["description"],
            "address_string": form["address_string"],
            "phone": form.get("phone") or None,
            "channel": form.get("attribute[channel]") or None,
        })
        logger.info("event %s %s", service_request_id, "filed" if created else "already filed (same ticket)")
        self._json(201 if created else 200, [{"service_request_id": service_request_id, "token": None}])

    def _show(self, form, request_id: str) -> None:
        event = self.server.store.get(request_id)
        if event is None:
            return self._error(404, f"没有这个事件：{request_id}")
        self._json(200, [_open311_record(event)])

    def _delete(self, form, request_id: str) -> None:
        """Forget an event and everything the resident said in it, on their request."""
        if not self.server.store.delete(request_id):
            return self._error(404, f"没有这个事件：{request_id}")
        logger.info("event %s deleted on request", request_id)
        self._json(200, [{"service_request_id": request_id, "deleted": True}])

    def _set_status(self, form, request_id: str) -> None:
        if form.get("status") not in STAFF_STATUSES:
            return self._error(400, f"status 只能是 {' 或 '.join(STAFF_STATUSES)}")
        status, detail = STAFF_STATUSES[form["status"]]
        event = self.server.store.set_status(request_id, status, detail, form.get("note", "").strip())
        if event is None:
            return self._error(404, f"没有这个事件：{request_id}")
        self._json(200, [_open311_record(event)])

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
        self._json(200, {"mode": mode, "delay": self.server.slow_seconds})

    def _error(self, code: int, description: str) -> None:
        self._json(code, [{"code": code, "description": description}])

    def _json(self, code: int, payload) -> None:
        self._send(code, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

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
        "address": ERASED_BY_RETENTION if erased else event["address_string"],
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


ROUTES = (
    ("GET", re.compile(r"/services\.json"), RequestHandler._services),
    ("POST", re.compile(r"/requests\.json"), RequestHandler._create),
    ("GET", re.compile(r"/requests/(?P<request_id>[^/]+)\.json"), RequestHandler._show),
    ("DELETE", re.compile(r"/requests/(?P<request_id>[^/]+)\.json"), RequestHandler._delete),
    ("POST", re.compile(r"/requests/(?P<request_id>[^/]+)/status"), RequestHandler._set_status),
)
