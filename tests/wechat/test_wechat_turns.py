"""One turn per WeChat message, and exactly one way for each part of its answer to reach the resident."""
import asyncio
from typing import List, Tuple

from bot.rasa.channels.wechat_turns import Turn, Turns


class Answer:
    """A turn's answer that is ready when the test says so."""

    def __init__(self, parts: List[str]) -> None:
        self.parts = parts
        self.ready = asyncio.Event()
        self.started = 0

    async def __call__(self) -> List[str]:
        self.started += 1
        await self.ready.wait()
        return self.parts


def _turn(answer: Answer, sent: List[Tuple[List[str], bool]]) -> Turn:
    return Turn(answer(), lambda parts, after_passive: sent.append((parts, after_passive)))


async def test_a_retry_while_the_turn_runs_joins_it():
    turns, answer, sent = Turns(), Answer(["您好"]), []
    first = asyncio.ensure_future(turns.get_or_start("msg:1", lambda: _turn(answer, sent)).passive_reply(5))
    retry = asyncio.ensure_future(turns.get_or_start("msg:1", lambda: _turn(answer, sent)).passive_reply(5))
    await asyncio.sleep(0)
    answer.ready.set()
    assert await first == "您好" and await retry == "您好"
    assert await turns.get_or_start("msg:1", lambda: _turn(answer, sent)).passive_reply(5) == "您好"
    assert answer.started == 1 and sent == []


async def test_an_answer_missing_the_deadline_goes_out_later_once():
    turns, answer, sent = Turns(), Answer(["您好", "第二段"]), []
    turn = turns.get_or_start("msg:2", lambda: _turn(answer, sent))
    assert await turn.passive_reply(0.01) is None
    assert await turn.passive_reply(0.01) is None  # WeChat's retry
    answer.ready.set()
    await asyncio.sleep(0.01)
    assert await turn.passive_reply(5) is None
    assert sent == [(["您好", "第二段"], False)]


async def test_the_rest_of_a_long_answer_follows_the_passive_reply_once():
    answer, sent = Answer(["第一段", "第二段", "第三段"]), []
    turn = _turn(answer, sent)
    answer.ready.set()
    assert await turn.passive_reply(5) == "第一段"
    assert await turn.passive_reply(5) == "第一段"  # a retry re-sends only the passive part
    assert sent == [(["第二段", "第三段"], True)]


async def test_different_messages_are_different_turns():
    turns, sent = Turns(), []
    first, second = Answer(["一"]), Answer(["二"])
    first.ready.set(), second.ready.set()
    assert await turns.get_or_start("msg:a", lambda: _turn(first, sent)).passive_reply(5) == "一"
    assert await turns.get_or_start("msg:b", lambda: _turn(second, sent)).passive_reply(5) == "二"
