"""Writes that do not go through the case's version, raced on PostgreSQL (issue 13).

Two threads, each with its own application context, session and database connection,
load the same row and write at the same moment, as two requests would. Exactly one wins;
the other is refused with a 409 error (or, for a hotline call sent twice, answered with
the call the first saved), never a server error, and nothing of the loser is stored.
"""

import threading

import pytest
from flask import current_app
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Event, HotlineCall, Referral, User, Visit
from caseflow.services import cases, hotline, referrals, visits
from caseflow.services.errors import InvalidTransitionError, VersionConflict
from tests.conftest import api_token, postgres_only, user
from tests.integration.test_concurrency import TIMEOUT, file_report


class Worker(threading.Thread):
    """One request: its own app context. `load(session)` runs first; both workers then
    meet at the barrier, and `write(loaded)` runs and commits."""

    def __init__(self, app, barrier, load, write):
        super().__init__(daemon=True)
        self.app, self.barrier, self.load, self.write = app, barrier, load, write
        self.outcome = None
        self.result = None

    def run(self):
        with self.app.test_request_context():
            try:
                loaded = self.load()
                self.barrier.wait()
                self.result = self.write(loaded)
                db.session.commit()
                self.outcome = "committed"
            except BaseException as exc:  # noqa: BLE001  reported to the test thread
                db.session.rollback()
                self.outcome = exc


def race(*workers):
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT)
        assert not worker.is_alive(), "a request hung: the database did not decide"
    return [w.outcome for w in workers]


def one_winner(outcomes, error):
    assert sorted(map(str, outcomes)).count("committed") == 1, outcomes
    [loser] = [o for o in outcomes if o != "committed"]
    assert isinstance(loser, error), outcomes
    return outcomes.index("committed")


def referred_case() -> tuple[int, int]:
    """A report accepted by the police and referred to civil affairs: (case id, referral id)."""
    case_id = file_report()
    case = db.session.get(Case, case_id)
    police = user("police")
    cases.fire(police, case, "accept", {}, case.version)
    civil = user("civil_affairs").organisation
    (referral,) = referrals.add(case, police, [civil], "请协助安置。", None, case.version)
    db.session.commit()
    return case_id, referral.id


def answer_events(case_id: int) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        select(Event.trigger)
        .where(Event.case_id == case_id, Event.trigger.like("referral_%"))
        .order_by(Event.seq)
    ).all()


def load_referral(referral_id):
    def load():
        referral = db.session.get(Referral, referral_id)
        _ = referral.status  # both see "sent" before either writes
        return referral

    return load


def answering(username, action, text=""):
    def write(referral):
        actor = db.session.scalar(select(User).where(User.username == username))
        return referrals.answer(referral, actor, action, text)

    return write


STATUS = {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}
STATUS["complete"] = "completed"


@pytest.mark.parametrize(
    ("accepted", "first", "second"),
    [
        (False, ("civil_affairs", "accept", ""), ("civil_affairs", "decline", "不属于本部门。")),
        (False, ("police", "withdraw", "已另行处理。"), ("civil_affairs", "decline", "不属于。")),
        (True, ("civil_affairs", "complete", "已安置。"), ("police", "withdraw", "已另行处理。")),
    ],
)
def test_two_answers_to_one_referral_at_once(ctx, accepted, first, second):
    """Neither answer is possible after the other (a withdrawal after acceptance is, so
    that pair is not raced here): the row lock makes the second read the first's status."""
    postgres_only()
    app = current_app._get_current_object()
    case_id, referral_id = referred_case()
    expected = ["referral_sent"]
    if accepted:
        referrals.answer(db.session.get(Referral, referral_id), user("civil_affairs"), "accept", "")
        db.session.commit()
        expected.append("referral_accepted")
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    workers = [
        Worker(app, barrier, load_referral(referral_id), answering(*first)),
        Worker(app, barrier, load_referral(referral_id), answering(*second)),
    ]
    winner = one_winner(race(*workers), InvalidTransitionError)
    status = STATUS[(first, second)[winner][1]]
    db.session.expire_all()
    assert db.session.get(Referral, referral_id).status == status
    assert answer_events(case_id) == [*expected, f"referral_{status}"]


def test_two_visits_on_the_same_version_at_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    case_id = file_report()
    case = db.session.get(Case, case_id)
    cases.fire(user("police"), case, "accept", {}, case.version)
    db.session.commit()
    version = case.version

    def load():
        return db.session.get(Case, case_id)

    def visiting(notes):
        def write(case):
            actor = db.session.scalar(select(User).where(User.username == "police"))
            done = timeutil.now()  # a visit cannot precede the case, made just now
            return visits.record(case, actor, done, "home", "safe", notes, None, version)

        return write

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    outcomes = race(
        Worker(app, barrier, load, visiting("甲")), Worker(app, barrier, load, visiting("乙"))
    )
    one_winner(outcomes, VersionConflict)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert db.session.get(Case, case_id).version == version + 1


def call_body(token: str) -> dict:
    return {
        "client_token": token,
        "line": "12338",
        "category": "domestic_violence",
        "summary": "来电反映邻居家中常有打骂声。",
        "action_taken": "advice",
    }


def test_the_same_hotline_call_logged_twice_at_once_in_the_service(ctx):
    postgres_only()
    app = current_app._get_current_object()
    from caseflow.forms import HotlineCallForm, from_json

    def load():
        agent = db.session.scalar(select(User).where(User.username == "hotline"))
        form = from_json(HotlineCallForm, call_body("twice-at-once-1")).setup(agent)
        assert form.validate(), form.errors
        return agent, form.to_data()

    def write(loaded):
        call, created = hotline.log_call(*loaded)
        return call.id, created

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    workers = [Worker(app, barrier, load, write), Worker(app, barrier, load, write)]
    assert race(*workers) == ["committed", "committed"]
    created = sorted(w.result[1] for w in workers)
    assert created == [False, True]
    assert workers[0].result[0] == workers[1].result[0]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(HotlineCall)) == 1


def test_the_same_hotline_call_posted_twice_at_once(clean):
    """Through the API: one answers 201 created, the other 200 with the same call."""
    with clean.app_context():
        postgres_only()
    headers = api_token(clean.test_client(), "hotline")
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    answers = []

    def post():
        client = clean.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/hotline/calls", json=call_body("twice-at-once-2"), headers=headers
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    assert sorted(status for status, _body in answers) == [200, 201], answers
    assert {body["created"] for _status, body in answers} == {True, False}
    assert len({body["id"] for _status, body in answers}) == 1
    retry = clean.test_client().post(
        "/api/v1/hotline/calls", json=call_body("twice-at-once-2"), headers=headers
    )
    assert retry.status_code == 200 and retry.get_json()["created"] is False
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(HotlineCall)) == 1
