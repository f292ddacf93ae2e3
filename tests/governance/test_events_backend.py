"""The bundled events backend over real HTTP, in-process and as `python -m bot events-backend`."""
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta

import pytest
import requests

from bot.events_backend import serve
from bot.governance.categories import SERVICE_CODES
from bot.governance.clock import SHANGHAI, now as utc_now
from bot.personal_data.limits import RetentionLimits
from bot.settings import PROJECT_ROOT
from tests.conftest import free_port
from tests.governance.conftest import API_KEY

FORM = {"api_key": API_KEY, "service_code": "environment", "description": "垃圾桶满了没人清",
        "address_string": "前峰村村口", "attribute[ticket_no]": "QJ20240501-0001", "attribute[channel]": "rest"}


def post(backend, path, **fields):
    return requests.post(f"{backend.url}{path}", data=fields, timeout=5)


def get(backend, path, key=API_KEY):
    return requests.get(f"{backend.url}{path}", params={"api_key": key}, timeout=5)


def test_services_are_our_six_categories(backend):
    services = get(backend, "/services.json").json()

    assert {(s["service_code"], s["service_name"]) for s in services} == {
        (code, name) for name, code in SERVICE_CODES.items()}


def test_filing_answers_in_open311_shape_and_a_known_ticket_is_not_filed_twice(backend):
    first = post(backend, "/requests.json", **FORM)
    again = post(backend, "/requests.json", **FORM)

    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json() == [{"service_request_id": "YZ000001", "token": None}]
    assert backend.store.count() == 1


def test_requests_without_a_ticket_are_separate_events(backend):
    form = {k: v for k, v in FORM.items() if k != "attribute[ticket_no]"}

    ids = {post(backend, "/requests.json", **form).json()[0]["service_request_id"] for _ in range(2)}

    assert len(ids) == 2


@pytest.mark.parametrize("change, code, description", [
    ({"api_key": "wrong"}, 403, "api_key 无效"),
    ({"api_key": ""}, 403, "api_key 无效"),
    ({"service_code": "noise"}, 400, "service_code 不存在：noise"),
    ({"description": "  "}, 400, "缺少 description"),
    ({"address_string": ""}, 400, "缺少 address_string"),
])
def test_a_bad_request_gets_an_open311_error(backend, change, code, description):
    reply = post(backend, "/requests.json", **{**FORM, **change})

    assert reply.status_code == code
    assert reply.json() == [{"code": code, "description": description}]
    assert backend.store.count() == 0


def test_an_event_shows_its_progress_as_staff_move_it_along(backend):
    request_id = post(backend, "/requests.json", **FORM).json()[0]["service_request_id"]

    def show():
        return get(backend, f"/requests/{request_id}.json").json()[0]

    assert (show()["status"], show()["status_notes"], show()["service_name"]) == ("open", None, "环境卫生")
    assert post(backend, f"/requests/{request_id}/status", api_key=API_KEY, status="in_progress",
                note="保洁员已出发").ok
    assert (show()["status"], show()["status_notes"]) == ("open", "in_progress: 保洁员已出发")
    assert post(backend, f"/requests/{request_id}/status", api_key=API_KEY, status="closed").ok
    assert (show()["status"], show()["status_notes"]) == ("closed", None)


def test_staff_changes_are_checked(backend):
    request_id = post(backend, "/requests.json", **FORM).json()[0]["service_request_id"]

    assert post(backend, f"/requests/{request_id}/status", api_key="wrong", status="closed").status_code == 403
    assert post(backend, f"/requests/{request_id}/status", api_key=API_KEY, status="done").status_code == 400
    assert post(backend, "/requests/YZ999999/status", api_key=API_KEY, status="closed").status_code == 404
    assert get(backend, "/requests/YZ999999.json").status_code == 404
    assert get(backend, "/requests/nonsense.json").status_code == 404


@pytest.mark.parametrize("method, path", [
    ("GET", "/services.json"), ("GET", "/requests/YZ000001.json"), ("POST", "/requests.json"),
    ("POST", "/requests/YZ000001/status"), ("DELETE", "/requests/YZ000001.json"), ("POST", "/_faults"),
    ("GET", "/no-such-route"), ("GET", "/requests.json"), ("GET", "/services/environment.json"),
])
@pytest.mark.parametrize("key", [None, "", "wrong", API_KEY + "x"])
def test_every_route_refuses_a_caller_without_the_key(backend, method, path, key):
    post(backend, "/requests.json", **FORM)
    sent = {} if key is None else {"api_key": key}
    fields = {"status": "closed", "mode": "down", **{k: v for k, v in FORM.items() if k != "api_key"}, **sent}

    reply = requests.request(method, f"{backend.url}{path}", timeout=5,
                             **({"data": fields} if method == "POST" else {"params": sent}))

    assert reply.status_code == 403
    assert reply.json() == [{"code": 403, "description": "api_key 无效"}]
    shown = get(backend, "/requests/YZ000001.json").json()[0]
    assert (shown["status"], shown["description"], backend.fault_mode) == ("open", FORM["description"], "none")


def test_the_key_is_not_written_to_the_log(backend, caplog):
    with caplog.at_level(logging.DEBUG, logger="bot.events_backend.server"):
        assert get(backend, "/services.json").ok

    assert "/services.json" in caplog.text and API_KEY not in caplog.text


def test_a_client_that_says_nothing_is_hung_up_on(tmp_path):
    server = serve(0, tmp_path / "events.db", api_key=API_KEY, socket_timeout=0.5)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as silent, \
                socket.create_connection(("127.0.0.1", server.port), timeout=5) as half:
            half.sendall(b"POST /requests.json HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\napi_key=")
            started = time.monotonic()
            assert silent.recv(1024) == b""  # closed by the server, not by our own 5 s timeout
            assert time.monotonic() - started < 3
            assert half.recv(1024) == b""
        assert get(server, "/services.json").ok
    finally:
        server.shutdown()


def test_an_event_can_be_deleted_with_the_key_only(backend):
    request_id = post(backend, "/requests.json", **FORM).json()[0]["service_request_id"]

    assert requests.delete(f"{backend.url}/requests/{request_id}.json", timeout=5).status_code == 403
    deleted = requests.delete(f"{backend.url}/requests/{request_id}.json", params={"api_key": API_KEY}, timeout=5)
    again = requests.delete(f"{backend.url}/requests/{request_id}.json", params={"api_key": API_KEY}, timeout=5)

    assert deleted.json() == [{"service_request_id": request_id, "deleted": True}]
    assert again.status_code == 404
    assert backend.store.count() == 0
    assert get(backend, f"/requests/{request_id}.json").status_code == 404


LIMITS = RetentionLimits(conversation_days=180, closed_report_days=90, open_report_days=365)


def filed(backend, ticket, phone="13812345678"):
    request_id = post(backend, "/requests.json", **{**FORM, "attribute[ticket_no]": ticket, "phone": phone,
                                                      "description": f"{ticket} 门口的垃圾桶满了，电话{phone}"}
                      ).json()[0]["service_request_id"]
    return request_id


def backdate(backend, request_id, **moments):
    """Set stored times (requested_at, updated_at) as if the event had been filed or moved then."""
    with closing(sqlite3.connect(backend.store.path)) as connection, connection:
        for column, moment in moments.items():
            connection.execute(f"UPDATE requests SET {column} = ? WHERE id = ?",
                               (moment.astimezone(SHANGHAI).isoformat(timespec="seconds"), int(request_id[2:])))


def test_retention_erases_what_is_due_in_the_backend_and_nothing_else(backend):
    now = utc_now().replace(microsecond=0)
    events = {name: filed(backend, f"QJ20240501-000{n}") for n, name in enumerate(
        ("closed_due", "closed_kept", "open_due", "open_kept", "closed_lately_filed_long_ago"), start=1)}
    for name in ("closed_due", "closed_kept", "closed_lately_filed_long_ago"):
        post(backend, f"/requests/{events[name]}/status", api_key=API_KEY, status="closed")
    day, second = timedelta(days=1), timedelta(seconds=1)
    backdate(backend, events["closed_due"], requested_at=now - 100 * day, updated_at=now - 90 * day - second)
    backdate(backend, events["closed_kept"], requested_at=now - 100 * day, updated_at=now - 90 * day + second)
    backdate(backend, events["open_due"], requested_at=now - timedelta(days=365, seconds=1))
    backdate(backend, events["open_kept"], requested_at=now - timedelta(days=365, seconds=-1))
    backdate(backend, events["closed_lately_filed_long_ago"], requested_at=now - 400 * day, updated_at=now - 10 * day)
    store = backend.store

    assert store.erase_expired(LIMITS, now=now) == (1, 1)
    assert store.erase_expired(LIMITS, now=now) == (0, 0)

    shown = get(backend, f"/requests/{events['closed_due']}.json").json()[0]
    assert (shown["description"], shown["address"]) == ("（已按保存期限删除）",) * 2
    assert (shown["status"], shown["service_code"], shown["requested_datetime"]) == (
        "closed", "environment", store.get(events["closed_due"])["requested_at"])
    erased = store.get(events["closed_due"])
    assert (erased["phone"], erased["description"], erased["address_string"]) == (None, "", "")
    assert erased["ticket_no"] == "QJ20240501-0001"
    for name in ("closed_kept", "open_kept", "closed_lately_filed_long_ago"):
        kept = store.get(events[name])
        assert kept["phone"] == "13812345678" and "13812345678" in kept["description"], name
    open_due = store.get(events["open_due"])
    assert open_due["phone"] is None and "13812345678" in open_due["description"]
    assert open_due["erased_at"] is None


def test_faults_can_be_switched_on_and_off(backend):
    assert post(backend, "/_faults", api_key=API_KEY, mode="error500").ok
    assert get(backend, "/services.json").status_code == 500
    assert post(backend, "/_faults", api_key=API_KEY, mode="sideways").status_code == 400
    assert post(backend, "/_faults", api_key=API_KEY, mode="none").ok
    assert get(backend, "/services.json").ok


def test_faults_cannot_be_switched_on_unless_allowed(tmp_path):
    server = serve(0, tmp_path / "events.db", api_key=API_KEY)
    try:
        assert post(server, "/_faults", api_key=API_KEY, mode="down").status_code == 404
        assert get(server, "/services.json").ok
    finally:
        server.shutdown()


def test_the_command_serves_until_terminated(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "events-backend", "--port", str(port), "--db", str(tmp_path / "events.db")],
        cwd=PROJECT_ROOT, env={**os.environ, "EVENTS_BACKEND_API_KEY": API_KEY},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                services = requests.get(f"http://127.0.0.1:{port}/services.json", params={"api_key": API_KEY},
                                        timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.2)
        assert services.ok
        filed = requests.post(f"http://127.0.0.1:{port}/requests.json", data=FORM, timeout=5)
        assert filed.status_code == 201
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert (tmp_path / "events.db").exists()
