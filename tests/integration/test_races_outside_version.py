"""Writes that do not go through the case's version (issue 13), beyond referral answers and
visits: deadline waivers, indicator figure reviews, hotline callbacks and attaching a call.

On PostgreSQL two threads, each with its own connection, load the same row and write at
the same moment: exactly one wins, the other is refused with a 409 error. On both engines,
the second of two requests sent one after the other is refused with 409 and changes
nothing. And each of these answers in the one check order: state (409) before role (403)
before fields (422).
"""

import threading
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.indicators import submissions
from caseflow.models import Case, Deadline, Event, HotlineCall, IndicatorSubmission, User
from caseflow.services import hotline, waivers
from caseflow.services.errors import InvalidTransitionError
from tests.conftest import api_token, csrf_token, login, postgres_only, user
from tests.integration.test_concurrency import TIMEOUT, file_report
from tests.integration.test_hotline_calls import dv_case, log
from tests.integration.test_races import Worker, one_winner, race


def by_name(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def open_deadline_id() -> tuple[int, int]:
    """A new report's open acceptance deadline: (case id, deadline id)."""
    case_id = file_report()
    deadline = db.session.get(Case, case_id).open_deadlines("accept_due")[0]
    return case_id, deadline.id


def waiver_events(case_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.case_id == case_id, Event.trigger == "deadline_waived")
    )


def pending_figure() -> int:
    data = {"code": "W-LAW-01", "year": 2025, "jurisdiction": "500240", "value": 40}
    row = submissions.submit(user("data_procuratorate"), data)
    db.session.commit()
    return row.id


def call_with_callback() -> int:
    call, _created = log(callback_needed=True, callback_due=timeutil.now() + timedelta(days=1))
    db.session.commit()
    return call.id


# --- two at once, on PostgreSQL ---------------------------------------------------------


def test_two_waivers_of_one_deadline_at_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    case_id, deadline_id = open_deadline_id()

    def load():
        deadline = db.session.get(Deadline, deadline_id)
        _ = deadline.status, deadline.case.jurisdiction  # both see it open
        return deadline

    def waiving(reason):
        return lambda deadline: waivers.waive(deadline, by_name("supervisor"), reason)

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    winner = one_winner(
        race(
            Worker(app, barrier, load, waiving("甲：已另案处理")),
            Worker(app, barrier, load, waiving("乙：已另案处理")),
        ),
        InvalidTransitionError,
    )
    db.session.expire_all()
    deadline = db.session.get(Deadline, deadline_id)
    assert deadline.status == "waived"
    assert deadline.waiver_reason == ("甲：已另案处理", "乙：已另案处理")[winner]
    assert waiver_events(case_id) == 1


def test_two_reviews_of_one_figure_at_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    figure_id = pending_figure()

    def load():
        row = db.session.get(IndicatorSubmission, figure_id)
        _ = row.status
        return row

    def reviewing(accept, note):
        return lambda row: submissions.review(by_name("statistician"), row.id, accept, note)

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    winner = one_winner(
        race(
            Worker(app, barrier, load, reviewing(True, "")),
            Worker(app, barrier, load, reviewing(False, "与台账不符")),
        ),
        InvalidTransitionError,
    )
    db.session.expire_all()
    assert db.session.get(IndicatorSubmission, figure_id).status == ("accepted", "returned")[winner]


def test_two_agents_closing_one_callback_at_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    call_id = call_with_callback()

    def load():
        call = db.session.get(HotlineCall, call_id)
        _ = call.callback_done_at
        return call

    def closing(note):
        return lambda call: hotline.mark_callback_done(call, by_name("hotline"), note)

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    winner = one_winner(
        race(
            Worker(app, barrier, load, closing("甲：已回访")),
            Worker(app, barrier, load, closing("乙：已回访")),
        ),
        InvalidTransitionError,
    )
    db.session.expire_all()
    assert (
        db.session.get(HotlineCall, call_id).callback_note == ("甲：已回访", "乙：已回访")[winner]
    )


def test_one_call_attached_to_two_cases_at_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    call, _created = log()
    first, second = dv_case("hotline"), dv_case("hotline")
    db.session.commit()
    call_id, case_ids = call.id, (first.id, second.id)

    def loading(case_id):
        def load():
            call = db.session.get(HotlineCall, call_id)
            _ = call.case_id
            return call, db.session.get(Case, case_id)

        return load

    def attach(loaded):
        call, case = loaded
        return hotline.attach(call, case, by_name("hotline"), case.version)

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    winner = one_winner(
        race(
            Worker(app, barrier, loading(case_ids[0]), attach),
            Worker(app, barrier, loading(case_ids[1]), attach),
        ),
        InvalidTransitionError,
    )
    db.session.expire_all()
    assert db.session.get(HotlineCall, call_id).case_id == case_ids[winner]
    attached = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.trigger == "call_attached")
    )
    assert attached == 1


def test_two_revisions_of_one_figure_sent_at_once(ctx):
    """Both may take the next revision number: the unique revision lets one in and the
    other is refused 409, never a server error. (If the second reads after the first has
    committed, it is simply the next revision: both are kept, in order.) Either way one
    revision is pending and none is lost or doubled."""
    postgres_only()
    app = current_app._get_current_object()
    first_id = pending_figure()

    def load():
        return by_name("data_procuratorate")

    def sending(value):
        data = {"code": "W-LAW-01", "year": 2025, "jurisdiction": "500240", "value": value}
        return lambda reporter: submissions.submit(reporter, data).id

    barrier = threading.Barrier(2, timeout=TIMEOUT)
    workers = [Worker(app, barrier, load, sending(41)), Worker(app, barrier, load, sending(42))]
    outcomes = race(*workers)
    assert all(o == "committed" or isinstance(o, InvalidTransitionError) for o in outcomes)
    saved = [w.result for w, o in zip(workers, outcomes, strict=True) if o == "committed"]
    assert saved, outcomes
    db.session.expire_all()
    rows = db.session.scalars(
        select(IndicatorSubmission).order_by(IndicatorSubmission.revision)
    ).all()
    assert [r.revision for r in rows] == list(range(1, len(saved) + 2))
    assert {r.id for r in rows} == {first_id, *saved}
    assert [r.status for r in rows] == ["replaced"] * len(saved) + ["submitted"]


# --- one after the other, on both engines ------------------------------------------------


def test_a_second_waiver_is_409_and_changes_nothing(client, clean):
    with clean.app_context():
        case_id, deadline_id = open_deadline_id()
    headers = api_token(client, "supervisor")
    path = f"/api/v1/deadlines/{deadline_id}/waive"
    assert client.post(path, json={"reason": "已另案处理"}, headers=headers).status_code == 200
    second = client.post(path, json={"reason": "再次"}, headers=headers)
    assert second.status_code == 409, second.get_json()
    with clean.app_context():
        assert db.session.get(Deadline, deadline_id).waiver_reason == "已另案处理"
        assert waiver_events(case_id) == 1


def test_a_second_review_is_409_and_changes_nothing(client, clean):
    with clean.app_context():
        figure_id = pending_figure()
    headers = api_token(client, "statistician")
    path = f"/api/v1/indicator-submissions/{figure_id}/review"
    assert client.post(path, json={"decision": "accept"}, headers=headers).status_code == 200
    second = client.post(path, json={"decision": "return", "note": "晚了"}, headers=headers)
    assert second.status_code == 409, second.get_json()
    with clean.app_context():
        row = db.session.get(IndicatorSubmission, figure_id)
        assert (row.status, row.review_note) == ("accepted", None)


def test_a_second_callback_or_attach_is_409(ctx):
    call = db.session.get(HotlineCall, call_with_callback())
    hotline.mark_callback_done(call, user("hotline"), "已回访")
    db.session.commit()
    with pytest.raises(InvalidTransitionError):
        hotline.mark_callback_done(call, user("hotline"), "再次")
    db.session.rollback()
    assert db.session.get(HotlineCall, call.id).callback_note == "已回访"
    first, second = dv_case("hotline"), dv_case("hotline")
    hotline.attach(call, first, user("hotline"), first.version)
    db.session.commit()
    with pytest.raises(InvalidTransitionError):
        hotline.attach(call, second, user("hotline"), second.version)
    db.session.rollback()
    assert db.session.get(HotlineCall, call.id).case_id == first.id


# --- the check order ---------------------------------------------------------------------


def test_waiver_role_before_fields_and_state_before_role(client, clean):
    with clean.app_context():
        _case_id, deadline_id = open_deadline_id()
    path = f"/api/v1/deadlines/{deadline_id}/waive"
    police = api_token(client, "police")
    # Not a supervisor, and a malformed body: the role answers.
    response = client.post(path, json={"reason": 5, "x": 1}, headers=police)
    assert response.status_code == 403, response.get_json()
    supervisor = api_token(client, "supervisor")
    # A supervisor with a malformed body: now the fields answer.
    response = client.post(path, json={"reason": 5}, headers=supervisor)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    assert client.post(path, json={"reason": "已另案处理"}, headers=supervisor).status_code == 200
    # Waived already, not a supervisor, a malformed body: the state answers.
    response = client.post(path, json={"reason": 5, "x": 1}, headers=police)
    assert response.status_code == 409, response.get_json()


def test_waiver_page_state_before_role(client, clean):
    with clean.app_context():
        case_id, deadline_id = open_deadline_id()
        waivers.waive(db.session.get(Deadline, deadline_id), user("supervisor"), "已另案处理")
        db.session.commit()
    login(client, "police")
    token = csrf_token(client, f"/cases/{case_id}")
    page = client.post(f"/deadlines/{deadline_id}/waive", data={"csrf_token": token, "reason": ""})
    assert page.status_code == 409


def test_review_role_before_fields_and_state_before_role(client, clean):
    with clean.app_context():
        figure_id = pending_figure()
    path = f"/api/v1/indicator-submissions/{figure_id}/review"
    # The unit that reported it may read it, not review it: 403 before the bad decision.
    reporter = api_token(client, "data_procuratorate")
    response = client.post(path, json={"decision": "maybe", "x": 1}, headers=reporter)
    assert response.status_code == 403, response.get_json()
    statistician = api_token(client, "statistician")
    response = client.post(path, json={"decision": "maybe"}, headers=statistician)
    assert response.status_code == 422
    assert "decision" in response.get_json()["error"]["fields"]
    assert client.post(path, json={"decision": "accept"}, headers=statistician).status_code == 200
    # Reviewed already: the state answers before the role and the fields.
    response = client.post(path, json={"decision": "maybe", "x": 1}, headers=reporter)
    assert response.status_code == 409, response.get_json()
    with clean.app_context():
        assert db.session.get(IndicatorSubmission, figure_id).status == "accepted"


def test_review_page_state_before_fields(client, clean):
    with clean.app_context():
        figure_id = pending_figure()
        submissions.review(user("statistician"), figure_id, True)
        db.session.commit()
    login(client, "statistician")
    token = csrf_token(client, "/indicators/review")
    # Reviewed already, and no decision given: the state answers, not the missing field.
    page = client.post(f"/indicators/review/{figure_id}", data={"csrf_token": token})
    assert page.status_code == 409
