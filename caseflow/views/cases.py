"""Case pages: my work, the list, the report form, the case page and its actions,
the supervisor's review queue, the referral inbox and the workflow diagrams.

Each handler: load (scoped, 404 otherwise) → check → call one service → commit once.
"""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, timeutil
from ..extensions import db
from ..forms import ACTION_FORMS, CREATE_FORMS, ReferralAnswerForm, ReferralForm, VisitForm
from ..models import Jurisdiction, Organisation, Referral
from ..services import cases as case_service
from ..services import queries, referrals, visits
from ..services.audit import log_access
from ..services.errors import ServiceError
from ..workflows import WORKFLOWS
from ..workflows.diagram import mermaid_source, side_steps

bp = Blueprint("cases", __name__)


def _case_or_404(case_id: int):
    case = policy.visible_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _flash_service_error(exc: ServiceError) -> None:
    db.session.rollback()
    flash(str(exc.message), "danger")
    for field, messages in exc.fields.items():
        for message in messages:
            flash(f"{field}: {message}", "danger")


@bp.get("/")
@login_required
def my_work():
    return render_template(
        "my_work.html",
        waiting=queries.waiting_for(current_user),
        deadlines=queries.deadlines_due(current_user),
        referral_count=len(queries.referrals_to(current_user)),
        closures=queries.closures_to_review(current_user),
    )


def _parse_date(value: str | None):
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value).date()
    except ValueError:
        return "invalid"
    return datetime.combine(day, time(0, 0), tzinfo=timeutil.local_zone())


@bp.get("/cases")
@login_required
def case_list():
    args = request.args
    created_from, created_to = _parse_date(args.get("from")), _parse_date(args.get("to"))
    if "invalid" in (created_from, created_to):
        flash(_("Dates are written like 2026-11-23."), "warning")
        created_from = created_to = None
    urgent = {"1": True, "0": False}.get(args.get("urgent", ""))
    filters = queries.CaseFilters(
        type=args.get("type") or None,
        state=args.get("state") or None,
        urgent=urgent,
        overdue=args.get("overdue") == "1",
        jurisdiction=args.get("jurisdiction") or None,
        q=(args.get("q") or "").strip()[:100] or None,
        created_from=created_from,
        created_to=created_to,
    )
    page = args.get("page", 1, type=int) or 1
    page = max(1, page)
    per_page = current_app.config["PER_PAGE"]
    items, total = queries.case_list(current_user, filters, page, per_page)
    base = current_user.organisation.jurisdiction
    places = db.session.scalars(
        db.select(Jurisdiction)
        .where(Jurisdiction.path.startswith(base.path))
        .order_by(Jurisdiction.path)
    ).all()
    pages = max(1, -(-total // per_page))
    return render_template(
        "cases/list.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        places=places,
        workflows=WORKFLOWS,
        filters=filters,
        page_args={k: v for k, v in args.items() if k != "page"},
    )


@bp.route("/cases/new/<case_type>", methods=["GET", "POST"])
@login_required
def new_case(case_type):
    workflow = WORKFLOWS.get(case_type)
    if workflow is None or case_type not in CREATE_FORMS:
        abort(404)
    if current_user.role not in workflow.step(workflow.initial_trigger).roles:
        abort(403)
    form = CREATE_FORMS[case_type]().setup(current_user)
    if request.method == "POST":
        if form.validate():
            try:
                case = case_service.create_case(current_user, case_type, form.to_data())
                db.session.commit()
                flash(_("Report %(number)s submitted.", number=case.number), "success")
                return redirect(url_for("cases.detail", case_id=case.id))
            except ServiceError as exc:
                _flash_service_error(exc)
        return render_template("cases/new_report.html", form=form, workflow=workflow), 422
    return render_template("cases/new_report.html", form=form, workflow=workflow)


def _action_forms(case, failed=None):
    """The small form of each action this user may take now, keyed by trigger."""
    forms = {}
    for step in policy.allowed_steps(current_user, case):
        form_class = ACTION_FORMS.get((case.type, step.trigger))
        if form_class is None:
            continue
        if failed is not None and failed.trigger == step.trigger:
            forms[step.trigger] = (step, failed.form)
            continue
        form = form_class(formdata=None, prefix=step.trigger).setup(current_user, case)
        form.version.data = case.version
        forms[step.trigger] = (step, form)
    return forms


class _Failed:
    def __init__(self, trigger, form):
        self.trigger, self.form = trigger, form


def _render_detail(case, failed=None, visit_form=None, referral_form=None, status=200):
    if visit_form is None:
        visit_form = VisitForm(formdata=None, prefix="visit")
        visit_form.version.data = case.version
    if referral_form is None:
        referral_form = ReferralForm(formdata=None, prefix="referral").setup(current_user, case)
        referral_form.version.data = case.version
    return (
        render_template(
            "cases/detail.html",
            case=case,
            workflow=case.workflow,
            subject=policy.person_view(current_user, case, case.subject) if case.subject else None,
            reporter=(
                policy.person_view(current_user, case, case.person("reporter"))
                if case.person("reporter")
                else None
            ),
            identity_visible=policy.can_see_identity(current_user, case),
            actions=_action_forms(case, failed),
            failed_trigger=failed.trigger if failed else None,
            visit_form=visit_form if policy.can_record_visit(current_user, case) else None,
            referral_form=referral_form
            if case.owner_org_id == current_user.organisation_id and case.is_open
            else None,
            can_answer=lambda r: policy.can_answer_referral(current_user, r),
            can_withdraw=lambda r: policy.can_withdraw_referral(current_user, r),
        ),
        status,
    )


@bp.get("/cases/<int:case_id>")
@login_required
def detail(case_id):
    case = _case_or_404(case_id)
    log_access(current_user, case, "page")
    db.session.commit()
    return _render_detail(case)


@bp.post("/cases/<int:case_id>/actions/<trigger>")
@login_required
def act(case_id, trigger):
    case = _case_or_404(case_id)
    form_class = ACTION_FORMS.get((case.type, trigger))
    if form_class is None:
        abort(404)
    form = form_class(prefix=trigger).setup(current_user, case)
    if not form.validate():
        return _render_detail(case, failed=_Failed(trigger, form), status=422)
    try:
        case_service.fire(current_user, case, trigger, form.to_data(), form.version.data)
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        case = _case_or_404(case_id)
        return _render_detail(case, status=exc.status)
    step = case.workflow.step(trigger)
    flash(_("Done: %(action)s.", action=step.label), "success")
    if request.args.get("next") == "review":
        return redirect(url_for("cases.review"))
    return redirect(url_for("cases.detail", case_id=case.id))


def _change_and_return(case_id: int, change, done_message: str):
    """Run one service call and commit; on refusal roll back and show the case again."""
    try:
        change()
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(done_message, "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/cases/<int:case_id>/visits")
@login_required
def add_visit(case_id):
    case = _case_or_404(case_id)
    form = VisitForm(prefix="visit")
    if not form.validate():
        return _render_detail(case, visit_form=form, status=422)
    data = form.to_data()
    return _change_and_return(
        case.id,
        lambda: visits.record(
            case,
            current_user,
            data["done_at"],
            data["method"],
            data["outcome"],
            data["notes"] or "",
            data["next_due"],
            data["version"],
        ),
        _("Visit recorded."),
    )


@bp.post("/cases/<int:case_id>/referrals")
@login_required
def add_referral(case_id):
    case = _case_or_404(case_id)
    form = ReferralForm(prefix="referral").setup(current_user, case)
    if not form.validate():
        return _render_detail(case, referral_form=form, status=422)
    orgs = [db.session.get(Organisation, i) for i in form.to_orgs.data]
    return _change_and_return(
        case.id,
        lambda: referrals.add(
            case, current_user, orgs, form.reason.data, form.due_at.data, form.version.data
        ),
        _("Referral sent."),
    )


@bp.post("/referrals/<int:referral_id>/<action>")
@login_required
def answer_referral(referral_id, action):
    referral = db.session.get(Referral, referral_id)
    if referral is None or policy.visible_case(current_user, referral.case_id) is None:
        abort(404)
    form = ReferralAnswerForm()
    if not form.validate():
        abort(400)
    text = form.reason.data if action in ("decline", "withdraw") else form.outcome.data
    try:
        referrals.answer(referral, current_user, action, text or "")
        db.session.commit()
        flash(_("Referral answered."), "success")
    except ServiceError as exc:
        _flash_service_error(exc)
    target = request.args.get("next")
    if target == "inbox":
        return redirect(url_for("cases.referral_inbox"))
    return redirect(url_for("cases.detail", case_id=referral.case_id))


@bp.get("/review")
@login_required
def review():
    if current_user.role != "supervisor":
        abort(403)
    items = []
    for case in queries.closures_to_review(current_user):
        form = ACTION_FORMS[(case.type, "approve_closure")](formdata=None, prefix="approve_closure")
        form.version.data = case.version
        request_event = case.last_event("request_closure")
        items.append((case, request_event, form, policy.allowed_steps(current_user, case)))
    return render_template("review.html", items=items)


@bp.get("/referrals")
@login_required
def referral_inbox():
    show_all = request.args.get("all") == "1"
    return render_template(
        "referrals.html",
        referrals=queries.referrals_to(current_user, open_only=not show_all),
        show_all=show_all,
        can_answer=lambda r: policy.can_answer_referral(current_user, r),
        can_withdraw=lambda r: policy.can_withdraw_referral(current_user, r),
    )


@bp.get("/workflows/<case_type>")
@login_required
def workflow_diagram(case_type):
    workflow = WORKFLOWS.get(case_type)
    if workflow is None:
        abort(404)
    case = None
    case_id = request.args.get("case", type=int)
    if case_id:
        case = _case_or_404(case_id)
        if case.type != case_type:
            abort(404)
    return render_template(
        "workflow.html",
        workflow=workflow,
        case=case,
        source=mermaid_source(workflow, case.state if case else None),
        side_steps=side_steps(workflow),
    )
