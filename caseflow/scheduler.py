"""The scheduler process: `flask --app wsgi scheduler`. One process beside the web
workers (never inside them), running APScheduler 3 with fixed job ids:

- `sweep` every SWEEP_MINUTES: deadlines, expiries, reminders, escalations;
- `outbox` every minute: emails of committed notifications;
- `exports` every EXPORT_POLL_SECONDS: the indicator workbooks queued by the pages
  (indicators/exports.py: claimed with a lease, built once, progress on the row);
- `heartbeat` every SCHEDULER_HEARTBEAT_SECONDS: the heartbeat row /readyz reads, and a
  check that this process still holds the scheduler lock;
- `digest` every day at DIGEST_TIME: one email per digest user of what is unread;
- `partitions` every day at PARTITIONS_HOUR (and on start): on PostgreSQL, the monthly
  partitions of events and the access log for this month and the next ones
  (caseflow/partitions.py);
- `audit` every night at AUDIT_HOUR:AUDIT_MINUTE: verify every event chain against its
  keys and checkpoints, checkpoint the intact heads, record the run and notify the
  administrators and the place's supervisors of each break (services/audit_checks.py).

Exactly one scheduler is active at a time: on PostgreSQL it holds a session-level
advisory lock on a connection of its own, on SQLite an exclusive lock on a file beside
the database (one host). A second scheduler started meanwhile waits, trying the lock every
SCHEDULER_LOCK_POLL_SECONDS; when the active one dies its lock goes with its connection
(or its file descriptor) and the waiting one takes over. A scheduler that finds it lost
the lock (the database dropped its connection) stops, to be started again by its
supervisor (systemd), and waits like any other.

On start it runs the sweep and the outbox once (and today's digest if its hour has
passed), so a scheduler that was down catches up at once; every job is idempotent.

Within this process a job has at most one instance (a run still going when the next is
due is skipped, not stacked: max_instances and coalesce); across processes the sweep takes
a database lock and a second one skips its turn (services/sweeps.py). A sweep that takes
longer than its interval is logged.
"""

import fcntl
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from . import timeutil
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


def run_exports(app: Flask) -> None:
    from .indicators import exports

    try:
        exports.run_pending(app)
    except Exception:
        log.exception("exports failed; the next run tries again")


def run_heartbeat(app: Flask, instance: str, started_at: datetime, lock, scheduler) -> None:
    """Renew the heartbeat row; stop the scheduler if its lock is gone."""
    from . import heartbeat

    if lock is not None and not lock.alive():
        log.error("the scheduler lock is lost; stopping (start again to wait for it)")
        scheduler.lost_lock = True
        scheduler.shutdown(wait=False)
        return
    with app.app_context():
        try:
            heartbeat.beat(instance, started_at)
        except Exception:
            db.session.rollback()
            log.exception("heartbeat failed; the next one tries again")
        finally:
            db.session.remove()


def build(
    app: Flask,
    scheduler_class=BlockingScheduler,
    lock=None,
    instance: str | None = None,
    started_at: datetime | None = None,
):
    from .indicators import exports

    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    scheduler.lost_lock = False
    instance = instance or exports.instance_id()
    started_at = started_at or timeutil.now()
    jobs = {
        "sweep": (run_sweep, [app], {"trigger": "interval", "minutes": SWEEP_MINUTES}),
        "outbox": (run_outbox, [app], {"trigger": "interval", "minutes": 1}),
        "exports": (
            run_exports,
            [app],
            {"trigger": "interval", "seconds": app.config["EXPORT_POLL_SECONDS"]},
        ),
        "heartbeat": (
            run_heartbeat,
            [app, instance, started_at, lock, scheduler],
            {"trigger": "interval", "seconds": app.config["SCHEDULER_HEARTBEAT_SECONDS"]},
        ),
        "digest": (
            run_digest,
            [app],
            {"trigger": "cron", "hour": DIGEST_HOUR, "minute": DIGEST_MINUTE},
        ),
        "partitions": (
            run_partitions,
            [app],
            {"trigger": "cron", "hour": PARTITIONS_HOUR, "minute": 0},
        ),
        "audit": (
            run_audit,
            [app],
            {
                "trigger": "cron",
                "hour": app.config["AUDIT_HOUR"],
                "minute": app.config["AUDIT_MINUTE"],
            },
        ),
    }
    for job_id, (func, args, trigger) in jobs.items():
        scheduler.add_job(
            func,
            args=args,
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,  # after a pause, one run, not one per missed interval
            misfire_grace_time=None,
            **trigger,
        )
    return scheduler


def catch_up(app: Flask) -> None:
    """What a scheduler does first: everything that fell due while it was down (today's
    digest too once its hour has passed: it is keyed by user and day, so never twice)."""
    run_partitions(app)
    run_sweep(app)
    run_outbox(app)
    with app.app_context():
        local = timeutil.to_local(timeutil.now())
    if (local.hour, local.minute) >= (DIGEST_HOUR, DIGEST_MINUTE):
        run_digest(app)
        run_outbox(app)
    run_exports(app)


# --- exactly one active scheduler -------------------------------------------------------

# pg_advisory_lock(key1, key2): the application's namespace and the scheduler's number.
LOCK_NAMESPACE, LOCK_SCHEDULER = 0x0CF1, 1


class PostgresLock:
    """A session-level advisory lock held on a connection of its own: it is released when
    the connection closes, so when the process dies, however it dies."""

    def __init__(self, engine):
        self.engine = engine
        self.connection = None

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect()
        taken = self.connection.execute(
            text("SELECT pg_try_advisory_lock(:ns, :key)"),
            {"ns": LOCK_NAMESPACE, "key": LOCK_SCHEDULER},
        ).scalar()
        self.connection.commit()  # a session lock outlives the transaction
        return bool(taken)

    def alive(self) -> bool:
        if self.connection is None:
            return False
        try:
            held = self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND classid = :ns AND objid = :key"
                ),
                {"ns": LOCK_NAMESPACE, "key": LOCK_SCHEDULER},
            ).scalar()
            self.connection.commit()
            return bool(held)
        except Exception:  # noqa: BLE001 - a dead connection holds no lock
            log.exception("the scheduler lock's connection failed")
            return False

    def release(self) -> None:
        """Close the connection itself (not back to the pool, where the session lock would
        stay held)."""
        if self.connection is not None:
            try:
                self.connection.invalidate()
                self.connection.close()
            finally:
                self.connection = None


class FileLock:
    """SQLite: an exclusive flock on a file beside the database (one host only; SQLite
    is not for several hosts anyway). Released by the kernel when the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def alive(self) -> bool:
        return self.handle is not None and not self.handle.closed

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def make_lock(app: Flask):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return PostgresLock(db.engine)
    database = url.database
    if database and database != ":memory:":
        path = Path(database + ".scheduler.lock")
    else:
        path = Path(app.instance_path) / "scheduler.lock"
    return FileLock(path)


def acquire(app: Flask, echo: Callable[[str], None] = log.info, max_wait: float | None = None):
    """Wait for the scheduler lock (inside an app context); the lock, or None when
    `max_wait` seconds passed without it."""
    lock = make_lock(app)
    poll = app.config["SCHEDULER_LOCK_POLL_SECONDS"]
    waited = 0.0
    told = False
    while True:
        try:
            if lock.try_acquire():
                return lock
        except Exception:  # noqa: BLE001 - the database is down: wait for it as well
            log.exception("could not try the scheduler lock")
            lock.release()
        if not told:
            echo(
                "另一个调度进程正在运行，等待其锁。/ Another scheduler is active; waiting for "
                "its lock."
            )
            told = True
        if max_wait is not None and waited >= max_wait:
            lock.release()
            return None
        time.sleep(poll)
        waited += poll


def run(app: Flask, echo: Callable[[str], None] = log.info) -> int:
    """The scheduler process: wait for the lock, catch up, run the jobs until stopped.
    Returns the exit status (1 when the lock was lost)."""
    from . import heartbeat
    from .indicators import exports

    with app.app_context():
        lock = acquire(app, echo)
        instance = exports.instance_id()
        started_at = timeutil.now()
        heartbeat.beat(instance, started_at)
        db.session.remove()
    echo(f"调度进程已取得锁 / scheduler lock taken by {instance}")
    try:
        scheduler = build(app, lock=lock, instance=instance, started_at=started_at)
        # The catch-up runs as the first job, so the heartbeat goes on beside it however
        # long it takes (a day of a large county's deadlines).
        scheduler.add_job(catch_up, args=[app], id="catch_up", replace_existing=True)
        echo(
            "scheduler started (jobs: sweep, outbox, exports, heartbeat, digest, partitions, audit)"
        )
        scheduler.start()
    finally:
        lock.release()
    return 1 if scheduler.lost_lock else 0
