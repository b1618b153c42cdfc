"""Two people firing on the same case at once: exactly one wins (architecture rule 4).

Two threads, each with its own application context and so its own db.session and its
own database connection, load the same case at the same version and fire through the
service layer, as two requests would. The database's version check decides: one commits,
the other gets VersionConflict (HTTP 409), and nothing of the loser is stored.
"""

import threading
import time
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Jurisdiction, Organisation, User
from caseflow.services import cases
from caseflow.services.errors import VersionConflict
from tests.conftest import user

TIMEOUT = 20  # seconds; a blocked writer waits for the other's commit, never this long


def file_report() -> int:
    village = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    data = {
        "jurisdiction_id": village.id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": timeutil.now() - timedelta(hours=1),
        "situation_codes": [],
        "ongoing_danger": False,
        "guardian_is_suspect": False,
        "child_safety": "unknown",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青。",
        "subject": {"name": "冉小雨", "sex": "F"},
        "reporter": {},
    }
    case = cases.create_case(user("child_director"), "mandatory_report", data)
    case_id = case.id
    db.session.commit()
    return case_id


def stored(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalars(
        select(Event.trigger).where(Event.case_id == case_id).order_by(Event.seq)
    ).all()
    deadlines = db.session.scalar(
        select(func.count()).select_from(Deadline).where(Deadline.case_id == case_id)
    )
    return case.version, case.state, case.owner_org_id, events, deadlines


class Request(threading.Thread):
    """One request: its own app context, session and connection. Loads the case, waits at
    `ready` until the other request has loaded it too, then fires and commits."""

    def __init__(self, app, username, case_id, trigger, data, before_fire=None):
        super().__init__(daemon=True)
        self.app, self.username, self.case_id = app, username, case_id
        self.trigger, self.data = trigger, data
        self.before_fire = before_fire
        self.after_flush = None
        self.outcome = None  # "committed", a VersionConflict, or an unexpected exception
        self.done_at = None

    def run(self):
        try:
            with self.app.app_context():
                try:
                    actor = db.session.scalar(select(User).where(User.username == self.username))
                    case = db.session.get(Case, self.case_id)
                    version = case.version
                    if self.before_fire:
                        self.before_fire()
                    cases.fire(actor, case, self.trigger, dict(self.data), version)
                    if self.after_flush:
                        self.after_flush()
                    db.session.commit()
                    self.outcome = "committed"
                except BaseException as exc:  # noqa: BLE001  reported to the test thread
                    db.session.rollback()
                    self.outcome = exc
        except BaseException as exc:  # noqa: BLE001
            self.outcome = self.outcome or exc
        self.done_at = time.monotonic()


def run(*requests):
    for request in requests:
        request.start()
    for request in requests:
        request.join(TIMEOUT)
        assert not request.is_alive(), "a request hung: the database did not decide"
    return [r.outcome for r in requests]


def one_winner(outcomes):
    winners = [o for o in outcomes if o == "committed"]
    losers = [o for o in outcomes if o != "committed"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], VersionConflict), outcomes
    return outcomes.index("committed")


def test_two_requests_firing_the_same_trigger_at_once(ctx):
    app = current_app._get_current_object()
    case_id = file_report()
    version, state, _owner, events, deadlines = stored(case_id)
    assert (state, events) == ("submitted", ["submit"])

    both_loaded = threading.Barrier(2, timeout=TIMEOUT)
    first = Request(app, "police", case_id, "accept", {"comment": "甲"}, both_loaded.wait)
    second = Request(app, "police", case_id, "accept", {"comment": "乙"}, both_loaded.wait)
    one_winner(run(first, second))

    new_version, state, _owner, events, new_deadlines = stored(case_id)
    assert new_version == version + 1
    assert state == "accepted"
    assert events == ["submit", "accept"]  # exactly one new event
    assert new_deadlines == deadlines + 2  # verify_due and feedback_due, once


@pytest.mark.parametrize("winner_trigger", ["accept", "transfer"])
def test_a_writer_blocked_behind_an_uncommitted_change_gets_a_conflict(ctx, winner_trigger):
    """The first request has written (flushed) but not committed when the second writes:
    on PostgreSQL the second UPDATE waits on the row lock, on SQLite on the database lock.
    When the first commits, the second's UPDATE … WHERE version = v matches nothing."""
    app = current_app._get_current_object()
    case_id = file_report()
    version, _state, owner, events, _deadlines = stored(case_id)
    county_police = db.session.scalar(
        select(Organisation.id).where(Organisation.name == "石柱县公安局")
    )
    actions = {
        "accept": {"comment": "已受理。"},
        "transfer": {"to_org": county_police, "reason": "涉嫌刑事案件，移送县局。"},
    }
    loser_trigger = "transfer" if winner_trigger == "accept" else "accept"

    both_loaded = threading.Barrier(2, timeout=TIMEOUT)
    first_flushed = threading.Event()
    second_writing = threading.Event()

    def second_waits_for_first():
        both_loaded.wait()
        assert first_flushed.wait(TIMEOUT)
        second_writing.set()

    first_commits = []

    def first_holds_its_transaction():
        first_flushed.set()
        assert second_writing.wait(TIMEOUT)
        time.sleep(0.3)  # the second is now inside fire(), blocked on its write
        first_commits.append(time.monotonic())

    first = Request(
        app, "police", case_id, winner_trigger, actions[winner_trigger], both_loaded.wait
    )
    first.after_flush = first_holds_its_transaction
    second = Request(
        app, "police", case_id, loser_trigger, actions[loser_trigger], second_waits_for_first
    )
    outcomes = run(first, second)
    assert outcomes[0] == "committed", outcomes
    assert isinstance(outcomes[1], VersionConflict), outcomes
    assert second.done_at > first_commits[0]  # it waited for the first to commit

    new_version, state, new_owner, new_events, _ = stored(case_id)
    assert new_version == version + 1
    assert new_events == [*events, winner_trigger]
    if winner_trigger == "accept":
        assert (state, new_owner) == ("accepted", owner)
    else:
        assert (state, new_owner) == ("submitted", county_police)


def test_a_stale_version_is_refused_before_anything_is_written(ctx):
    case_id = file_report()
    case = db.session.get(Case, case_id)
    stale = case.version
    cases.fire(user("police"), case, "accept", {}, stale)
    db.session.commit()
    with pytest.raises(VersionConflict):
        cases.fire(user("police"), case, "send_feedback", {"feedback": "x"}, stale)
    assert stored(case_id)[3] == ["submit", "accept"]


def test_a_change_in_the_same_instant_still_moves_the_version(ctx):
    """The version moves with every change even if updated_at gets an equal value, so a
    change that leaves the state alone (send_feedback) is still checked against writers."""
    timeutil.set_clock(timeutil.now())
    case_id = file_report()
    case = db.session.get(Case, case_id)
    for trigger, data in [("accept", {}), ("send_feedback", {"feedback": "已受理。"})]:
        before = case.version
        cases.fire(user("police"), case, trigger, data, before)
        db.session.flush()
        assert case.version == before + 1, trigger
