"""The events backend (云治前进) fails for a while: residents still get their ticket at once, and once it is back
the outbox worker (`python -m bot queue deliver`, its own process) files every report there exactly once.
"""

import pytest

from bot.governance.views import DELIVERED, PENDING
from tests.conftest import new_sender
from tests.faults.conftest import file_report, wait_for
from tests.reporting.test_report_stack import a_place

pytestmark = pytest.mark.stack

FAILED_ATTEMPT_TIMEOUT = 30
# The worker backs off (2 s doubling, with jitter) while the backend fails; this covers several rounds.
DELIVERY_TIMEOUT = 90


def delivery_failed(fault_stack, ticket_no: str) -> bool:
    view = fault_stack.queue.get(ticket_no)
    return view.delivery == PENDING and bool(view.delivery_error)


def delivered(fault_stack, ticket_nos) -> bool:
    return all(fault_stack.queue.get(ticket_no).delivery == DELIVERED for ticket_no in ticket_nos)


@pytest.mark.parametrize("mode", ["down", "slow", "error500", "garbage"])
def test_reports_filed_while_the_backend_fails_are_delivered_once_it_recovers(fault_stack, mode):
    queue, store = fault_stack.queue, fault_stack.backend.store
    problems = ["小区门口路灯坏了好几天了", "楼下的路灯一到晚上就不亮"]
    fault_stack.set_backend_fault(mode)
    try:
        places = [a_place() for _ in problems]
        tickets = [file_report(fault_stack, new_sender(), problem, place) for problem, place in zip(problems, places)]
        for ticket_no in tickets:
            wait_for(lambda: delivery_failed(fault_stack, ticket_no), FAILED_ATTEMPT_TIMEOUT,
                     f"a failed delivery attempt of {ticket_no} while the backend is {mode}")
    finally:
        fault_stack.set_backend_fault("none")

    every_ticket = [view.ticket_no for view in queue.list(limit=1000)]
    wait_for(lambda: delivered(fault_stack, every_ticket), DELIVERY_TIMEOUT, f"delivery of {tickets} after {mode}")
    # One event per report this stack ever took (earlier tests' too): the backend files by ticket number.
    assert store.count() == len(every_ticket)
    for ticket_no, problem, place in zip(tickets, problems, places):
        event = store.find_by_ticket(ticket_no)
        assert (event["description"], event["address_string"]) == (problem, place)
        if mode == "slow":
            # The timed-out first send was filed all the same; the resend found it instead of filing it again.
            assert event["posts"] >= 2, event
        view = queue.get(ticket_no)
        assert view.status_label == "已转派"
        assert any(event["service_request_id"] in entry.note for entry in view.history), view.history
