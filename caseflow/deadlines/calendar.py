"""Deadline arithmetic: one place for how a legal period is counted.

Hours (民事诉讼法 Art. 85 ¶2, 期间开始的时和日，不计算在期间内): the hour in which the act
happened is not counted; counting begins at the next full hour. An act at 22:40 starts a
72-hour period at 23:00 and it ends at 23:00 three days later. An act at exactly 22:00:00
also happened in the hour 22:00–23:00, so that hour is not counted either and the period
ends at 23:00: this is the same reading the day rule has (an act at 00:00 does not make its
day count), it never gives a party less than the full number of hours, and it does not
make the answer depend on whether a clock shows seconds. Hours never roll for holidays.

Days (Art. 85 ¶2, Art. 86; 民法典 Art. 201, 203): the start day is not counted; the period
ends at 24:00 of its last day; a last day that is a rest day (a public holiday, or a
Saturday or Sunday that is not a 调休 working day) moves to the next working day. Rest
days inside the period count.

Months (民法典 Art. 202): the corresponding day of the month, else the month's last day.

Which days are working days is the county's data (caseflow/models/calendar.py); a year
without an official notice is counted on the provisional calendar of the statutory
holidays (caseflow/deadlines/provisional.py) and every answer says whether it was.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

HOUR_RULE = "民事诉讼法第八十五条第二款：期间开始的时不计算在期间内，自下一个整点起算"
DAY_RULE = (
    "民事诉讼法第八十五条第二款、民法典第二百零一条、第二百零三条：开始的当日不计入，"
    "期间届满的最后一日是法定休假日的，以休假日结束的次日为最后一日，截止时间为二十四时"
)
MONTH_RULE = (
    "民法典第二百零一条至第二百零三条：开始的当日不计入，到期月的对应日为最后一日，"
    "没有对应日的，月末日为最后一日；最后一日是法定休假日的，顺延至休假日结束的次日"
)


@dataclass(frozen=True)
class YearCalendar:
    """The rest days of one year: its public holidays (with the festival's name) and the
    Saturdays and Sundays that are working days (调休). Other weekends are rest days."""

    year: int
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    provisional: bool
    source: str  # "notice", "package" or "provisional"
    notice_number: str | None = None
    notice_date: date | None = None
    package: str | None = None

    def rest_reason(self, day: date) -> str | None:
        """ "holiday", "weekend" or None for a working day."""
        if day in self.holidays:
            return "holiday"
        if day.weekday() >= 5 and day not in self.workdays:
            return "weekend"
        return None


class WorkingCalendar:
    """Years looked up through `loader` (None: no official calendar, use the provisional
    one), each once per calendar object."""

    def __init__(self, loader: Callable[[int], YearCalendar | None]):
        self._loader = loader
        self._years: dict[int, YearCalendar] = {}

    def year(self, year: int) -> YearCalendar:
        if year not in self._years:
            found = self._loader(year)
            if found is None:
                from .provisional import provisional_year

                found = provisional_year(year)
            self._years[year] = found
        return self._years[year]

    def rest_reason(self, day: date) -> str | None:
        return self.year(day.year).rest_reason(day)

    def is_working_day(self, day: date) -> bool:
        return self.rest_reason(day) is None


@dataclass(frozen=True)
class RestDay:
    """A day the last day of a period moved over, and why."""

    day: date
    reason: str  # "holiday" or "weekend"
    name: str = ""  # the festival, for a holiday
    provisional: bool = False


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool = False  # a provisional calendar decided where the period ends
    rule: str = ""  # the statute applied
    skipped: tuple[RestDay, ...] = field(default=())
    counted_from: datetime | None = None  # the first instant counted


def is_provisional(item) -> bool:
    """Whether a deadline row or a Due was computed on a provisional calendar. Such a
    deadline may warn and record, never refuse a party's act."""
    return bool(getattr(item, "provisional", False))


def add_hours(start: datetime, hours: int, zone: tzinfo | None = None) -> Due:
    # The hour is the local clock's hour (a zone with a half-hour offset has other hours).
    local = start.astimezone(zone) if zone is not None else start
    first = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    # The same instant in the start's own zone: callers compare and store it as given.
    first = first.astimezone(start.tzinfo) if start.tzinfo is not None else first
    return Due(first + timedelta(hours=hours), False, HOUR_RULE, (), first)


def _roll(last_day: date, calendar: WorkingCalendar) -> tuple[date, tuple[RestDay, ...], bool]:
    """Move a last day off rest days; whether a provisional year decided it."""
    skipped = []
    provisional = calendar.year(last_day.year).provisional
    while (reason := calendar.rest_reason(last_day)) is not None:
        year = calendar.year(last_day.year)
        skipped.append(RestDay(last_day, reason, year.holidays.get(last_day, ""), year.provisional))
        last_day += timedelta(days=1)
        provisional = provisional or calendar.year(last_day.year).provisional
    return last_day, tuple(skipped), provisional


def _end_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)


def add_days(
    start: datetime, days: int, zone: tzinfo, calendar: WorkingCalendar | None = None
) -> Due:
    calendar = calendar or current_calendar()
    local_start = start.astimezone(zone)
    last_day, skipped, provisional = _roll(local_start.date() + timedelta(days=days), calendar)
    first = datetime.combine(local_start.date() + timedelta(days=1), time(0, 0), tzinfo=zone)
    return Due(_end_of(last_day, zone), provisional, DAY_RULE, skipped, first)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a month without that day gives its last day
    (民法典 Art. 202: 没有对应日的，月末日为期间的最后一日). 31 Aug + 6 → 28/29 Feb."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def add_month_period(
    start: datetime, months: int, zone: tzinfo, calendar: WorkingCalendar | None = None
) -> Due:
    """A period of months for a party's act (Art. 201–203): the corresponding day, moved
    off rest days, ending at 24:00. (An order's validity is not a period for an act and
    keeps the plain corresponding day: caseflow/services/protection_order.py.)"""
    calendar = calendar or current_calendar()
    local_start = start.astimezone(zone)
    last_day, skipped, provisional = _roll(add_months(local_start.date(), months), calendar)
    first = datetime.combine(local_start.date() + timedelta(days=1), time(0, 0), tzinfo=zone)
    return Due(_end_of(last_day, zone), provisional, MONTH_RULE, skipped, first)


PERIOD_RE = re.compile(r"([1-9]\d{0,3})([hdm])", re.ASCII)
MAX_PERIOD = {"h": 24 * 366, "d": 3660, "m": 120}


class BadPeriod(ValueError):
    pass


def parse_period(text: str) -> tuple[int, str]:
    """ "72h", "5d", "6m" → (72, "h"); BadPeriod for anything else or too long."""
    match = PERIOD_RE.fullmatch(text or "")
    if not match or int(match.group(1)) > MAX_PERIOD[match.group(2)]:
        raise BadPeriod(text)
    return int(match.group(1)), match.group(2)


def compute(
    start: datetime, period: str, zone: tzinfo, calendar: WorkingCalendar | None = None
) -> Due:
    """The due time of `period` ("72h", "5d", "6m") counted from `start`: the code every
    deadline uses, for the staff's calculator."""
    amount, unit = parse_period(period)
    if unit == "h":
        return add_hours(start, amount, zone)
    if unit == "d":
        return add_days(start, amount, zone, calendar)
    return add_month_period(start, amount, zone, calendar)


def current_calendar() -> WorkingCalendar:
    """The county's calendar from the database, shared within one app context (cleared
    when a year is entered: caseflow/services/calendar.py)."""
    from flask import g

    from .store import load_year

    if "working_calendar" not in g:
        g.working_calendar = WorkingCalendar(load_year)
    return g.working_calendar


def forget_current_calendar() -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.pop("working_calendar", None)
