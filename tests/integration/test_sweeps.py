"""The sweep's effects with a frozen clock: reminders, escalations to supervisors,
referral escalation, protection-order expiry reminders, visit alerts; every message once
whatever the number of runs; a scheduler that was down catches up in one run; the
scheduler's fixed job ids (architecture rules 6-7)."""

import threading
from collections import Counter
from datetime import date, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import current_app
from sqlalchemy import func, select

from caseflow import scheduler
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Notification
from caseflow.services import sweeps, visits
from caseflow.services.sweeps import ESCALATE_AFTER, handlers, supervisors_over
from tests.conftest import postgres_only, user
from tests.integration.test_dv_deadlines import (
    COURT,
    NANBIN_POLICE,
    clock,
    fire,
    in_force,
    issue_warning,
    local,
    log_call,
)

TIMEOUT = 20
IDENTITIES = ("李秀英", "13800000002", "王建国", "周晓燕", "13900000001", "吴志刚")


# Notifications the sweep does not make: the yearly notice that next year's holiday calendar
# is still provisional (about no case, tests/integration/test_working_calendar.py) and those
# a step sends when it is taken (services/case_notifications.py, assignment, transfers,
# referrals) while a test builds its cases.
NOT_THE_SWEEPS = ("calendar", "case_moved", "referral_arrived", "assigned", "case_transfer")


def notes(prefix: str = "") -> list[Notification]:
    """The sweep's notifications about cases."""
    db.session.expire_all()
    return db.session.scalars(
        select(Notification)
        .where(Notification.key.startswith(prefix), Notification.kind.not_in(NOT_THE_SWEEPS))
        .order_by(Notification.id)
    ).all()


def told(prefix: str) -> set[str]:
    return {n.user.username for n in notes(prefix)}


def names(users) -> set[str]:
    return {u.username for u in users}


def sweep():
    result = sweeps.run()
    db.session.commit()
    return result


def assert_no_identity(rows, case=None):
    for n in rows:
        if case is not None and n.case_id == case.id:
            assert case.number in n.subject
        for identity in IDENTITIES:
            assert identity not in n.subject and identity not in n.body


def warned():
    case = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(case, local(2026, 11, 2, 10, 0))
    db.session.commit()
    (due,) = [d for d in case.deadlines if d.kind == "deliver_due"]
    return case, due


def test_due_soon_then_missed_then_supervisors_each_once(ctx):
    case, due = warned()
    assert names(handlers(case)) == {"police"}
    assert names(supervisors_over(case.jurisdiction)) == {"supervisor"}

    clock(due.due_at - timedelta(hours=25))
    sweep()
    assert notes() == []  # not yet within the reminder window
    clock(due.due_at - timedelta(hours=3))
    sweep()
    sweep()
    assert told(f"due-soon:{due.id}:") == {"police"}
    assert len(notes()) == 1

    clock(due.due_at + timedelta(minutes=1))
    assert sweep().missed == 1
    assert told(f"missed:{due.id}:") == {"police"}
    assert notes(f"missed-supervisor:{due.id}") == []
    clock(due.due_at + ESCALATE_AFTER - timedelta(minutes=1))
    sweep()
    assert notes(f"missed-supervisor:{due.id}") == []
    clock(due.due_at + ESCALATE_AFTER)
    sweep()
    sweep()
    assert told(f"missed-supervisor:{due.id}:") == {"supervisor"}
    rows = notes()
    assert Counter(n.kind for n in rows) == {"reminder": 1, "escalation": 2}
    assert_no_identity(rows, case)
    assert all(n.link == f"/cases/{case.id}" for n in rows)


def violation_referrals():
    """An order in force and a violation: referrals to the court and the police."""
    case = in_force(local(2026, 11, 2, 15, 0), date(2027, 1, 31))
    clock(local(2026, 11, 10, 20, 0))
    fire(
        "womens_federation",
        case,
        "record_violation",
        occurred_at=local(2026, 11, 10, 19, 0),
        description="砸门威胁。",
        evidence="",
    )
    db.session.commit()
    return case, {r.to_org.name: r for r in case.referrals}


def test_an_unanswered_referral_tells_the_receiving_unit_then_its_supervisors(ctx):
    case, sent = violation_referrals()
    court, police = sent[COURT], sent[NANBIN_POLICE]
    due = db.session.scalar(select(Deadline).where(Deadline.referral_id == court.id))
    clock(due.due_at + timedelta(minutes=1))
    sweep()
    assert told(f"referral-overdue:{court.id}:") == {"court_liaison"}
    assert told(f"referral-overdue:{police.id}:") == {"police"}
    assert notes("referral-overdue-supervisor:") == []
    clock(due.due_at + ESCALATE_AFTER)
    sweep()
    sweep()
    for referral in (court, police):
        assert told(f"referral-overdue-supervisor:{referral.id}:") == {"supervisor"}
    rows = notes("referral-overdue")
    assert len(rows) == 4
    assert_no_identity(rows, case)
    # The referral's deadline is not reported a second time as the case's own.
    assert notes("missed:") == [] or all(
        n.key != f"missed:{due.id}:u{n.user_id}" for n in notes("missed:")
    )


def test_protection_order_expiry_reminders_at_30_and_7_days_again_after_an_extension(ctx):
    case = in_force(local(2026, 11, 2, 15, 0), date(2026, 12, 31))  # until 2027-01-01 00:00
    db.session.commit()
    handling = names(handlers(case))
    assert handling

    def expiry():
        return sorted(n.key.split(":u")[0] for n in notes(f"expiry:{case.id}:"))

    clock(local(2026, 12, 1, 23, 0))  # 31 days before
    sweep()
    assert expiry() == []
    clock(local(2026, 12, 2, 0, 0))  # 30 days before
    sweep()
    sweep()
    assert expiry() == [f"expiry:{case.id}:30:2026-12-31"]
    clock(local(2026, 12, 25, 0, 0))  # 7 days before
    sweep()
    sweep()
    assert expiry() == [f"expiry:{case.id}:30:2026-12-31", f"expiry:{case.id}:7:2026-12-31"]
    assert told(f"expiry:{case.id}:") == handling
    assert_no_identity(notes("expiry:"), case)
    assert all("2026-12-31" in n.subject for n in notes("expiry:"))  # the last day in force

    clock(local(2026, 12, 28, 10, 0))
    fire(
        "court_liaison",
        case,
        "extend",
        applied_at=local(2026, 12, 26, 9, 0),
        decided_at=local(2026, 12, 28, 9, 0),
        expires_on=date(2027, 3, 31),
        comment="",
    )
    db.session.commit()
    sweep()
    assert len(expiry()) == 2  # the new end is far: nothing new yet
    clock(local(2027, 3, 2, 0, 0))  # 30 days before 2027-04-01
    sweep()
    sweep()
    assert len(expiry()) == 3
    assert f"expiry:{case.id}:30:2027-03-31" in expiry()


def following_up():
    case = log_call(local(2026, 11, 5, 9, 0))
    clock(local(2026, 11, 5, 11, 0))
    fire("police", case, "criticize", victim_informed=True, comment="已批评教育。")
    db.session.commit()
    return case


def visit(case, at, outcome):
    clock(at + timedelta(hours=1))
    done = visits.record(case, user("police"), at, "home", outcome, "", None, case.version)
    db.session.commit()
    return done


def test_an_escalate_visit_tells_the_supervisors_at_once(ctx):
    case = following_up()
    first = visit(case, local(2026, 11, 10, 10, 0), "safe")
    assert notes() == []
    escalated = visit(case, local(2026, 11, 12, 10, 0), "escalate")
    assert first.id != escalated.id
    assert told(f"visit-alert:{escalated.id}:") == {"supervisor"}
    assert_no_identity(notes(), case)


def test_two_unreachable_visits_in_a_row_tell_the_supervisors(ctx):
    case = following_up()
    visit(case, local(2026, 11, 10, 10, 0), "unreachable")
    assert notes() == []
    second = visit(case, local(2026, 11, 11, 10, 0), "unreachable")
    assert told(f"visit-alert:{second.id}:") == {"supervisor"}
    visit(case, local(2026, 11, 12, 10, 0), "safe")
    assert len(notes("visit-alert:")) == 1
    assert_no_identity(notes(), case)


def test_catch_up_after_a_day_of_downtime_does_everything_due_once(ctx, clean):
    warning, deliver_due = warned()  # due at midnight 2026-11-10
    lapsing = in_force(local(2026, 11, 2, 15, 0), date(2026, 11, 9))  # until 11-10 00:00
    expiring = in_force(local(2026, 11, 2, 16, 0), date(2026, 11, 15))  # until 11-16 00:00
    violated, sent = violation_referrals()  # referrals due at midnight 2026-11-17
    db.session.commit()
    referral_due = db.session.scalar(
        select(func.max(Deadline.due_at)).where(
            Deadline.referral_id.in_(r.id for r in sent.values())
        )
    )
    assert deliver_due.due_at == local(2026, 11, 10)

    # The scheduler stopped at 2026-11-09 23:59, before anything fell due, and is back a day
    # later than that.
    clock(local(2026, 11, 10, 23, 59))
    scheduler.catch_up(clean)
    scheduler.catch_up(clean)  # a second start or a cron run meanwhile: nothing twice

    db.session.expire_all()
    assert db.session.get(Deadline, deliver_due.id).status == "missed"
    assert db.session.get(Case, lapsing.id).state == "ended"
    assert (
        db.session.scalar(
            select(func.count()).where(Event.case_id == lapsing.id, Event.trigger == "expire")
        )
        == 1
    )
    assert db.session.get(Case, expiring.id).state == "in_force"
    assert told(f"missed:{deliver_due.id}:") == {"police"}
    assert notes(f"missed-supervisor:{deliver_due.id}") == []  # not yet 24 h
    assert [n.key.split(":u")[0] for n in notes(f"expiry:{expiring.id}:")] == [
        f"expiry:{expiring.id}:7:2026-11-15"
    ]
    assert notes(f"expiry:{lapsing.id}:") == []
    assert notes("referral-overdue") == []
    keys = [n.key for n in notes()]
    assert len(keys) == len(set(keys))

    # A day later still: the supervisors hear of the missed delivery; then the referrals.
    clock(local(2026, 11, 11, 0, 0))
    scheduler.catch_up(clean)
    assert told(f"missed-supervisor:{deliver_due.id}:") == {"supervisor"}
    clock(referral_due + ESCALATE_AFTER)
    scheduler.catch_up(clean)
    scheduler.catch_up(clean)
    for referral in sent.values():
        assert len(notes(f"referral-overdue:{referral.id}:")) == 1
        assert told(f"referral-overdue-supervisor:{referral.id}:") == {"supervisor"}
    rows = notes()
    assert len({n.key for n in rows}) == len(rows)
    assert_no_identity(rows)
    assert {n.case_id for n in rows} <= {warning.id, expiring.id, violated.id, lapsing.id}


class Recording(BackgroundScheduler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.added = []

    def add_job(self, func, *args, **kwargs):
        self.added.append(kwargs)
        return super().add_job(func, *args, **kwargs)


JOB_IDS = ["audit", "digest", "exports", "heartbeat", "outbox", "partitions", "sweep"]


def test_the_scheduler_has_fixed_job_ids_and_replaces_them(clean):
    built = scheduler.build(clean, Recording)
    assert not built.running
    assert sorted(job.id for job in built.get_jobs()) == JOB_IDS
    assert all(kwargs["replace_existing"] for kwargs in built.added)
    assert {job.id: job.max_instances for job in built.get_jobs()} == dict.fromkeys(JOB_IDS, 1)
    assert all(job.coalesce for job in built.get_jobs())


def test_building_the_scheduler_twice_on_one_jobstore_keeps_its_jobs(clean):
    """Jobs reach a job store only when the scheduler starts; each is started paused, so no
    job runs, and shut down at the end (MemoryJobStore empties on shutdown). Without replace_existing the second start would
    raise ConflictingIdError."""
    store = MemoryJobStore()

    def on_store(**kwargs):
        return BackgroundScheduler(jobstores={"default": store}, **kwargs)

    started = []
    try:
        for _ in range(2):  # the second while the first still holds the store
            built = scheduler.build(clean, on_store)
            built.start(paused=True)
            started.append(built)
            assert sorted(job.id for job in store.get_all_jobs()) == JOB_IDS
    finally:
        for built in started:
            built.shutdown(wait=False)


# --- two sweepers at once (PostgreSQL) ------------------------------------------------------


class Sweeper(threading.Thread):
    def __init__(self, app, start):
        super().__init__(daemon=True)
        self.app, self.start_together = app, start
        self.result, self.error = None, None

    def run(self):
        with self.app.app_context():
            try:
                self.start_together.wait()
                self.result = sweeps.run()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001  reported to the test thread
                db.session.rollback()
                self.error = exc


def test_two_sweepers_at_the_same_moment_notify_and_expire_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    deadlines = [warned()[1] for _ in range(3)]
    lapsing = [in_force(local(2026, 11, 2, 15, i), date(2026, 11, 9)).id for i in range(3)]
    expiring = [in_force(local(2026, 11, 2, 16, i), date(2026, 11, 15)).id for i in range(3)]
    db.session.commit()
    clock(local(2026, 11, 11, 0, 0))  # missed for 24 h, orders lapsed or within 7 days

    start = threading.Barrier(2, timeout=TIMEOUT)
    sweepers = [Sweeper(app, start), Sweeper(app, start)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(TIMEOUT)
        assert not sweeper.is_alive(), "a sweeper hung"
    assert [s.error for s in sweepers] == [None, None]
    assert sum(s.result.expired for s in sweepers) == 3
    assert sum(s.result.missed for s in sweepers) >= 3

    db.session.expire_all()
    rows = notes()
    assert len({n.key for n in rows}) == len(rows)
    for due in deadlines:
        assert told(f"missed:{due.id}:") == {"police"}
        assert told(f"missed-supervisor:{due.id}:") == {"supervisor"}
    for case_id in expiring:
        assert len({n.key.split(":u")[0] for n in notes(f"expiry:{case_id}:")}) == 1
    counted = sum(sum(s.result.notified.values()) for s in sweepers)
    assert counted == len(rows)  # each notification reported by the sweeper that made it
    expired = db.session.execute(
        select(Event.case_id, func.count())
        .where(Event.trigger == "expire", Event.case_id.in_(lapsing))
        .group_by(Event.case_id)
    ).all()
    assert dict(expired) == dict.fromkeys(lapsing, 1)


def test_flask_sweep_command_runs_the_sweep_once(ctx, clean):
    _case, due = warned()
    clock(due.due_at + ESCALATE_AFTER)
    runner = clean.test_cli_runner()
    for _ in range(2):
        outcome = runner.invoke(args=["sweep"])
        assert outcome.exit_code == 0, outcome.output
    assert told(f"missed:{due.id}:") == {"police"}
    assert told(f"missed-supervisor:{due.id}:") == {"supervisor"}
    assert len(notes()) == 2
