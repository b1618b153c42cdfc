"""Transfer of an open case to another unit, on the case page and in the API
(services.transfers)."""

from flask import flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, presenters
from ..extensions import db
from ..models import CaseTransfer
from ..services import transfers
from ..services.errors import NotFound, ServiceError, ValidationFailed
from .api import _case, _check_version, commit, json_body, token_required
from .api import bp as api_bp
from .cases import _case_or_404, _flash_service_error, _render_detail, bp


def install(app) -> None:
    @app.template_global()
    def transfer_panel(case) -> dict | None:
        waiting = transfers.pending(case)
        may_offer = waiting is None and policy.can_offer_transfer(current_user, case)
        if waiting is None and not may_offer:
            return None
        return {
            "pending": waiting,
            "may_answer": waiting is not None and policy.can_answer_transfer(current_user, waiting),
            "units": transfers.receiving_units(case) if may_offer else [],
        }


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _pending_of(case, transfer_id) -> CaseTransfer:
    transfer = db.session.get(CaseTransfer, transfer_id)
    if transfer is None or transfer.case_id != case.id:
        raise NotFound()
    return transfer


@bp.post("/cases/<int:case_id>/transfers")
@login_required
def offer_transfer(case_id):
    case = _case_or_404(case_id)
    try:
        version = _int(request.form.get("version"))
        if version is None:
            raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
        transfers.offer(
            case,
            current_user,
            _int(request.form.get("to_org")),
            request.form.get("reason"),
            version,
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Transfer offered."), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.post("/cases/<int:case_id>/transfers/<int:transfer_id>/<any(accept, decline):action>")
@login_required
def answer_transfer(case_id, transfer_id, action):
    case = _case_or_404(case_id)
    try:
        version = _int(request.form.get("version"))
        if version is None:
            raise ValidationFailed(fields={"version": [_("Not a valid integer value.")]})
        transfer = _pending_of(case, transfer_id)
        transfers.answer(
            transfer, current_user, action == "accept", request.form.get("reason"), version
        )
        db.session.commit()
    except ServiceError as exc:
        _flash_service_error(exc)
        return _render_detail(_case_or_404(case_id), status=exc.status)
    flash(_("Transfer answered."), "success")
    if action == "decline" or policy.visible_case(current_user, case_id) is not None:
        return redirect(url_for("cases.detail", case_id=case_id))
    return redirect(url_for("cases.my_work"))


def _transfer_json(transfer: CaseTransfer) -> dict:
    return {
        "id": transfer.id,
        "status": transfer.status,
        "from_org": transfer.from_org_id,
        "to_org": transfer.to_org_id,
        "reason": transfer.reason,
        "answer": transfer.answer,
        "requested_at": presenters.iso(transfer.requested_at),
        "answered_at": presenters.iso(transfer.answered_at),
        "version": transfer.case.version,
    }


@api_bp.post("/cases/<int:case_id>/transfers")
@token_required
def api_offer_transfer(case_id):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    version = _check_version(case, body)
    to_org = body.get("to_org")
    transfer = transfers.offer(
        case, user, to_org if isinstance(to_org, int) else None, body.get("reason"), version
    )
    unknown = set(body) - {"to_org", "reason", "version"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    commit()
    return jsonify(_transfer_json(transfer)), 201


@api_bp.post("/cases/<int:case_id>/transfers/<int:transfer_id>/<any(accept, decline):action>")
@token_required
def api_answer_transfer(case_id, transfer_id, action):
    user = g.api_user
    body = json_body()
    case = _case(user, case_id)
    version = _check_version(case, body)
    transfer = _pending_of(case, transfer_id)
    transfers.answer(transfer, user, action == "accept", body.get("reason"), version)
    unknown = set(body) - {"reason", "version"}
    if unknown:
        raise ValidationFailed(fields={k: [_("Unknown field.")] for k in sorted(unknown)})
    commit()
    return jsonify(_transfer_json(transfer))
