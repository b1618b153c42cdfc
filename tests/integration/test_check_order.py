"""One check order for pages and API, in the service: the case in scope (404), its version
(409), its state (409), role and guards (403), then the fields (422)."""

import pytest

from caseflow.extensions import db
from caseflow.models import Case, Event
from tests.conftest import csrf_token, login
from tests.integration.test_api import Api, assert_error, create


@pytest.fixture
def api(client):
    return Api(client)


def test_a_step_not_possible_in_this_state_is_409_before_the_guard(api):
    case = create(api)
    api.act("police", case["id"], "accept")
    # `verify` has a guard (only the assigned verifier), but the case is not being
    # verified yet: the state answers first.
    response = api.post(
        "police",
        f"/api/v1/cases/{case['id']}/actions/verify",
        {"version": api.case("police", case["id"])["version"]},
    )
    assert_error(response, 409, "invalid_transition")


def test_a_wrong_role_in_the_right_state_is_403_before_the_fields(api):
    case = create(api)
    path = f"/api/v1/cases/{case['id']}/actions/accept"
    response = api.post("child_director", path, {"version": case["version"], "comment": 5})
    assert_error(response, 403, "forbidden")


def test_a_stale_version_is_409_before_the_state_and_the_fields(api):
    case = create(api)
    path = f"/api/v1/cases/{case['id']}/actions/verify"
    response = api.post("child_director", path, {"version": case["version"] + 7, "x": 1})
    assert_error(response, 409, "version_conflict")


def test_fields_are_judged_last(api):
    case = create(api)
    path = f"/api/v1/cases/{case['id']}/actions/transfer"
    response = api.post("police", path, {"version": case["version"], "to_org": 999999})
    assert_error(response, 422, "validation_failed", ["to_org", "reason"])
    assert api.count(Event, case_id=case["id"]) == 1


def test_the_page_answers_in_the_same_order(api, client):
    case = create(api)
    api.act("police", case["id"], "accept")
    version = api.case("police", case["id"])["version"]
    login(client, "police")
    token = csrf_token(client, f"/cases/{case['id']}")
    page = client.post(
        f"/cases/{case['id']}/actions/verify",
        data={"csrf_token": token, "verify-version": version, "verify-findings": ""},
    )
    assert page.status_code == 409
    # Wrong fields with a stale version: the version answers, not the fields.
    stale = client.post(
        f"/cases/{case['id']}/actions/send_feedback",
        data={"csrf_token": token, "send_feedback-version": version - 1},
    )
    assert stale.status_code == 409
    with api.app.app_context():
        assert db.session.get(Case, case["id"]).version == version
