"""Assignment inside the owner unit (services.assignment): the unit's lead gives an open
case to a worker of the unit; the event is on the timeline; the assignee is told once,
with no identity in the text, and not at all if the change is rolled back; "my cases" and
"my unit's cases" on the my-work page."""

import pytest
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Notification, Organisation, User
from caseflow.services import assignment
from caseflow.services.errors import (
    Forbidden,
    InvalidTransitionError,
    ValidationFailed,
    VersionConflict,
)
from tests.conftest import PASSWORD, api_token, csrf_token, login, user
from tests.integration.test_attachments import report


def add_user(username, org_name, role="police", lead=False) -> User:
    org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
    person = User(
        username=username, display_name=username, role=role, organisation_id=org.id, is_lead=lead
    )
    person.set_password(PASSWORD)
    db.session.add(person)
    db.session.flush()
    return person


@pytest.fixture
def unit(ctx):
    """南宾派出所 (the intake unit of 城南社区): 向建军 is its lead, 冉警官 a worker."""
    user("police").is_lead = True
    worker = add_user("worker", "南宾派出所")
    other = add_user("xituo_worker", "西沱派出所")
    db.session.commit()
    return {"case": report(), "worker": worker, "other": other}


def notifications(user_id) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.kind == "assigned")
    ).all()


def test_the_lead_assigns_and_the_assignee_is_told_once(unit):
    case, worker = unit["case"], unit["worker"]
    assert case.owner_org.name == "南宾派出所"
    assignment.assign(case, user("police"), worker.id, case.version)
    db.session.commit()
    assert case.owner_user_id == worker.id
    assert case.events[-1].trigger == "assigned"
    assert case.events[-1].data["user_id"] == worker.id
    told = notifications(worker.id)
    assert len(told) == 1
    assert case.number in told[0].subject
    assert "冉小雨" not in told[0].subject + told[0].body
    # Reassigned to the lead and back: each assignment is its own event, told once.
    assignment.assign(case, user("police"), user("police").id, case.version)
    assignment.assign(case, user("police"), worker.id, case.version)
    db.session.commit()
    assert len(notifications(worker.id)) == 2


def test_a_rolled_back_assignment_tells_no_one(unit):
    case, worker = unit["case"], unit["worker"]
    assignment.assign(case, user("police"), worker.id, case.version)
    db.session.rollback()
    assert notifications(worker.id) == []


@pytest.mark.parametrize(
    ("who", "target", "stale", "error"),
    [
        ("police", "worker", True, VersionConflict),
        ("worker", "worker", False, Forbidden),  # a worker is not the lead
        ("child_supervisor", "worker", False, Forbidden),  # not of the owner unit
        ("police", "other", False, ValidationFailed),  # a worker of another unit
        ("police", "statistician", False, ValidationFailed),
    ],
)
def test_refusals_change_nothing(unit, who, target, stale, error):
    case = unit["case"]
    actor = user(who)
    target_id = unit[target].id if target in unit else user(target).id
    before = (case.version, case.owner_user_id, len(case.events))
    with pytest.raises(error):
        assignment.assign(case, actor, target_id, case.version - 1 if stale else case.version)
    db.session.rollback()
    assert (case.version, case.owner_user_id, len(case.events)) == before
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_closed_case_is_not_assigned(unit):
    case = unit["case"]
    case.state = "closed"
    db.session.flush()
    with pytest.raises(InvalidTransitionError):
        assignment.assign(case, user("police"), unit["worker"].id, case.version)


def test_assigning_from_the_page_and_the_api_and_my_work(client, clean):
    with clean.app_context():
        user("police").is_lead = True
        worker_id = add_user("worker", "南宾派出所").id
        db.session.commit()
        case = report()
        case_id, version = case.id, case.version
    login(client, "police")
    page = f"/cases/{case_id}"
    assert 'id="assignment"' in client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    response = client.post(
        f"{page}/assignment", data={"csrf_token": token, "version": version, "user": worker_id}
    )
    assert response.status_code == 302
    work = client.get("/").get_data(as_text=True)
    unit_box = work.split('id="my-unit-cases"')[1]
    assert case.number in unit_box
    client.get("/logout")
    login(client, "worker")
    work = client.get("/").get_data(as_text=True)
    assert case.number in work.split('id="my-cases"')[1].split('id="my-unit-cases"')[0]
    assert 'id="assignment"' not in client.get(page).get_data(as_text=True)
    headers = api_token(client, "police")
    answer = client.post(
        f"/api/v1/cases/{case_id}/assignment",
        headers=headers,
        json={"user": user_id_of(clean, "police"), "version": version + 1},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    refused = client.post(
        f"/api/v1/cases/{case_id}/assignment",
        headers=api_token(client, "worker"),
        json={"user": worker_id, "version": answer.get_json()["version"]},
    )
    assert refused.status_code == 403


def user_id_of(app, username):
    with app.app_context():
        return user(username).id


def test_an_administrator_sets_and_removes_the_lead_flag(clean):
    runner = clean.test_cli_runner()
    result = runner.invoke(args=["set-lead", "police"])
    assert result.exit_code == 0, result.output
    with clean.app_context():
        assert user("police").is_lead is True
    assert runner.invoke(args=["set-lead", "police", "--off"]).exit_code == 0
    with clean.app_context():
        assert user("police").is_lead is False
    assert runner.invoke(args=["set-lead", "nobody"]).exit_code != 0
