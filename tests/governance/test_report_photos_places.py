"""A filed report carries the photos its conversation sent while filling it in, and a shared location."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.governance import InvalidReport
from bot.governance.models import Photo, Report, ReportFollower
from tests.governance.conftest import draft


def pending_photo(queue, token: str, conversation: str = "resident-1") -> None:
    with queue.writing() as session:
        session.add(Photo(token=token, conversation=conversation, content_type="image/jpeg", size=1000, width=40,
                          height=30, created_at=datetime.now(timezone.utc)))


def test_filing_attaches_the_conversations_pending_photos_in_the_order_sent(queue):
    for token in ("first-token", "second-token", "someone-elses"):
        pending_photo(queue, token, "resident-2" if token == "someone-elses" else "resident-1")

    view = queue.submit(draft(photos=("second-token", "someone-elses", "first-token")))

    assert view.photos == ("second-token", "first-token")
    assert queue.get(view.ticket_no).photos == ("second-token", "first-token")


def test_a_photo_already_filed_with_one_report_is_not_taken_by_another(queue):
    pending_photo(queue, "only-token")
    first = queue.submit(draft(photos=("only-token",)))

    second = queue.submit(draft(photos=("only-token", "never-stored")))

    assert first.photos == ("only-token",)
    assert second.photos == ()


def test_a_shared_location_is_kept_with_the_report(queue):
    view = queue.submit(draft(latitude=30.2875, longitude=120.3512))

    stored = queue.get(view.ticket_no)
    assert (stored.latitude, stored.longitude) == (30.2875, 120.3512)
    assert queue.submit(draft()).latitude is None


@pytest.mark.parametrize("latitude, longitude", [(95.0, 120.0), (30.0, -181.0), (30.0, None), (True, 120.0)])
def test_coordinates_that_cannot_be_a_place_are_refused(queue, latitude, longitude):
    with pytest.raises(InvalidReport, match="位置"):
        queue.submit(draft(latitude=latitude, longitude=longitude))


def test_more_than_three_photos_are_refused(queue):
    with pytest.raises(InvalidReport, match="3张"):
        queue.submit(draft(photos=("a", "b", "c", "d")))


def test_staff_see_how_many_residents_follow_a_ticket(queue):
    view = queue.submit(draft())
    with queue.writing() as session:
        report = session.scalars(select(Report).where(Report.ticket_no == view.ticket_no)).one()
        report.followers.append(ReportFollower(conversation="resident-2", channel="rest",
                                               created_at=datetime.now(timezone.utc)))

    assert queue.get(view.ticket_no).followers == 1
