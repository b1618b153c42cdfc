"""Assignment on the case page and in the API (services.assignment), and the "my cases" /
"my unit's cases" lists of the my-work page."""

from flask import flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import policy, presenters
from ..extensions import db
from ..models import Case
from ..services import assignment
from ..services.errors import ServiceError, ValidationFailed
from .api import _case, _check_version, commit, json_body, token_required
from .api import bp as api_bp
from .cases import _case_or_404, _flash_service_error, _render_detail, bp

MY_WORK_LIMIT = 50


def _open_cases(condition) -> list[Case]:
    """Open cases matching the condition, within the user's scope, newest change first."""
    from ..workflows import WORKFLOWS

    final = {s for wf in WORKFLOWS.values() for s in wf.final_states}
    return list(
        db.session.scalars(
            select(Case)
            .where(condition, policy.scope(current_user), Case.state.not_in(final))
            .order_by(Case.urgent.desc(), Case.updated_at.desc())
            .limit(MY_WORK_LIMIT)
        )
    )


def install(app) -> None:
    @app.template_global()
    def assignment_panel(case) -> dict | None:
        if not case.is_open or not policy.can_assign(current_user, case):
            return None
        return {"workers": assignment.workers(case)}

    @app.template_global()
    def my_cases() -> list[Case]:
        return _open_cases(Case.owner_user_id == current_user.id)

    @app.template_global()
    def my_unit_cases() -> list[Case]:
        return _open_cases(Case.owner_org_id == current_user.organisation_id)


def _int(raw):
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)


@bp.post("/cases/<int:case_id>/assignment")
@login_required
def assign_case(case_id):
    case = _case_or_404(case_id)
    try:
        version = _int(request.form.get("version"))
        if version is None:
            raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
        assignment.assign(case, current_user, _int(request.form.get("user")), version)
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Case assigned."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@api_bp.post("/cases/<int:case_id>/assignment")
@token_required
def api_assign_case(case_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    version = _check_version(case, body)
    worker = body.get("user")
    assignment.assign(case, user, worker if isinstance(worker, int) else None, version)
    unknown = set(body) - {"user", "version"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    commit()
    return jsonify(presenters.case_detail(user, case))
