"""JSON API v1: the working-day calendar and the deadline calculator.

GET /api/v1/calendar/<year> reads the calendar in force for a year (official, or the
provisional one with `provisional: true`); PUT enters the State Council's notice for it
(administrators; the body carries the `version` read, 0 for a year with no official
calendar). GET /api/v1/deadlines/compute?start=<ISO time>&period=<72h|5d|6m> answers what
a deadline counted from `start` would be, by the code the deadlines use. The routes are
attached to the blueprint of caseflow/views/api.py.
"""

from datetime import UTC, datetime

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from .. import presenters, timeutil
from ..deadlines.calendar import (
    BadPeriod,
    YearCalendar,
    compute,
    current_calendar,
    parse_period,
)
from ..extensions import db
from ..forms.base import storable
from ..models import CalendarChange, CalendarYear
from ..services import calendar as calendar_service
from ..services.errors import ValidationFailed
from .api import bp, commit, json_body, token_required

COMPUTE_PARAMS = frozenset({"start", "period"})
HISTORY = 20


def year_json(year: YearCalendar) -> dict:
    row = db.session.get(CalendarYear, year.year)
    changes = db.session.scalars(
        select(CalendarChange)
        .where(CalendarChange.year == year.year)
        .order_by(CalendarChange.at.desc(), CalendarChange.id.desc())
        .limit(HISTORY)
    ).all()
    return {
        "year": year.year,
        "provisional": year.provisional,
        "source": year.source,
        "notice": {
            "number": year.notice_number,
            "date": year.notice_date.isoformat() if year.notice_date else None,
        },
        "package": year.package,
        "entered_by": row.entered_by.display_name if row and row.entered_by else None,
        "entered_at": presenters.iso(row.entered_at) if row else None,
        "version": row.version if row else 0,
        "holidays": [{"date": d.isoformat(), "name": n} for d, n in year.holidays.items()],
        "workdays": [{"date": d.isoformat(), "name": n} for d, n in year.workdays.items()],
        "changes": [
            {
                "at": presenters.iso(c.at),
                "by": c.by.display_name if c.by else None,
                "channel": c.channel,
                "recomputed": c.recomputed,
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ],
    }


@bp.get("/calendar/<int:year>")
@token_required
def get_calendar(year):
    return jsonify(year_json(calendar_service.year_view(year)))


@bp.put("/calendar/<int:year>")
@token_required
def put_calendar(year):
    body = json_body()
    version = body.get("version")
    entry = {k: v for k, v in body.items() if k != "version"}
    change = calendar_service.enter_year(g.api_user, year, entry, version, "api")
    commit()
    answer = year_json(calendar_service.year_view(year))
    answer["recomputed"] = change.recomputed
    return jsonify(answer)


def due_json(start: datetime, period: str, due) -> dict:
    return {
        "start": presenters.iso(start),
        "period": period,
        "due_at": presenters.iso(due.at.astimezone(UTC)),
        "counted_from": presenters.iso(due.counted_from.astimezone(UTC)),
        "rule": due.rule,
        "provisional": due.provisional,
        "skipped": [
            {
                "date": r.day.isoformat(),
                "reason": r.reason,
                "name": r.name,
                "provisional": r.provisional,
            }
            for r in due.skipped
        ],
    }


def parse_compute(args) -> tuple[datetime, str]:
    """The calculator's `start` (ISO time, local if it has no offset) and `period`."""
    errors: dict[str, list] = {}
    for name in args:
        if name not in COMPUTE_PARAMS:
            errors[name] = [_("Unknown parameter.")]
    for name, value in args.items():
        if not storable(value):
            errors[name] = [_("Contains characters that cannot be stored.")]
    if errors:
        raise ValidationFailed(fields=errors)
    raw_start, period = args.get("start", "").strip(), args.get("period", "").strip()
    start = None
    try:
        start = timeutil.aware(datetime.fromisoformat(raw_start.replace(" ", "T")))
        start.astimezone(UTC)
        calendar_service.check_year(start.astimezone(timeutil.local_zone()).year)
    except (ValueError, OverflowError, calendar_service.YearOutOfRange):
        errors["start"] = [
            _("A time as YYYY-MM-DDTHH:MM (local time unless it has an offset), from 1990 to 2100.")
        ]
    try:
        parse_period(period)
    except BadPeriod:
        errors["period"] = [_("A period such as 72h (hours), 5d (days) or 6m (months).")]
    if errors:
        raise ValidationFailed(fields=errors)
    return start, period


@bp.get("/deadlines/compute")
@token_required
def compute_deadline():
    start, period = parse_compute(request.args)
    due = compute(start, period, timeutil.local_zone(), current_calendar())
    return jsonify(due_json(start, period, due))
