"""The hotline API (api.md: POST /api/v1/hotline/calls, GET /api/v1/hotline/calls/matches):
one call per client_token, a case opened from the call in the same transaction, matches
within scope, errors in the project's shape and never a 500."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.forms.base import ID_CHECK, ID_WEIGHTS
from caseflow.models import Case, Event, HotlineCall
from tests.conftest import api_token

VILLAGE = "500240001001"  # 城南社区: the 南宾派出所 area


def id_number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


X_ID = next(n for n in (id_number(f"50024019880202{i:03d}") for i in range(200)) if n.endswith("X"))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def call_body(token="retry-token-0001", **overrides) -> dict:
    body = {
        "client_token": token,
        "line": "12338",
        "received_at": (timeutil.now() - timedelta(minutes=10)).isoformat(),
        "duration_minutes": 15,
        "caller_phone": "+86 138-0000-0000",
        "caller_name": "王秀英",
        "caller_relation": "self",
        "subject_name": "王秀英",
        "subject_sex": "F",
        "subject_id_number": X_ID.lower(),
        "jurisdiction": VILLAGE,
        "category": "domestic_violence",
        "summary": "来电人称丈夫昨晚动手打人。",
        "action_taken": "advice",
    }
    body.update(overrides)
    return body


def dv_case(**overrides) -> dict:
    case = {
        "type": "dv_warning",
        "subject": {"name": "王秀英", "sex": "F", "phone": "13800000000"},
        "abuser": {"name": "赵建国", "sex": "M", "relation": "spouse"},
        "violence_forms": ["physical"],
    }
    case.update(overrides)
    return case


@pytest.fixture
def hotline(client):
    return api_token(client, "hotline")


def test_a_retried_post_returns_the_same_call(client, clean, hotline):
    first = client.post("/api/v1/hotline/calls", json=call_body(), headers=hotline)
    assert first.status_code == 201, first.get_json()
    call = first.get_json()
    assert call["created"] is True and call["number"].startswith("HC-")
    assert call["caller"]["phone"] == "13800000000"  # normalised like the form
    assert call["subject"]["id_number"] == X_ID
    again = client.post("/api/v1/hotline/calls", json=call_body(), headers=hotline)
    assert again.status_code == 200
    assert again.get_json()["id"] == call["id"] and again.get_json()["created"] is False
    with clean.app_context():
        assert count(HotlineCall) == 1
    # Another agent may not reuse the token.
    other = api_token(client, "womens_federation")
    response = client.post("/api/v1/hotline/calls", json=call_body(), headers=other)
    assert response.status_code == 422
    assert "client_token" in response.get_json()["error"]["fields"]


def test_client_token_is_required_and_fields_are_checked(client, clean, hotline):
    body = call_body()
    del body["client_token"]
    response = client.post("/api/v1/hotline/calls", json=body, headers=hotline)
    assert response.status_code == 422
    assert "client_token" in response.get_json()["error"]["fields"]
    response = client.post(
        "/api/v1/hotline/calls",
        json=call_body(caller_phone="12-34x", subject_id_number=X_ID[:-1] + "1", colour="red"),
        headers=hotline,
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) >= {"colour"}
    response = client.post(
        "/api/v1/hotline/calls",
        json=call_body(caller_phone="12-34x", subject_id_number=X_ID[:-1] + "1"),
        headers=hotline,
    )
    assert set(response.get_json()["error"]["fields"]) == {"caller_phone", "subject_id_number"}
    with clean.app_context():
        assert count(HotlineCall) == 0


def test_anonymous_and_danger(client, clean, hotline):
    response = client.post(
        "/api/v1/hotline/calls",
        json=call_body("anon-token-01", anonymous=True, caller_name=None, caller_relation=None),
        headers=hotline,
    )
    assert response.status_code == 201 and response.get_json()["caller"]["name"] is None
    refused = client.post(
        "/api/v1/hotline/calls", json=call_body("danger-token-1", danger=True), headers=hotline
    )
    assert refused.status_code == 422
    assert "transferred_110" in refused.get_json()["error"]["fields"]
    saved = client.post(
        "/api/v1/hotline/calls",
        json=call_body("danger-token-1", danger=True, transferred_110=True),
        headers=hotline,
    )
    assert saved.status_code == 201
    call = saved.get_json()
    assert call["action_taken"] == "emergency_110" and call["transferred_110_at"]


def test_open_case_with_the_call_in_one_transaction(client, clean, hotline):
    response = client.post(
        "/api/v1/hotline/calls", json=call_body(open_case=dv_case()), headers=hotline
    )
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["action_taken"] == "case_created"
    assert data["case"]["type"] == "dv_warning" and data["case"]["owner_org"] == "南宾派出所"
    with clean.app_context():
        case = db.session.get(Case, data["case"]["id"])
        call = db.session.get(HotlineCall, data["id"])
        assert call.case_id == case.id
        assert case.description == "来电人称丈夫昨晚动手打人。"  # from the summary
        assert case.dv_incident.call_at == call.received_at
        event = db.session.scalar(
            select(Event).where(Event.case_id == case.id, Event.trigger == "call_attached")
        )
        assert event.data["number"] == call.number


@pytest.mark.parametrize(
    "open_case, field",
    [
        (dv_case(abuser=None), "open_case.abuser.name"),
        (dv_case(violence_forms=["witchcraft"]), "open_case.violence_forms"),
        (dv_case(colour="red"), "open_case.colour"),
        (dv_case(type="spaceship"), "open_case.type"),
        ({"subject": {}}, "open_case.type"),
        ("dv_warning", "open_case"),
        (dv_case(jurisdiction="999999999999"), "open_case.jurisdiction"),
    ],
)
def test_an_invalid_case_saves_no_call(client, clean, hotline, open_case, field):
    response = client.post(
        "/api/v1/hotline/calls", json=call_body(open_case=open_case), headers=hotline
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    with clean.app_context():
        assert count(HotlineCall) == 0 and count(Case) == 0


def test_a_role_that_takes_no_calls_is_refused(client, clean):
    for username in ("statistician", "admin", "police"):
        headers = api_token(client, username)
        response = client.post("/api/v1/hotline/calls", json=call_body(), headers=headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        response = client.get("/api/v1/hotline/calls/matches?phone=13800000000", headers=headers)
        assert response.status_code == 403
    assert client.get("/api/v1/hotline/calls/matches?phone=13800000000").status_code == 401
    with clean.app_context():
        assert count(HotlineCall) == 0


def test_matches_normalise_and_respect_scope(client, clean, hotline):
    logged = client.post("/api/v1/hotline/calls", json=call_body(), headers=hotline).get_json()
    for query in (
        "phone=138-0000-0000",
        "phone=%2B86%20138%200000%200000",
        f"id_number={X_ID.lower()}",
    ):
        response = client.get(f"/api/v1/hotline/calls/matches?{query}", headers=hotline)
        assert response.status_code == 200, query
        assert [c["number"] for c in response.get_json()["calls"]] == [logged["number"]]
    # A DV case the police logged for the same phone: outside the agent's scope.
    police = api_token(client, "police")
    body = dv_case(
        jurisdiction=VILLAGE,
        call_at=(timeutil.now() - timedelta(hours=3)).isoformat(),
        description="派出所接警。",
        subject={"name": "陈桂兰", "sex": "F", "phone": "13911112222"},
    )
    nobody = client.get("/api/v1/hotline/calls/matches?phone=13922223333", headers=hotline)
    created = client.post("/api/v1/cases", json=body, headers=police)
    assert created.status_code == 201, created.get_json()
    hidden = client.get("/api/v1/hotline/calls/matches?phone=139 1111 2222", headers=hotline)
    # A case held elsewhere and no case at all: the same status, the same body. (On main the
    # answer carried "hidden": 1, which told whether the person had a case anywhere.)
    assert hidden.status_code == nobody.status_code == 200
    assert hidden.get_json() == nobody.get_json() == {"calls": [], "cases": []}
    # The women's federation sees it (name masked).
    wf = api_token(client, "womens_federation")
    found = client.get("/api/v1/hotline/calls/matches?phone=13911112222", headers=wf).get_json()
    assert [c["number"] for c in found["cases"]] == [created.get_json()["number"]]
    assert found["cases"][0]["subject"]["name"] != "陈桂兰" and set(found) == {"calls", "cases"}
    assert found["calls"] == []  # the hotline team's calls stay with that team


@pytest.mark.parametrize(
    "query",
    [
        "",
        "phone=",
        "phone=12-34x",
        "id_number=123",
        "colour=red&phone=13800000000",
        "phone=" + "1" * 500,
    ],
)
def test_matches_refuse_bad_queries(client, clean, hotline, query):
    response = client.get(f"/api/v1/hotline/calls/matches?{query}", headers=hotline)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        b'{"client_token": {"a": 1}}',
        b'{"client_token": "abcdefgh\\u0000x", "line": "12338"}',
        b'{"client_token": 12345678901, "line": ["12338"]}',
        b'{"client_token": "abcdefghij", "open_case": []}',
    ],
)
def test_nothing_a_client_sends_gives_a_500(client, clean, hotline, payload):
    response = client.post(
        "/api/v1/hotline/calls",
        data=payload,
        headers={**hotline, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert "error" in response.get_json()
    with clean.app_context():
        assert count(HotlineCall) == 0
