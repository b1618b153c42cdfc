"""caseflow.deadlines.calendar.add_months: month arithmetic for the protection order's
6-month term (反家庭暴力法 Art. 30), with 民法典 Art. 202: 「按照月、年计算期间的，到期月的
对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。」

Expected dates worked out by hand on a calendar: 2026 and 2027 are common years, 2028 is a
leap year (divisible by 4), 2100 is not (divisible by 100, not by 400), 2000 was.
"""

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseflow.deadlines.calendar import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # One month from the 31st of January: February has no 31st → its last day.
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 28), 1, date(2026, 2, 28)),  # the day exists: no clipping
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        # Six months from 31 August: Feb of the next year.
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2099, 8, 31), 6, date(2100, 2, 28)),  # 2100 is not a leap year
        (date(1999, 8, 31), 6, date(2000, 2, 29)),  # 2000 was
        (date(2026, 8, 30), 6, date(2027, 2, 28)),
        (date(2026, 8, 28), 6, date(2027, 2, 28)),
        (date(2026, 8, 27), 6, date(2027, 2, 27)),
        # A 31st that exists six months on.
        (date(2026, 1, 31), 6, date(2026, 7, 31)),
        (date(2026, 5, 31), 6, date(2026, 11, 30)),
        (date(2026, 7, 31), 6, date(2027, 1, 31)),
        # Crossing the year from December and from the second half.
        (date(2026, 12, 15), 6, date(2027, 6, 15)),
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 7, 1), 6, date(2027, 1, 1)),
        (date(2026, 6, 30), 6, date(2026, 12, 30)),  # ends in December, same year
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        # Twelve months: the same day next year, except 29 Feb.
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 12, 1), 12, date(2027, 12, 1)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 1, 31), 25, date(2028, 2, 29)),
        (date(2026, 4, 10), 0, date(2026, 4, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_six_months_from_every_day_of_2026_by_hand_rule():
    """Every start day of a whole year against the rule stated plainly: the same day of the
    month six months on, or that month's last day if it is shorter."""
    day = date(2026, 1, 1)
    while day.year == 2026:
        month = day.month + 6
        year = day.year + (month > 12)
        month = month - 12 if month > 12 else month
        last = calendar.monthrange(year, month)[1]
        assert add_months(day, 6) == date(year, month, min(day.day, last)), day
        day += timedelta(days=1)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_properties(start, months):
    result = add_months(start, months)
    # The calendar month moves by exactly `months`.
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    # The day is kept, or clipped to the month's last day — never more, never rolled over.
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)
    # A whole number of months is never shorter than 28 days a month.
    assert result >= start + timedelta(days=28 * months)
