"""The supervisor's review page, deadline waivers from the pages, and the rule-pack page.

Attached to the blueprint of caseflow/views/cases.py (endpoints `cases.review`,
`cases.waive_deadline`, `cases.rule_pack`). The review page shows, for the supervisor's
jurisdiction, one section at a time (`?section=`), each with its count, filtered by
`type` and `place` (a jurisdiction code) and sorted by `sort=due|number` and `dir=desc`;
below, the workload per worker and per organisation.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import policy, presenters
from ..deadlines.statutory import PERIODS
from ..extensions import db
from ..forms import ACTION_FORMS
from ..models import Deadline, Jurisdiction
from ..services import review as review_service
from ..services import waivers
from ..services.errors import ServiceError
from ..workflows import WORKFLOWS
from ..workflows.base import UnknownTrigger
from .cases import _case_or_404, _flash_service_error, _render_detail, bp
from .params import Params

RULE_ROLES = frozenset({"admin", "supervisor"})


@bp.app_template_global()
def may_waive(deadline) -> bool:
    """Whether the logged-in user may waive this deadline now (the case page's form)."""
    return waivers.is_waivable(deadline) and waivers.may_waive(current_user, deadline)


def _section() -> str:
    section = request.args.get("section")
    return section if section in review_service.SECTIONS else "closures"


def _review_args() -> dict:
    """The review page's filters, as storable text (a refused one is named on the page)."""
    params = Params(request.args)
    clean = {name: params.text(name, 32) for name in ("type", "place", "sort", "dir")}
    params.flash_errors()
    return {name: value for name, value in clean.items() if value is not None}


def _render_review(status: int = 200):
    clean = _review_args()
    filters = review_service.ReviewFilters.from_args(clean)
    section = _section()
    rows = review_service.rows(current_user, section, filters)
    closures = []
    if section == "closures":
        for row in rows:
            case = row.case
            form = ACTION_FORMS[(case.type, "approve_closure")](
                formdata=None, prefix="approve_closure"
            )
            form.version.data = case.version
            steps = policy.allowed_steps(current_user, case)
            shown = presenters.shown(current_user, case)  # the request's comment, redacted
            closures.append((case, shown.last_event("request_closure"), form, steps))
    workers, organisations = review_service.workload(current_user)
    args = clean
    return (
        render_template(
            "review.html",
            section=section,
            sections=review_service.SECTIONS,
            counts=review_service.counts(current_user, filters),
            filters=filters,
            args=args,
            rows=rows,
            items=closures,
            places=review_service.places(current_user),
            case_types=[(name, wf.label) for name, wf in WORKFLOWS.items()],
            workers=workers,
            organisations=organisations,
        ),
        status,
    )


@bp.get("/review")
@login_required
def review():
    if current_user.role != "supervisor":
        abort(403)
    return _render_review()


@bp.post("/deadlines/<int:deadline_id>/waive")
@login_required
def waive_deadline(deadline_id):
    deadline = db.session.get(Deadline, deadline_id) if deadline_id <= policy.MAX_ID else None
    if deadline is None or policy.visible_case(current_user, deadline.case_id) is None:
        abort(404)
    case_id = deadline.case_id
    back_to_review = request.args.get("next") == "review"
    try:
        waivers.waive(deadline, current_user, request.form.get("reason"))
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        if back_to_review and current_user.role == "supervisor":
            return _render_review(status=exc.status)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Deadline waived."), "success")
    if back_to_review:
        keep = {k: v for k, v in request.args.items() if k != "next"}
        return redirect(url_for("cases.review", **keep))
    return redirect(url_for("cases.detail", case_id=case_id) + "#deadlines")


def rule_source(pack, kind: str, path: str) -> str | None:
    """The jurisdiction code whose override sets this rule at `path`, None for the default."""
    for code in reversed([c for c in path.split("/") if c]):
        if kind in pack.overrides.get(code, {}):
            return code
    return None


def _plan_source(pack, case_type: str, path: str) -> str | None:
    overrides = getattr(pack, "plan_overrides", {})
    for code in reversed([c for c in path.split("/") if c]):
        if case_type in overrides.get(code, {}):
            return code
    return None


def _step_label(workflow, trigger: str) -> str:
    """A plan's trigger in words (never the internal code, unless the step is gone)."""
    try:
        return str(workflow.step(trigger).label)
    except UnknownTrigger:  # a pack naming a step the workflow no longer has
        return trigger


@bp.get("/admin/rules")
@login_required
def rule_pack():
    """The rules in force for a jurisdiction, with their sources (read-only: a file)."""
    if current_user.role not in RULE_ROLES:
        abort(403)
    from ..services.rule_overrides import current_pack, source_of

    pack = current_pack()
    places = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.path)).all()
    code = (request.args.get("jurisdiction") or current_user.organisation.jurisdiction.code)[:32]
    chosen = next((p for p in places if p.code == code), None)
    if chosen is None:
        abort(404)
    english = str(get_locale()).startswith("en")
    names = {p.code: p for p in places}
    rules = []
    for kind in pack.defaults:
        rule = pack.rule(kind, chosen.path)
        source, origin = source_of(pack, kind, chosen.path)
        rules.append(
            {
                "kind": kind,
                "rule": rule,
                "source": source,
                "origin": origin,
                "source_place": names.get(source),
                "default": pack.defaults[kind],
                "basis": rule.basis_en if english else rule.basis,
            }
        )
    plans = []
    if hasattr(pack, "visit_plan"):
        for case_type, workflow in WORKFLOWS.items():
            plan = pack.visit_plan(case_type, chosen.path)
            if plan is None:
                continue
            source = _plan_source(pack, case_type, chosen.path)
            plans.append(
                {
                    "label": workflow.label,
                    "after": _step_label(workflow, plan.after),
                    "plan": plan,
                    "source": source,
                    "source_place": names.get(source),
                    "basis": plan.basis_en if english else plan.basis,
                }
            )
    return render_template(
        "admin_rules.html",
        places=places,
        chosen=chosen,
        rules=rules,
        plans=plans,
        reminders=list(pack.reminders.values()),
        overridden_codes=sorted(pack.overrides),
        periods=PERIODS,
        kinds=set(pack.defaults),
    )
