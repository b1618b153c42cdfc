"""The JSON API v1 end to end (shared/design/api.md), through the Flask test client."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog, ApiToken, Case, Event, Organisation, Referral, User
from tests.conftest import PASSWORD, api_token

VILLAGE = "500240001001"  # 城南社区, 南宾街道 (child_director's village)
OTHER_VILLAGE = "500240101002"  # 云梯村, 西沱镇 (child_director_2's village)
CHILD_NAME = "冉小雨"
CHILD_ID = "500240201503080024"


class Api:
    """The test client with one bearer token per demo user."""

    def __init__(self, client):
        self.client = client
        self.app = client.application
        self.headers = {}

    def auth(self, username):
        if username not in self.headers:
            self.headers[username] = api_token(self.client, username)
        return self.headers[username]

    def get(self, username, path, **kwargs):
        return self.client.get(path, headers=self.auth(username), **kwargs)

    def post(self, username, path, body=None, **kwargs):
        if body is not None:
            kwargs["json"] = body
        return self.client.post(path, headers=self.auth(username), **kwargs)

    def case(self, username, case_id):
        response = self.get(username, f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def act(self, username, case_id, trigger, status=200, **data):
        """Fire a trigger with the case's current version (as `username` sees it)."""
        data.setdefault("version", self.case(username, case_id)["version"])
        response = self.post(username, f"/api/v1/cases/{case_id}/actions/{trigger}", data)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def user_id(self, username):
        with self.app.app_context():
            return db.session.scalar(select(User.id).where(User.username == username))

    def org_id(self, name):
        with self.app.app_context():
            return db.session.scalar(select(Organisation.id).where(Organisation.name == name))

    def count(self, model, **where):
        with self.app.app_context():
            query = select(func.count()).select_from(model)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return db.session.scalar(query)

    def stored(self, case_id):
        """(version, number of events) straight from the database."""
        with self.app.app_context():
            version = db.session.scalar(select(Case.version).where(Case.id == case_id))
        return version, self.count(Event, case_id=case_id)


@pytest.fixture
def api(client):
    return Api(client)


def report(**changes) -> dict:
    body = {
        "type": "mandatory_report",
        "jurisdiction": VILLAGE,
        "reporter_org_type": "village_committee",
        "discovered_at": (timeutil.now() - timedelta(hours=2)).isoformat(),
        "situation_codes": [4],
        "guardian_is_suspect": True,
        "description": "入户走访时发现儿童身上有多处淤青，监护人解释不清。",
        "subject": {
            "name": CHILD_NAME,
            "sex": "F",
            "birth_date": "2015-03-08",
            "id_number": CHILD_ID,
            "address": "城南社区 3 组",
        },
    }
    body.update(changes)
    return body


def create(api, username="child_director", **changes) -> dict:
    response = api.post(username, "/api/v1/cases", report(**changes))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def assert_error(response, status, code, fields=()):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    for field in fields:
        assert field in error["fields"], error
    return error


# --- tokens and the user --------------------------------------------------------------


def test_token_and_me(api):
    response = api.client.post(
        "/api/v1/auth/token", json={"username": "police", "password": PASSWORD}
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["token"] and data["expires_at"]
    assert "Set-Cookie" not in response.headers
    headers = {"Authorization": f"Bearer {data['token']}"}
    me = api.client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert "Set-Cookie" not in me.headers
    body = me.get_json()
    assert body["username"] == "police"
    assert body["display_name"] == "向建军"
    assert body["roles"] == ["police"]
    assert body["organisation"]["name"] == "南宾派出所"
    assert body["organisation"]["type"] == "police_station"
    assert body["jurisdiction"] == {"code": "500240001", "name": "南宾街道", "level": "township"}
    # Only the token's hash is stored.
    with api.app.app_context():
        hashes = db.session.scalars(select(ApiToken.token_hash)).all()
    assert data["token"] not in hashes and len(hashes) == 1


def test_token_refused(api):
    wrong = api.client.post("/api/v1/auth/token", json={"username": "police", "password": "nope"})
    assert_error(wrong, 401, "unauthorized")
    unknown = api.client.post("/api/v1/auth/token", json={"username": "ghost", "password": "x"})
    assert_error(unknown, 401, "unauthorized")
    assert wrong.get_json() == unknown.get_json()  # no hint which part was wrong
    missing = api.client.post("/api/v1/auth/token", json={"username": "police"})
    assert_error(missing, 422, "validation_failed", ["password"])
    extra = api.client.post(
        "/api/v1/auth/token", json={"username": "police", "password": PASSWORD, "otp": 1}
    )
    assert_error(extra, 422, "validation_failed", ["otp"])
    assert api.count(ApiToken) == 0


def test_token_expired_or_user_disabled(api):
    headers = api.auth("police")
    timeutil.set_clock(timeutil.now() + timedelta(hours=api.app.config["API_TOKEN_HOURS"] + 1))
    assert_error(api.client.get("/api/v1/me", headers=headers), 401, "unauthorized")
    timeutil.set_clock(None)
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    with api.app.app_context():
        db.session.scalar(select(User).where(User.username == "police")).active = False
        db.session.commit()
    assert_error(api.client.get("/api/v1/me", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer nonsense", "Basic cG9saWNlOng=", "Bearer " + "x" * 300],
)
def test_no_valid_token_is_401(client, header):
    headers = {"Authorization": header} if header is not None else {}
    for method, path in [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/cases"),
        ("post", "/api/v1/cases"),
    ]:
        response = getattr(client, method)(path, headers=headers, json={})
        error = assert_error(response, 401, "unauthorized")
        assert error["fields"] == {}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_session_login_does_not_open_the_api(client):
    from tests.conftest import login

    login(client, "police")
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


# --- the whole mandatory-report flow ------------------------------------------------


def test_mandatory_report_flow(api):
    created = create(api)
    case_id = created["id"]
    assert re.fullmatch(r"MR-\d{4}-\d{6}", created["number"])
    assert created["state"] == "submitted"
    assert created["urgent"] is True  # a situation of 意见 Art. 4
    assert created["owner_org"] == "南宾派出所"
    assert created["jurisdiction"] == VILLAGE
    assert created["subject"]["name"] == CHILD_NAME  # the reporter sees what they filed
    assert created["fields"]["situation_codes"] == [4]
    assert [e["trigger"] for e in created["events"]] == ["submit"]
    assert {d["kind"] for d in created["deadlines"]} >= {"report_late", "accept_due"}
    assert created["actions"] == []  # a child director cannot accept

    police_view = api.case("police", case_id)
    assert "accept" in police_view["actions"]
    api.act("police", case_id, "accept", comment="已受理。")
    supervisor_id = api.user_id("child_supervisor")
    case = api.act("police", case_id, "start_verification", verifier=supervisor_id)
    assert case["state"] == "verifying"
    assert case["fields"]["verifier"] == "冉光明"
    assert "verify" in api.case("child_supervisor", case_id)["actions"]
    case = api.act(
        "child_supervisor",
        case_id,
        "verify",
        findings="经入户核实，情况属实。",
        risk_level="high",
        confirmed_situations=[4],
    )
    assert case["state"] == "verified" and case["risk_level"] == "high"

    civil = api.org_id("石柱县民政局")
    case = api.act("police", case_id, "refer", to_orgs=[civil], reason="申请临时监护评估。")
    assert case["state"] == "referred"
    [referral] = case["referrals"]
    assert referral["to_org"]["id"] == civil and referral["status"] == "sent"
    assert referral["due_at"]

    answered = api.post("civil_affairs", f"/api/v1/referrals/{referral['id']}/actions/accept", {})
    assert answered.status_code == 200, answered.get_data(as_text=True)
    assert answered.get_json()["status"] == "accepted"
    assert answered.get_json()["case_version"] == api.case("police", case_id)["version"]

    case = api.act("police", case_id, "start_follow_up", comment="每月回访一次。")
    assert case["state"] == "following_up"
    assert any(d["kind"] == "visit_due" and d["status"] == "open" for d in case["deadlines"])

    visit = api.post(
        "child_director",
        f"/api/v1/cases/{case_id}/visits",
        {
            "version": case["version"],
            # Not before the case began (the report was made just now).
            "done_at": timeutil.now().isoformat(),
            "method": "home",
            "outcome": "safe",
            "notes": "儿童状态良好。",
            "next_due": (timeutil.now() + timedelta(days=30)).isoformat(),
        },
    )
    assert visit.status_code == 201, visit.get_data(as_text=True)
    assert visit.get_json()["outcome"] == "safe" and visit.get_json()["by"] == "谭春梅"

    case = api.act("police", case_id, "request_closure", summary="儿童已安全。")
    assert case["state"] == "closure_requested"
    assert "approve_closure" not in case["actions"]
    refused = api.post(
        "police",
        f"/api/v1/cases/{case_id}/actions/approve_closure",
        {"version": case["version"]},
    )
    assert_error(refused, 403, "forbidden")
    assert api.stored(case_id)[0] == case["version"]

    case = api.act("supervisor", case_id, "approve_closure", comment="同意结案。")
    assert case["state"] == "closed" and case["closed_at"]

    triggers = [e["trigger"] for e in case["events"]]
    assert triggers == [
        "submit",
        "accept",
        "start_verification",
        "verify",
        "refer",
        "referral_accepted",
        "start_follow_up",
        "visit_recorded",
        "request_closure",
        "approve_closure",
    ]
    assert [e["seq"] for e in case["events"]] == list(range(1, 11))
    assert case["events"][-1]["from_state"] == "closure_requested"
    assert case["events"][-1]["to_state"] == "closed"
    assert case["events"][-1]["actor"] == "谭志强"
    assert len(case["visits"]) == 1
    with api.app.app_context():
        from caseflow.services.audit import verify_chain

        assert verify_chain(case_id) is None


# --- conflicts ------------------------------------------------------------------------


def test_stale_version_is_409_and_changes_nothing(api):
    case_id = create(api)["id"]
    before = api.stored(case_id)
    stale = api.post(
        "police",
        f"/api/v1/cases/{case_id}/actions/accept",
        {"version": before[0] - 1, "comment": "太晚了"},
    )
    assert_error(stale, 409, "version_conflict")
    # A stale version wins over bad fields: the client must reload first.
    stale_and_bad = api.post(
        "police",
        f"/api/v1/cases/{case_id}/actions/accept",
        {"version": before[0] + 5, "comment": "x" * 6000},
    )
    assert_error(stale_and_bad, 409, "version_conflict")
    assert api.stored(case_id) == before
    assert api.case("police", case_id)["state"] == "submitted"


def test_invalid_transition_is_409(api):
    case_id = create(api)["id"]
    version = api.case("police", case_id)["version"]
    response = api.post(
        "police",
        f"/api/v1/cases/{case_id}/actions/start_follow_up",
        {"version": version},
    )
    assert_error(response, 409, "invalid_transition")
    again = api.post("police", f"/api/v1/cases/{case_id}/actions/submit", {"version": version})
    assert_error(again, 409, "invalid_transition")
    assert api.stored(case_id)[0] == version
    api.act("police", case_id, "accept")
    twice = api.post(
        "police",
        f"/api/v1/cases/{case_id}/actions/accept",
        {"version": api.case("police", case_id)["version"]},
    )
    assert_error(twice, 409, "invalid_transition")


def test_unknown_trigger_is_404(api):
    case_id = create(api)["id"]
    response = api.post("police", f"/api/v1/cases/{case_id}/actions/explode", {"version": 1})
    assert_error(response, 404, "unknown_trigger")


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"subject": {"name": "谭小军", "sex": "M", "eye_colour": "brown"}}, "subject.eye_colour"),
        ({"subject": {"name": "x" * 101, "sex": "F"}}, "subject.name"),
        (
            {"subject": {"name": "冉小雨", "sex": "F", "birth_date": "2999-01-01"}},
            "subject.birth_date",
        ),
        (
            {"subject": {"name": "冉小雨", "sex": "F", "id_number": "500240201503080025"}},
            "subject.id_number",
        ),
        ({"subject": {"name": "冉小雨", "sex": "F", "id_number": "12345"}}, "subject.id_number"),
        (
            {
                "subject": {
                    "name": "冉小雨",
                    "sex": "F",
                    "birth_date": "2015-03-09",
                    "id_number": CHILD_ID,
                }
            },
            "subject.birth_date",
        ),
        ({"subject": {"name": "  ", "sex": "F"}}, "subject.name"),
        ({"subject": {"name": "冉小雨", "sex": "X"}}, "subject.sex"),
        ({"subject": "冉小雨"}, "subject"),
        ({"subject": {"name": ["a", "b"], "sex": "F"}}, "subject.name"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"discovered_at": "yesterday"}, "discovered_at"),
        ({"discovered_at": "2999-01-01T00:00"}, "discovered_at"),
        ({"discovered_at": "0001-01-01T00:00"}, "discovered_at"),
        ({"situation_codes": [10]}, "situation_codes"),
        ({"situation_codes": [{"a": 1}]}, "situation_codes"),
        ({"jurisdiction": OTHER_VILLAGE}, "jurisdiction"),
        ({"jurisdiction": None}, "jurisdiction"),
        ({"intake_org": "first"}, "intake_org"),
        ({"intake_org": 999999}, "intake_org"),
        ({"description": "含\u0000字符"}, "description"),
        ({"type": "fortune_telling"}, "type"),
        ({"type": ["mandatory_report"]}, "type"),
    ],
)
def test_create_refuses_bad_fields(api, changes, field):
    body = report(**changes)
    if "type" in changes and changes["type"] is None:
        del body["type"]
    response = api.post("child_director", "/api/v1/cases", body)
    assert_error(response, 422, "validation_failed", [field])
    assert api.count(Case) == 0


def test_create_requires_type_and_role(api):
    body = report()
    del body["type"]
    assert_error(
        api.post("child_director", "/api/v1/cases", body), 422, "validation_failed", ["type"]
    )
    assert_error(api.post("statistician", "/api/v1/cases", report()), 403, "forbidden")
    assert_error(api.post("supervisor", "/api/v1/cases", report()), 403, "forbidden")
    assert api.count(Case) == 0


def test_create_trims_strings_and_picks_the_intake_unit(api):
    county_police = api.org_id("石柱县公安局")
    with api.client.unchecked_request():  # padded values, outside the enum/date formats
        created = create(
            api,
            subject={
                "name": "  冉小雨 ",
                "sex": " F",
                "birth_date": "2015-03-08 ",
                "id_number": f" {CHILD_ID} ",
            },
            intake_org=county_police,
        )
    assert created["subject"]["name"] == "冉小雨"
    assert created["subject"]["id_number"] == CHILD_ID
    assert created["owner_org"] == "石柱县公安局"
    assert created["subject"]["age"] is not None


def test_action_validation(api):
    case_id = create(api)["id"]
    path = f"/api/v1/cases/{case_id}/actions/accept"
    before = api.stored(case_id)
    assert_error(api.post("police", path, {"comment": "ok"}), 422, "validation_failed", ["version"])
    assert_error(
        api.post("police", path, {"version": "one"}), 422, "validation_failed", ["version"]
    )
    assert_error(api.post("police", path, {"version": True}), 422, "validation_failed", ["version"])
    assert_error(
        api.post("police", path, {"version": before[0], "colour": "x"}),
        422,
        "validation_failed",
        ["colour"],
    )
    assert_error(
        api.post("police", path, {"version": before[0], "comment": "x" * 5001}),
        422,
        "validation_failed",
        ["comment"],
    )
    api.act("police", case_id, "accept")
    verify = f"/api/v1/cases/{case_id}/actions/start_verification"
    version = api.case("police", case_id)["version"]
    assert_error(
        api.post("police", verify, {"version": version}), 422, "validation_failed", ["verifier"]
    )
    # A verifier who does not cover the place (child_director is no verifier at all).
    assert_error(
        api.post("police", verify, {"version": version, "verifier": api.user_id("child_director")}),
        422,
        "validation_failed",
        ["verifier"],
    )
    assert api.stored(case_id)[0] == version


def test_a_forbidden_action_changes_nothing(api):
    case_id = create(api)["id"]
    before = api.stored(case_id)
    # The child director is on the case but may not accept it.
    response = api.post(
        "child_director", f"/api/v1/cases/{case_id}/actions/accept", {"version": before[0]}
    )
    assert_error(response, 403, "forbidden")
    # civil affairs handles child cases in the district, but not this one's intake.
    response = api.post(
        "civil_affairs", f"/api/v1/cases/{case_id}/actions/accept", {"version": before[0]}
    )
    assert_error(response, 403, "forbidden")
    assert api.stored(case_id) == before


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[1, 2]",
        b'"text"',
        b"null",
        b"",
        b"\xff\xfe\x00garbage",
        b"[" * 100_000,
        b'{"a":' * 50 + b"1" + b"}" * 50,
    ],
)
def test_malformed_json_is_400(api, data):
    case_id = create(api)["id"]
    before = api.stored(case_id)
    for path in ["/api/v1/cases", f"/api/v1/cases/{case_id}/actions/accept"]:
        response = api.post("police", path, data=data, content_type="application/json")
        assert_error(response, 400, "bad_request")
    token = api.client.post("/api/v1/auth/token", data=data, content_type="application/json")
    assert_error(token, 400, "bad_request")
    assert api.stored(case_id) == before


def test_too_large_is_413(api):
    huge = b'{"description": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = api.post(
        "child_director", "/api/v1/cases", data=huge, content_type="application/json"
    )
    assert_error(response, 413, "too_large")
    token = api.client.post("/api/v1/auth/token", data=huge, content_type="application/json")
    assert_error(token, 413, "too_large")
    assert api.count(Case) == 0


def test_lone_surrogate_and_huge_numbers_are_not_server_errors(api):
    body = b'{"type": "mandatory_report", "description": "\\ud800"}'
    response = api.post(
        "child_director", "/api/v1/cases", data=body, content_type="application/json"
    )
    assert_error(response, 422, "validation_failed", ["description"])
    case_id = create(api)["id"]
    big = api.post("police", f"/api/v1/cases/{case_id}/actions/accept", {"version": 10**40})
    assert_error(big, 409, "version_conflict")
    assert_error(api.get("police", f"/api/v1/cases/{10**30}"), 404, "not_found")
    assert_error(api.get("police", "/api/v1/cases/99999"), 404, "not_found")


# --- scope, masking and the access log ------------------------------------------------


def test_out_of_scope_is_404_and_not_listed(api):
    case_id = create(api)["id"]
    other = create(
        api,
        "child_director_2",
        jurisdiction=OTHER_VILLAGE,
        subject={"name": "谭小兰", "sex": "F"},
    )["id"]
    hidden = api.get("child_director_2", f"/api/v1/cases/{case_id}")
    unknown = api.get("child_director_2", "/api/v1/cases/987654")
    assert_error(hidden, 404, "not_found")
    assert hidden.get_json() == unknown.get_json()
    listed = api.get("child_director_2", "/api/v1/cases").get_json()
    assert [c["id"] for c in listed["items"]] == [other] and listed["total"] == 1
    searched = api.get("child_director_2", f"/api/v1/cases?q={CHILD_NAME}").get_json()
    assert searched["total"] == 0 and searched["items"] == []
    # Acting on a case out of scope is the same 404, whatever the body.
    acted = api.post("child_director_2", f"/api/v1/cases/{case_id}/actions/accept", {"version": 1})
    assert acted.get_json() == unknown.get_json() and acted.status_code == 404
    visited = api.post("child_director_2", f"/api/v1/cases/{case_id}/visits", {"version": 1})
    assert visited.status_code == 404
    referred = api.post("child_director_2", f"/api/v1/cases/{case_id}/referrals", {"version": 1})
    assert referred.status_code == 404
    # The township's supervisor sees only their township's case; the county sees both.
    mine = api.get("child_supervisor", "/api/v1/cases").get_json()
    assert [c["id"] for c in mine["items"]] == [case_id]
    county = api.get("supervisor", "/api/v1/cases").get_json()
    assert county["total"] == 2


def test_statistician_and_admin_see_no_case(api):
    case_id = create(api)["id"]
    for username in ("statistician", "admin", "court_liaison", "hotline"):
        listed = api.get(username, "/api/v1/cases").get_json()
        assert listed == {
            "items": [],
            "page": 1,
            "per_page": 25,
            "total": 0,
            "total_estimated": False,
            "cursor": None,
            "more": False,
        }
        assert_error(api.get(username, f"/api/v1/cases/{case_id}"), 404, "not_found")
    with api.app.app_context():  # only the creator's own answer was a read
        readers = db.session.scalars(
            select(User.username).join(AccessLog, AccessLog.user_id == User.id)
        ).all()
    assert readers == ["child_director"]


def test_identity_masked_outside_the_case_team(api):
    case_id = create(api)["id"]
    outside = api.case("civil_affairs", case_id)
    subject = outside["subject"]
    assert subject["masked"] is True
    assert subject["name"] != CHILD_NAME and subject["name"].startswith(CHILD_NAME[0])
    assert subject["id_number"] != CHILD_ID and "*" in subject["id_number"]
    assert subject["address"] != "城南社区 3 组" and subject["birth_date"] is None
    assert subject["age"] is None and subject["age_band"] == "6-13"
    listed = api.get("civil_affairs", "/api/v1/cases").get_json()["items"]
    assert listed[0]["subject"]["masked"] is True and listed[0]["subject"]["name"] != CHILD_NAME
    raw = api.get("civil_affairs", f"/api/v1/cases/{case_id}").get_data(as_text=True)
    assert CHILD_NAME not in raw and CHILD_ID not in raw

    owner = api.case("police", case_id)["subject"]
    assert owner["masked"] is False and owner["name"] == CHILD_NAME
    assert owner["id_number"] == CHILD_ID

    # Once civil affairs accepts a referral it joins the team.
    _walk_to_verified(api, case_id)
    civil = api.org_id("石柱县民政局")
    case = api.act("police", case_id, "refer", to_orgs=[civil], reason="临时监护评估")
    assert api.case("civil_affairs", case_id)["subject"]["masked"] is True  # only sent
    referral_id = case["referrals"][0]["id"]
    api.post("civil_affairs", f"/api/v1/referrals/{referral_id}/actions/accept", {})
    assert api.case("civil_affairs", case_id)["subject"]["name"] == CHILD_NAME


def test_reporter_identity_only_for_the_handling_unit(api):
    case_id = create(api)["id"]
    _walk_to_verifying(api, case_id)

    def reporter(username):
        detail = api.case(username, case_id)
        return next(p for p in detail["persons"] if p["role"] == "reporter")

    with api.app.app_context():
        from caseflow import policy

        case = db.session.get(Case, case_id)
        for username, allowed in [
            ("police", True),
            ("child_director", True),
            ("child_supervisor", False),
            ("supervisor", False),
        ]:
            who = db.session.scalar(select(User).where(User.username == username))
            assert policy.can_see_reporter(who, case) is allowed, username

    assert reporter("police")["name"] == "谭春梅"
    assert reporter("police")["organisation_name"] == "城南社区居民委员会"
    hidden = reporter("child_supervisor")  # the verifier: on the team, but not the reporter
    assert hidden["masked"] is True
    assert hidden["name"] != "谭春梅" and hidden["organisation_name"] != "城南社区居民委员会"
    # ... while the child's identity is visible to the verifier.
    assert api.case("child_supervisor", case_id)["subject"]["name"] == CHILD_NAME


def test_detail_views_are_logged(api):
    case_id = create(api)["id"]
    assert api.count(AccessLog) == 1  # the creation's answer shows the case to its creator
    api.case("police", case_id)
    api.case("civil_affairs", case_id)
    api.get("child_director_2", f"/api/v1/cases/{case_id}")  # 404: nothing seen, nothing logged
    api.get("police", "/api/v1/cases")  # the list shows the child's name to the police
    api.get("civil_affairs", "/api/v1/cases")  # masked names: no identity shown
    api.get("police", "/api/v1/cases?q=MR")  # a search
    with api.app.app_context():
        rows = db.session.execute(
            select(User.username, AccessLog.case_id, AccessLog.channel, AccessLog.what)
            .join(User, AccessLog.user_id == User.id)
            .order_by(AccessLog.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("child_director", case_id, "api_detail", "create"),
        ("police", case_id, "api_detail", "view"),
        ("civil_affairs", case_id, "api_detail", "view"),
        ("police", case_id, "api_list", "view"),
        ("police", case_id, "search", "view"),
    ]


# --- lists ----------------------------------------------------------------------------


def test_list_filters_and_pages(api):
    first = create(api)["id"]
    second = create(api, situation_codes=[], urgent=False, subject={"name": "谭小军", "sex": "M"})[
        "id"
    ]
    api.act("police", first, "accept")

    def ids(query):
        response = api.get("police", f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [c["id"] for c in response.get_json()["items"]]

    assert ids("") == [first, second]  # urgent first
    assert ids("state=accepted") == [first]
    assert ids("state=submitted&type=mandatory_report") == [second]
    assert ids("urgent=false") == [second]
    assert ids("q=谭小") == [second]
    number = api.case("police", second)["number"]
    assert ids(f"q={number.lower()}") == [second]
    assert ids("jurisdiction=500240001") == [first, second]
    assert ids(f"jurisdiction={OTHER_VILLAGE}") == []
    assert ids("jurisdiction=123") == []
    today = timeutil.to_local(timeutil.now()).date()
    assert ids(f"created_from={today}&created_to={today}") == [first, second]
    assert ids(f"created_to={today - timedelta(days=1)}") == []
    assert (
        ids(f"created_from={(timeutil.now() + timedelta(hours=1)).isoformat().replace('+', '%2B')}")
        == []
    )
    assert ids("overdue=true") == []
    timeutil.set_clock(timeutil.now() + timedelta(days=10))
    api.headers.clear()  # the tokens expired in the meantime
    assert set(ids("overdue=true")) == {first, second}
    timeutil.set_clock(None)
    page = api.get("police", "/api/v1/cases?per_page=1&page=2").get_json()
    assert page["page"] == 2 and page["per_page"] == 1 and page["total"] == 2
    assert [c["id"] for c in page["items"]] == [second]
    assert api.get("police", "/api/v1/cases?page=9").get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=201", "per_page"),
        ("per_page=0", "per_page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=99999999999999999999999", "page"),
        ("created_from=yesterday", "created_from"),
        ("created_to=2026-13-01", "created_to"),
        ("created_from=0001-01-01T00:00", "created_from"),
        ("created_to=9999-12-31", "created_to"),
        ("overdue=maybe", "overdue"),
        ("state=lost", "state"),
        ("type=unknown", "type"),
        ("q=" + "x" * 101, "q"),
        ("q=%00", "q"),
        ("sort=name", "sort"),
    ],
)
def test_list_refuses_bad_parameters(api, query, field):
    response = api.get("police", f"/api/v1/cases?{query}")
    assert_error(response, 422, "validation_failed", [field])


# --- referrals and visits -------------------------------------------------------------


def _walk_to_verifying(api, case_id):
    api.act("police", case_id, "accept")
    api.act("police", case_id, "start_verification", verifier=api.user_id("child_supervisor"))


def _walk_to_verified(api, case_id):
    _walk_to_verifying(api, case_id)
    api.act("child_supervisor", case_id, "verify", findings="属实", risk_level="medium")


def test_referrals_outside_the_refer_step(api):
    case_id = create(api)["id"]
    api.act("police", case_id, "accept")
    version = api.case("police", case_id)["version"]
    civil = api.org_id("石柱县民政局")
    legal = api.org_id("石柱县法律援助中心")
    path = f"/api/v1/cases/{case_id}/referrals"

    assert_error(
        api.post("child_director", path, {"version": version, "to_org": civil, "reason": "x"}),
        403,
        "forbidden",
    )
    assert_error(
        api.post("police", path, {"version": version - 1, "to_org": civil, "reason": "x"}),
        409,
        "version_conflict",
    )
    assert_error(
        api.post("police", path, {"version": version, "to_org": civil, "to_orgs": [legal]}),
        422,
        "validation_failed",
        ["to_org"],
    )
    assert_error(
        api.post("police", path, {"version": version, "to_org": 999999, "reason": "x"}),
        422,
        "validation_failed",
        ["to_org"],
    )
    own = api.org_id("南宾派出所")
    assert_error(
        api.post("police", path, {"version": version, "to_org": own, "reason": "x"}),
        422,
        "validation_failed",
        ["to_org"],
    )
    past = (timeutil.now() - timedelta(days=1)).isoformat()
    assert_error(
        api.post(
            "police", path, {"version": version, "to_org": civil, "reason": "x", "due_at": past}
        ),
        422,
        "validation_failed",
        ["due_at"],
    )
    assert api.count(Referral) == 0 and api.stored(case_id)[0] == version

    one = api.post("police", path, {"version": version, "to_org": civil, "reason": "临时监护评估"})
    assert one.status_code == 201, one.get_data(as_text=True)
    single = one.get_json()
    assert single["to_org"]["id"] == civil and single["status"] == "sent"
    version = single["case_version"]
    assert api.case("police", case_id)["version"] == version

    again = api.post("police", path, {"version": version, "to_org": civil, "reason": "再次"})
    assert_error(again, 422, "validation_failed", ["to_org"])  # already open

    many = api.post("police", path, {"version": version, "to_orgs": [legal], "reason": "法律援助"})
    assert many.status_code == 201, many.get_data(as_text=True)
    items = many.get_json()["items"]
    assert [r["to_org"]["id"] for r in items] == [legal]
    events = [e["trigger"] for e in api.case("police", case_id)["events"]]
    assert events.count("referral_sent") == 2

    # The sending unit withdraws; the receiving one cannot answer a withdrawn referral.
    withdrawn = api.post("police", f"/api/v1/referrals/{items[0]['id']}/actions/withdraw", {})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    late = api.post("legal_aid", f"/api/v1/referrals/{items[0]['id']}/actions/accept", {})
    assert_error(late, 409, "invalid_transition")


def test_referral_answers(api):
    case_id = create(api)["id"]
    _walk_to_verified(api, case_id)
    civil = api.org_id("石柱县民政局")
    case = api.act("police", case_id, "refer", to_orgs=[civil], reason="临时监护评估")
    referral_id = case["referrals"][0]["id"]
    path = f"/api/v1/referrals/{referral_id}/actions"

    # Not visible to a unit that neither sent nor received it and has no scope on the case.
    assert_error(api.post("legal_aid", f"{path}/accept", {}), 404, "not_found")
    assert_error(api.post("child_director_2", f"{path}/accept", {}), 404, "not_found")
    assert_error(
        api.post("police", "/api/v1/referrals/424242/actions/accept", {}), 404, "not_found"
    )
    # Visible to the sender (and the case team), but only the receiver answers.
    assert_error(api.post("police", f"{path}/accept", {}), 403, "forbidden")
    assert_error(api.post("child_supervisor", f"{path}/accept", {}), 403, "forbidden")
    assert_error(api.post("civil_affairs", f"{path}/shred", {}), 404, "unknown_trigger")
    assert_error(
        api.post("civil_affairs", f"{path}/decline", {}), 422, "validation_failed", ["reason"]
    )
    assert_error(
        api.post("civil_affairs", f"{path}/decline", {"outcome": "x"}),
        422,
        "validation_failed",
        ["outcome"],
    )
    assert_error(
        api.post("civil_affairs", f"{path}/accept", {"version": case["version"] - 1}),
        409,
        "version_conflict",
    )
    assert_error(
        api.post("civil_affairs", f"{path}/complete", {"outcome": "x"}), 409, "invalid_transition"
    )
    before = api.stored(case_id)
    assert before[0] == case["version"]

    accepted = api.post("civil_affairs", f"{path}/accept", {"version": case["version"]})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    assert_error(
        api.post("civil_affairs", f"{path}/complete", {}), 422, "validation_failed", ["outcome"]
    )
    done = api.post("civil_affairs", f"{path}/complete", {"outcome": "已落实临时监护。"})
    assert done.status_code == 200
    assert (
        done.get_json()["status"] == "completed" and done.get_json()["answer"] == "已落实临时监护。"
    )
    triggers = [e["trigger"] for e in api.case("police", case_id)["events"]]
    assert triggers[-2:] == ["referral_accepted", "referral_completed"]


def test_visits(api):
    case_id = create(api)["id"]
    path = f"/api/v1/cases/{case_id}/visits"
    version = api.case("police", case_id)["version"]
    body = {
        "version": version,
        "done_at": timeutil.now().isoformat(),  # not before the report was made
        "method": "phone",
        "outcome": "concern",
    }
    assert_error(
        api.post("civil_affairs", path, body | {"version": version - 1}), 409, "version_conflict"
    )
    assert_error(api.post("court_liaison", path, body), 404, "not_found")
    assert_error(
        api.post("child_director", path, body | {"method": "telepathy"}),
        422,
        "validation_failed",
        ["method"],
    )
    future = (timeutil.now() + timedelta(days=1)).isoformat()
    assert_error(
        api.post("child_director", path, body | {"done_at": future}),
        422,
        "validation_failed",
        ["done_at"],
    )
    past = (timeutil.now() - timedelta(days=1)).isoformat()
    assert_error(
        api.post("child_director", path, body | {"next_due": past}),
        422,
        "validation_failed",
        ["next_due"],
    )
    assert_error(
        api.post("child_director", path, {k: v for k, v in body.items() if k != "version"}),
        422,
        "validation_failed",
        ["version"],
    )
    assert api.stored(case_id) == (version, 1)
    made = api.post("child_director", path, body)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["case_version"] == version + 1
    assert api.stored(case_id) == (version + 1, 2)


# --- the contract document ------------------------------------------------------------


def test_openapi_describes_exactly_the_routes(api):
    response = api.client.get("/api/v1/openapi.json")  # public: no token
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.0")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Error" in spec["components"]["schemas"]
    create_props = spec["components"]["schemas"]["MandatoryReportCreate"]["properties"]
    assert {"jurisdiction", "subject", "discovered_at", "situation_codes"} <= set(create_props)

    routes = {}
    for rule in api.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    documented = {
        path: {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
        for path, item in spec["paths"].items()
    }
    assert routes == documented

    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', response.get_data(as_text=True))
    assert set(refs) <= set(spec["components"]["schemas"])
    for path, item in spec["paths"].items():
        for name in re.findall(r"{([^}]+)}", path):
            for operation in item.values():
                assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"])


def test_unknown_api_paths_answer_json(api):
    response = api.get("police", "/api/v1/nothing-here")
    assert_error(response, 404, "not_found")
    response = api.client.delete("/api/v1/cases", headers=api.auth("police"))
    assert_error(response, 405, "method_not_allowed")


def test_unrepresentable_datetimes_are_422_not_500(api):
    case_id = create(api)["id"]
    version = api.case("police", case_id)["version"]
    visit = api.post(
        "police",
        f"/api/v1/cases/{case_id}/visits",
        {"version": version, "done_at": "0001-01-01T00:00", "method": "home", "outcome": "safe"},
    )
    assert_error(visit, 422, "validation_failed", ["done_at"])
    referral = api.post(
        "police",
        f"/api/v1/cases/{case_id}/referrals",
        {
            "version": version,
            "to_org": api.org_id("石柱县民政局"),
            "reason": "x",
            "due_at": "9999-12-31T23:59:59-12:00",
        },
    )
    assert_error(referral, 422, "validation_failed", ["due_at"])
    assert api.stored(case_id) == (version, 1)


def test_unfounded_reject_reopen_and_feedback(api):
    case_id = create(api)["id"]
    _walk_to_verifying(api, case_id)
    # Only the assigned verifier records the verification.
    assert_error(
        api.post(
            "police",
            f"/api/v1/cases/{case_id}/actions/mark_unfounded",
            {"version": api.case("police", case_id)["version"], "reason": "x"},
        ),
        403,
        "forbidden",
    )
    api.act("child_supervisor", case_id, "mark_unfounded", status=422)  # reason required
    case = api.act("child_supervisor", case_id, "mark_unfounded", reason="系意外摔伤。")
    assert case["state"] == "unfounded"
    case = api.act("police", case_id, "send_feedback", feedback="经核实不属实。")
    assert case["state"] == "unfounded"
    assert any(d["kind"] == "feedback_due" and d["status"] == "met" for d in case["deadlines"])
    api.act("police", case_id, "request_closure", summary="不属实，申请结案。")
    api.act("supervisor", case_id, "reject_closure", status=422)  # reason required
    case = api.act("supervisor", case_id, "reject_closure", reason="请补充医院记录。")
    assert case["state"] == "unfounded"  # back where it was
    api.act("police", case_id, "request_closure", summary="已补充。")
    api.act("supervisor", case_id, "approve_closure")
    visit = api.post(
        "police",
        f"/api/v1/cases/{case_id}/visits",
        {
            "version": api.case("police", case_id)["version"],
            "done_at": timeutil.now().isoformat(),
            "method": "home",
            "outcome": "safe",
        },
    )
    assert_error(visit, 409, "invalid_transition")  # closed
    case = api.act("supervisor", case_id, "reopen", reason="发现新的伤情。")
    assert case["state"] == "following_up" and case["closed_at"] is None
    triggers = [e["trigger"] for e in case["events"]]
    assert triggers[-5:] == [
        "request_closure",
        "reject_closure",
        "request_closure",
        "approve_closure",
        "reopen",
    ]


def _json_values():
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.sampled_from(["", " ", "0001-01-01", "9999-12-31T23:59-12:00", "\x00", "F", "4"]),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    )


def test_no_client_input_gives_a_server_error(api):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    case_id = create(api)["id"]
    keys = st.sampled_from(
        [
            "type",
            "version",
            "jurisdiction",
            "subject",
            "discovered_at",
            "situation_codes",
            "description",
            "verifier",
            "to_org",
            "to_orgs",
            "reason",
            "outcome",
            "done_at",
            "method",
            "due_at",
            "intake_org",
        ]
    )
    paths = [
        "/api/v1/cases",
        f"/api/v1/cases/{case_id}/actions/accept",
        f"/api/v1/cases/{case_id}/actions/start_verification",
        f"/api/v1/cases/{case_id}/referrals",
        f"/api/v1/cases/{case_id}/visits",
        "/api/v1/referrals/1/actions/decline",
        "/api/v1/auth/token",
    ]

    @settings(
        max_examples=150,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the project
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        path=st.sampled_from(paths),
        body=st.dictionaries(keys, _json_values(), max_size=6),
        query=st.dictionaries(
            st.sampled_from(["page", "per_page", "q", "created_from", "state", "overdue"]),
            st.text(max_size=20),
            max_size=3,
        ),
    )
    def check(path, body, query):
        response = api.post("police", path, body)
        assert response.status_code < 500, (path, body, response.get_data(as_text=True))
        assert response.is_json
        with api.client.unchecked_request():  # hostile on purpose (an empty page=)
            listed = api.get("police", "/api/v1/cases", query_string=query)
        assert listed.status_code in (200, 422), (query, listed.get_data(as_text=True))

    check()
