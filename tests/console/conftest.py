"""Console fixtures: the console server on a free loopback port over a fresh governance database (DATABASE_URL
points at it, as in production), with helpers to make a staff account and sign in as a browser does."""
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, Iterator, Optional

import pytest
import requests

from bot.console.accounts import StaffAccounts
from bot.console.server import ConsoleServer
from bot.governance.queue import ReportQueue, open_queue
from tests.conftest import PROJECT_ROOT
from tests.governance import conftest as governance_fixtures

PASSWORD = "correct horse battery"
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1, "has_touch": True}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Console:
    url: str
    queue: ReportQueue
    accounts: StaffAccounts

    def add_account(self, name: str = "王芳", password: str = PASSWORD) -> str:
        self.accounts.add(name, password)
        return name

    def browser(self) -> requests.Session:
        """A client that keeps cookies (get and post below follow no redirect: tests look at each one)."""
        return requests.Session()

    def get(self, session: requests.Session, path: str, **kwargs) -> requests.Response:
        return session.get(self.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, session: requests.Session, path: str, data: Optional[Dict[str, str]] = None,
             **kwargs) -> requests.Response:
        return session.post(self.url + path, data=data or {}, allow_redirects=False, timeout=30, **kwargs)

    def csrf(self, session: requests.Session, path: str = "/queue") -> str:
        """The CSRF token the page at `path` puts in its forms."""
        page = self.get(session, path)
        found = _CSRF.search(page.text)
        assert found, f"no CSRF field on {path} ({page.status_code})"
        return found.group(1)

    def sign_in(self, name: str, password: str = PASSWORD) -> requests.Session:
        session = self.browser()
        reply = self.post(session, "/login", {"name": name, "password": password,
                                              "csrf_token": self.csrf(session, "/login")})
        assert reply.status_code == 303, reply.text[-500:]
        return session

    def signed_in(self, name: str = "王芳") -> requests.Session:
        self.add_account(name)
        return self.sign_in(name)


@pytest.fixture
def console_database(tmp_path) -> str:
    """SQLite; a test module whose queries differ between databases overrides it with `database_url` (SQLite and
    PostgreSQL, from the governance tests)."""
    return f"sqlite:///{tmp_path / 'governance.db'}"


@pytest.fixture
def console(console_database, tmp_path, monkeypatch) -> Iterator[Console]:
    monkeypatch.setenv("DATABASE_URL", console_database)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "")
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    queue = open_queue()
    server = ConsoleServer("127.0.0.1", 0).start()
    try:
        yield Console(server.url, queue, StaffAccounts(queue))
    finally:
        server.shutdown()
        queue.close()


# The governance tests' databases (SQLite and PostgreSQL), shared.
database_url = governance_fixtures.database_url


def stack_console(stack, staff: str) -> str:
    """The address of the console `python -m bot run` started, with an account for `staff` made as staff make one
    (`python -m bot staff add`)."""
    added = subprocess.run([sys.executable, "-m", "bot", "staff", "add", staff, "--password-stdin"],
                           input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, env=stack.env,
                           timeout=60)
    assert added.returncode == 0, added.stderr
    return f"http://127.0.0.1:{stack.env['CONSOLE_PORT']}"


@pytest.fixture
def tablet(browser):
    """A page in a tablet-sized Chinese browser window."""
    context = browser.new_context(locale="zh-CN", **TABLET)
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()
