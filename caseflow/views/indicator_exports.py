"""The annual monitoring workbook export: a form, a progress page that polls the job,
the job's status as JSON and the finished file.

Only the job's owner sees a job (others get 404); roles that cannot read indicators get
403 everywhere here.
"""

from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import heartbeat, policy, timeutil
from ..extensions import db
from ..indicators import exports
from ..models import ExportJob, Jurisdiction, Plan
from ..services.errors import ServiceError

bp = Blueprint("indicator_exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader():
    if not policy.can_read_indicators(current_user):
        abort(403)


def _job_or_404(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id) if 0 < job_id <= policy.MAX_ID else None
    if job is None or job.user_id != current_user.id:
        abort(404)
    exports.refresh(job)
    db.session.commit()
    return job


def _places():
    root = current_user.organisation.jurisdiction
    return db.session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(root.path))
        .order_by(Jurisdiction.path)
    ).all()


def _plans():
    root = current_user.organisation.jurisdiction
    plans = db.session.scalars(select(Plan).order_by(Plan.id)).all()
    return [p for p in plans if p.jurisdiction.contains(root) or root.contains(p.jurisdiction)]


def _form(values=None, errors=None, message=None, status=200):
    last_year = timeutil.to_local(timeutil.now()).year - 1
    values = values or {"year": str(last_year), "plans": [], "jurisdiction": ""}
    return (
        render_template(
            "indicators/export.html",
            job=None,
            plans=_plans(),
            places=_places(),
            values=values,
            errors=errors or {},
            message=message,
        ),
        status,
    )


@bp.get("/indicators/export")
@login_required
def form():
    _reader()
    return _form()


@bp.post("/indicators/export")
@login_required
def start():
    _reader()
    values = {
        "plans": [p for p in request.form.getlist("plan") if p.strip()],
        "year": request.form.get("year", ""),
        "jurisdiction": request.form.get("jurisdiction", ""),
    }
    try:
        job = exports.start(current_user, dict(values))
    except ServiceError as exc:
        db.session.rollback()
        errors = {name: [str(m) for m in messages] for name, messages in exc.fields.items()}
        return _form(values, errors, str(exc.message), exc.status)
    return redirect(url_for("indicator_exports.job", job_id=job.id), code=303)


@bp.get("/indicators/export/<int:job_id>")
@login_required
def job(job_id):
    _reader()
    job = _job_or_404(job_id)
    return render_template(
        "indicators/export.html",
        job=job,
        state=_state(job),
        place=db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == job.params.get("jurisdiction"))
        ),
        plans=[db.session.get(Plan, pid) for pid in job.params.get("plans", [])],
    )


def _state(job: ExportJob) -> dict:
    state = exports.status(job)
    state["download_url"] = (
        url_for("indicator_exports.download", job_id=job.id) if job.status == "done" else None
    )
    state["status_label"] = _status_label(job.status)
    state["waiting"] = job.status == "queued" and not heartbeat.recent()
    if job.status == "failed":
        state["message"] = _("The workbook could not be built.")
    return state


def _status_label(code: str) -> str:
    from ..vocab import EXPORT_STATUSES, label

    return str(label(EXPORT_STATUSES, code))


@bp.get("/indicators/export/<int:job_id>/status")
@login_required
def status(job_id):
    _reader()
    return _state(_job_or_404(job_id))


@bp.get("/indicators/export/<int:job_id>/download")
@login_required
def download(job_id):
    _reader()
    job = _job_or_404(job_id)
    if job.status != "done" or job.content is None:
        abort(404)
    name = job.filename or exports.ascii_filename(job)
    disposition = (
        f'attachment; filename="{exports.ascii_filename(job)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
    return Response(
        job.content,
        mimetype=XLSX,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )
