"""`python -m bot staff ...`: accounts are made, changed, disabled and listed on the server's command line, each
change in the audit log; passwords are asked twice without echo, or read from standard input."""
import io
import subprocess
import sys

import pytest

from bot.cli import main
from bot.console import audit
from bot.console.accounts import StaffAccounts
from bot.governance.queue import open_queue
from tests.conftest import PROJECT_ROOT
from tests.console.conftest import PASSWORD


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'governance.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    queue = open_queue()
    yield queue
    queue.close()


def staff(monkeypatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["staff", *argv])


def test_add_reads_the_password_from_stdin_and_the_account_can_sign_in(database, monkeypatch, capsys):
    assert staff(monkeypatch, "add", "王芳", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert "已创建账号 王芳" in capsys.readouterr().out
    assert StaffAccounts(database).verify("王芳", PASSWORD) == "王芳"


def test_add_asks_twice_and_refuses_two_different_passwords(database, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert staff(monkeypatch, "add", "王芳") == 1
    assert "两次输入的密码不一致" in capsys.readouterr().err
    assert StaffAccounts(database).list() == []

    typed = iter([PASSWORD, PASSWORD])
    assert staff(monkeypatch, "add", "王芳") == 0
    assert StaffAccounts(database).verify("王芳", PASSWORD) == "王芳"


@pytest.mark.parametrize("name, password, message", [
    ("王芳", "short", "密码至少要 10 个字符"),
    ("王 芳", PASSWORD, "用户名只能用汉字、字母、数字和 . _ -"),
    ("x" * 65, PASSWORD, "最长 64 个字符"),
])
def test_add_refuses_a_short_password_or_a_bad_name_in_chinese(database, monkeypatch, capsys, name, password,
                                                                  message):
    assert staff(monkeypatch, "add", name, "--password-stdin", stdin=password + "\n") == 1
    assert message in capsys.readouterr().err
    assert StaffAccounts(database).list() == []


def test_add_refuses_a_name_taken(database, monkeypatch, capsys):
    staff(monkeypatch, "add", "王芳", "--password-stdin", stdin=PASSWORD + "\n")
    assert staff(monkeypatch, "add", "王芳", "--password-stdin", stdin="another long password\n") == 1
    assert "已经有名为 王芳 的账号了" in capsys.readouterr().err
    assert StaffAccounts(database).verify("王芳", PASSWORD) == "王芳"


def test_passwd_disable_and_list(database, monkeypatch, capsys):
    staff(monkeypatch, "add", "王芳", "--password-stdin", stdin=PASSWORD + "\n")
    staff(monkeypatch, "add", "李明", "--password-stdin", stdin=PASSWORD + "\n")
    assert staff(monkeypatch, "passwd", "王芳", "--password-stdin", stdin="another long password\n") == 0
    assert staff(monkeypatch, "disable", "李明") == 0
    assert staff(monkeypatch, "disable", "李明") == 0
    assert staff(monkeypatch, "passwd", "赵六", "--password-stdin", stdin=PASSWORD + "\n") == 1
    capsys.readouterr()
    accounts = StaffAccounts(database)
    assert accounts.verify("王芳", "another long password") == "王芳"
    assert accounts.verify("李明", PASSWORD) is None

    assert staff(monkeypatch, "list") == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("李明  已停用") and listing[1].startswith("王芳  可用")
    assert "最近登录 从未" in listing[1]

    assert staff(monkeypatch, "enable", "李明") == 0
    assert "已重新启用账号 李明" in capsys.readouterr().out
    assert accounts.verify("李明", PASSWORD) == "李明"
    assert staff(monkeypatch, "enable", "李明") == 0
    assert "本来就可以使用" in capsys.readouterr().out


def test_each_account_change_is_in_the_audit_log(database, monkeypatch):
    staff(monkeypatch, "add", "王芳", "--password-stdin", stdin=PASSWORD + "\n")
    staff(monkeypatch, "passwd", "王芳", "--password-stdin", stdin="another long password\n")
    staff(monkeypatch, "disable", "王芳")
    staff(monkeypatch, "enable", "王芳")
    entries, total = audit.entries(queue=database)
    assert [(entry.account, entry.action, entry.target) for entry in entries] == [
        ("命令行", "staff_enable", "王芳"), ("命令行", "staff_disable", "王芳"), ("命令行", "staff_passwd", "王芳"),
        ("命令行", "staff_add", "王芳")]
    assert all("long password" not in entry.detail for entry in entries)


def test_list_without_accounts_says_how_to_make_one(database, monkeypatch, capsys):
    assert staff(monkeypatch, "list") == 0
    assert "python -m bot staff add" in capsys.readouterr().out


def test_the_real_command_reads_a_piped_password(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'governance.db'}",
           "DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}
    added = subprocess.run([sys.executable, "-m", "bot", "staff", "add", "王芳", "--password-stdin"],
                           input=PASSWORD + "\n", capture_output=True, text=True, cwd=PROJECT_ROOT, env=env,
                           timeout=120)
    assert added.returncode == 0, added.stderr
    listed = subprocess.run([sys.executable, "-m", "bot", "staff", "list"], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, env=env, timeout=120)
    assert listed.stdout.startswith("王芳  可用")
