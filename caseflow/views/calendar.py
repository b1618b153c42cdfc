"""Pages of the working-day calendar: the year's month grid with its holidays and 调休
working days (and, for an administrator, the form to enter the State Council's notice),
and the deadline calculator for staff. Attached to the blueprint of caseflow/views/cases.py
(endpoints `cases.calendar_year`, `cases.enter_calendar`, `cases.deadline_calculator`);
the banner of a missing notice is `calendar_banner()` in templates/base.html.
"""

import calendar as month_calendar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from .. import timeutil
from ..deadlines.calendar import compute, current_calendar
from ..extensions import db
from ..services import calendar as calendar_service
from ..services.errors import ServiceError, VersionConflict
from .api_calendar import parse_compute
from .cases import bp

CALENDAR_ROLES = frozenset({"admin", "supervisor"})
MAX_LINES = calendar_service.MAX_DAYS


@bp.app_template_global()
def calendar_banner() -> int | None:
    """The year whose notice is missing, for an administrator or supervisor (else None)."""
    if not current_user.is_authenticated or current_user.role not in CALENDAR_ROLES:
        return None
    return calendar_service.year_without_notice()


@bp.app_template_global()
def provisional_case_ids(cases) -> set[int]:
    """Which of these cases have an open or missed deadline counted on a provisional
    calendar (one query for a page of the case list)."""
    from sqlalchemy import select

    from ..models import Deadline

    ids = [c.id for c in cases]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Deadline.case_id).where(
                Deadline.case_id.in_(ids),
                Deadline.provisional.is_(True),
                Deadline.status.in_(("open", "missed")),
            )
        )
    )


def months(year) -> list[dict]:
    """The year as month grids (weeks Monday to Sunday), each day marked."""
    grid = month_calendar.Calendar(firstweekday=0)
    result = []
    for month in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year.year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in year.holidays:
                    mark, name = "holiday", year.holidays[day]
                elif day in year.workdays:
                    mark, name = "workday", year.workdays[day]
                elif day.weekday() >= 5:
                    mark, name = "weekend", ""
                else:
                    mark, name = "", ""
                cells.append({"day": day, "mark": mark, "name": name})
            weeks.append(cells)
        result.append({"month": month, "weeks": weeks})
    return result


def _lines(days: dict) -> str:
    return "\n".join(f"{d.isoformat()} {n}".rstrip() for d, n in days.items())


def _parse_lines(text: str) -> list:
    """Textarea lines "YYYY-MM-DD name" as the entry's list of days (checked later)."""
    days = []
    for line in (text or "").splitlines()[: MAX_LINES + 1]:
        line = line.strip()
        if line:
            day, _sep, name = line.partition(" ")
            days.append({"date": day, "name": name.strip()})
    return days


def _render(year_number: int, status: int = 200, form: dict | None = None, errors=None):
    from ..models import CalendarChange, CalendarYear

    year = calendar_service.year_view(year_number)
    row = db.session.get(CalendarYear, year_number)
    changes = db.session.scalars(
        db.select(CalendarChange)
        .where(CalendarChange.year == year_number)
        .order_by(CalendarChange.at.desc(), CalendarChange.id.desc())
        .limit(20)
    ).all()
    form = form or {
        "number": year.notice_number or "",
        "date": year.notice_date.isoformat() if year.notice_date else "",
        "holidays": _lines(year.holidays),
        "workdays": _lines(year.workdays),
    }
    return render_template(
        "calendar/year.html",
        year=year,
        row=row,
        version=row.version if row else 0,
        months=months(year),
        changes=changes,
        form=form,
        errors=errors or {},
        may_enter=current_user.role == "admin",
    ), status


def _year_or_404(year: int) -> int:
    try:
        return calendar_service.check_year(year)
    except ServiceError:
        abort(404)


@bp.get("/admin/calendar")
@bp.get("/admin/calendar/<int:year>")
@login_required
def calendar_year(year: int | None = None):
    if current_user.role not in CALENDAR_ROLES:
        abort(403)
    if year is None:
        year = calendar_banner() or timeutil.to_local(timeutil.now()).year
    return _render(_year_or_404(year))


@bp.post("/admin/calendar/<int:year>")
@login_required
def enter_calendar(year: int):
    if current_user.role not in CALENDAR_ROLES:
        abort(403)
    _year_or_404(year)
    form = {
        "number": request.form.get("notice_number", ""),
        "date": request.form.get("notice_date", ""),
        "holidays": request.form.get("holidays", ""),
        "workdays": request.form.get("workdays", ""),
    }
    entry = {
        "notice": {"number": form["number"].strip(), "date": form["date"].strip()},
        "holidays": _parse_lines(form["holidays"]),
        "workdays": _parse_lines(form["workdays"]),
    }
    raw_version = request.form.get("version", "")
    version = int(raw_version) if raw_version.isascii() and raw_version.isdigit() else None
    try:
        change = calendar_service.enter_year(current_user, year, entry, version, "page")
        try:
            db.session.commit()
        except StaleDataError:  # a case it moved was changed at the same moment
            raise VersionConflict() from None
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return _render(year, exc.status, form, exc.fields)
    flash(
        _(
            "The calendar of %(year)d was entered; %(n)d deadline(s) were counted again.",
            year=year,
            n=change.recomputed,
        ),
        "success",
    )
    return redirect(url_for("cases.calendar_year", year=year))


@bp.get("/deadlines/calculator")
@login_required
def deadline_calculator():
    result, errors, status = None, {}, 200
    args = {k: v for k, v in request.args.items() if k in ("start", "period")}
    if args:
        try:
            start, period = parse_compute(request.args)
            due = compute(start, period, timeutil.local_zone(), current_calendar())
            result = {"start": start, "period": period, "due": due}
        except ServiceError as exc:
            errors, status = exc.fields, exc.status
    return render_template(
        "calendar/calculator.html",
        args=args,
        result=result,
        errors=errors,
    ), status
