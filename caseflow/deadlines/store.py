"""Reading the county's calendar from the database, and seeding it from the package.

`chinesecalendar` is read only when the calendar is seeded (migration 0006, `flask calendar
seed`, the demo data): deadline arithmetic reads the tables, so a year the package does not
know is the county's to enter, not a new release to wait for.
"""

from sqlalchemy import select

from .. import timeutil
from ..extensions import db
from ..models import CalendarDay, CalendarYear
from .calendar import YearCalendar
from .package import package_calendar


def load_year(year: int) -> YearCalendar | None:
    """The official calendar of `year`, or None if it has none (provisional)."""
    row = db.session.get(CalendarYear, year)
    if row is None:
        return None
    days = db.session.scalars(select(CalendarDay).where(CalendarDay.year == year)).all()
    return YearCalendar(
        year,
        {d.day: d.name for d in sorted(days, key=lambda d: d.day) if d.kind == "holiday"},
        {d.day: d.name for d in sorted(days, key=lambda d: d.day) if d.kind == "workday"},
        False,
        row.source,
        row.notice_number,
        row.notice_date,
        row.package,
    )


def load_all_years() -> dict[int, YearCalendar]:
    """Every official year at once (the synthetic data set counts a million deadlines)."""
    return {y: load_year(y) for y in db.session.scalars(select(CalendarYear.year))}


def seed_from_package() -> int:
    """Enter every year the package covers that has no calendar yet; returns how many."""
    package, years = package_calendar()
    present = set(db.session.scalars(select(CalendarYear.year)))
    now = timeutil.now()
    added = [y for y in sorted(years) if y not in present]
    if not added:
        return 0
    db.session.execute(
        CalendarYear.__table__.insert(),
        [
            {"year": y, "source": "package", "package": package, "entered_at": now, "version": 1}
            for y in added
        ],
    )
    db.session.execute(
        CalendarDay.__table__.insert(),
        [
            {"day": day, "year": y, "kind": kind, "name": name}
            for y in added
            for kind, days in years[y].items()
            for day, name in days.items()
        ],
    )
    return len(added)
