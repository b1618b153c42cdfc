"""API bodies are read by their JSON types (api.md; issue 13 "Strict JSON").

`0`, `"0"` and `"no"` are not false, `"3"` is not a list, `12345` is not a description:
each is refused with 422 naming the field, and nothing is stored.
"""

import pytest

from caseflow.models import Case, Event
from tests.integration.test_api import Api, assert_error, create, report


@pytest.fixture
def api(client):
    return Api(client)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("urgent", 0),
        ("urgent", "0"),
        ("urgent", "no"),
        ("urgent", "true"),
        ("ongoing_danger", 0),
        ("ongoing_danger", 1),
        ("guardian_is_suspect", "y"),
        ("situation_codes", "3"),
        ("situation_codes", 3),
        ("situation_codes", ["3"]),
        ("situation_codes", [True]),
        ("description", 12345),
        ("description", True),
        ("jurisdiction", 500240001001),
        ("discovered_at", 20260101),
        ("intake_org", "3"),
        ("intake_org", 3.0),
        ("subject", "冉小雨"),
        ("subject", ["冉小雨"]),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(api, field, value):
    response = api.post("child_director", "/api/v1/cases", report(**{field: value}))
    error = assert_error(response, 422, "validation_failed", [field])
    assert error["fields"][field] and all(isinstance(m, str) for m in error["fields"][field])
    assert api.count(Case) == 0


def test_nested_fields_are_named_with_a_dot(api):
    body = report(subject={"name": 7, "sex": "F", "birth_date": 20150308})
    error = assert_error(
        api.post("child_director", "/api/v1/cases", body), 422, "validation_failed"
    )
    assert set(error["fields"]) == {"subject.name", "subject.birth_date"}
    assert api.count(Case) == 0


def test_the_message_is_chinese_first_and_english_on_request(api):
    body = report(urgent=0)
    zh = api.post("child_director", "/api/v1/cases", body).get_json()["error"]["fields"]
    headers = {**api.auth("child_director"), "Accept-Language": "en"}
    en = api.client.post("/api/v1/cases", json=body, headers=headers).get_json()
    assert "布尔" in zh["urgent"][0]
    assert "true or false" in en["error"]["fields"]["urgent"][0]


def test_real_booleans_are_read_as_booleans(api):
    calm = create(
        api, urgent=False, ongoing_danger=False, guardian_is_suspect=False, situation_codes=[]
    )
    assert calm["urgent"] is False and calm["risk_level"] != "high"
    danger = create(api, urgent=False, ongoing_danger=True, guardian_is_suspect=False)
    assert danger["urgent"] is True


def test_an_action_body_is_typed_too(api):
    case = create(api)
    before = api.stored(case["id"])
    path = f"/api/v1/cases/{case['id']}/actions/accept"
    for body in (
        {"version": str(case["version"])},
        {"version": True},
        {"version": case["version"], "comment": 5},
    ):
        response = api.post("police", path, body)
        error = assert_error(response, 422, "validation_failed")
        assert set(error["fields"]) & {"version", "comment"}
    assert api.stored(case["id"]) == before


def test_a_referral_answer_and_a_visit_are_typed(api):
    case = create(api)
    before = api.stored(case["id"])
    response = api.post(
        "child_director",
        f"/api/v1/cases/{case['id']}/visits",
        {"version": case["version"], "done_at": 1, "method": ["home"], "outcome": "ok"},
    )
    # Visits are recorded only on an open case handled here; whatever the refusal, the
    # wrong types never reach the database and never give a server error.
    assert response.status_code in (403, 409, 422)
    assert api.stored(case["id"]) == before
    assert api.count(Event, trigger="visit_recorded") == 0
