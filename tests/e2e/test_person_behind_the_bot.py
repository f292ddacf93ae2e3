"""The whole loop of a question the bot cannot answer, on the running bot: a resident asks for a person, staff
answer with the command line (`python -m bot queue answer`), and the answer comes with the resident's next REST
message, once. (Through WeChat: tests/wechat/test_wechat_notes_stack.py.)"""
import re
import subprocess
import sys
from typing import List

import pytest

from bot.benchmarks.stack import LocalStack
from bot.governance.consultations import ConsultationDesk
from bot.settings import PROJECT_ROOT
from tests.conftest import new_sender
from tests.e2e.test_notes_stack import stack_queue

pytestmark = pytest.mark.stack

QUESTION = "前悦社区的健身器材坏了一个月了，到底归哪个部门管"
ANSWER = "健身器材由社区负责报修，已转告前悦社区，本周内安排检修，有问题可以打社区电话 13812345678。"
NUMBER = re.compile(r"ZX\d{8}-\d{4}")


def texts(replies: List[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def staff_answer(stack: LocalStack, number: str) -> str:
    """`python -m bot queue answer`, as staff type it, against the stack's own queue; returns what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "queue", "answer", number, ANSWER, "--staff", "张敏"],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_question_left_over_rest_is_answered_by_staff_and_the_answer_comes_with_the_next_message(stack):
    sender = new_sender()
    assert "留给街道的工作人员" in texts(stack.say(sender, "转人工"))
    # Nothing came before, so there is no conversation to attach: the question is left at once.
    [number] = NUMBER.findall(texts(stack.say(sender, QUESTION)))

    assert ANSWER[:10] in staff_answer(stack, number)

    first = texts(stack.say(sender, "你好"))
    assert number in first and ANSWER.replace("13812345678", "138****5678") in first
    assert "13812345678" not in first
    assert number not in texts(stack.say(sender, "谢谢"))  # once, not with every message

    queue = stack_queue(stack)
    try:
        answered = ConsultationDesk(queue).get(number)
        assert (answered.answered_by, answered.question) == ("张敏", QUESTION)
    finally:
        queue.close()
