"""Where the project's settings come from: `.env` (python-dotenv) over the defaults in `.env.example`.

Every process (servers, workers, CLI) calls `load()` first, so a value means the same thing everywhere. The files
are read once per process (reading them took a millisecond or more on every look-up); `reload()` reads them again.
"""
import fcntl
import os
import secrets
from pathlib import Path
from typing import Dict, List

from dotenv import dotenv_values, load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


_loaded = False
# Fixed by the project, whatever the environment says: Rasa would send usage data (telemetry) to its makers abroad.
# Set in every process that loads the settings, so the Rasa processes they start inherit it.
FIXED = {"RASA_TELEMETRY_ENABLED": "false"}


def load() -> None:
    """Fill os.environ from `.env`, then `.env.example` for whatever is still unset (real env wins), and FIXED; once."""
    if not _loaded:
        reload()


def reload() -> None:
    """Read `.env` and `.env.example` again: for a process whose files changed since it loaded them."""
    global _loaded
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    for key, value in defaults().items():
        os.environ.setdefault(key, value)
    os.environ.update(FIXED)
    _loaded = True


def defaults() -> Dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(PROJECT_ROOT / ".env.example").items()}


def get(key: str) -> str:
    load()
    return os.environ.get(key, "")


def cors_origins() -> List[str]:
    """CORS_ORIGINS as a list: the websites allowed to call the bot and to show the chat page in a frame."""
    return [origin.strip() for origin in get("CORS_ORIGINS").split(",") if origin.strip()]


def action_server_url() -> str:
    """ACTION_SERVER_URL, or else the action server that this machine runs."""
    configured = get("ACTION_SERVER_URL").strip()
    if configured:
        return configured
    return f"http://{reachable(get('ACTION_SERVER_HOST'))}:{get('ACTION_SERVER_PORT')}/webhook"


def action_server_health_url(env: Dict[str, str]) -> str:
    """Where the action server started with `env` answers its health check, from this machine."""
    return f"http://{reachable(env['ACTION_SERVER_HOST'])}:{env['ACTION_SERVER_PORT']}/health"


def reachable(host: str) -> str:
    """A listening address to connect to: "all interfaces" is reached through the loopback."""
    return "127.0.0.1" if host.strip() in ("", "0.0.0.0", "::") else host.strip()


def path(key: str) -> Path:
    """A setting that names a file or folder; relative paths are taken from the project root."""
    value = Path(get(key))
    return value if value.is_absolute() else PROJECT_ROOT / value


def data_dir() -> Path:
    directory = path("DATA_DIR")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def secret(key: str) -> str:
    """A secret setting (WIDGET_SECRET, EVENTS_BACKEND_API_KEY …): its configured value, or else a random one made
    now and written to `.env`, so that every process on this machine, and the next start, share it.

    An operator running several machines sets the value in each machine's environment instead.
    """
    value = get(key).strip()
    if value:
        return value
    env_file = PROJECT_ROOT / ".env"
    with open(env_file, "a+", encoding="utf-8") as stream:
        fcntl.flock(stream, fcntl.LOCK_EX)  # two processes starting together write one value, not two
        os.chmod(env_file, 0o600)
        value = (dotenv_values(env_file).get(key) or "").strip()
        if not value:
            value = secrets.token_urlsafe(32)
            stream.seek(0, os.SEEK_END)
            if stream.tell() and not _ends_with_newline(env_file):
                stream.write("\n")
            stream.write(f"{key}={value}\n")
    os.environ[key] = value
    return value


def _ends_with_newline(env_file: Path) -> bool:
    return env_file.read_bytes().endswith(b"\n")
