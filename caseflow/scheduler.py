"""The scheduler process: `flask --app wsgi scheduler`. One process beside the web
workers (never inside them), running APScheduler 3 with fixed job ids:

- `sweep` every SWEEP_MINUTES: deadlines, expiries, reminders, escalations;
- `outbox` every minute: emails of committed notifications;
- `digest` every day at DIGEST_TIME: one email per digest user of what is unread;
- `partitions` every day at PARTITIONS_HOUR (and on start): on PostgreSQL, the monthly
  partitions of events and the access log for this month and the next ones
  (caseflow/partitions.py);
- `audit` every night at AUDIT_HOUR:AUDIT_MINUTE: verify every event chain against its
  keys and checkpoints, checkpoint the intact heads, record the run and notify the
  administrators and the place's supervisors of each break (services/audit_checks.py).

On start it runs the sweep and the outbox once, so a scheduler that was down catches up
at once; every job is idempotent, so a second scheduler, or cron calling `flask sweep`,
does no harm. Two sweeps never run at once: within this process a job has at most one
instance (a run still going when the next is due is skipped, not stacked: max_instances
and coalesce), across processes the sweep takes a database lock and a second one skips
its turn (services/sweeps.py). A sweep that takes longer than its interval is logged.
"""

import logging
import time

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .extensions import db

log = logging.getLogger(__name__)

SWEEP_MINUTES = 5
DIGEST_HOUR, DIGEST_MINUTE = 7, 30
PARTITIONS_HOUR = 3


def run_sweep(app: Flask) -> None:
    from .services import calendar, sweeps

    started = time.monotonic()
    with app.app_context():
        try:
            result = sweeps.run()
            if not result.skipped:
                calendar.announce_missing_notice()  # once a year, from 1 November
            db.session.commit()
            log.info("sweep: %s", result)
        except Exception:
            db.session.rollback()
            log.exception("sweep failed; the next run tries again")
    elapsed = time.monotonic() - started
    if elapsed > SWEEP_MINUTES * 60:
        log.warning(
            "sweep took %.0f s, longer than its %d-minute interval; the next run was skipped, "
            "not stacked",
            elapsed,
            SWEEP_MINUTES,
        )
    return elapsed


def run_outbox(app: Flask) -> None:
    from .services import notifications

    with app.app_context():
        try:
            notifications.send_pending()
        except Exception:
            db.session.rollback()
            log.exception("outbox failed; the next run tries again")


def run_digest(app: Flask) -> None:
    from .services import digest

    with app.app_context():
        try:
            digest.queue_digests()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("digest failed; the next run tries again")


def run_partitions(app: Flask) -> None:
    from . import partitions

    with app.app_context():
        try:
            created = partitions.ensure_ahead(db.session.connection())
            db.session.commit()
            if created:
                log.info("partitions created: %s", ", ".join(created))
        except Exception:
            db.session.rollback()
            log.exception("creating partitions failed; the next run tries again")


def run_audit(app: Flask) -> None:
    from .services import audit_checks

    with app.app_context():
        try:
            run, added, notified = audit_checks.nightly()
            db.session.commit()
            log_at = log.warning if run.breaks else log.info
            log_at(
                "audit: %d case(s), %d break(s), %d checkpoint(s) added, %d notified",
                run.cases,
                run.breaks,
                added,
                notified,
            )
        except Exception:
            db.session.rollback()
            log.exception("audit verification failed; the next night tries again")


def build(app: Flask, scheduler_class=BlockingScheduler):
    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    jobs = {
        "sweep": (run_sweep, {"trigger": "interval", "minutes": SWEEP_MINUTES}),
        "outbox": (run_outbox, {"trigger": "interval", "minutes": 1}),
        "digest": (run_digest, {"trigger": "cron", "hour": DIGEST_HOUR, "minute": DIGEST_MINUTE}),
        "partitions": (run_partitions, {"trigger": "cron", "hour": PARTITIONS_HOUR, "minute": 0}),
        "audit": (
            run_audit,
            {
                "trigger": "cron",
                "hour": app.config["AUDIT_HOUR"],
                "minute": app.config["AUDIT_MINUTE"],
            },
        ),
    }
    for job_id, (func, trigger) in jobs.items():
        scheduler.add_job(
            func,
            args=[app],
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,  # after a pause, one run, not one per missed interval
            misfire_grace_time=None,
            **trigger,
        )
    return scheduler


def catch_up(app: Flask) -> None:
    """What a scheduler does first: everything that fell due while it was down."""
    run_partitions(app)
    run_sweep(app)
    run_outbox(app)
