"""Deadline arithmetic.

Hour limits count from the minute of the triggering event (seconds dropped). Day limits
exclude the start day (the period starts the next local day) and end at the end of the
last day; a last day that is not a working day (weekend or public holiday, taking 调休
working weekends into account) moves to the next working day — 民事诉讼法 Art. 85.
Working days come from the maintained `chinesecalendar` package; where it has no data
for a year, we do not guess: the deadline keeps its plain calendar date and says so.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import chinese_calendar


class CalendarUnavailable(Exception):
    """The holiday calendar has no data for this year."""


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarUnavailable(str(exc)) from exc


@dataclass(frozen=True)
class Due:
    at: datetime
    note: str | None = None  # set when the holiday calendar could not be applied


def add_hours(start: datetime, hours: int) -> Due:
    return Due(start.replace(second=0, microsecond=0) + timedelta(hours=hours))


def add_days(start: datetime, days: int, zone: tzinfo) -> Due:
    local_start = start.astimezone(zone)
    last_day = local_start.date() + timedelta(days=days)
    note = None
    try:
        while not is_working_day(last_day):
            last_day += timedelta(days=1)
    except CalendarUnavailable:
        note = f"no holiday data for {last_day.year}; holidays not applied"
    end = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=zone)
    return Due(end, note)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a month without that day gives its last day
    (民法典 Art. 202: 没有对应日的，月末日为期间的最后一日). 31 Aug + 6 → 28/29 Feb."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))
