"""Figures reported by responsible units (indicators.md "submitted indicators").

A unit enters a value — or a numerator and a denominator — for a year and a
jurisdiction; a statistician accepts it or returns it with a reason. Nothing is
overwritten: every entry is a new revision; a pending one that is corrected is marked
`replaced`; the figure in use is the last accepted revision.
"""

import math

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import policy, timeutil
from ..extensions import db
from ..models import IndicatorSubmission, Jurisdiction, User
from ..services.errors import Forbidden, InvalidTransitionError, NotFound, ValidationFailed
from . import catalogue
from .periods import parse_year
from .plans import covering

FIELDS = frozenset({"code", "year", "jurisdiction", "value", "numerator", "denominator", "note"})
MAX_NOTE = 2000
MAX_FIGURE = 1e12
SCALES = {"%": 100.0, "‰": 1000.0}


def _number(data: dict, name: str, errors: dict) -> float | None:
    raw = data.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        errors[name] = [_l("Enter a number.")]
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        errors[name] = [_l("Enter a number.")]
        return None
    if not math.isfinite(number) or abs(number) > MAX_FIGURE:
        errors[name] = [_l("Enter a number.")]
        return None
    if number < 0:
        errors[name] = [_l("A figure cannot be negative.")]
        return None
    return number


def validate(user: User, data: dict) -> dict:
    """The cleaned submission, or ValidationFailed / Forbidden with every problem found."""
    errors: dict[str, list] = {}
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ValidationFailed(
            _l("Unknown fields: %(names)s", names=", ".join(unknown)),
            fields={name: [_l("Unknown field.")] for name in unknown},
        )
    indicator = catalogue.get(data.get("code"))
    if indicator is None:
        errors["code"] = [_l("This code is not in the indicator catalogue.")]
    elif indicator.source != "submitted":
        errors["code"] = [
            _l("This indicator is computed by the system and is not reported by hand.")
        ]
    year = parse_year(data.get("year"))
    if year is None:
        errors["year"] = [_l("Enter a year such as 2026.")]
    jurisdiction = None
    code = data.get("jurisdiction")
    if isinstance(code, str) and code.strip():
        jurisdiction = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == code.strip())
        )
    if jurisdiction is None:
        errors["jurisdiction"] = [_l("Choose a place from the list.")]
    value = _number(data, "value", errors)
    numerator = _number(data, "numerator", errors)
    denominator = _number(data, "denominator", errors)
    note = data.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        errors["note"] = [_l("At most %(n)d characters.", n=MAX_NOTE)]
    if errors:
        raise ValidationFailed(fields=errors)

    if not policy.can_submit_figure(user, indicator):
        raise Forbidden(_l("Only the responsible unit reports this figure."))
    if not user.organisation.jurisdiction.contains(jurisdiction):
        raise Forbidden(_l("You may report figures only for your own area."))

    plans = covering(jurisdiction)
    if not plans:
        errors["jurisdiction"] = [_l("No plan covers this place.")]
    elif not any(plan.covers(year) for plan in plans):
        first = min(plan.baseline_year for plan in plans)
        last = max(plan.end_year for plan in plans)
        errors["year"] = [
            _l("The year is outside the plan (%(first)d–%(last)d).", first=first, last=last)
        ]

    as_ratio = numerator is not None or denominator is not None
    if as_ratio and value is not None:
        errors["value"] = [_l("Give either the value or the numerator and denominator.")]
    elif as_ratio:
        if not indicator.is_rate:
            errors["numerator"] = [_l("This indicator is a count: give the value.")]
        elif numerator is None:
            errors["numerator"] = [_l("Give the numerator.")]
        elif denominator is None:
            errors["denominator"] = [_l("Give the denominator.")]
        elif denominator == 0:
            errors["denominator"] = [_l("The denominator cannot be 0.")]
        else:
            value = numerator / denominator * SCALES[indicator.unit]
    elif value is None:
        errors["value"] = [_l("Give the value.")]
    if value is not None and "value" not in errors and "denominator" not in errors:
        ceiling = indicator.ceiling
        if ceiling is not None and value > ceiling:
            if as_ratio:
                errors["numerator"] = [_l("The numerator cannot be larger than the denominator.")]
            else:
                errors["value"] = [
                    _l(
                        "The value cannot be over %(max)d%(unit)s.",
                        max=ceiling,
                        unit=indicator.unit,
                    )
                ]
        if indicator.unit in ("cases", "persons") and value != int(value):
            errors["value"] = [_l("A count is a whole number.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "indicator": indicator,
        "year": year,
        "jurisdiction": jurisdiction,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "note": note.strip(),
    }


def submit(user: User, data: dict) -> IndicatorSubmission:
    clean = validate(user, data)
    key = (
        IndicatorSubmission.code == clean["indicator"].code,
        IndicatorSubmission.year == clean["year"],
        IndicatorSubmission.jurisdiction_id == clean["jurisdiction"].id,
    )
    try:
        # In a savepoint: two revisions of one figure sent at once both take the next
        # number; the second insert waits for the first to commit, then breaks the unique
        # revision. Only the savepoint is undone and the second sender is told (409).
        with db.session.begin_nested():
            submission = _new_revision(user, clean, key)
    except IntegrityError:
        raise InvalidTransitionError(
            _l(
                "Another revision of this figure was sent at the same moment. "
                "Reload the page and check it; nothing was saved."
            )
        ) from None
    return submission


def _new_revision(user: User, clean: dict, key: tuple) -> IndicatorSubmission:
    last = db.session.scalar(select(func.max(IndicatorSubmission.revision)).where(*key)) or 0
    for pending in db.session.scalars(
        select(IndicatorSubmission).where(*key, IndicatorSubmission.status == "submitted")
    ):
        pending.status = "replaced"
    submission = IndicatorSubmission(
        code=clean["indicator"].code,
        year=clean["year"],
        jurisdiction=clean["jurisdiction"],
        revision=last + 1,
        value=clean["value"],
        numerator=clean["numerator"],
        denominator=clean["denominator"],
        note=clean["note"],
        status="submitted",
        organisation_id=user.organisation_id,
        submitted_by=user,
        submitted_at=timeutil.now(),
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def pending_for_review(submission_id) -> IndicatorSubmission:
    """The figure to review, re-read under a row lock (PostgreSQL: SELECT … FOR UPDATE)
    held to the end of the transaction: of two reviews at once, the second waits for the
    first to commit and then finds the figure no longer pending (409)."""
    submission = None
    if isinstance(submission_id, int) and 0 < submission_id <= policy.MAX_ID:
        submission = db.session.get(IndicatorSubmission, submission_id)
    if submission is None:
        raise NotFound()
    db.session.flush()
    db.session.refresh(submission, with_for_update=True)
    return submission


def check_review(user: User, submission_id) -> IndicatorSubmission:
    """May `user` review this figure now: found (404), state (409), role (403). Takes the
    row lock; the fields are judged after this, by the caller."""
    submission = pending_for_review(submission_id)
    if submission.status != "submitted":
        raise InvalidTransitionError(_l("This figure is not awaiting review."))
    if not policy.can_review_figure(user, submission):
        raise Forbidden(_l("Figures are reviewed by a statistician other than who reported them."))
    return submission


def review(user: User, submission_id, accept: bool, note: str = "") -> IndicatorSubmission:
    """Accept a pending figure, or return it to the unit with the reason."""
    submission = check_review(user, submission_id)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed(fields={"note": [_l("Say why the figure is returned.")]})
    if len(note) > MAX_NOTE:
        raise ValidationFailed(fields={"note": [_l("At most %(n)d characters.", n=MAX_NOTE)]})
    submission.status = "accepted" if accept else "returned"
    submission.reviewed_by = user
    submission.reviewed_at = timeutil.now()
    submission.review_note = note or None
    db.session.flush()
    return submission


def accepted_values(codes, jurisdiction: Jurisdiction, first_year: int, last_year: int) -> dict:
    """{(code, year): the last accepted revision} for a place and a range of years."""
    rows = db.session.scalars(
        select(IndicatorSubmission)
        .where(
            IndicatorSubmission.code.in_(list(codes)),
            IndicatorSubmission.jurisdiction_id == jurisdiction.id,
            IndicatorSubmission.year.between(first_year, last_year),
            IndicatorSubmission.status == "accepted",
        )
        .order_by(IndicatorSubmission.revision)
    )
    return {(row.code, row.year): row for row in rows}


def history(code: str, year: int, jurisdiction: Jurisdiction) -> list[IndicatorSubmission]:
    return db.session.scalars(
        select(IndicatorSubmission)
        .where(
            IndicatorSubmission.code == code,
            IndicatorSubmission.year == year,
            IndicatorSubmission.jurisdiction_id == jurisdiction.id,
        )
        .order_by(IndicatorSubmission.revision.desc())
    ).all()
