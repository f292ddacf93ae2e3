import pytest

from bot.reporting.ticket import find_ticket_no


@pytest.mark.parametrize(
    "text",
    [
        "QJ20261122-0007",
        "查询 QJ20261122-0007",
        "查询qj20261122-0007的进度",
        "qj 20261122 0007",
        "QJ202611220007",
        "ＱＪ２０２６１１２２－０００７",
        "帮我看看 Qj20261122 - 0007 处理了没",
    ],
)
def test_ticket_numbers_are_found_however_typed(text):
    assert find_ticket_no(text) == "QJ20261122-0007"


@pytest.mark.parametrize("text", ["我的工单怎么样了", "QJ2026112-0007", "20261122-0007", "QJ20261122-07", ""])
def test_no_ticket_number(text):
    assert find_ticket_no(text) is None
