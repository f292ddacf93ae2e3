"""ConsultationDesk on a real database: numbering per day, masking, additions by the asker only, the answer stored
once with who and when, and the note that brings it to the resident in the same transaction."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.governance.consultations import ConsultationDesk
from bot.governance.errors import AlreadyAnswered, InvalidConsultation, UnknownConsultation
from bot.governance.models import Notification
from bot.governance.notifications import NotificationBox
from tests.governance.conftest import draft

UTC = timezone.utc


@pytest.fixture
def desk(queue):
    return ConsultationDesk(queue)


def notes(queue) -> int:
    with queue.reading() as session:
        return session.scalar(select(func.count()).select_from(Notification))


def test_a_question_gets_its_own_number_apart_from_reports(queue, desk):
    report = queue.submit(draft())

    first = desk.open("widget:w-1", "widget", "低保怎么申请？")
    second = desk.open("widget:w-2", "widget", "社保卡丢了怎么办？")

    assert re.fullmatch(r"ZX\d{8}-0001", first.number) and second.number[-4:] == "0002"
    assert report.ticket_no.endswith("-0001")
    assert (first.status, first.status_label, first.answer) == ("open", "待答复", None)


def test_numbers_start_again_each_day_in_shanghai(queue, desk):
    moments = iter([datetime(2026, 11, 30, 15, 59, tzinfo=UTC), datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
                    datetime(2026, 11, 30, 16, 1, tzinfo=UTC)])
    queue.clock = lambda: next(moments)

    numbers = [desk.open("rest-1", "rest", "问题").number for _ in range(3)]

    assert numbers == ["ZX20261130-0001", "ZX20261201-0001", "ZX20261201-0002"]


def test_questions_left_at_once_get_distinct_numbers(queue, desk):
    start = threading.Barrier(10)

    def leave(index):
        start.wait()
        return desk.open(f"rest-{index}", "rest", f"问题{index}").number

    with ThreadPoolExecutor(10) as pool:
        numbers = list(pool.map(leave, range(10)))

    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, 11))


def test_the_question_context_and_additions_are_masked(desk):
    asked = desk.open("wechat:o-1", "wechat", "我电话13812345678，低保的事", context="居民：你好\n小助手：您好 0571-87654321")

    added = desk.add(asked.number, "wechat:o-1", "身份证 330106199001011234")

    assert asked.question == "我电话138****5678，低保的事"
    assert "87654321" not in asked.context
    assert "330106199001011234" not in added.additions[0][1]
    assert added.additions[0][0].utcoffset() == timedelta(hours=8)


def test_only_the_asking_conversation_may_add(desk):
    asked = desk.open("wechat:o-1", "wechat", "问题")

    with pytest.raises(UnknownConsultation):
        desk.add(asked.number, "wechat:o-2", "我也想问")

    assert desk.get(asked.number).additions == ()


def test_an_empty_or_overlong_question_is_refused_politely(desk):
    with pytest.raises(InvalidConsultation, match="请写下"):
        desk.open("rest-1", "rest", "   ")
    with pytest.raises(InvalidConsultation, match="最多1000个字"):
        desk.open("rest-1", "rest", "字" * 1001)


def test_the_answer_is_stored_with_who_and_when_and_reaches_the_resident_masked(queue, desk):
    asked = desk.open("widget:w-1", "widget", "低保怎么申请？")

    answered = desk.answer(asked.number.lower(), "请带户口本到社区服务中心，咨询电话 13812345678", staff="张敏")
    (note,) = NotificationBox(queue).take_for("widget:w-1")

    assert (answered.status, answered.answered_by) == ("answered", "张敏")
    assert answered.answered_at is not None and answered.answer.endswith("13812345678")
    assert asked.number in note.text and "请带户口本到社区服务中心" in note.text
    assert "13812345678" not in note.text and "138****5678" in note.text
    assert (note.channel, note.buttons) == ("widget", ())


def test_answering_twice_is_refused_and_keeps_the_first_answer(queue, desk):
    asked = desk.open("rest-1", "rest", "问题")
    desk.answer(asked.number, "第一个答复", staff="张敏")

    with pytest.raises(AlreadyAnswered, match="已由 张敏 于"):
        desk.answer(asked.number, "第二个答复", staff="李华")

    assert (desk.get(asked.number).answer, desk.get(asked.number).answered_by) == ("第一个答复", "张敏")
    assert notes(queue) == 1


def test_two_staff_answering_at_once_store_one_answer_and_one_note(queue, desk):
    asked = desk.open("rest-1", "rest", "问题")
    start = threading.Barrier(6)

    def answer(index):
        start.wait()
        try:
            return desk.answer(asked.number, f"答复{index}", staff=f"staff-{index}").answer
        except AlreadyAnswered:
            return None

    with ThreadPoolExecutor(6) as pool:
        answers = [text for text in pool.map(answer, range(6)) if text]

    assert len(answers) == 1 and notes(queue) == 1
    assert desk.get(asked.number).answer == answers[0]


def test_an_unknown_number_and_an_empty_answer_are_refused(queue, desk):
    asked = desk.open("rest-1", "rest", "问题")

    with pytest.raises(UnknownConsultation, match="ZX20200101-0001"):
        desk.answer("ZX20200101-0001", "答复", staff="张敏")
    with pytest.raises(InvalidConsultation):
        desk.answer(asked.number, "  ", staff="张敏")
    assert notes(queue) == 0


def test_nothing_can_be_added_once_answered(desk):
    asked = desk.open("rest-1", "rest", "问题")
    desk.answer(asked.number, "答复", staff="张敏")

    with pytest.raises(AlreadyAnswered, match="再留一条"):
        desk.add(asked.number, "rest-1", "还有一个问题")


def test_latest_open_and_lists_by_status_and_day(queue, desk):
    older = desk.open("rest-1", "rest", "旧问题")
    newer = desk.open("rest-1", "rest", "新问题")
    desk.answer(newer.number, "答复", staff="张敏")
    desk.open("rest-2", "rest", "别人的问题")

    assert desk.latest_open_for("rest-1").number == older.number
    assert desk.latest_open_for("rest-3") is None
    assert [c.number for c in desk.list(status="answered")] == [newer.number]
    assert len(desk.list(status="open")) == 2
    assert desk.list(since=date(2000, 1, 1), until=date(2000, 1, 2)) == []


def test_a_long_context_keeps_its_latest_turns(desk):
    turns = "\n".join(f"居民：第{number}句" for number in range(1000))

    asked = desk.open("rest-1", "rest", "问题", context=turns)

    assert len(asked.context) == 4000 and asked.context.endswith("居民：第999句")
