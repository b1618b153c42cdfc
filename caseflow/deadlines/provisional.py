"""The provisional calendar of a year the State Council has not yet published a 放假安排 for.

《全国年节及纪念日放假办法》 (revised 2024) Art. 2 gives every citizen: 元旦 1 day (1 January);
春节 4 days (除夕 and 正月初一 to 初三); 清明节 1 day (the day of the 清明 solar term); 劳动节
2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1–3 October).
Art. 6: a holiday of all citizens that falls on a Saturday or Sunday is made up on a working
day; we take the next working day after the festival (初一 and 初二 2027 fall on a weekend, so
春节 2027 runs 02-05 to 02-10). A festival day that falls on another festival's day (中秋 on
国庆) is made up the same way: otherwise the citizen would lose a statutory day.

The 调休 swaps of an actual notice cannot be foreseen, so a provisional year has none:
Saturdays and Sundays are rest days. Lunar dates and the 清明 solar term come from the
maintained `lunar_python` package, never from a table typed by hand.
"""

from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar

from .calendar import YearCalendar


def _spring_festival_eve(year: int) -> date:
    solar = Lunar.fromYmd(year, 1, 1).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay()) - timedelta(days=1)


def _lunar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    # The lunar year that starts in January or February of `year` holds its April 清明.
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> list[tuple[str, list[date]]]:
    """The statutory holidays of Art. 2, each with its days, in the order of the year."""
    eve = _spring_festival_eve(year)
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", [eve + timedelta(days=n) for n in range(4)]),
        ("清明节", [_qingming(year)]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_lunar(year, 5, 5)]),
        ("中秋节", [_lunar(year, 8, 15)]),
        ("国庆节", [date(year, 10, n) for n in (1, 2, 3)]),
    ]


@lru_cache(maxsize=64)
def provisional_year(year: int) -> YearCalendar:
    holidays: dict[date, str] = {}
    for name, days in festivals(year):
        owed = 0
        for day in days:
            if day.weekday() >= 5 or day in holidays:
                owed += 1
            holidays.setdefault(day, name)
        day = max(days)
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in holidays:
                holidays[day] = f"{name}（补假）"
                owed -= 1
    return YearCalendar(year, dict(sorted(holidays.items())), {}, True, "provisional")
