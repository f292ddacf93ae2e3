"""Time as the street office counts it: stored in UTC, shown and dated in Asia/Shanghai.

China has had no daylight saving time since 1991, so a fixed +08:00 offset is exact and needs no tz database.
"""
from datetime import date, datetime, time, timedelta, timezone
from typing import Union

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# What staff filter lists by: a day (Asia/Shanghai) or an aware datetime.
Moment = Union[date, datetime]


def now() -> datetime:
    return datetime.now(timezone.utc)


def local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def local_day(moment: datetime) -> date:
    return local(moment).date()


def day_start(day: date) -> datetime:
    """The first instant of `day` in Shanghai, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def start_of(moment: Moment) -> datetime:
    """Where a range starting at `moment` begins: the day's first instant, or the datetime itself."""
    return moment if isinstance(moment, datetime) else day_start(moment)


def end_of(moment: Moment) -> datetime:
    """Where a range ending at `moment` ends (exclusive): the next day's first instant, or the datetime itself."""
    return moment if isinstance(moment, datetime) else day_start(moment + timedelta(days=1))
