"""JSON API v1: law-domain indicators (shared/domain/indicators.md).

GET  /api/v1/indicators                         a plan's indicator table, or one breakdown
POST /api/v1/indicator-submissions              a responsible unit reports a figure
POST /api/v1/indicator-submissions/<id>/review  a statistician accepts or returns it
GET  /api/v1/indicator-submissions              the figures of the area or of the unit

The table and the figures come from caseflow/indicators (the same rows as the page and
the workbook). For readers who may not see the identities of a place, a figure resting on
1–4 cases below the county, and every figure it could be worked out from
(indicators/suppression.py), is null with display "*" — its numerator, denominator and
trend too.
The routes are attached to the blueprint of caseflow/views/api.py.
"""

import re

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import policy, presenters, replica
from ..extensions import db
from ..forms.base import storable
from ..indicators import catalogue, periods, plans, submissions, table
from ..models import IndicatorSubmission, Jurisdiction, Organisation, Plan, User
from ..services.errors import Forbidden, NotFound, ValidationFailed
from ..vocab import SUBMISSION_STATUSES
from .api import MAX_PAGE, MAX_PER_PAGE, bp, commit, json_body, token_required

TABLE_PARAMS = frozenset({"year", "jurisdiction", "plan", "code", "by"})
LIST_PARAMS = frozenset({"code", "year", "jurisdiction", "status", "page", "per_page"})
REVIEW_FIELDS = frozenset({"decision", "note"})
DECISIONS = {"accept": True, "return": False}
NUMBER_FIELDS = ("value", "numerator", "denominator")
MAX_PARAM = 64


# --- helpers ----------------------------------------------------------------------------


def _text_params(args, allowed: frozenset) -> tuple[dict[str, str], dict[str, list]]:
    """The query's values, stripped, and the errors of names and characters."""
    errors: dict[str, list] = {}
    for name in args:
        if name not in allowed:
            errors[name] = [_("Unknown parameter.")]
    for name, value in args.items():
        if not storable(value) or len(value) > MAX_PARAM:
            errors[name] = [_("Not a valid value.")]
    values = {name: args.get(name, "").strip() for name in allowed}
    return values, errors


def _year(raw: str, errors: dict) -> int | None:
    year = periods.parse_year(raw)
    if year is None:
        errors["year"] = [_("Enter a year such as 2026.")]
    return year


def _place(code: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def _may_read(user: User) -> None:
    if not policy.can_read_indicators(user):
        raise Forbidden(_("Indicators are read by statisticians and supervisors."))


def _figure(value):
    return None if value is None else float(value)


def row_json(row: table.Row, years: range) -> dict:
    """One row; `series` has every year of `years`, null where there is no figure."""
    indicator, target, figure = row.indicator, row.target, row.figure
    hidden = row.suppressed
    data = {
        "code": indicator.code,
        "name": indicator.name_zh,
        "name_en": indicator.name_en,
        "domain": indicator.domain,
        "unit": indicator.unit,
        "source": indicator.source,
        "section": target.section if target else catalogue.DOMAINS[indicator.domain][0],
        "row_number": target.row_number if target else None,
        "value": _figure(row.value),
        "numerator": None if hidden or figure is None else _figure(figure.numerator),
        "denominator": None if hidden or figure is None else _figure(figure.denominator),
        "display": row.display,
        "suppressed": hidden,
        "target": None,
        "status": None,
        # A hidden figure must not be worked out from its trend either.
        "series": {str(y): None if hidden else _figure(row.series.get(y)) for y in years},
        "breakdowns": list(indicator.breakdowns),
    }
    if target is not None:
        data["target"] = {
            "text": target.target_text,
            "direction": target.direction,
            "value": target.value,
            "band_low": target.band_low,
            "band_high": target.band_high,
            "attribute": target.attribute,
        }
    if row.status is not None:
        data["status"] = {"code": row.status.code, "reason": str(row.status.reason)}
    if indicator.code == "PO-05":
        data["median"] = None if hidden else _figure(row.median)
    return data


def place_json(place: Jurisdiction) -> dict:
    return {"code": place.code, "name": place.name, "level": place.level}


def plan_json(plan: Plan) -> dict:
    return {
        "code": plan.code,
        "title": plan.title,
        "title_en": plan.title_en,
        "kind": plan.kind,
        "jurisdiction": place_json(plan.jurisdiction),
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "baseline_year": plan.baseline_year,
    }


def submission_json(row: IndicatorSubmission) -> dict:
    return {
        "id": row.id,
        "code": row.code,
        "year": row.year,
        "jurisdiction": row.jurisdiction.code,
        "revision": row.revision,
        "value": row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "note": row.note,
        "status": row.status,
        "organisation": db.session.get(Organisation, row.organisation_id).name,
        "submitted_at": presenters.iso(row.submitted_at),
        "submitted_by": row.submitted_by.username,
        "reviewed_at": presenters.iso(row.reviewed_at) if row.reviewed_at else None,
        "reviewed_by": row.reviewed_by.username if row.reviewed_by else None,
        "review_note": row.review_note,
    }


# --- the table --------------------------------------------------------------------------


@bp.get("/indicators")
@token_required
@replica.reads
def indicators():
    user = g.api_user
    _may_read(user)
    text, errors = _text_params(request.args, TABLE_PARAMS)
    if errors:
        raise ValidationFailed(fields=errors)
    if bool(text["code"]) != bool(text["by"]):
        missing = "by" if text["code"] else "code"
        raise ValidationFailed(fields={missing: [_("Give both code and by for a breakdown.")]})

    if text["year"]:
        year = _year(text["year"], errors)
    else:
        year = periods.last_complete_year()
    place = None
    if text["jurisdiction"]:
        place = _place(text["jurisdiction"])
        if place is None:
            errors["jurisdiction"] = [_("Unknown place.")]
    if errors:
        raise ValidationFailed(fields=errors)

    readable = plans.readable(user)
    if text["plan"]:
        # Another county's plan is as unknown as a plan that does not exist.
        plan = next((p for p in readable if p.code == text["plan"]), None)
        if plan is None:
            raise NotFound(_("No such plan."))
    elif readable:
        plan = readable[0]
    else:
        raise NotFound(_("No plan covers your area."))
    if place is None:
        place = plans.area(user, plan)
    scope = policy.count_scope(user, place)
    if scope is None:
        raise NotFound()

    if not plan.covers(year):
        errors["year"] = [
            _(
                "The year is outside the plan (%(first)d–%(last)d).",
                first=plan.baseline_year,
                last=plan.end_year,
            )
        ]
    if not plan.jurisdiction.contains(place):
        errors["jurisdiction"] = [_("This place is not covered by the plan.")]
    if errors:
        raise ValidationFailed(fields=errors)
    hide_small = policy.suppresses_small_numbers(user)

    if text["code"]:
        indicator = catalogue.get(text["code"])
        if indicator is None:
            raise NotFound(_("This code is not in the indicator catalogue."))
        if text["by"] not in indicator.breakdowns:
            raise ValidationFailed(
                fields={"by": [_("This indicator has no such breakdown.")]},
            )
        if not table.countable(indicator.code, scope):
            raise Forbidden(_("Your role does not count this indicator."))
        rows = table.breakdown(indicator.code, scope, year, text["by"], hide_small)
        return jsonify(
            {
                "code": indicator.code,
                "by": text["by"],
                "year": year,
                "jurisdiction": place_json(place),
                "rows": [
                    {
                        **row,
                        "label": str(row["label"]),
                        "value": _figure(row["value"]),
                        "numerator": _figure(row["numerator"]),
                        "denominator": _figure(row["denominator"]),
                    }
                    for row in rows
                ],
            }
        )

    rows = table.plan_rows(plan, year, scope, hide_small)
    years = range(min(plan.baseline_year, year), year + 1)
    return jsonify(
        {
            "plan": plan_json(plan),
            "year": year,
            "jurisdiction": place_json(place),
            "rows": [row_json(row, years) for row in rows],
        }
    )


# --- submitted figures ------------------------------------------------------------------


def _check_body(body: dict) -> None:
    """What the service cannot be handed: numbers a float cannot hold, text no database
    column can store. Everything else is the service's to judge."""
    errors: dict[str, list] = {}
    for name in NUMBER_FIELDS:
        raw = body.get(name)
        if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > submissions.MAX_FIGURE:
            errors[name] = [_("Enter a number.")]
        elif isinstance(raw, str) and (len(raw) > MAX_PARAM or not storable(raw)):
            errors[name] = [_("Enter a number.")]
    for name in ("code", "jurisdiction", "note"):
        raw = body.get(name)
        if raw is not None and not isinstance(raw, str):  # read JSON by its types
            errors[name] = [_("Must be a string (JSON text).")]
    for name in ("code", "jurisdiction", "note", "year"):
        raw = body.get(name)
        if isinstance(raw, str) and not storable(raw):
            errors[name] = [_("Contains characters that cannot be stored.")]
        elif isinstance(raw, str) and name != "note" and len(raw) > MAX_PARAM:
            errors[name] = [_("Not a valid value.")]
    if errors:
        raise ValidationFailed(fields=errors)


@bp.post("/indicator-submissions")
@token_required
def submit_figure():
    user = g.api_user
    body = json_body()
    _check_body(body)
    submission = submissions.submit(user, body)
    commit()
    return jsonify(submission_json(submission)), 201


def _visible_submission(user: User, submission_id: int) -> IndicatorSubmission:
    """A figure of the user's own unit, or of their area for a reader or reviewer."""
    row = None
    if 0 < submission_id <= policy.MAX_ID:
        row = db.session.get(IndicatorSubmission, submission_id)
    if row is None:
        raise NotFound()
    own = row.organisation_id == user.organisation_id
    area = (
        user.role in policy.REVIEWER_ROLES or policy.can_read_indicators(user)
    ) and user.organisation.jurisdiction.contains(row.jurisdiction)
    if not (own or area):
        raise NotFound()
    return row


@bp.post("/indicator-submissions/<int:submission_id>/review")
@token_required
def review_figure(submission_id):
    user = g.api_user
    body = json_body()
    row = _visible_submission(user, submission_id)
    # Still pending (409) and this reviewer (403) before the body's fields (422).
    submissions.check_review(user, row.id)
    errors = {name: [_("Unknown field.")] for name in sorted(set(body) - REVIEW_FIELDS)}
    decision = body.get("decision")
    if decision is None:
        errors["decision"] = [_("This field is required.")]
    elif not isinstance(decision, str) or decision not in DECISIONS:
        errors["decision"] = [_("Answer accept or return.")]
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        errors["note"] = [_("Not a valid string.")]
    elif note is not None and not storable(note):
        errors["note"] = [_("Contains characters that cannot be stored.")]
    if errors:
        raise ValidationFailed(fields=errors)
    submissions.review(user, row.id, DECISIONS[decision], note or "")
    commit()
    return jsonify(submission_json(row))


def _responsible_unit(user: User) -> bool:
    """Whether the user's unit reports any figure (and so may list its own)."""
    return any(
        policy.can_submit_figure(user, indicator) for indicator in catalogue.CATALOGUE.values()
    )


@bp.get("/indicator-submissions")
@token_required
def list_figures():
    user = g.api_user
    if user.role in policy.REVIEWER_ROLES:
        where = [
            IndicatorSubmission.jurisdiction_id.in_(
                select(Jurisdiction.id).where(
                    Jurisdiction.path.startswith(user.organisation.jurisdiction.path)
                )
            )
        ]
    elif _responsible_unit(user):
        where = [IndicatorSubmission.organisation_id == user.organisation_id]
    else:
        raise Forbidden(_("Figures are listed for statisticians and the responsible units."))
    text, errors = _text_params(request.args, LIST_PARAMS)
    if errors:  # before any query: PostgreSQL refuses a NUL in a parameter
        raise ValidationFailed(fields=errors)
    if text["code"]:
        if catalogue.get(text["code"]) is None:
            errors["code"] = [_("This code is not in the indicator catalogue.")]
        where.append(IndicatorSubmission.code == text["code"])
    if text["year"]:
        year = _year(text["year"], errors)
        if year is not None:
            where.append(IndicatorSubmission.year == year)
    if text["jurisdiction"]:
        place = _place(text["jurisdiction"])
        if place is None:
            errors["jurisdiction"] = [_("Unknown place.")]
        else:
            where.append(IndicatorSubmission.jurisdiction_id == place.id)
    if text["status"]:
        if text["status"] not in SUBMISSION_STATUSES:
            errors["status"] = [_("Unknown state.")]
        where.append(IndicatorSubmission.status == text["status"])
    numbers = {}
    for name, default, top in (
        ("page", 1, MAX_PAGE),
        ("per_page", current_app.config.get("PER_PAGE", 25), MAX_PER_PAGE),
    ):
        raw = text[name]
        if not raw:
            numbers[name] = default
        elif re.fullmatch(r"\d{1,7}", raw, re.ASCII) and 1 <= int(raw) <= top:
            numbers[name] = int(raw)
        else:
            errors[name] = [_("A whole number from 1 to %(max)d.", max=top)]
    if errors:
        raise ValidationFailed(fields=errors)
    page, per_page = numbers["page"], numbers["per_page"]
    total = db.session.scalar(select(func.count()).select_from(IndicatorSubmission).where(*where))
    items = db.session.scalars(
        select(IndicatorSubmission)
        .where(*where)
        .order_by(IndicatorSubmission.submitted_at.desc(), IndicatorSubmission.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return jsonify(
        {
            "items": [submission_json(row) for row in items],
            "page": page,
            "per_page": per_page,
            "total": total,
        }
    )
