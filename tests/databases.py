"""A private PostgreSQL cluster for tests, from Debian's packages (`make production-test-deps`), never a system
service. Missing binaries fail the tests under CI (CI=true) and skip them elsewhere.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

from bot.benchmarks.stack import free_port

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# PostgreSQL refuses to run as root; as root we run it as Debian's `postgres` user.
POSTGRES_USER = "postgres"
SUPERUSER = "qianjin"
START_TIMEOUT = 60


def unavailable(reason: str) -> None:
    message = f"{reason}: run `make production-test-deps` (apt-get install postgresql redis-server)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def postgres_bin_dir() -> Optional[Path]:
    """The newest installed PostgreSQL's bin directory."""
    candidates = [Path(p) for p in glob.glob(POSTGRES_BIN_GLOB) if (Path(p) / "initdb").exists()]
    return max(candidates, key=lambda p: [int(part) for part in p.parent.name.split(".")], default=None)


@dataclass
class Postgres:
    bin_dir: Path
    port: int

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        run([str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name])
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"


def run(command: List[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


@contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A new cluster on a free loopback port, its data in a temporary directory; always stopped on exit."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        unavailable(f"PostgreSQL is not installed (no initdb under {POSTGRES_BIN_GLOB})")
    root = Path(tempfile.mkdtemp(prefix="qianjin-postgres-"))
    try:
        as_owner: List[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(POSTGRES_USER)
            except KeyError:
                unavailable(f"running as root, PostgreSQL needs the system user {POSTGRES_USER!r}")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            as_owner = ["runuser", "-u", POSTGRES_USER, "--"]
        data, sockets, log = root / "data", root / "sockets", root / "postgres.log"
        run([*as_owner, "mkdir", str(sockets)])
        run([*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--no-locale"])
        port = free_port()
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
        pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
        try:
            try:
                run([*pg_ctl, "-l", str(log), "-o", options, "-w", "-t", str(START_TIMEOUT), "start"])
            except RuntimeError as error:
                raise RuntimeError(f"{error}\n{log.read_text() if log.exists() else ''}") from None
            yield Postgres(bin_dir=bin_dir, port=port)
        finally:
            # Also after a failed or timed-out start; "no server running" is fine then.
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
