"""Case pages: my work, the list, the creation form of each case type (a protection order
may start from a DV case), the case page and its actions, the supervisor's review queue,
the referral inbox and the workflow diagrams.

Each handler: load (scoped, 404 otherwise) → check → call one service → commit once.
"""

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, presenters, timeutil
from ..extensions import db
from ..forms import ACTION_FORMS, CREATE_FORMS, ReferralAnswerForm, ReferralForm, VisitForm
from ..models import Jurisdiction, Organisation, Referral
from ..services import cases as case_service
from ..services import protection_order as po_service
from ..services import queries, referrals, visits
from ..services.access_log import log_access, log_reads
from ..services.errors import ServiceError, ValidationFailed
from ..workflows import ALL_STATES, WORKFLOWS
from ..workflows.diagram import mermaid_source, side_steps
from . import drafts
from . import hotline as hotline_pages
from . import legal_aid as legal_aid_pages
from .names import warn_names_typed
from .params import MAX_PAGE, Params

bp = Blueprint("cases", __name__)


def _case_or_404(case_id: int):
    case = policy.visible_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _flash_service_error(exc: ServiceError, form=None) -> None:
    """The refusal as a message; a field's message is named by the field's label (the
    form's, when given), never by its internal name."""
    db.session.rollback()
    flash(str(exc.message), "danger")
    for name, messages in exc.fields.items():
        field = form._fields.get(name) if form is not None else None
        for message in messages:
            flash(f"{field.label.text}: {message}" if field else str(message), "danger")


def _attach_field_errors(form, exc: ServiceError) -> bool:
    """Put a service's refusal of fields (a 告诫书 number already used) beside the form's
    own fields, so the form is shown again open, with what was typed. False if the
    refusal names no field of the form."""
    fields = [(form._fields.get(name), messages) for name, messages in exc.fields.items()]
    if not isinstance(exc, ValidationFailed) or not fields or any(f is None for f, _m in fields):
        return False
    for field, messages in fields:
        field.errors = [*field.errors, *(str(m) for m in messages)]
    return True


# Roles that work on protection orders (besides the case's own team): their "my work" page
# always shows the orders about to lapse, even when there are none.
ORDER_ROLES = (
    WORKFLOWS["protection_order"].step("draft").roles
    | WORKFLOWS["protection_order"].step("court_accept").roles
    | {"supervisor"}
)


@bp.get("/")
@login_required
def my_work():
    return render_template(
        "my_work.html",
        waiting=queries.waiting_for(current_user),
        deadlines=queries.deadlines_due(current_user),
        referral_count=len(queries.referrals_to(current_user)),
        closures=queries.closures_to_review(current_user),
        expiring=queries.orders_expiring(current_user),
        expiry_days=queries.expiry_horizon().days,
        handles_orders=current_user.role in ORDER_ROLES,
    )


@bp.get("/cases")
@login_required
def case_list():
    args = request.args
    params = Params(args)
    filters = queries.CaseFilters(
        type=params.choice("type", WORKFLOWS, _("Unknown case type.")),
        state=params.choice("state", ALL_STATES, _("Unknown state.")),
        urgent={"1": True, "0": False}.get(params.raw("urgent") or ""),
        overdue=params.raw("overdue") == "1",
        jurisdiction=params.text("jurisdiction", 32),
        q=params.text("q", 100),
        created_from=params.when("from"),
        created_to=params.when("to", end=True),
        owner=_owner_param(params),
        owner_org=_id_param(params, "owner_org"),
        open_only=params.raw("open") == "1",
    )
    page = params.number("page", 1, MAX_PAGE)
    params.flash_errors()  # the list is shown without the refused filters
    per_page = current_app.config["PER_PAGE"]
    # The cursor of the page the link was on: neighbouring pages are read by key.
    result = queries.case_list(
        current_user, filters, page, per_page, cursor=args.get("cursor", "")[:120]
    )
    items = result.items
    if filters.q:
        # The page shows no names, but a search matches names where the user may see
        # them: its results are reads of those cases.
        log_reads(current_user, items, "search")
    base = current_user.organisation.jurisdiction
    places = db.session.scalars(
        db.select(Jurisdiction)
        .where(Jurisdiction.path.startswith(base.path))
        .order_by(Jurisdiction.path)
    ).all()
    pages = max(1, -(-result.total // per_page))
    if result.estimated:
        pages = max(page, 1)  # no last page shown for an estimated total
    page_html = render_template(
        "cases/list.html",
        items=items,
        total=result.total,
        estimated=result.estimated,
        page=page,
        pages=pages,
        window=queries.page_window(page, pages, result.more),
        cursor=result.cursor,
        places=places,
        workflows=WORKFLOWS,
        state_groups=state_choices(filters.type),
        filters=filters,
        page_args={k: v for k, v in args.items() if k not in ("page", "cursor")},
        # Filters the form has no field for (a workload link, a date range) are kept.
        kept_args={k: args[k] for k in ("owner", "owner_org", "open", "from", "to") if args.get(k)},
    )
    if filters.q:
        db.session.commit()  # after rendering: a commit would expire the page's cases
    return page_html


def _id_param(params: Params, name: str) -> int | None:
    value = params.raw(name)
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    params.refuse(name, _("Unknown value."))
    return None


def _owner_param(params: Params) -> int | str | None:
    if params.raw("owner") == "none":
        return "none"
    return _id_param(params, "owner")


def state_choices(case_type: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The state filter's options as (group, [(code, name)]): the chosen type's states, or,
    for every type, one group per type of its own states and one group of the states
    several types share (each state once, its names joined where the types differ)."""
    if case_type in WORKFLOWS:
        workflow = WORKFLOWS[case_type]
        return [(str(workflow.label), [(c, str(n)) for c, n in workflow.states.items()])]
    owners: dict[str, list] = {}
    for workflow in WORKFLOWS.values():
        for code, name in workflow.states.items():
            owners.setdefault(code, []).append((workflow, str(name)))
    groups = []
    for workflow in WORKFLOWS.values():
        own = [(c, str(n)) for c, n in workflow.states.items() if len(owners[c]) == 1]
        if own:
            groups.append((str(workflow.label), own))
    shared = [
        (code, " / ".join(dict.fromkeys(name for _wf, name in pairs)))
        for code, pairs in owners.items()
        if len(pairs) > 1
    ]
    if shared:
        groups.append((_("States of several types"), shared))
    return groups


# The creation page of each case type, and what the page says once the case exists.
NEW_TEMPLATES = {
    "mandatory_report": "cases/new_report.html",
    "dv_warning": "cases/new_dv_warning.html",
    "protection_order": "cases/new_protection_order.html",
    "legal_aid": "cases/new_legal_aid.html",
}


def _created_message(case) -> str:
    if case.type == "dv_warning":
        return _("Call %(number)s logged.", number=case.number)
    if case.type == "protection_order":
        return _("Application %(number)s drafted.", number=case.number)
    if case.type == "legal_aid":
        return _("Referral to legal aid %(number)s sent.", number=case.number)
    return _("Report %(number)s submitted.", number=case.number)


@bp.route("/cases/new/<case_type>", methods=["GET", "POST"])
@login_required
def new_case(case_type):
    workflow = WORKFLOWS.get(case_type)
    if workflow is None or case_type not in CREATE_FORMS or case_type not in NEW_TEMPLATES:
        abort(404)
    if case_type == "legal_aid":
        legal_aid_pages.check_source_arg(request)  # scope (404), state (409), then the role
    if current_user.role not in workflow.step(workflow.initial_trigger).roles:
        abort(403)
    form = CREATE_FORMS[case_type]().setup(current_user)
    source = None
    # Opened from a hotline call (?from_call=): pre-filled, and the call attached on save.
    call = hotline_pages.call_for_new_case()
    if call is not None and request.method == "GET":
        hotline_pages.prefill_from_call(form, case_type, call)
    if case_type == "protection_order":
        source_id = request.args.get("from_case") if request.method == "GET" else None
        if source_id is not None:
            source = _dv_case_or_404(source_id)
            _prefill_from_dv(form, source)
        elif form.source_case.data:
            # Shown again after an error: name the case it came from, if still visible.
            source = policy.visible_case(current_user, form.source_case.data)
    elif case_type == "legal_aid":
        source = legal_aid_pages.form_source(form, request)
    if source is not None and request.method == "GET" and request.args.get("from_case"):
        # The form shows what the source case holds: a read of that case.
        log_access(current_user, source, "prefill", what=f"new:{case_type}")
        db.session.commit()
    page = NEW_TEMPLATES[case_type]

    def render(status=200):
        return render_template(
            page,
            form=form,
            workflow=workflow,
            source=source
            if source is not None
            and (case_type != "protection_order" or source.type == "dv_warning")
            else None,
            source_identity_hidden=source is not None
            and not policy.can_see_identity(current_user, source),
            pre_provision_last_day=legal_aid_pages.pre_provision_last_day(),
        ), status

    if request.method == "POST":
        token = _client_token()
        if token:
            existing = case_service.created_with_token(current_user, case_type, token)
            if existing is not None:  # the same form sent again: saved once, answered again
                db.session.commit()
                return _created_answer(existing, again=True)
        if form.validate():
            try:
                data = form.to_data() | ({"client_token": token} if token else {})
                case = case_service.create_case(current_user, case_type, data)
                if call is not None:
                    hotline_pages.attach_new_case(call, case)
                db.session.commit()
                warn_names_typed(case, form.data)
                return _created_answer(case)
            except ServiceError as exc:
                if drafts.sent_by_script():
                    db.session.rollback()
                    return drafts.refused(exc.message, _field_errors(form, exc.fields))
                _flash_service_error(exc)
        elif drafts.sent_by_script():
            return drafts.refused(
                _("Please correct the marked fields. Nothing was saved."), _field_errors(form)
            )
        return render(422)
    return render()


def _client_token() -> str | None:
    """The form's one-time token (static/js/drafts.js puts it in): 16–64 URL-safe
    characters, anything else is ignored."""
    token = request.form.get("client_token", "")
    ok = 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)
    return token if ok else None


def _created_answer(case, again: bool = False):
    message = (
        _("%(number)s was already saved.", number=case.number) if again else _created_message(case)
    )
    url = url_for("cases.detail", case_id=case.id)
    if drafts.sent_by_script() == "queue":
        # Sent later from whatever page was open: that page shows the number.
        return drafts.saved(case.number, url, message, 200 if again else 201)
    flash(message, "info" if again else "success")
    if drafts.sent_by_script():
        return drafts.saved(case.number, url, message, 200 if again else 201)
    return redirect(url)


def _field_errors(form, service_fields: dict | None = None) -> dict:
    """The form's messages by the name of the input they belong to (subject-name, …)."""
    errors: dict[str, list[str]] = {}
    for f in form:
        if f.type == "FormField":
            for sub in f:
                if sub.errors:
                    errors[sub.name] = [str(m) for m in sub.errors]
        elif f.errors:
            errors[f.name] = [str(m) for m in f.errors]
    for name, messages in (service_fields or {}).items():
        errors.setdefault(str(name).replace(".", "-"), []).extend(str(m) for m in messages)
    return errors


def _dv_case_or_404(raw_id):
    """The DV case a protection-order application starts from: visible, and a DV case."""
    try:
        case_id = int(raw_id)
    except (TypeError, ValueError):
        abort(404)
    case = policy.visible_case(current_user, case_id)
    if case is None or case.type != "dv_warning":
        abort(404)
    return case


def _prefill_from_dv(form, source) -> None:
    """Start an application from a DV call: the place, the victim, the abuser as respondent,
    the facts and the police documents as evidence. Identities are copied only for a user
    who may see them on the DV case; otherwise they are typed in with the victim."""
    incident = source.dv_incident
    form.source_case.data = source.id
    if source.jurisdiction.code in {c.value for c in form.jurisdiction.choices}:
        form.jurisdiction.data = source.jurisdiction.code
    pairs = ((form.subject.form, source.subject), (form.respondent.form, source.person("abuser")))
    for sub, person in pairs:
        if person is None:
            continue
        view = policy.person_view(current_user, source, person)
        sub.sex.data = view["sex"] or ""
        if view["masked"]:
            continue
        for name in ("name", "id_number", "phone", "address"):
            sub[name].data = view[name] or ""
        sub.birth_date.data = person.birth_date
    form.respondent.form.relation.data = incident.relation
    form.special_protection.data = list(source.special_protection or [])
    # The facts name the people: copied as written only for a user who may see them.
    form.description.data = policy.redact_text(current_user, source, _facts_from_dv(source))
    # The police logged the call, so its call and attendance records exist; a warning
    # letter or a penalty decision is a police document (Art. 20; 法释〔2022〕17号 Art. 6).
    evidence = ["police_records"]
    if incident.warning_number or incident.outcome == "admin_penalty":
        evidence.append("police_documents")
    form.evidence.data = evidence


def _facts_from_dv(source) -> str:
    incident = source.dv_incident
    parts = [source.description.strip()] if source.description.strip() else []
    if incident.warning_number:
        parts.append(
            _(
                "Warning letter %(number)s issued on %(day)s: %(facts)s",
                number=incident.warning_number,
                day=timeutil.to_local(incident.warning_issued_at).date().isoformat(),
                facts=incident.warning_facts or "",
            )
        )
    for event in source.events:
        if event.trigger == "record_repeat" and event.comment:
            when = event.data.get("occurred_at") if event.data else None
            day = (
                datetime.fromisoformat(when).astimezone(timeutil.local_zone()).date()
                if when
                else None
            )
            parts.append(
                _(
                    "Repeat violence on %(day)s: %(what)s",
                    day=day.isoformat() if day else "—",
                    what=event.comment,
                )
            )
    return "\n".join(parts)[:5000]


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


class FormInvalid(ValidationFailed):
    """The action's form has errors; they are shown beside its fields."""


class _Failed:
    def __init__(self, trigger, form):
        self.trigger, self.form = trigger, form


# The other parties shown on the case page, in this order (the reporter has its own line).
OTHER_PERSON_ROLES = ("abuser", "applicant", "respondent")


def _type_context(case) -> dict:
    """What the type's section of the case page needs beyond the case itself."""
    if case.type == "dv_warning":
        drafters = WORKFLOWS["protection_order"].step("draft").roles
        return {
            "can_start_order": case.is_open and current_user.role in drafters,
            "orders_started": queries.orders_started_from(current_user, case),
        }
    if case.type == "protection_order":
        order = case.protection_order
        source = (
            policy.visible_case(current_user, order.source_case_id)
            if order.source_case_id
            else None
        )
        return {"source_case": source, "expiry": _expiry_notice(case)}
    return {}


def _expiry_notice(case) -> dict | None:
    """An order in force whose last day is near: the extension must be applied for before
    it lapses (Art. 30)."""
    order = case.protection_order
    if case.state not in ("issued", "in_force") or order.expires_at is None:
        return None
    now = timeutil.now()
    if not now < order.expires_at <= now + queries.expiry_horizon():
        return None
    last = po_service.last_day(order)
    return {"last_day": last, "days_left": (last - timeutil.to_local(now).date()).days}


def _render_detail(case, failed=None, visit_form=None, referral_form=None, status=200):
    # Every answer showing the case page is a read of the case (views/identity_routes.py);
    # on a refused change the rollback already happened, so this commits the row alone.
    log_access(current_user, case, "page")
    db.session.commit()
    if visit_form is None:
        visit_form = VisitForm(formdata=None, prefix="visit")
        visit_form.version.data = case.version
    if referral_form is None:
        referral_form = ReferralForm(formdata=None, prefix="referral").setup(current_user, case)
        referral_form.version.data = case.version
    return (
        render_template(
            "cases/detail.html",
            # Free text as this user may read it (policy.redactor): the template only shows.
            case=presenters.shown(current_user, case),
            workflow=case.workflow,
            subject=policy.person_view(current_user, case, case.subject) if case.subject else None,
            reporter=(
                policy.person_view(current_user, case, case.person("reporter"))
                if case.person("reporter")
                else None
            ),
            others=[
                policy.person_view(current_user, case, p)
                for p in case.persons
                if p.role in OTHER_PERSON_ROLES
            ],
            identity_visible=policy.can_see_identity(current_user, case),
            **_type_context(case),
            **legal_aid_pages.case_context(case),
            linked_case=referrals.linked_case,
            referral_overdue=queries.referral_overdue,
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
    return _render_detail(_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/actions/<trigger>")
@login_required
def act(case_id, trigger):
    case = _case_or_404(case_id)
    form_class = ACTION_FORMS.get((case.type, trigger))
    if form_class is None:
        abort(404)
    form = form_class(prefix=trigger).setup(current_user, case)

    def fields() -> dict:
        if not form.validate():
            raise FormInvalid()
        return form.to_data()

    # The service checks version, state, role and guards, and only then the form.
    try:
        case_service.fire(current_user, case, trigger, fields, form.version.data)
        db.session.commit()
        warn_names_typed(case, form.data)
    except FormInvalid:
        db.session.rollback()
        return _render_detail(case, failed=_Failed(trigger, form), status=422)
    except ServiceError as exc:
        if _attach_field_errors(form, exc):
            db.session.rollback()
            case = _case_or_404(case_id)
            return _render_detail(case, failed=_Failed(trigger, form), status=exc.status)
        _flash_service_error(exc, form)
        case = _case_or_404(case_id)
        return _render_detail(case, status=exc.status)
    step = case.workflow.step(trigger)
    flash(_("Done: %(action)s.", action=step.label), "success")
    if request.args.get("next") == "review":
        return redirect(url_for("cases.review"))
    return redirect(url_for("cases.detail", case_id=case.id))


def _change_and_return(case_id: int, change, done_message: str, typed=None):
    """Run one service call and commit; on refusal roll back and show the case again.
    `typed`: the form's data, whose free text is checked for the persons' names."""
    try:
        change()
        db.session.commit()
        if typed is not None:
            warn_names_typed(_case_or_404(case_id), typed)
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
    try:  # version, state and role before the fields, as in the API
        visits.check_record(case, current_user, form.version.data)
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
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
        typed=form.data,
    )


@bp.post("/cases/<int:case_id>/referrals")
@login_required
def add_referral(case_id):
    case = _case_or_404(case_id)
    form = ReferralForm(prefix="referral").setup(current_user, case)
    try:  # version, state and role before the fields, as in the API
        referrals.check_add(case, current_user, form.version.data)
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    if not form.validate():
        return _render_detail(case, referral_form=form, status=422)
    orgs = [db.session.get(Organisation, i) for i in form.to_orgs.data]
    return _change_and_return(
        case.id,
        lambda: referrals.add(
            case, current_user, orgs, form.reason.data, form.due_at.data, form.version.data
        ),
        _("Referral sent."),
        typed=form.data,
    )


@bp.post("/referrals/<int:referral_id>/<action>")
@login_required
def answer_referral(referral_id, action):
    referral = db.session.get(Referral, referral_id)
    if referral is None or policy.visible_case(current_user, referral.case_id) is None:
        abort(404)
    form = ReferralAnswerForm()
    try:
        referrals.check_answer(referral, current_user, action)  # state, role: then fields
        if not form.validate():
            abort(400)
        text = form.reason.data if action in ("decline", "withdraw") else form.outcome.data
        referrals.answer(referral, current_user, action, text or "")
        db.session.commit()
        flash(_("Referral answered."), "success")
        warn_names_typed(referral.case, form.data)
    except ServiceError as exc:
        _flash_service_error(exc)
    target = request.args.get("next")
    if target == "inbox":
        return redirect(url_for("cases.referral_inbox"))
    return redirect(url_for("cases.detail", case_id=referral.case_id))


# The review page (/review) is in caseflow/views/review.py, on this blueprint.


@bp.get("/referrals")
@login_required
def referral_inbox():
    show_all = request.args.get("all") == "1"
    received = queries.referrals_to(current_user, open_only=not show_all)
    sent = queries.referrals_from(current_user, open_only=not show_all)
    # The reasons and answers are the cases' free text, as written for the case team.
    log_reads(current_user, list({r.case_id: r.case for r in received + sent}.values()), "list")
    db.session.commit()
    return render_template(
        "referrals.html",
        referrals=[presenters.shown_referral(current_user, r) for r in received],
        show_all=show_all,
        can_answer=lambda r: policy.can_answer_referral(current_user, r),
        can_withdraw=lambda r: policy.can_withdraw_referral(current_user, r),
        sent=[presenters.shown_referral(current_user, r) for r in sent],
        linked_case=referrals.linked_case,
        referral_overdue=queries.referral_overdue,
    )


@bp.get("/workflows")
@login_required
def workflows():
    """The diagrams: the first case type this user opens cases of, the others one tab away."""
    for name, workflow in WORKFLOWS.items():
        if current_user.role in workflow.step(workflow.initial_trigger).roles:
            return redirect(url_for("cases.workflow_diagram", case_type=name))
    return redirect(url_for("cases.workflow_diagram", case_type=next(iter(WORKFLOWS))))


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
        workflows=WORKFLOWS,
        case=case,
        source=mermaid_source(workflow, case.state if case else None),
        side_steps=side_steps(workflow),
    )
