"""`python -m bot queue ...` as staff use it: output, masked phones, exit codes."""
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.governance import ReportQueue
from bot.settings import PROJECT_ROOT
from tests.governance.conftest import API_KEY, draft

PHONE = "13812345678"


@pytest.fixture
def staff_db(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    queue = ReportQueue.from_url(url)
    yield queue
    queue.close()


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_the_list_shows_reports_with_phones_masked(staff_db, capsys):
    ticket = staff_db.submit(draft(phone=PHONE, description=f"漏水严重，请打{PHONE}联系")).ticket_no

    code, out = run(capsys, "queue", "list")

    assert code == 0
    assert ticket in out and "已受理" in out and "安全隐患" in out
    assert "138****5678" in out and PHONE not in out
    assert "共 1 条" in out


def test_an_empty_list_says_so(staff_db, capsys):
    assert run(capsys, "queue", "list", "--status", "已办结") == (0, "没有符合条件的工单。\n")


def test_the_list_filters_by_day(staff_db, capsys):
    staff_db.clock = lambda: datetime(2024, 5, 1, 2, 0, tzinfo=timezone.utc)
    ticket = staff_db.submit(draft()).ticket_no

    assert ticket in run(capsys, "queue", "list", "--since", "2024-05-01", "--until", "2024-05-01")[1]
    assert ticket not in run(capsys, "queue", "list", "--since", "2024-05-02")[1]


def test_show_gives_the_whole_report_and_its_history(staff_db, capsys):
    long_text = "东侧围墙开裂" * 20 + f" 电话{PHONE}"
    ticket = staff_db.submit(draft(description=long_text)).ticket_no
    staff_db.set_status(ticket, "处理中", note="已通知物业")

    code, out = run(capsys, "queue", "show", ticket.lower())

    assert code == 0
    assert f"工单号：{ticket}" in out and "东侧围墙开裂" * 20 in out
    assert PHONE not in out and "138****5678" in out
    assert "已通知物业" in out and "（工作人员）" in out and "（小助手）" in out


def test_show_of_an_unknown_ticket_fails_politely(staff_db, capsys):
    assert run(capsys, "queue", "show", "QJ20240501-0042") == (1, "没有找到工单号 QJ20240501-0042，请核对后再试。\n")


@pytest.mark.parametrize("typed, label", [("处理中", "处理中"), ("in_progress", "处理中"), ("CLOSED", "已办结")])
def test_set_status_takes_chinese_or_english(staff_db, capsys, typed, label):
    ticket = staff_db.submit(draft()).ticket_no

    code, out = run(capsys, "queue", "set-status", ticket, typed, "--note", "已派人处理")

    assert (code, out) == (0, f"{ticket} 已改为「{label}」。\n")
    history = staff_db.get(ticket).history
    assert (history[-1].status_label, history[-1].note, history[-1].source) == (label, "已派人处理", "staff")


def test_set_status_of_an_unknown_ticket_fails_politely(staff_db, capsys):
    assert run(capsys, "queue", "set-status", "QJ20240501-0042", "closed")[0] == 1


@pytest.mark.parametrize("argv, message", [
    (["queue", "set-status", "QJ20240501-0001", "办好了"], "没有“办好了”这个状态"),
    (["queue", "list", "--since", "5月1日"], "请写成 YYYY-MM-DD"),
])
def test_bad_arguments_are_explained_in_chinese(staff_db, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_deliver_once_hands_reports_on_and_names_the_refused(staff_db, capsys, monkeypatch, backend):
    monkeypatch.setenv("EVENTS_BACKEND_URL", backend.url)
    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", API_KEY)
    delivered = staff_db.submit(draft()).ticket_no

    code, out = run(capsys, "queue", "deliver", "--once")

    assert code == 0 and "已转派 1 件" in out
    assert staff_db.get(delivered).status_label == "已转派"

    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", "wrong-key")
    refused = staff_db.submit(draft()).ticket_no
    code, out = run(capsys, "queue", "deliver", "--once")
    assert "被拒收 1 件" in out and f"queue show {refused}" in out
    assert "⚠ 被拒收" in run(capsys, "queue", "list")[1]
    assert "api_key 无效" in run(capsys, "queue", "show", refused)[1]
    assert f"queue resend {refused}" in run(capsys, "queue", "show", refused)[1]

    monkeypatch.setenv("EVENTS_BACKEND_API_KEY", API_KEY)
    code, out = run(capsys, "queue", "resend", refused)
    assert code == 0 and "已重新排队" in out
    assert "已转派 1 件" in run(capsys, "queue", "deliver", "--once")[1]
    assert staff_db.get(refused).status_label == "已转派"
    code, out = run(capsys, "queue", "resend", refused)
    assert code == 1 and "不需要重发" in out


def test_the_commands_are_wired_into_python_m_bot(staff_db):
    ticket = staff_db.submit(draft()).ticket_no

    result = subprocess.run([sys.executable, "-m", "bot", "queue", "list"], cwd=PROJECT_ROOT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert ticket in result.stdout and PHONE not in result.stdout


FORGED = "\x1b[2J\x1b[31m伪造"


@pytest.mark.parametrize("command", ["list", "show"])
def test_resident_text_reaches_the_terminal_without_control_characters_or_id_numbers(staff_db, capsys, command):
    description = f"{FORGED}\u202e漏水，身份证330102199001011234，电话1381 234 5678"
    ticket = staff_db.submit(draft(description=description, location=f"前悦社区{FORGED}南门")).ticket_no

    code, out = run(capsys, "queue", command, *([ticket] if command == "show" else []))

    assert code == 0 and ticket in out
    assert "伪造漏水，身份证[身份证号已隐藏]，电话138" in out and "前悦社区伪造南门" in out
    assert not any(char in out for char in "\x1b\u202e") and "330102199001011234" not in out
