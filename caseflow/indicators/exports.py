"""Building the annual monitoring workbook in the background, so the page stays
responsive: `start` checks the request and queues an ExportJob row, the scheduler process
(scheduler.py, job `exports`) claims queued rows and runs them, and the page polls the
row's progress.

The queue is the table: a job waits there until a scheduler takes it, so it survives a
restart of the web servers and of the scheduler. A claim is a lease: `claim` takes the
oldest queued job (FOR UPDATE SKIP LOCKED on PostgreSQL), marks it running under the
claiming instance and commits; the build renews the lease with every step of progress. A
job whose lease ran out (its scheduler died while building) is taken again, at most
MAX_ATTEMPTS times, then failed with the reason. Progress and the result are written only
while the claim is still this instance's, so a job is finished once.

`start` commits, unlike the services: the scheduler runs in another process and must see
the job row.
"""

import os
import socket
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import policy, replica, timeutil
from ..extensions import db
from ..models import ExportJob, Jurisdiction, Plan, User
from ..services.errors import Forbidden, NotFound, ValidationFailed
from . import workbook
from .periods import parse_year
from .plans import covering

ACTIVE = ("queued", "running")
MAX_PLANS = 20
MAX_ERROR = 1000
MAX_ATTEMPTS = 3


class LeaseLost(Exception):
    """Another scheduler took the job over (this one's lease ran out)."""


def instance_id() -> str:
    """Who claims: host, process and a random part (a restarted process is another one)."""
    global _INSTANCE
    if _INSTANCE is None:
        _INSTANCE = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return _INSTANCE


_INSTANCE: str | None = None


def lease() -> timedelta:
    return timedelta(seconds=current_app.config["EXPORT_LEASE_SECONDS"])


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
    """The job as stored now (the scheduler writes it from another process)."""
    if job.status in ACTIVE:
        db.session.refresh(job)
    return job


def active_job(user: User) -> ExportJob | None:
    """The user's export still queued or running, if any."""
    return db.session.scalars(
        select(ExportJob)
        .where(ExportJob.user_id == user.id, ExportJob.status.in_(ACTIVE))
        .order_by(ExportJob.id.desc())
        .limit(1)
    ).first()


def start(user: User, params: dict) -> ExportJob:
    """Queue an export for the scheduler; an export of this user still in progress is
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
        attempts=0,
    )
    db.session.add(job)
    db.session.commit()
    return job


def claim(instance: str | None = None) -> int | None:
    """Take the oldest job waiting (queued, or running under a lease that ran out) for
    `instance` and commit the claim; the id, or None when nothing waits. A job already
    taken MAX_ATTEMPTS times is failed here instead, with the reason."""
    instance = instance or instance_id()
    now = timeutil.now()
    while True:
        job = db.session.scalars(
            select(ExportJob)
            .where(
                (ExportJob.status == "queued")
                | ((ExportJob.status == "running") & (ExportJob.claimed_at < now - lease()))
            )
            .order_by(ExportJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if job is None:
            db.session.commit()
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status = "failed"
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                job.error = _(
                    "The export was interrupted %(n)d times (the scheduler stopped while "
                    "building it). Start it again.",
                    n=job.attempts,
                )
            job.finished_at = now
            db.session.commit()
            continue
        job.status = "running"
        job.claimed_by = instance
        job.claimed_at = now
        job.started_at = job.started_at or now
        job.attempts += 1
        job.done_steps = 0
        db.session.commit()
        return job.id


def run_pending(app, limit: int = 10, instance: str | None = None) -> int:
    """What the scheduler's `exports` job does: claim and build waiting jobs one after the
    other, at most `limit` of them; returns how many it took."""
    taken = 0
    with app.app_context():
        while taken < limit:
            try:
                job_id = claim(instance)
            except Exception:  # noqa: BLE001 - the next run tries again
                db.session.rollback()
                app.logger.exception("exports: could not claim a job")
                break
            finally:
                db.session.remove()
            if job_id is None:
                break
            taken += 1
            run_job(app, job_id, instance)
    return taken


def _set(job_id: int, instance: str, **values) -> None:
    """Write on a connection of its own, so the build's session keeps its loaded objects
    (a commit there would expire them), and only while the claim is this instance's;
    every write renews the lease."""
    with db.engine.begin() as connection:
        result = connection.execute(
            update(ExportJob)
            .where(
                ExportJob.id == job_id,
                ExportJob.status == "running",
                ExportJob.claimed_by == instance,
            )
            .values(claimed_at=timeutil.now(), **values)
        )
    if result.rowcount != 1:
        raise LeaseLost(job_id)


def run_job(app, job_id: int, instance: str | None = None) -> None:
    """Build the workbook of a job claimed by `instance` and store it; never raises (a
    failure becomes the job's error)."""
    instance = instance or instance_id()
    with app.app_context():
        try:
            _run(job_id, instance)
        except LeaseLost:
            db.session.rollback()
            app.logger.warning("export %s was taken over by another scheduler", job_id)
        except Exception as exc:  # noqa: BLE001 - any failure becomes the job's error
            db.session.rollback()
            app.logger.exception("export %s failed", job_id)
            try:
                message = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                _set(job_id, instance, status="failed", error=message, finished_at=timeutil.now())
            except LeaseLost:
                pass
            except Exception:  # noqa: BLE001 - the database itself is gone
                app.logger.exception("export %s: could not record the failure", job_id)
        finally:
            db.session.remove()


def _run(job_id: int, instance: str) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "running" or job.claimed_by != instance:
        return
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
        _set(job_id, instance, done_steps=min(done, total), total_steps=total)

    with replica.reading():  # the replica, if there is one, answers the build's queries
        content = workbook.build(plans, params["year"], scope, params["hide_small"], progress)
    total = db.session.scalar(select(ExportJob.total_steps).where(ExportJob.id == job_id))
    _set(
        job_id,
        instance,
        content=content,
        filename=filename(place, params["year"]),
        status="done",
        done_steps=total,
        finished_at=timeutil.now(),
    )
    db.session.rollback()


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
