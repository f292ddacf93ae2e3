"""Ticket numbers are sequential, so one conversation may look up only RATE_LIMIT_TICKET_LOOKUPS_PER_HOUR of them
an hour: past that the bot answers politely without looking the ticket up, and the limit lifts when the hour ends
(here a 2-second "hour"). The resident's own tickets, listed without a number, stay within reach."""
import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.report import ActionCheckTicket
from bot import rate_limits
from bot.reporting import texts
from tests.reporting.conftest import make_tracker, texts_of

HOUR_SECONDS = 2.0
UNKNOWN = "QJ20261122-0099"


@pytest.fixture(autouse=True)
def two_lookups_an_hour(monkeypatch, queue_url):
    monkeypatch.setenv("RATE_LIMIT_TICKET_LOOKUPS_PER_HOUR", "2")
    monkeypatch.setattr(rate_limits, "HOUR", HOUR_SECONDS)


async def check(domain, text: str, sender_id: str = "resident-1") -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, text=text, intent="check_ticket", active_loop=None, sender_id=sender_id)
    await ActionCheckTicket().run(dispatcher, tracker, domain)
    [reply] = texts_of(dispatcher)
    return reply


def start_of_an_hour() -> None:
    time.sleep(HOUR_SECONDS - time.time() % HOUR_SECONDS + 0.01)


async def test_lookups_over_the_limit_are_answered_politely_and_recover_after_the_hour(domain, monkeypatch):
    not_found = texts.TICKET_NOT_FOUND.format(ticket_no=UNKNOWN)
    start_of_an_hour()
    assert [await check(domain, f"查询 {UNKNOWN}") for _ in range(2)] == [not_found, not_found]

    def no_look_up():
        raise AssertionError("the ticket was looked up")

    with monkeypatch.context() as refusing:
        refusing.setattr("actions.report.open_queue", no_look_up)
        assert await check(domain, f"查询 {UNKNOWN}") == rate_limits.TOO_MANY_TICKET_LOOKUPS_TEXT
    assert await check(domain, f"查询 {UNKNOWN}", sender_id="resident-2") == not_found, "another conversation's own"
    assert await check(domain, "查询我的工单") == texts.NO_TICKETS, "the resident's own list is still there"
    start_of_an_hour()
    assert await check(domain, f"查询 {UNKNOWN}") == not_found
