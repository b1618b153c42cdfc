"""The working-day calendar the county keeps: for each year with an official calendar, its
public holidays and its 调休 working days (weekend days worked), where the calendar came
from, who entered it and when, and every change with the calendar before and after.

A year with no row here has no official calendar: it is counted on the provisional one
(caseflow/deadlines/provisional.py) and every deadline counted on it says so.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime
from ._util import in_list
from .user import User

YEAR_SOURCES = ("notice", "package")
DAY_KINDS = ("holiday", "workday")


class CalendarYear(db.Model):
    __tablename__ = "calendar_years"
    __table_args__ = (CheckConstraint(in_list("source", YEAR_SOURCES), name="source"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # "notice": the State Council's 放假安排 as entered; "package": seeded from a package.
    source: Mapped[str] = mapped_column(String(16))
    notice_number: Mapped[str | None] = mapped_column(String(100))
    notice_date: Mapped[date | None] = mapped_column(Date)
    package: Mapped[str | None] = mapped_column(String(64))  # e.g. "chinesecalendar 1.11.0"
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    entered_by: Mapped[User | None] = relationship()


class CalendarDay(db.Model):
    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(in_list("kind", DAY_KINDS), name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64), default="")


class CalendarChange(db.Model):
    """One entry of a year's calendar: the whole calendar before and after (append-only)."""

    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))  # page, api, command, seed
    before: Mapped[dict | None] = mapped_column(JSON)  # None: the year was provisional
    after: Mapped[dict] = mapped_column(JSON)
    recomputed: Mapped[int] = mapped_column(default=0)  # deadlines whose due time moved

    by: Mapped[User | None] = relationship()
