"""Reporting periods: a year, its quarters or months, in the county's local time.

Times are stored in UTC; a period is the local calendar year (or quarter, month) turned
into a UTC range, so "counted in 2026" means what a statistician in the county means
and the WHERE clause stays a plain range on an indexed column.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case

from .. import timeutil


@dataclass(frozen=True)
class Period:
    key: str  # "2026", "2026-Q1", "2026-03"
    year: int
    start: datetime  # aware, UTC
    end: datetime  # exclusive


def parse_year(raw) -> int | None:
    """A four-digit year from a form, a query string or a JSON number; None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1000 <= raw <= 9999 else None
    if isinstance(raw, str):
        text = raw.strip()
        return int(text) if len(text) == 4 and text.isascii() and text.isdigit() else None
    return None


def last_complete_year() -> int:
    """The year annual monitoring reports on by default: the last full one."""
    return timeutil.to_local(timeutil.now()).year - 1


def _utc(year: int, month: int) -> datetime:
    if month == 13:
        year, month = year + 1, 1
    return datetime(year, month, 1, tzinfo=timeutil.local_zone()).astimezone(UTC)


def years(first: int, last: int) -> list[Period]:
    return [Period(str(y), y, _utc(y, 1), _utc(y + 1, 1)) for y in range(first, last + 1)]


def quarters(year: int) -> list[Period]:
    return [
        Period(f"{year}-Q{q}", year, _utc(year, 3 * q - 2), _utc(year, 3 * q + 1))
        for q in range(1, 5)
    ]


def months(year: int) -> list[Period]:
    return [Period(f"{year}-{m:02d}", year, _utc(year, m), _utc(year, m + 1)) for m in range(1, 13)]


def split(year: int, by: str | None) -> list[Period]:
    """The periods of a year for a time breakdown, or the year itself."""
    if by == "quarter":
        return quarters(year)
    if by == "month":
        return months(year)
    return years(year, year)


def bucket(column, periods: list[Period]):
    """SQL giving the index of the period a time falls in (periods are contiguous and the
    query keeps only times inside them)."""
    if len(periods) == 1:
        return case((column.is_not(None), 0), else_=0)
    whens = [(column < p.end, i) for i, p in enumerate(periods[:-1])]
    return case(*whens, else_=len(periods) - 1)


def within(column, periods: list[Period]):
    return column.is_not(None) & (column >= periods[0].start) & (column < periods[-1].end)
