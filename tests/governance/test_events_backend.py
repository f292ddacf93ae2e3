"""The bundled events backend over real HTTP, in-process and as `python -m bot events-backend`."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from bot.events_backend import serve
from bot.governance.categories import SERVICE_CODES
from bot.settings import PROJECT_ROOT
from tests.conftest import free_port
from tests.governance.conftest import API_KEY

FORM = {"api_key": API_KEY, "service_code": "environment", "description": "垃圾桶满了没人清",
        "address_string": "前峰村村口", "attribute[ticket_no]": "QJ20240501-0001", "attribute[channel]": "rest"}


def post(backend, path, **fields):
    return requests.post(f"{backend.url}{path}", data=fields, timeout=5)


def test_services_are_our_six_categories(backend):
    services = requests.get(f"{backend.url}/services.json", timeout=5).json()

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
        return requests.get(f"{backend.url}/requests/{request_id}.json", timeout=5).json()[0]

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
    assert requests.get(f"{backend.url}/requests/YZ999999.json", timeout=5).status_code == 404
    assert requests.get(f"{backend.url}/requests/nonsense.json", timeout=5).status_code == 404


def test_faults_can_be_switched_on_and_off(backend):
    assert post(backend, "/_faults", mode="error500").ok
    assert requests.get(f"{backend.url}/services.json", timeout=5).status_code == 500
    assert post(backend, "/_faults", mode="sideways").status_code == 400
    assert post(backend, "/_faults", mode="none").ok
    assert requests.get(f"{backend.url}/services.json", timeout=5).ok


def test_faults_cannot_be_switched_on_unless_allowed(tmp_path):
    server = serve(0, tmp_path / "events.db", api_key=API_KEY)
    try:
        assert post(server, "/_faults", mode="down").status_code == 404
        assert requests.get(f"{server.url}/services.json", timeout=5).ok
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
                services = requests.get(f"http://127.0.0.1:{port}/services.json", timeout=1)
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
