"""Case notes on the case page and in the API (services.notes)."""

from flask import flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, presenters
from ..extensions import db
from ..services import notes
from ..services.errors import ServiceError, ValidationFailed
from .api import _case, _check_version, commit, json_body, token_required
from .api import bp as api_bp
from .cases import _case_or_404, _flash_service_error, _render_detail, bp


def install(app) -> None:
    @app.template_global()
    def may_add_note(case) -> bool:
        return policy.can_add_note(current_user, case)


@bp.post("/cases/<int:case_id>/notes")
@login_required
def add_note(case_id):
    case = _case_or_404(case_id)
    raw = (request.form.get("version") or "").strip()
    try:
        if not raw.isdigit() or len(raw) > 18:
            raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
        notes.add(case, current_user, request.form.get("text", ""), int(raw))
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Note added."), "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#timeline")


@api_bp.post("/cases/<int:case_id>/notes")
@token_required
def api_add_note(case_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    version = _check_version(case, body)
    event = notes.add(case, user, body.get("text"), version)
    # Checked after the state and the role (the house order), before anything commits.
    unknown = set(body) - {"text", "version"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    commit()
    return jsonify({"event": presenters.event(event), "version": case.version}), 201
