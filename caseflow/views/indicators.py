"""The indicator pages: a plan's table for a year and a place with status and trend charts,
the drill-down of one indicator, the units' figure entry, the statistician's review, the
plan owner's band and the workstation registry (C-LAW-03).

Every figure comes from caseflow/indicators (table.plan_rows / breakdown / series_for),
the same code the API and the workbook use. Filters are GET parameters: `plan` (a plan
code), `year` and `jurisdiction` (a place code).
"""

from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import policy, replica, timeutil
from ..extensions import db
from ..forms.base import choices
from ..forms.indicators import BandForm, FigureForm, ReviewForm, WorkstationForm
from ..indicators import catalogue, periods, plans, submissions, suppression, table
from ..indicators.status import evaluate, fmt
from ..indicators.suppression import MARK
from ..models import IndicatorSubmission, Jurisdiction, Plan, PlanTarget, User
from ..services.errors import NotFound, ServiceError
from ..vocab import INDICATOR_STATUSES, SUBMISSION_STATUSES, TARGET_ATTRIBUTES, label

bp = Blueprint("indicators", __name__, url_prefix="/indicators")

STATUS_COLOURS = {
    "met": "success",
    "on_track": "primary",
    "at_risk": "warning",
    "off_track": "danger",
    "no_data": "secondary",
}
WORKSTATION_ROLES = frozenset({"civil_affairs", "supervisor"})
MAX_CODE = 32


# ---------------------------------------------------------------- helpers for templates


@bp.app_template_global()
def may_read_indicators() -> bool:
    return current_user.is_authenticated and policy.can_read_indicators(current_user)


@bp.app_template_global()
def may_report_figures() -> bool:
    return current_user.is_authenticated and bool(_submittable(current_user))


@bp.app_template_global()
def may_keep_workstations() -> bool:
    return current_user.is_authenticated and current_user.role in WORKSTATION_ROLES


@bp.context_processor
def _helpers():
    return {"fmt": fmt}


def _submittable(user) -> list[catalogue.Indicator]:
    return [ind for ind in catalogue.CATALOGUE.values() if policy.can_submit_figure(user, ind)]


# ---------------------------------------------------------------- filters


class Filters:
    """The plan, year and place the pages show, checked against the user's area."""

    def __init__(self, plan: Plan, year: int, place: Jurisdiction, plans_: list, places: list):
        self.plan, self.year, self.place = plan, year, place
        self.plans, self.places = plans_, places

    @property
    def years(self) -> list[int]:
        return list(range(self.plan.baseline_year, self.plan.end_year + 1))

    @property
    def args(self) -> dict:
        return {"plan": self.plan.code, "year": self.year, "jurisdiction": self.place.code}


def _bad_request(message: str):
    """Stop with a 400 page that says what was wrong (the generic handler cannot)."""
    abort(make_response(render_template("error.html", code=400, message=message), 400))


def _filters(user) -> Filters:
    readable = plans.readable(user)
    if not readable:
        abort(404)
    code = (request.args.get("plan") or "")[:64]
    plan = next((p for p in readable if p.code == code), None) if code else readable[0]
    if plan is None:
        abort(404)
    raw_year = (request.args.get("year") or "").strip()
    if raw_year:
        year = periods.parse_year(raw_year)
        if year is None or not plan.covers(year):
            _bad_request(
                _(
                    "Choose a year of the plan, %(first)d–%(last)d.",
                    first=plan.baseline_year,
                    last=plan.end_year,
                )
            )
    else:
        year = min(max(periods.last_complete_year(), plan.baseline_year), plan.end_year)
    area = plans.area(user, plan)
    places = db.session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(area.path))
        .order_by(Jurisdiction.path)
    ).all()
    place_code = (request.args.get("jurisdiction") or "")[:MAX_CODE]
    place = next((p for p in places if p.code == place_code), None) if place_code else area
    if place is None:
        abort(404)
    return Filters(plan, year, place, readable, places)


def _reader_scope():
    if not policy.can_read_indicators(current_user):
        abort(403)
    filters = _filters(current_user)
    scope = policy.count_scope(current_user, filters.place)
    if scope is None:
        abort(404)
    return filters, scope


def _chart_target(target: PlanTarget | None) -> dict:
    """What the chart draws for a target: a line at a numeric value, a band as an area."""
    if target is None:
        return {}
    out = {}
    if target.value is not None and target.direction in ("ge", "gt", "le", "lt", "eq"):
        out["target"] = target.value
    if target.direction == "band" and target.band_low is not None:
        out["band"] = [target.band_low, target.band_high]
    return out


def _chart(key: str, title: str, indicator, series: dict, target=None) -> dict:
    years = sorted(series)
    return {
        "id": key,
        "kind": "line",
        "title": title,
        "unit": indicator.unit_label,
        "years": [str(y) for y in years],
        "values": [catalogue.rounded(series[y], indicator.unit) for y in years],
        "target_label": _("Target"),
        "band_label": _("Reasonable band"),
    } | _chart_target(target)


def _suppression(hide: bool) -> dict:
    """The method of hiding small numbers, told to the readers who see them hidden."""
    return {"suppression_method": suppression.METHOD if hide else (), "suppression_mark": MARK}


# ---------------------------------------------------------------- the table


@bp.get("")
@login_required
@replica.reads
def index():
    filters, scope = _reader_scope()
    hide = policy.suppresses_small_numbers(current_user)
    rows = table.plan_rows(filters.plan, filters.year, scope, hide)
    target_rows = [r for r in rows if r.target is not None]
    case_rows = [r for r in rows if r.target is None]
    charts = [
        _chart(r.code, f"{r.code} {r.indicator.name}", r.indicator, r.series, r.target)
        for r in rows
    ]
    exporting = "indicator_exports.start" in current_app.view_functions
    return render_template(
        "indicators/index.html",
        filters=filters,
        target_rows=target_rows,
        case_rows=case_rows,
        charts=charts,
        colours=STATUS_COLOURS,
        statuses=INDICATOR_STATUSES,
        attributes=TARGET_ATTRIBUTES,
        can_edit=plans.can_edit(current_user, filters.plan),
        export_url=url_for("indicator_exports.start") if exporting else None,
        **_suppression(hide),
    )


# ---------------------------------------------------------------- one indicator


@bp.get("/<code>")
@login_required
@replica.reads
def detail(code):
    indicator = catalogue.CATALOGUE.get(code)
    if indicator is None:
        abort(404)
    filters, scope = _reader_scope()
    if not table.countable(code, scope):  # a child supervisor counts reports only
        abort(404)
    hide = policy.suppresses_small_numbers(current_user)
    plan = filters.plan
    target = next((t for t in plan.targets if t.indicator_code == code), None)
    by = request.args.get("by") or (indicator.breakdowns[0] if indicator.breakdowns else "")
    if by and by not in indicator.breakdowns:
        _bad_request(
            _(
                "This indicator cannot be broken down by “%(by)s”. Choose one of the "
                "breakdowns listed on the page.",
                by=by[:40],
            )
        )
    last = min(plan.end_year, max(filters.year, timeutil.to_local(timeutil.now()).year))
    all_figures = table.series_for([code], scope, plan.baseline_year, last)
    figures = all_figures.get(code, {})
    hidden_years = (
        table.hidden_years([code], scope, plan.baseline_year, last, all_figures)[code]
        if hide
        else set()
    )
    series, shown = {}, {}
    for year, figure in sorted(figures.items()):
        hidden = year in hidden_years
        series[year] = None if hidden or figure is None else figure.value
        shown[year] = {
            "display": MARK if hidden else fmt(figure.value if figure else None),
            "numerator": None if hidden or figure is None else figure.numerator,
            "denominator": None if hidden or figure is None else figure.denominator,
        }
    status = None
    if target is not None:
        status = evaluate(
            table.rule_for(target),
            {y: v for y, v in series.items() if y <= filters.year},
            filters.year,
        )
    charts = [_chart("trend", indicator.name, indicator, series, target)]
    rows = []
    if by:
        rows = table.breakdown(code, scope, filters.year, by, hide)
        charts.append(
            {
                "id": "breakdown",
                "kind": "bar",
                "title": str(catalogue.BREAKDOWNS.get(by, by)),
                "unit": indicator.unit_label,
                "categories": [str(r["label"]) for r in rows],
                "values": [
                    None if r["suppressed"] else catalogue.rounded(r["value"], indicator.unit)
                    for r in rows
                ],
            }
        )
    history = []
    if indicator.source == "submitted":
        history = submissions.history(code, filters.year, filters.place)
    return render_template(
        "indicators/detail.html",
        indicator=indicator,
        filters=filters,
        target=target,
        status=status,
        shown=shown,
        by=by,
        breakdowns=[(name, catalogue.BREAKDOWNS.get(name, name)) for name in indicator.breakdowns],
        rows=rows,
        charts=charts,
        history=history,
        colours=STATUS_COLOURS,
        statuses=INDICATOR_STATUSES,
        attributes=TARGET_ATTRIBUTES,
        submission_statuses=SUBMISSION_STATUSES,
        **_suppression(hide),
    )


# ---------------------------------------------------------------- figures of a unit


def _figure_form(formdata=None) -> FigureForm:
    form = FigureForm(formdata=formdata)
    form.code.choices = choices(
        (ind.code, f"{ind.code} {ind.name}（{ind.unit_label}）")
        for ind in _submittable(current_user)
    )
    root = current_user.organisation.jurisdiction
    form.jurisdiction.choices = choices(
        (place.code, place.full_name)
        for place in db.session.scalars(
            select(Jurisdiction)
            .where(Jurisdiction.path.startswith(root.path))
            .order_by(Jurisdiction.path)
        )
    )
    if formdata is None:
        form.jurisdiction.data = root.code
        form.year.data = str(periods.last_complete_year())
    return form


def _render_figures(form: FigureForm, status: int = 200):
    own = db.session.scalars(
        select(IndicatorSubmission)
        .where(IndicatorSubmission.organisation_id == current_user.organisation_id)
        .order_by(IndicatorSubmission.submitted_at.desc(), IndicatorSubmission.id.desc())
        .limit(500)
    ).all()
    return (
        render_template(
            "indicators/figures.html",
            form=form,
            submissions=own,
            catalogue=catalogue.CATALOGUE,
            submission_statuses=SUBMISSION_STATUSES,
        ),
        status,
    )


@bp.route("/figures", methods=["GET", "POST"])
@login_required
def figures():
    if not _submittable(current_user):
        abort(403)
    if request.method == "GET":
        return _render_figures(_figure_form())
    form = _figure_form(request.form)
    if not form.validate():
        return _render_figures(form, 422)
    try:
        submission = submissions.submit(current_user, form.data_for_service())
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        _form_errors(form, exc)
        return _render_figures(form, exc.status)
    flash(
        _(
            "Figure %(code)s for %(year)d sent for review (revision %(revision)d).",
            code=submission.code,
            year=submission.year,
            revision=submission.revision,
        ),
        "success",
    )
    return redirect(url_for("indicators.figures"))


def _form_errors(form, exc: ServiceError) -> None:
    """The service's field errors on the form's fields; the rest as one message."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *[str(m) for m in messages]]
            placed = True
    if not placed or not exc.fields:
        form.form_errors.append(str(exc.message))


# ---------------------------------------------------------------- review by a statistician


def _pending(user) -> list[dict]:
    root = user.organisation.jurisdiction
    rows = db.session.scalars(
        select(IndicatorSubmission)
        .join(Jurisdiction, IndicatorSubmission.jurisdiction_id == Jurisdiction.id)
        .where(IndicatorSubmission.status == "submitted", Jurisdiction.path.startswith(root.path))
        .order_by(IndicatorSubmission.submitted_at, IndicatorSubmission.id)
        .limit(500)
    ).all()
    out = []
    for row in rows:
        accepted = submissions.accepted_values([row.code], row.jurisdiction, row.year - 1, row.year)
        same = accepted.get((row.code, row.year))
        before = accepted.get((row.code, row.year - 1))
        out.append(
            {
                "submission": row,
                "indicator": catalogue.CATALOGUE.get(row.code),
                "accepted_same_year": same,
                "accepted_year_before": before,
                "own": row.submitted_by_id == user.id,
            }
        )
    return out


def _render_review(form: ReviewForm | None = None, failed_id=None, status: int = 200):
    return (
        render_template(
            "indicators/review.html",
            items=_pending(current_user),
            form=form or ReviewForm(formdata=None),
            failed_id=failed_id,
            fmt=fmt,
        ),
        status,
    )


@bp.get("/review")
@login_required
def review():
    if current_user.role not in policy.REVIEWER_ROLES:
        abort(403)
    return _render_review()


@bp.post("/review/<int:submission_id>")
@login_required
def review_one(submission_id):
    if current_user.role not in policy.REVIEWER_ROLES:
        abort(403)
    form = ReviewForm()
    try:
        # Found, still pending, this reviewer: in the service, before the form's fields.
        submissions.check_review(current_user, submission_id)
        if not form.validate():
            db.session.rollback()
            return _render_review(form, submission_id, 422)
        row = submissions.review(
            current_user, submission_id, form.decision.data == "accept", form.note.data or ""
        )
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except ServiceError as exc:
        db.session.rollback()
        _form_errors(form, exc)
        if exc.status != 422:
            flash(str(exc.message), "danger")
        return _render_review(form, submission_id, exc.status)
    message = (
        _("Figure accepted.") if row.status == "accepted" else _("Figure returned to the unit.")
    )
    flash(message, "success")
    return redirect(url_for("indicators.review"))


# ---------------------------------------------------------------- a target's band


def _target_or_404(plan_id: int, target_id: int) -> PlanTarget:
    target = db.session.get(PlanTarget, target_id) if target_id <= policy.MAX_ID else None
    if target is None or target.plan_id != plan_id:
        abort(404)
    if not plans.can_edit(current_user, target.plan):
        abort(403)
    return target


def _render_band(target: PlanTarget, form: BandForm, status: int = 200):
    ids = {entry.get("by") for entry in target.history or []}
    people = {
        u.id: u.display_name
        for u in db.session.scalars(select(User).where(User.id.in_([i for i in ids if i])))
    }
    history = []
    for entry in reversed(target.history or []):
        at = entry.get("at")
        try:
            at = timeutil.to_local(datetime.fromisoformat(at)) if at else None
        except (TypeError, ValueError):
            at = None
        history.append(
            {
                "at": at,
                "by": people.get(entry.get("by"), "—"),
                "from": entry.get("from") or [None, None],
                "to": entry.get("to") or [None, None],
            }
        )
    return (
        render_template(
            "indicators/band.html",
            target=target,
            indicator=catalogue.CATALOGUE.get(target.indicator_code),
            form=form,
            history=history,
            fmt=fmt,
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>/targets/<int:target_id>/band", methods=["GET", "POST"])
@login_required
def band(plan_id, target_id):
    target = _target_or_404(plan_id, target_id)
    if request.method == "GET":
        form = BandForm(formdata=None)
        form.band_low.data = fmt(target.band_low) if target.band_low is not None else ""
        form.band_high.data = fmt(target.band_high) if target.band_high is not None else ""
        return _render_band(target, form)
    form = BandForm()
    if not form.validate():
        return _render_band(target, form, 422)
    try:
        plans.set_band(current_user, target, form.band_low.data, form.band_high.data)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        _form_errors(form, exc)
        return _render_band(db.session.get(PlanTarget, target_id), form, exc.status)
    flash(_("Band saved."), "success")
    return redirect(url_for("indicators.band", plan_id=plan_id, target_id=target_id))


# ---------------------------------------------------------------- workstations


def _townships(user) -> list[Jurisdiction]:
    root = user.organisation.jurisdiction
    return db.session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(root.path), Jurisdiction.level == "township")
        .order_by(Jurisdiction.path)
    ).all()


@bp.route("/workstations", methods=["GET", "POST"])
@login_required
def workstations():
    if current_user.role not in WORKSTATION_ROLES:
        abort(403)
    townships = _townships(current_user)
    form = WorkstationForm()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate():
            return _render_workstations(townships, form, errors, values, 400)
        changes = []
        for place in townships:
            raw = (request.form.get(f"since-{place.code}") or "").strip()[:20]
            values[place.code] = raw
            try:
                since = date.fromisoformat(raw) if raw else None
            except ValueError:
                errors[place.code] = _("Enter a date such as 2022-06-01, or leave it empty.")
                continue
            if since is not None and not date(1990, 1, 1) <= since <= _today():
                errors[place.code] = _("The date must not be in the future.")
                continue
            if since != place.workstation_since:
                changes.append((place, place.workstation_since, since))
        if errors:
            db.session.rollback()
            return _render_workstations(townships, form, errors, values, 422)
        for place, before, after in changes:
            place.workstation_since = after
            # The registry keeps one date per township: each change is logged with who
            # made it, so an earlier date is never lost without a trace.
            current_app.logger.info(
                "workstation registry: %s %s → %s by user %s",
                place.code,
                before,
                after,
                current_user.id,
            )
        db.session.commit()
        flash(
            _("Workstation registry saved (%(n)d changed).", n=len(changes)),
            "success",
        )
        return redirect(url_for("indicators.workstations"))
    return _render_workstations(townships, form, errors, values)


def _today() -> date:
    return timeutil.to_local(timeutil.now()).date()


def _render_workstations(townships, form, errors, values, status: int = 200):
    return (
        render_template(
            "indicators/workstations.html",
            townships=townships,
            form=form,
            errors=errors,
            values=values,
        ),
        status,
    )


@bp.app_template_global()
def indicator_status_label(code) -> str:
    return label(INDICATOR_STATUSES, code) if code else "—"
