"""Building the annual monitoring workbook in the background, so the page stays
responsive: `start` checks the request and queues an ExportJob, a daemon thread runs
`run_job`, and the page polls the job's progress.

`start` commits, unlike the services: the thread opens its own session and must see the
job row. A job queued or running for more than STALE is reported as failed (its thread
died with the process that ran it).
"""

import threading
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import policy, timeutil
from ..extensions import db
from ..models import ExportJob, Jurisdiction, Plan, User
from ..services.errors import Forbidden, NotFound, ValidationFailed
from . import workbook
from .periods import parse_year
from .plans import covering

STALE = timedelta(minutes=10)
ACTIVE = ("queued", "running")
MAX_PLANS = 20
MAX_ERROR = 1000


def _plan(ref) -> Plan | None:
    """A plan by id or by code."""
    text = str(ref).strip()
    if not text or len(text) > 64:
        return None
    if text.isdigit():
        number = int(text)
        return db.session.get(Plan, number) if number <= policy.MAX_ID else None
    return db.session.scalar(select(Plan).where(Plan.code == text))


def validate(user: User, params: dict) -> dict:
    """The cleaned parameters {plans: [ids], year, jurisdiction: code}, or an error."""
    if not policy.can_read_indicators(user):
        raise Forbidden(_l("Only statisticians and supervisors may export indicators."))
    errors: dict[str, list] = {}
    year = parse_year(params.get("year"))
    if year is None:
        errors["year"] = [_l("Enter a year such as 2026.")]

    code = params.get("jurisdiction")
    if code in (None, ""):
        place = user.organisation.jurisdiction
    elif not isinstance(code, str) or len(code) > 32:
        raise NotFound(_l("No such place."))
    else:
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code.strip()))
        if place is None:
            raise NotFound(_l("No such place."))
    if policy.count_scope(user, place) is None:
        raise Forbidden(_l("This place is outside your area."))

    refs = params.get("plans")
    if refs in (None, "", []):
        refs = []
    elif isinstance(refs, str | int):
        refs = [refs]
    elif not isinstance(refs, list | tuple):
        raise ValidationFailed(fields={"plan": [_l("Choose a plan.")]})
    refs = [r for r in refs if str(r).strip()]
    if len(refs) > MAX_PLANS:
        raise ValidationFailed(fields={"plan": [_l("Choose a plan.")]})
    plans: list[Plan] = []
    for ref in refs:
        plan = _plan(ref)
        if plan is None:
            raise NotFound(_l("No such plan."))
        if plan not in plans:
            plans.append(plan)
    if not refs:
        plans = covering(place)
        if not plans:
            errors["plan"] = [_l("No plan covers this place.")]
    elif any(not plan.jurisdiction.contains(place) for plan in plans):
        errors["plan"] = [_l("The plan is not a plan of this place or of a place above it.")]
    if year is not None and plans and not all(plan.covers(year) for plan in plans):
        first = max(plan.baseline_year for plan in plans)
        last = min(plan.end_year for plan in plans)
        errors["year"] = [
            _l("The year is outside the plan (%(first)d–%(last)d).", first=first, last=last)
        ]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"plans": [plan.id for plan in plans], "year": year, "jurisdiction": place.code}


def refresh(job: ExportJob) -> ExportJob:
    """Mark a job that has been queued or running for too long as failed."""
    if job.status in ACTIVE and timeutil.now() - job.created_at > STALE:
        job.status = "failed"
        job.error = _("The export took too long and was stopped. Start it again.")
        job.finished_at = timeutil.now()
        db.session.flush()
    return job


def active_job(user: User) -> ExportJob | None:
    """The user's export still in progress, if any (stale ones are closed on the way)."""
    jobs = db.session.scalars(
        select(ExportJob)
        .where(ExportJob.user_id == user.id, ExportJob.status.in_(ACTIVE))
        .order_by(ExportJob.id.desc())
    ).all()
    running = None
    for job in jobs:
        if refresh(job).status in ACTIVE and running is None:
            running = job
    return running


def start(user: User, params: dict, background: bool = True) -> ExportJob:
    """Queue an export and start its thread; an export of this user still in progress is
    returned instead of a second one."""
    clean = validate(user, params)
    running = active_job(user)
    if running is not None:
        db.session.commit()
        return running
    place = db.session.scalar(
        select(Jurisdiction).where(Jurisdiction.code == clean["jurisdiction"])
    )
    plans = [db.session.get(Plan, pid) for pid in clean["plans"]]
    clean["hide_small"] = policy.suppresses_small_numbers(user)
    job = ExportJob(
        user_id=user.id,
        params=clean,
        status="queued",
        done_steps=0,
        total_steps=workbook.total_steps(plans, policy.count_scope(user, place)),
        created_at=timeutil.now(),
    )
    db.session.add(job)
    db.session.commit()
    if background:
        launch(current_app._get_current_object(), job.id)
    return job


def launch(app, job_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=run_job, args=(app, job_id), name=f"export-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _set(job_id: int, **values) -> None:
    """Write progress on a connection of its own, so the build's session keeps its
    loaded objects (a commit there would expire them)."""
    with db.engine.begin() as connection:
        connection.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


def run_job(app, job_id: int) -> None:
    """Build the workbook of a queued job and store it; never raises (it runs in a thread
    where an exception would only be lost)."""
    with app.app_context():
        try:
            _run(job_id)
        except Exception as exc:  # noqa: BLE001 - any failure becomes the job's error
            db.session.rollback()
            app.logger.exception("export %s failed", job_id)
            try:
                message = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                _set(job_id, status="failed", error=message, finished_at=timeutil.now())
            except Exception:  # noqa: BLE001 - the database itself is gone
                app.logger.exception("export %s: could not record the failure", job_id)
        finally:
            db.session.remove()


def _run(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status = "running"
    db.session.commit()
    params = job.params
    user = job.user
    place = db.session.scalar(
        select(Jurisdiction).where(Jurisdiction.code == params["jurisdiction"])
    )
    scope = policy.count_scope(user, place) if user.active and place is not None else None
    if scope is None:
        raise PermissionError("the user may no longer count this place")
    plans = [db.session.get(Plan, pid) for pid in params["plans"]]
    if any(plan is None for plan in plans):
        raise LookupError("a plan of the export was deleted")

    def progress(done: int, total: int) -> None:
        _set(job_id, done_steps=min(done, total), total_steps=total)

    content = workbook.build(plans, params["year"], scope, params["hide_small"], progress)
    job = db.session.get(ExportJob, job_id)
    db.session.refresh(job)
    job.content = content
    job.filename = filename(place, params["year"])
    job.status = "done"
    job.done_steps = job.total_steps
    job.finished_at = timeutil.now()
    db.session.commit()


def filename(place: Jurisdiction, year: int) -> str:
    return f"{place.name}{year}年度监测报表.xlsx"


def ascii_filename(job: ExportJob) -> str:
    params = job.params or {}
    return f"monitoring-{params.get('jurisdiction', 'place')}-{params.get('year', '')}.xlsx"


def status(job: ExportJob) -> dict:
    """The job's progress as the page's script reads it."""
    total = max(job.total_steps or 1, 1)
    done = min(job.done_steps or 0, total)
    percent = 100 if job.status == "done" else int(done * 100 / total)
    return {
        "id": job.id,
        "status": job.status,
        "done": done,
        "total": total,
        "percent": percent,
        "error": job.error if job.status == "failed" else None,
    }
