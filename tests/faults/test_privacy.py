"""After a resident gives a phone number, it shows up unmasked nowhere staff or operators look: not in the
servers' log, not in `python -m bot report unanswered`, not in `python -m bot queue list/show`. And Rasa's HTTP
API, which would hand out whole conversations, is off.
"""
import re
import subprocess
import sys
from typing import List

import pytest
import requests

from bot.governance import ReportQueue
from bot.reporting import texts
from bot.reporting.ticket import find_ticket_no
from tests.conftest import PROJECT_ROOT, new_sender
from tests.faults.conftest import wait_for

pytestmark = pytest.mark.stack

PHONE = "13957312468"
MASKED = "139****2468"
SPOKEN_PHONE = "139 5731 2468"
PROBLEM = f"小区门口路灯坏了好几天了，晚上很危险，有事打我电话{PHONE}"
UNANSWERED = f"帮我订一张去北京的机票，我的电话是{PHONE}"


def unmasked(text: str) -> bool:
    return PHONE in re.sub(r"[\s-]", "", text)


def bot_command(stack, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=stack.env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def ticket_no(stack) -> str:
    """A report whose description and phone field both carry the number, handed on to the events backend."""
    sender = new_sender()
    assert "「公共设施」" in stack.say_text(sender, PROBLEM)
    assert texts.ASK_LOCATION in stack.say_text(sender, "/affirm")
    assert texts.ASK_PHONE in stack.say_text(sender, "前悦社区南门口")
    summary = stack.say_text(sender, SPOKEN_PHONE)
    assert MASKED in summary and not unmasked(summary.replace(PROBLEM, ""))
    ticket_no = find_ticket_no(stack.say_text(sender, "/affirm"))
    assert ticket_no
    stack.say(new_sender(), UNANSWERED)
    queue = ReportQueue.from_url(f"sqlite:///{stack.data_dir / 'governance.db'}")
    try:
        wait_for(lambda: queue.get(ticket_no).status_label == "已转派", 60, f"{ticket_no} handed on")
    finally:
        queue.close()
    return ticket_no


def test_the_stack_log_has_no_phone_number(stack, ticket_no):
    assert not unmasked(stack.log())


def test_the_unanswered_report_masks_the_phone_number(stack, ticket_no):
    output = bot_command(stack, "report", "unanswered")
    assert not unmasked(output)
    assert MASKED in output, output


@pytest.mark.parametrize("command", [["queue", "list"], ["queue", "show"]], ids=["list", "show"])
def test_the_staff_queue_commands_mask_the_phone_number(stack, ticket_no, command: List[str]):
    output = bot_command(stack, *command, *([ticket_no] if command[-1] == "show" else []))
    assert ticket_no in output
    assert not unmasked(output)
    assert MASKED in output


@pytest.mark.parametrize("method, path", [
    ("GET", "/conversations/{sender}/tracker"),
    ("GET", "/conversations/{sender}/story"),
    ("POST", "/conversations/{sender}/messages"),
    ("POST", "/model/parse"),
    ("GET", "/status"),
    ("GET", "/domain"),
])
def test_rasas_http_api_is_off(stack, ticket_no, method, path):
    sender = new_sender()
    stack.say(sender, "你好")
    reply = requests.request(method, stack.rasa_url + path.format(sender=sender),
                             json={"text": "你好", "sender": "user"}, timeout=10)
    assert reply.status_code in (401, 403, 404, 405), (reply.status_code, reply.text[:200])
