"""Reading processes from /proc, as the memory figures do, on a process this test starts itself."""
import os
import subprocess
import sys

import pytest

from bot.benchmarks.stack import _command, _descendants, _status, is_answer
from bot.rasa.channels.busy import BUSY_TEXT


@pytest.fixture
def child():
    """A running `python -u -m http.server` (it prints a line once it listens, long after exec)."""
    process = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    process.stdout.readline()
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_children_are_found_with_their_memory(child):
    assert child.pid in _descendants(os.getpid())
    assert os.getpid() in _descendants(os.getpid(), include_self=True)
    assert os.getpid() not in _descendants(os.getpid())
    status = _status(child.pid)
    assert status["VmRSS"] > 0 and status["VmHWM"] >= status["VmRSS"]


def test_a_process_is_named_by_its_command_words_without_the_interpreter(child):
    assert _command(child.pid) == "http.server"


def test_a_finished_process_has_no_figures(child):
    child.kill()
    child.wait()
    assert _status(child.pid) == {}


def test_busy_and_silence_are_not_answers():
    assert is_answer([{"text": "您好"}])
    assert not is_answer([])
    assert not is_answer([{"text": BUSY_TEXT}])
