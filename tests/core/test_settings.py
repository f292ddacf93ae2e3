"""Where the Rasa servers find the action server, and where it listens."""
import pytest

from bot import settings


@pytest.fixture
def action_server(monkeypatch):
    def configure(host: str = "127.0.0.1", port: str = "5055", url: str = "") -> None:
        monkeypatch.setenv("ACTION_SERVER_HOST", host)
        monkeypatch.setenv("ACTION_SERVER_PORT", port)
        monkeypatch.setenv("ACTION_SERVER_URL", url)

    return configure


def test_by_default_the_action_server_is_on_this_machine(action_server):
    action_server()
    assert settings.action_server_url() == "http://127.0.0.1:5055/webhook"


@pytest.mark.parametrize("host, reached_at", [("0.0.0.0", "127.0.0.1"), ("", "127.0.0.1"), ("10.0.8.2", "10.0.8.2")])
def test_a_server_listening_on_every_interface_is_reached_through_the_loopback(action_server, host, reached_at):
    action_server(host=host, port="6000")
    assert settings.action_server_url() == f"http://{reached_at}:6000/webhook"
    assert settings.action_server_health_url(
        {"ACTION_SERVER_HOST": host, "ACTION_SERVER_PORT": "6000"}
    ) == f"http://{reached_at}:6000/health"


def test_an_action_server_on_another_machine(action_server):
    action_server(url=" http://actions.internal:5055/webhook ")
    assert settings.action_server_url() == "http://actions.internal:5055/webhook"


def test_the_files_are_read_once_and_again_on_reload(monkeypatch, tmp_path):
    example = tmp_path / ".env.example"
    example.write_text("SOME_SETTING=first\n", encoding="utf-8")
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(settings, "_loaded", False)
    monkeypatch.delenv("SOME_SETTING", raising=False)
    assert settings.get("SOME_SETTING") == "first"

    example.write_text("SOME_SETTING=second\n", encoding="utf-8")
    monkeypatch.delenv("SOME_SETTING")
    assert settings.get("SOME_SETTING") == ""
    settings.reload()
    assert settings.get("SOME_SETTING") == "second"


def test_a_missing_secret_is_made_once_kept_in_dot_env_and_not_readable_by_others(monkeypatch, tmp_path):
    (tmp_path / ".env.example").write_text("SOME_SECRET=\n", encoding="utf-8")
    (tmp_path / ".env").write_text("OTHER=1", encoding="utf-8")
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(settings, "_loaded", False)
    monkeypatch.delenv("SOME_SECRET", raising=False)
    made = settings.secret("SOME_SECRET")
    assert len(made) >= 40
    monkeypatch.delenv("SOME_SECRET")
    assert settings.secret("SOME_SECRET") == made
    assert (tmp_path / ".env").read_text(encoding="utf-8") == f"OTHER=1\nSOME_SECRET={made}\n"
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0


def test_a_configured_secret_is_used_as_it_is(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setenv("SOME_SECRET", "set-by-the-operator")
    assert settings.secret("SOME_SECRET") == "set-by-the-operator"
    assert not (tmp_path / ".env").exists()
