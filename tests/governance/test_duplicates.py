"""The same problem reported twice: how places are compared, which open report is found (SQLite and PostgreSQL),
and a resident who follows that ticket instead of filing again hears of each status change once."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.governance import erasure
from bot.governance.duplicates import distance_metres, find_duplicate, normalise_place, same_place
from bot.governance.errors import UnknownTicket
from bot.governance.models import Report, ReportFollower
from bot.governance.notifications import NotificationBox
from tests.governance.conftest import draft

UTC = timezone.utc
LAMP = dict(category="公共设施", location="前悦社区3幢楼下", description="3幢楼下的路灯不亮了，晚上很黑。")


class Clock:
    def __init__(self, start: datetime = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)):
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(queue):
    queue.clock = Clock()
    return queue.clock


# --- places -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "前悦社区3幢楼下", "前悦社区 3 幢", "前悦社区３幢", "在前悦社区3幢附近", "前悦社区三幢旁边", "前悦社区3栋",
    "前悦社区3号楼楼下", "前悦社区的3幢。", "前悦社区3幢楼下附近",
])
def test_the_ways_residents_write_one_place_become_one(written):
    assert normalise_place(written) == "前悦社区3幢"


@pytest.mark.parametrize("written, normal", [
    ("前新社区门口", "前新社区"),
    ("前新社区大门口", "前新社区"),
    ("前新社区南门口", "前新社区南门"),
    ("三丰村十二组", "三丰村12组"),
    ("三丰村二十组", "三丰村20组"),
    ("ＡＢＣ广场", "abc广场"),
])
def test_gates_numbers_and_full_width_letters(written, normal):
    assert normalise_place(written) == normal


@pytest.mark.parametrize("one, other", [
    ("前悦社区3幢", "前悦社区4幢"),
    ("前新社区南门", "前新社区北门"),
    ("三丰村1组", "三丰村11组"),
])
def test_different_places_stay_different(one, other):
    assert normalise_place(one) != normalise_place(other)
    assert not same_place(one, other)


def test_a_place_that_says_only_where_near_is_kept_as_written():
    assert normalise_place("门口") == "门口"
    assert normalise_place("楼下") == "楼下"
    assert not same_place("！！", "？")


def test_coordinates_within_fifty_metres_are_one_place_whatever_the_words():
    # 0.0003° of latitude is about 33 m; 0.001° about 111 m.
    assert 30 < distance_metres(30.2800, 120.3500, 30.2803, 120.3500) < 36
    assert same_place("共享的位置", "前悦社区3幢", 30.2800, 120.3500, 30.2803, 120.3500)
    assert not same_place("共享的位置", "前悦社区3幢", 30.2800, 120.3500, 30.2810, 120.3500)
    assert not same_place("共享的位置", "前悦社区3幢", 30.2800, 120.3500, None, None)


# --- finding the open report --------------------------------------------------------------------------------------


def test_the_open_report_of_the_same_category_at_the_same_place_is_found(queue, clock):
    first = queue.submit(draft(**LAMP))

    found = find_duplicate(queue, "公共设施", "在前悦社区三幢附近")

    assert found is not None and found.ticket_no == first.ticket_no
    assert find_duplicate(queue, "环境卫生", "前悦社区3幢") is None
    assert find_duplicate(queue, "公共设施", "前悦社区4幢") is None


def test_a_closed_report_or_one_older_than_thirty_days_is_no_duplicate(queue, clock):
    closed = queue.submit(draft(**LAMP))
    queue.set_status(closed.ticket_no, "已办结", note="已修好")
    assert find_duplicate(queue, "公共设施", "前悦社区3幢") is None

    queue.submit(draft(**LAMP))
    clock.moment += timedelta(days=31)
    assert find_duplicate(queue, "公共设施", "前悦社区3幢") is None


def test_shared_locations_close_together_are_the_same_place(queue, clock):
    first = queue.submit(draft(**{**LAMP, "location": "共享的位置（纬度30.2800，经度120.3500）"},
                               latitude=30.2800, longitude=120.3500))

    near = find_duplicate(queue, "公共设施", "前悦社区南边路口", 30.2802, 120.3502)

    assert near is not None and near.ticket_no == first.ticket_no
    assert find_duplicate(queue, "公共设施", "前悦社区南边路口", 30.2820, 120.3500) is None
    assert find_duplicate(queue, "公共设施", "前悦社区南边路口") is None


def test_of_several_the_oldest_is_offered(queue, clock):
    first = queue.submit(draft(**LAMP))
    clock.moment += timedelta(hours=1)
    queue.submit(draft(**{**LAMP, "location": "前悦社区3幢"}))

    assert find_duplicate(queue, "公共设施", "前悦社区3幢").ticket_no == first.ticket_no


# --- following ----------------------------------------------------------------------------------------------------


def followers(queue) -> int:
    with queue.reading() as session:
        return session.scalar(select(func.count()).select_from(ReportFollower))


def test_following_twice_or_following_ones_own_ticket_changes_nothing(queue, clock):
    filed = queue.submit(draft(**LAMP))

    assert queue.follow(filed.ticket_no, "resident-2", "wechat").followers == 1
    assert queue.follow(filed.ticket_no.lower(), "resident-2", "wechat").followers == 1
    assert queue.follow(filed.ticket_no, filed.sender_id, "rest").followers == 1
    assert followers(queue) == 1
    with queue.reading() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 1


def test_following_an_unknown_ticket_is_refused(queue, clock):
    with pytest.raises(UnknownTicket):
        queue.follow("QJ20261130-0099", "resident-2", "rest")


def test_each_status_change_reaches_the_filer_and_every_follower_once(queue, clock):
    filed = queue.submit(draft(**LAMP))
    queue.follow(filed.ticket_no, "resident-2", "wechat")
    queue.follow(filed.ticket_no, "resident-3", "widget")
    box = NotificationBox(queue)

    queue.set_status(filed.ticket_no, "处理中", note="已安排电工，联系电话13812345678")
    queue.set_status(filed.ticket_no, "已办结", note="路灯已修复")

    mine, second, third = (box.take_for(who) for who in ("resident-1", "resident-2", "resident-3"))
    assert [len(notes) for notes in (mine, second, third)] == [2, 2, 2]
    assert "您的报事工单" in mine[0].text and "满意" in mine[1].text and mine[1].buttons
    for note in second + third:
        assert note.text.startswith(f"您关注的报事工单 {filed.ticket_no} 有新进展")
        assert not note.buttons  # only the filer rates the ticket
        assert "13812345678" not in note.text
    assert [note.channel for note in second] == ["wechat", "wechat"]
    assert "路灯已修复" in third[1].text
    assert [box.take_for(who) for who in ("resident-1", "resident-2", "resident-3")] == [[], [], []]


def test_a_forgotten_conversation_follows_nothing_any_more(queue, clock):
    filed = queue.submit(draft(**LAMP))
    queue.follow(filed.ticket_no, "resident-2", "wechat")
    queue.follow(filed.ticket_no, "resident-3", "wechat")

    erasure.forget_messages(queue, "resident-2")

    assert queue.get(filed.ticket_no).followers == 1
    queue.set_status(filed.ticket_no, "处理中")
    assert NotificationBox(queue).take_for("resident-2") == []
