"""Entering a year's working-day calendar (the State Council's 放假安排), and what it moves.

One use case, `enter_year`, for the page, the API and the `flask calendar` command: check
the entry (nothing is saved if anything is wrong), replace the year's days, keep the whole
calendar before and after, and count again, in the same transaction, every open or missed
day deadline whose period touches that year. A deadline whose due time moves gets an event
on its case's timeline with the old and the new due time and the notice; a missed one that
the new calendar makes timely is reopened (or met, if it was done by the new due time).
Nothing else moves.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import timeutil
from ..deadlines.calendar import (
    WorkingCalendar,
    YearCalendar,
    add_days,
    current_calendar,
    forget_current_calendar,
)
from ..deadlines.store import load_year
from ..extensions import db
from ..models import CalendarChange, CalendarDay, CalendarYear, Case, Deadline, User
from ..vocab import DEADLINE_KINDS, label
from .audit import append_event
from .cases import conflicts_as_409, touch
from .errors import Forbidden, NotFound, ValidationFailed, VersionConflict

FIRST_YEAR, LAST_YEAR = 1990, 2100  # years the lunar package and the law make sense for
FIELDS = frozenset({"year", "notice", "holidays", "workdays", "version"})
NOTICE_FIELDS = frozenset({"number", "date"})
DAY_FIELDS = frozenset({"date", "name"})
MAX_DAYS = 120
MAX_NAME = 64
MAX_NUMBER = 100


class YearOutOfRange(NotFound):
    default_message = _l("There is no calendar for that year: a year from 1990 to 2100.")


def check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange()
    return year


@dataclass(frozen=True)
class Entry:
    year: int
    notice_number: str
    notice_date: date
    holidays: dict[date, str]
    workdays: dict[date, str]


def _date(value) -> date | None:
    """A date from TOML (a date value) or JSON (a "YYYY-MM-DD" string); None otherwise."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _days(raw, field: str, year: int, errors: dict) -> dict[date, str]:
    if not isinstance(raw, list) or len(raw) > MAX_DAYS:
        errors[field] = [
            _l(
                'A list of at most %(n)d days, each {"date": "YYYY-MM-DD", "name": "…"}.',
                n=MAX_DAYS,
            )
        ]
        return {}
    days: dict[date, str] = {}
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            errors[where] = [_l('A day: {"date": "YYYY-MM-DD", "name": "…"}.')]
            continue
        for name in item:
            if name not in DAY_FIELDS:
                errors[f"{where}.{name}"] = [_l("Unknown field.")]
        day = _date(item.get("date"))
        name = item.get("name", "")
        if day is None:
            errors[f"{where}.date"] = [_l("A date as YYYY-MM-DD.")]
            continue
        if not isinstance(name, str) or len(name) > MAX_NAME or "\x00" in name:
            errors[f"{where}.name"] = [_l("A name of at most %(n)d characters.", n=MAX_NAME)]
            continue
        if day.year != year:
            errors[f"{where}.date"] = [
                _l("%(day)s is not in %(year)d.", day=day.isoformat(), year=year)
            ]
        elif day in days:
            errors[f"{where}.date"] = [_l("%(day)s is given twice.", day=day.isoformat())]
        elif field == "workdays" and day.weekday() < 5:
            errors[f"{where}.date"] = [
                _l(
                    "%(day)s is a weekday: a make-up working day (调休) is a Saturday or a "
                    "Sunday that is worked.",
                    day=day.isoformat(),
                )
            ]
        days[day] = name.strip()
    return days


def parse_entry(year: int, data) -> Entry:
    """Check a year's notice as the page, the API and the command give it; every problem
    at once, by field."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            fields={"body": [_l("An object with notice, holidays and workdays.")]}
        )
    errors: dict[str, list] = {}
    for name in data:
        if name not in FIELDS:
            errors[name] = [_l("Unknown field.")]
    if "year" in data and data["year"] != year:
        errors["year"] = [_l("The year of the entry is not %(year)d.", year=year)]
    notice = data.get("notice")
    number, issued = "", None
    if not isinstance(notice, dict):
        errors["notice"] = [_l("The State Council notice: its number and date.")]
    else:
        for name in notice:
            if name not in NOTICE_FIELDS:
                errors[f"notice.{name}"] = [_l("Unknown field.")]
        number = notice.get("number")
        if not isinstance(number, str) or not number.strip() or len(number) > MAX_NUMBER:
            errors["notice.number"] = [
                _l(
                    "The notice's number, e.g. 国办发明电〔2026〕7号 (at most %(n)d characters).",
                    n=MAX_NUMBER,
                )
            ]
            number = ""
        issued = _date(notice.get("date"))
        if issued is None:
            errors["notice.date"] = [_l("A date as YYYY-MM-DD.")]
        elif issued > timeutil.to_local(timeutil.now()).date():
            errors["notice.date"] = [_l("The notice's date cannot be in the future.")]
    holidays = _days(data.get("holidays"), "holidays", year, errors)
    workdays = _days(data.get("workdays", []), "workdays", year, errors)
    if not holidays and "holidays" not in errors:
        errors["holidays"] = [_l("A notice gives at least one holiday.")]
    for day in sorted(set(holidays) & set(workdays)):
        errors.setdefault("workdays", []).append(
            _l("%(day)s is given both as a holiday and as a working day.", day=day.isoformat())
        )
    if errors:
        raise ValidationFailed(fields=errors)
    return Entry(year, number.strip(), issued, holidays, workdays)


def snapshot(year: YearCalendar | None) -> dict | None:
    """A year's calendar as kept in the history (None: it had no official calendar)."""
    if year is None:
        return None
    return {
        "source": year.source,
        "notice": {
            "number": year.notice_number,
            "date": year.notice_date.isoformat() if year.notice_date else None,
        },
        "package": year.package,
        "holidays": [{"date": d.isoformat(), "name": n} for d, n in year.holidays.items()],
        "workdays": [{"date": d.isoformat(), "name": n} for d, n in year.workdays.items()],
    }


def current_version(year: int) -> int:
    """0 for a year without an official calendar."""
    row = db.session.get(CalendarYear, year)
    return row.version if row is not None else 0


@conflicts_as_409  # a case whose deadline moves was changed meanwhile: nothing is saved
def enter_year(actor: User | None, year: int, data, version, channel: str) -> CalendarChange:
    """Enter `year`'s notice for `actor` (an administrator; None: the command line, run by
    whoever may run it) if `version` is current (None from the command: whatever is
    there, kept in the history). The caller commits."""
    check_year(year)
    row = db.session.execute(
        select(CalendarYear).where(CalendarYear.year == year).with_for_update()
    ).scalar_one_or_none()
    if channel != "command" and (
        isinstance(version, bool)
        or not isinstance(version, int)
        or version != (row.version if row else 0)
    ):
        raise VersionConflict(
            _l(
                "The calendar of this year was changed by someone else. Reload and enter it "
                "again; nothing was saved."
            )
        )
    if actor is not None and actor.role != "admin":
        raise Forbidden(_l("Only an administrator may enter the calendar."))
    entry = parse_entry(year, data)
    before = snapshot(load_year(year))
    now = timeutil.now()
    if row is None:
        row = CalendarYear(year=year, version=0)
        db.session.add(row)
    row.source, row.package = "notice", None
    row.notice_number, row.notice_date = entry.notice_number, entry.notice_date
    row.entered_by_id = actor.id if actor else None
    row.entered_at = now
    row.version = (row.version or 0) + 1
    try:
        db.session.flush()
    except IntegrityError:
        raise VersionConflict() from None  # another first entry of the same year won
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    db.session.add_all(
        [CalendarDay(day=d, year=year, kind="holiday", name=n) for d, n in entry.holidays.items()]
        + [CalendarDay(day=d, year=year, kind="workday", name=n) for d, n in entry.workdays.items()]
    )
    db.session.flush()
    forget_current_calendar()
    after = load_year(year)
    moved = recompute(year, actor, notice_text(after))
    change = CalendarChange(
        year=year,
        at=now,
        by_id=actor.id if actor else None,
        channel=channel,
        before=before,
        after=snapshot(after),
        recomputed=moved,
    )
    db.session.add(change)
    db.session.flush()
    return change


def notice_text(year: YearCalendar) -> str:
    if year.notice_number:
        return f"{year.notice_number}（{year.notice_date.isoformat()}）"
    return year.package or ""


def _period_bounds(year: int) -> tuple[datetime, datetime]:
    zone = timeutil.local_zone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


RECOMPUTE_CHUNK = 500  # deadlines loaded at once, with their cases and timelines


def recompute(year: int, actor: User | None, notice: str) -> int:
    """Count again every open or missed day deadline whose period touches `year`; returns
    how many moved. Met and waived deadlines stay as they are. Read in chunks, each with its
    cases and their timelines in two more queries (the chain needs the last event)."""
    begin, end = _period_bounds(year)
    calendar = WorkingCalendar(load_year)
    ids = db.session.scalars(
        select(Deadline.id)
        .where(
            Deadline.status.in_(("open", "missed")),
            Deadline.period_days.is_not(None),
            Deadline.counted_from < end,
            Deadline.due_at > begin,
        )
        .order_by(Deadline.case_id, Deadline.id)
    ).all()
    now = timeutil.now()
    moved = 0
    for first in range(0, len(ids), RECOMPUTE_CHUNK):
        rows = db.session.scalars(
            select(Deadline)
            .where(Deadline.id.in_(ids[first : first + RECOMPUTE_CHUNK]))
            .options(selectinload(Deadline.case).selectinload(Case.events))
            .order_by(Deadline.case_id, Deadline.id)
        ).all()
        with db.session.no_autoflush:
            for deadline in rows:
                moved += _count_again(deadline, calendar, now, year, actor, notice)
        db.session.flush()
    return moved


def _count_again(deadline, calendar, now, year, actor, notice) -> bool:
    """One deadline on the new calendar: its due time, status and a timeline event."""
    due = add_days(deadline.counted_from, deadline.period_days, timeutil.local_zone(), calendar)
    if due.at == deadline.due_at and due.provisional == deadline.provisional:
        return False
    old_due, old_status = deadline.due_at, deadline.status
    deadline.due_at, deadline.provisional = due.at, due.provisional
    if deadline.status == "missed":
        if deadline.closed_at is None and now <= due.at:
            deadline.status = "open"  # reopened: the new calendar gives it more time
        elif deadline.closed_at is not None and deadline.closed_at <= due.at:
            deadline.status, deadline.done_late = "met", False
    case = deadline.case
    touch(case)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        comment = _(
            "%(what)s: due %(old)s → %(new)s, counted again on the calendar of %(year)d "
            "(%(notice)s)",
            what=label(DEADLINE_KINDS, deadline.kind),
            old=timeutil.to_local(old_due).strftime("%Y-%m-%d %H:%M"),
            new=timeutil.to_local(due.at).strftime("%Y-%m-%d %H:%M"),
            year=year,
            notice=notice or _("provisional calendar"),
        )
    append_event(
        case,
        actor,
        "deadline_recomputed",
        case.state,
        comment,
        {
            "deadline_id": deadline.id,
            "kind": deadline.kind,
            "old_due": old_due.isoformat(),
            "new_due": due.at.astimezone(UTC).isoformat(),
            "provisional": due.provisional,
            "old_status": old_status,
            "status": deadline.status,
            "year": year,
            "notice": notice,
        },
    )
    return True


def year_view(year: int) -> YearCalendar:
    """The calendar in force for `year`: official if entered or seeded, else provisional."""
    check_year(year)
    return current_calendar().year(year)


WARN_ROLES = ("admin", "supervisor")


def _warn_from(year: int) -> date:
    """The configured day (MM-DD) of `year` from which a missing notice for the next
    year is announced; 1 November if the setting cannot be read."""
    raw = str(current_app.config.get("CALENDAR_WARN_FROM", "11-01"))
    try:
        month, day = (int(part) for part in raw.split("-"))
        return date(year, month, day)
    except ValueError:
        return date(year, 11, 1)


def year_without_notice(at: datetime | None = None) -> int | None:
    """Next year, if it has no official calendar and the warning period has begun."""
    today = timeutil.to_local(at or timeutil.now()).date()
    if today < _warn_from(today.year):
        return None
    following = today.year + 1
    return following if db.session.get(CalendarYear, following) is None else None


def announce_missing_notice(at: datetime | None = None) -> int:
    """Tell every active administrator and supervisor, once per year, that next year's
    calendar is provisional until its notice is entered (run by the sweep)."""
    from .notifications import notify_all

    year = year_without_notice(at)
    if year is None:
        return 0
    users = db.session.scalars(
        select(User).where(User.role.in_(WARN_ROLES), User.active).order_by(User.id)
    ).all()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _(
            "No State Council holiday notice for %(year)d has been entered: deadlines in "
            "%(year)d are counted on a provisional calendar",
            year=year,
        )
        body = _(
            "Enter the notice on the calendar page as soon as it is published; every "
            "deadline it moves is counted again and noted on its case."
        )
    return notify_all(users, f"calendar-missing:{year}", "calendar", subject, body)
