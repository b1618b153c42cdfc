"""The administrator's page of the audit trail: the last verification of every event
chain and checkpoint (services/audit_checks.py), with the breaks it found."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import AuditVerification
from ..services import audit_checks

bp = Blueprint("audit", __name__)

RECENT_RUNS = 20


@bp.get("/admin/audit")
@login_required
def verification():
    if current_user.role != "admin":
        abort(403)
    runs = db.session.scalars(
        select(AuditVerification)
        .order_by(AuditVerification.started_at.desc(), AuditVerification.id.desc())
        .limit(RECENT_RUNS)
    ).all()
    return render_template(
        "admin_audit.html",
        last=runs[0] if runs else None,
        runs=runs,
        reasons=audit_checks.REASON_LABELS,
    )
