"""The few SQL expressions that differ between SQLite and PostgreSQL, in one place.

Everything else in the indicator queries is plain SQLAlchemy and compiles the same on
both engines.
"""

from datetime import datetime, timedelta

from sqlalchemy import Interval, case, cast, exists, extract, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from .. import timeutil
from ..extensions import db


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def local_time(column):
    """A stored UTC time as local wall-clock time, for calendar parts (age on the day).
    The zone's offset is fixed (China has no summer time), so a shift is exact."""
    offset = timeutil.local_zone().utcoffset(datetime(2000, 1, 1)) or timedelta(0)
    if _sqlite():
        return func.datetime(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return column + literal(offset, Interval())


def age_band(birth_date, at):
    """The subject's age band (0–5, 6–13, 14–17, 18+) on the local day of `at`."""
    day = local_time(at)
    years = extract("year", day) - extract("year", birth_date)
    before_birthday = extract("month", day) * 100 + extract("day", day) < (
        extract("month", birth_date) * 100 + extract("day", birth_date)
    )
    age = years - case((before_birthday, 1), else_=0)
    return case(
        (birth_date.is_(None), "unknown"),
        (age < 6, "0-5"),
        (age < 14, "6-13"),
        (age < 18, "14-17"),
        else_="18+",
    )


def hours_between(start, end):
    if _sqlite():
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return extract("epoch", end - start) / 3600.0


def json_list_has(column, value: int):
    """Whether a JSON list column holds `value` (situation codes)."""
    if _sqlite():
        items = func.json_each(column).table_valued("value")
        return exists(select(1).select_from(items).where(items.c.value == value))
    return cast(column, JSONB).contains([value])
