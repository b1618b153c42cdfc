"""The access-log viewer: who read a case and how, what a user read, the log filtered by
date, user, case and channel, its .xlsx export, and the unusual-reading report.

Readers: auditors, and supervisors (of a case's owner unit or of its place), each for the
cases of policy.access_log_scope. The viewer's own reads are logged too (channel
"log_viewer", the export "export"), in the same transaction as the answer.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select

from .. import policy, timeutil
from ..extensions import db
from ..models import Case, User
from ..services import access_log as log
from ..vocab import ACCESS_CHANNELS, ROLES
from ..workflows import WORKFLOWS

bp = Blueprint("access_log", __name__, url_prefix="/access-log")

PER_PAGE = 100
EXPORT_LIMIT = 100_000  # rows in one workbook; narrower filters for more
UNUSUAL_DAYS = 30  # the report's default period


@dataclass
class Parsed:
    filters: log.LogFilters
    errors: dict
    values: dict  # what the user typed, shown back in the form


def _day(raw: str, name: str, errors: dict) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("Dates are written like 2026-11-23.")]
        return None


def parse_filters(args, reader: User) -> Parsed:
    """The viewer's filters from a query string: from, to (local dates), user (username),
    case (case number), channel. Unknown values are errors, never a 500."""
    errors: dict = {}
    values = {
        k: (args.get(k) or "").strip()[:64] for k in ("from", "to", "user", "case", "channel")
    }
    filters = log.LogFilters(
        date_from=_day(values["from"], "from", errors),
        date_to=_day(values["to"], "to", errors),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = [_("The end date is before the start date.")]
    if values["user"]:
        subject = db.session.scalar(select(User).where(User.username == values["user"]))
        if subject is None or not policy.can_read_user_log(reader, subject):
            errors["user"] = [_("No such user in your area.")]
        else:
            filters.user_id = subject.id
    if values["case"]:
        case = db.session.scalar(
            select(Case).where(Case.number == values["case"], policy.access_log_scope(reader))
        )
        if case is None:
            errors["case"] = [_("No case with this number in your area.")]
        else:
            filters.case_id = case.id
    if values["channel"]:
        if values["channel"] not in ACCESS_CHANNELS:
            errors["channel"] = [_("Unknown channel.")]
        else:
            filters.channel = values["channel"]
    return Parsed(filters, errors, values)


def _reader_or_403() -> None:
    if not policy.can_read_access_log(current_user):
        abort(403)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return min(max(int(raw), 1), 1_000_000) if raw.isdigit() else 1


def _render_rows(template: str, parsed: Parsed, status: int = 200, shown=(), **context):
    if parsed.errors:
        return render_template(
            template, parsed=parsed, rows=[], total=0, page=1, pages=1, **context
        ), 422
    page = _page_number()
    found, total = log.rows(current_user, parsed.filters, page, PER_PAGE)
    log.log_shown(current_user, [*shown, *(case for _entry, _user, case in found)])
    db.session.commit()
    return (
        render_template(
            template,
            parsed=parsed,
            rows=found,
            total=total,
            page=page,
            pages=max(1, -(-total // PER_PAGE)),
            **context,
        ),
        status,
    )


@bp.app_template_global()
def may_read_access_log() -> bool:
    return policy.can_read_access_log(current_user)


@bp.context_processor
def _labels():
    return {"channels": ACCESS_CHANNELS, "roles": ROLES, "what_text": what_text}


# What a log row's `what` says, for people (the column keeps the code, e.g. `document:warning`).
WHAT = {
    "view": _l("viewed"),
    "access_log": _l("seen in the access log"),
    "matches": _l("matches while a call is typed"),
    "attach": _l("a call attached to the case"),
    "create": _l("created"),
    "download": _l("downloaded"),
    "thumbnail": _l("thumbnail"),
    "api download": _l("downloaded"),
}
DOCUMENTS = {
    "warning": _l("Domestic violence warning letter"),
    "application": _l("Application for a personal safety protection order"),
    "application:respondent": _l("Copy for the respondent"),
    "service": _l("Service record of a personal safety protection order"),
}


def what_text(what: str | None) -> str:
    """A log row's `what` in words: the document printed, the form a case pre-filled, the
    action taken; an unknown value is shown as it is."""
    if not what:
        return ""
    head, _sep, rest = what.partition(":")
    if what in WHAT:
        return str(WHAT[what])
    if head == "document" and rest in DOCUMENTS:
        return str(_l("printed: %(document)s", document=DOCUMENTS[rest]))
    if head == "new" and rest in WORKFLOWS:
        return str(_l("form of a new case: %(type)s", type=WORKFLOWS[rest].label))
    if head == "action":
        for workflow in WORKFLOWS.values():
            if rest in {s.trigger for s in workflow.steps}:
                return str(_l("action: %(action)s", action=workflow.step(rest).label))
    if head in WHAT and rest.isdigit():  # an attachment: download:12
        return f"{WHAT[head]} #{rest}"
    if head == "referral":
        return str(_l("referral answered"))
    return what


@bp.get("")
@login_required
def search():
    _reader_or_403()
    return _render_rows("access_log/search.html", parse_filters(request.args, current_user))


@bp.get("/cases/<int:case_id>")
@login_required
def case_log(case_id):
    """Who read this case and how (its owner unit's and its place's supervisors, auditors)."""
    case = (
        db.session.scalar(
            select(Case).where(Case.id == case_id, policy.access_log_scope(current_user))
        )
        if case_id <= policy.MAX_ID
        else None
    )
    if case is None:
        abort(404)
    parsed = parse_filters(request.args, current_user)
    parsed.filters.case_id = case.id
    readers = log.readers_of(current_user, case)
    return _render_rows("access_log/case.html", parsed, shown=[case], case=case, readers=readers)


@bp.get("/users/<int:user_id>")
@login_required
def user_log(user_id):
    """What a user read, among the cases this reader may audit."""
    subject = db.session.get(User, user_id) if user_id <= policy.MAX_ID else None
    if subject is None or not policy.can_read_user_log(current_user, subject):
        abort(404)
    parsed = parse_filters(request.args, current_user)
    parsed.filters.user_id = subject.id
    return _render_rows("access_log/user.html", parsed, subject=subject)


@bp.get("/export.xlsx")
@login_required
def export():
    _reader_or_403()
    parsed = parse_filters(request.args, current_user)
    if parsed.errors:
        return _render_rows("access_log/search.html", parsed)
    found, total = log.rows(current_user, parsed.filters, 1, EXPORT_LIMIT)
    if total > EXPORT_LIMIT:
        message = _("More than %(n)d reads match: narrow the dates.", n=EXPORT_LIMIT)
        return render_template("error.html", code=422, message=message), 422
    log.log_shown(current_user, [case for _entry, _user, case in found], "export")
    db.session.commit()
    data = workbook(found)
    today = timeutil.to_local(timeutil.now()).date().isoformat()
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"access-log-{today}.xlsx",
    )


def workbook(found) -> bytes:
    """The reads as a sheet: local time, user, role, unit, case, channel, what."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Access log")
    sheet.append(
        [
            _("Time"),
            _("Username"),
            _("Name"),
            _("Role"),
            _("Unit"),
            _("Case"),
            _("Channel"),
            _("What"),
        ]
    )
    for entry, user, case in found:
        sheet.append(
            [
                timeutil.to_local(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                user.username,
                user.display_name,
                str(ROLES.get(user.role, user.role)),
                user.organisation.name,
                case.number,
                str(ACCESS_CHANNELS.get(entry.channel, entry.channel)),
                what_text(entry.what),
            ]
        )
    for column, width in zip("ABCDEFGH", (20, 18, 12, 22, 28, 18, 20, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _threshold(name: str, default: int, errors: dict) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        errors[name] = [_("A whole number from 1 to 100000.")]
        return default
    return int(raw)


@bp.get("/unusual")
@login_required
def unusual():
    """Readers who stand out in a period: many cases outside their own work, cases of
    another unit, reads at night (local time)."""
    _reader_or_403()
    args = request.args.to_dict()
    today = timeutil.to_local(timeutil.now()).date()
    args.setdefault("from", (today - timedelta(days=UNUSUAL_DAYS)).isoformat())
    args.setdefault("to", today.isoformat())
    parsed = parse_filters(args, current_user)
    many_outside = _threshold("outside", log.MANY_OUTSIDE_WORK, parsed.errors)
    many_other = _threshold("other", log.MANY_OTHER_UNIT, parsed.errors)
    context = {
        "many_outside": many_outside,
        "many_other": many_other,
        "night": (log.NIGHT_START, log.NIGHT_END),
        "timezone": current_app.config["TIMEZONE"],
    }
    if parsed.errors:
        return render_template("access_log/unusual.html", parsed=parsed, report=[], **context), 422
    report = log.unusual(current_user, parsed.filters, many_outside, many_other)
    numbers = _case_numbers(report)
    db.session.commit()
    return render_template(
        "access_log/unusual.html", parsed=parsed, report=report, numbers=numbers, **context
    )


def _case_numbers(report) -> dict[int, str]:
    ids = set()
    for item, _reasons in report:
        ids |= item.outside_work | item.other_unit | {case_id for _at, case_id in item.night}
    if not ids:
        return {}
    cases = db.session.scalars(select(Case).where(Case.id.in_(ids))).all()
    log.log_shown(current_user, cases)  # the report names these cases: reads of them
    return {c.id: c.number for c in cases}
