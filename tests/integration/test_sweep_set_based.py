"""The set-based sweep (services/sweeps.py) makes exactly the effects the per-row sweep made
(tests/integration/legacy_sweep.py, kept as the reference), once.

The data: synthetic cases of every type (every kind of deadline, open, met, missed and
done late, sealed and test cases, closed cases) and hand-built ones the generator does not
reach at these times: a warning letter's delivery falling due, orders lapsing and
expiring, a violation's referrals left unanswered, an assigned worker who has left. At each
moment both sweeps run on the same database state: the reference first, rolled back, then
the set-based one, committed; their new notifications (every column), events and deadline
statuses must be equal, and a second set-based run must add nothing.
"""

import threading
from collections import Counter
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Notification, User
from caseflow.services import sweeps
from tests.conftest import postgres_only
from tests.integration import legacy_sweep
from tests.integration.test_dv_deadlines import clock, in_force, local
from tests.integration.test_sweeps import ESCALATE_AFTER, violation_referrals, warned

COLUMNS = (
    "key",
    "user_id",
    "case_id",
    "kind",
    "subject",
    "body",
    "link",
    "created_at",
    "email_status",
    "email_attempts",
)
GENERATE = [
    "generate-cases",
    "--n",
    "300",
    "--townships",
    "2",
    "--villages",
    "2",
    "--batch",
    "100",
    "--seed",
    "11",
    "--years",
    "2025-2026",
    "--as-of",
    "2026-11-01",
]


def _state():
    last = db.session.scalar(select(func.max(Notification.id))) or 0
    events = db.session.scalar(select(func.max(Event.id))) or 0
    return last, events


def _effects(run, before):
    """What a sweep did: its new notifications, its new events, every deadline's status."""
    last, events = before
    result = run()
    db.session.flush()
    notes = {
        tuple(getattr(n, c) for c in COLUMNS)
        for n in db.session.scalars(select(Notification).where(Notification.id > last))
    }
    new_events = Counter(
        db.session.execute(
            select(Event.case_id, Event.trigger, Event.from_state, Event.to_state).where(
                Event.id > events
            )
        ).all()
    )
    statuses = dict(db.session.execute(select(Deadline.id, Deadline.status)).all())
    return result, notes, new_events, statuses


def _reference():
    """The per-row sweep, under the sweep's lock like the set-based one: on SQLite that
    write also opens the transaction, so the expiries' savepoints stay inside it and the
    rollback undoes them."""
    assert sweeps._lock()
    return legacy_sweep.run()


def _both(moment):
    clock(moment)
    db.session.expire_all()
    before = _state()
    old, old_notes, old_events, old_statuses = _effects(_reference, before)
    db.session.rollback()
    db.session.expire_all()
    new, new_notes, new_events, new_statuses = _effects(sweeps.run, before)
    db.session.commit()
    assert new_notes == old_notes
    assert new_events == old_events
    assert new_statuses == old_statuses
    assert (new.missed, new.expired) == (old.missed, old.expired)
    assert sum(new.notified.values()) == len(new_notes)
    # Once: a second run at the same moment adds nothing.
    again = sweeps.run()
    db.session.commit()
    assert (again.missed, again.expired, sum(again.notified.values())) == (0, 0, 0)
    return new_notes


def test_the_set_based_sweep_makes_the_per_row_sweeps_effects_once(ctx, clean):
    outcome = clean.test_cli_runner().invoke(args=GENERATE)
    assert outcome.exit_code == 0, outcome.output
    _warning, deliver_due = warned()  # due at midnight 2026-11-10
    in_force(local(2026, 11, 2, 15, 0), date(2026, 11, 9))  # lapses 11-10
    in_force(local(2026, 11, 2, 16, 0), date(2026, 11, 15))  # within 7 days on 11-10
    in_force(local(2026, 11, 2, 17, 0), date(2026, 12, 5))  # within 30 days on 11-10
    _violated, sent = violation_referrals()
    db.session.commit()
    # An assigned worker who has left: the unit's people are told instead.
    left = db.session.scalar(
        select(User)
        .join(Case, Case.owner_user_id == User.id)
        .join(Deadline, Deadline.case_id == Case.id)
        .where(Deadline.status.in_(("open", "missed")), Deadline.closed_at.is_(None))
        .limit(1)
    )
    if left is not None:
        left.active = False
        db.session.commit()
    referral_due = db.session.scalar(
        select(func.max(Deadline.due_at)).where(
            Deadline.referral_id.in_(r.id for r in sent.values())
        )
    )

    kinds = Counter()
    for moment in (
        local(2026, 11, 9, 1, 0),  # the delivery due within 24 h
        local(2026, 11, 10, 0, 30),  # missed, not yet 24 h; an order lapsed
        local(2026, 11, 11, 0, 30),  # missed for 24 h: the supervisors
        referral_due + ESCALATE_AFTER,  # the referrals unanswered for 24 h
        datetime(2027, 1, 5, tzinfo=UTC),  # weeks later: everything left open is missed
    ):
        for row in _both(moment):
            kinds[row[0].split(":")[0]] += 1
    # Every kind of message was made (and so compared) at least once.
    assert set(kinds) >= {
        "due-soon",
        "missed",
        "missed-supervisor",
        "referral-overdue",
        "referral-overdue-supervisor",
        "expiry",
    }, kinds
    assert db.session.get(Deadline, deliver_due.id).escalated_up_at is not None


def _sweep_elsewhere(app):
    """A sweep in another thread (its own session and connection), as another process."""
    out = {}

    def work():
        with app.app_context():
            try:
                out["result"] = sweeps.run()
                db.session.commit()
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), "the second sweep hung"
    return out["result"]


def test_two_sweeps_at_once_one_runs_the_other_skips(ctx):
    postgres_only()
    app = current_app._get_current_object()
    _case, due = warned()
    clock(due.due_at + ESCALATE_AFTER)
    first = sweeps.run()  # holds the lock until it commits
    assert not first.skipped and first.missed == 1
    second = _sweep_elsewhere(app)
    assert second.skipped and second.missed == 0 and second.notified == {}
    db.session.commit()
    third = _sweep_elsewhere(app)  # the lock is free again; nothing is new
    assert not third.skipped and third.missed == 0 and sum(third.notified.values()) == 0
    keys = db.session.scalars(select(Notification.key)).all()
    assert len(keys) == len(set(keys))
