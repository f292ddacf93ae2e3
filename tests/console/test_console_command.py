"""`python -m bot console`: the server in the foreground, on the port asked for, stopped by SIGTERM; a warning when
it is opened to the network without HTTPS in front of it."""
import os
import signal
import subprocess
import sys
import time

import requests

from tests.conftest import PROJECT_ROOT, free_port


def started(tmp_path, *arguments: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}", "DATA_DIR": str(tmp_path),
           "CONSOLE_SECURE_COOKIES": "", "TRUSTED_PROXIES": ""}
    return subprocess.Popen([sys.executable, "-m", "bot", "console", *arguments], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(url: str, process: subprocess.Popen) -> requests.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.2)


def stopped(process: subprocess.Popen):
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_the_console_serves_on_the_port_given_and_stops_on_sigterm(tmp_path):
    port = free_port()
    process = started(tmp_path, "--port", str(port))
    try:
        page = wait_for(f"http://127.0.0.1:{port}/login", process)
    finally:
        code, out, err = stopped(process)
    assert page.status_code == 200 and "工作人员登录" in page.text
    assert code == 0
    assert f"工作台已启动：http://127.0.0.1:{port}/" in out
    assert "HTTPS" not in err


def test_opened_to_the_network_without_https_it_warns(tmp_path):
    port = free_port()
    process = started(tmp_path, "--host", "0.0.0.0", "--port", str(port))
    try:
        wait_for(f"http://127.0.0.1:{port}/login", process)
    finally:
        code, out, err = stopped(process)
    assert code == 0
    assert "没有设置 CONSOLE_SECURE_COOKIES=true" in err
