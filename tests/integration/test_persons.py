"""One person across cases (services/persons.py): proposals by each key within the
identity scope only, linking to a proposed or a new record, merge and its undoing, the
person page's scope, and the repeat-abuser badge on the case page, the list and the API."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog, Event, PersonLink, PersonRecord
from caseflow.services import person_keys
from tests.conftest import api_token, csrf_token, login
from tests.integration.test_api_hotline import dv_case

CHENGNAN = "500240001001"
ABUSER_ID = "500240198001010013"  # 18 digits of the 15-digit 500240800101001


def create_dv(client, headers, subject=None, abuser=None, minors=False):
    body = dv_case(
        jurisdiction=CHENGNAN,
        call_at=(timeutil.now() - timedelta(hours=3)).isoformat(),
        description="邻居报警。",
        minors_present=minors,
    )
    if subject:
        body["subject"] = {"sex": "F"} | subject
    if abuser:
        body["abuser"] = {"sex": "M", "relation": "spouse"} | abuser
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def party(case: dict, role: str) -> dict:
    return next(p for p in case["persons"] if p["role"] == role)


def link(client, headers, case, role, person_id, status=201):
    response = client.post(
        f"/api/v1/cases/{case['id']}/parties/{party(case, role)['party_id']}/person",
        json={"person_id": person_id},
        headers=headers,
    )
    assert response.status_code == status, response.get_json()
    return response.get_json()


def proposals(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/person-proposals", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["proposals"]


@pytest.fixture
def police(client):
    return api_token(client, "police")


@pytest.fixture
def first(client, police):
    """A DV call whose abuser (18-digit ID, a phone, a birth date) has a person record."""
    case = create_dv(
        client,
        police,
        abuser={
            "name": "張偉",
            "id_number": ABUSER_ID,
            "phone": "13911112222",
            "birth_date": "1980-01-01",
        },
    )
    linked = link(client, police, case, "abuser", None)
    return case, linked["person_id"]


def test_keys_are_normalised():
    assert person_keys.id_number("500240800101001") == ABUSER_ID
    assert person_keys.id_number("50024019800101001x") == "50024019800101001X"
    assert person_keys.id_number("12345") is None
    for form in ("+86 139-1111-2222", "139 1111 2222", "008613911112222", "8613911112222"):
        assert person_keys.phone(form) == "13911112222"
    assert person_keys.name_key("張 偉") == "张伟"
    assert person_keys.name_pinyin("章伟") == person_keys.name_pinyin("张伟") == "zhangwei"


@pytest.mark.parametrize(
    "query, key",
    [
        ({"id_number": "500240800101001"}, "id_number"),  # the 15-digit form
        ({"id_number": ABUSER_ID.lower()}, "id_number"),
        ({"phone": "+86 139-1111-2222"}, "phone"),
        ({"phone": "139 1111 2222"}, "phone"),
        ({"name": "张伟", "birth_date": "1980-01-01"}, "name_birth"),  # a variant character
        ({"name": "章伟", "birth_date": "1980-01-01"}, "name_birth"),  # the same pinyin
    ],
)
def test_a_person_is_proposed_by_each_key(client, police, first, query, key):
    case, record = first
    found = proposals(client, police, **query)
    assert [p["person_id"] for p in found] == [record]
    assert found[0]["matched_by"] == [key]
    assert found[0]["cases"] == [{"id": case["id"], "number": case["number"], "role": "abuser"}]


def test_no_proposal_without_a_matching_key(client, police, first):
    assert proposals(client, police, name="张伟", birth_date="1981-01-01") == []
    assert proposals(client, police, name="张伟") == []  # a name alone is not enough
    assert proposals(client, police, phone="13911112223") == []


def test_proposals_never_leave_the_identity_scope(client, clean, police, first):
    _case, record = first
    # The women's federation sees DV calls of the county, not their identities; the
    # child director sees no DV call. Both get the answer of an unknown person.
    for username in ("womens_federation", "child_director", "statistician"):
        headers = api_token(client, username)
        assert proposals(client, headers, id_number=ABUSER_ID) == []
        assert proposals(client, headers, id_number="110101199003070011") == []
        known = client.get(f"/api/v1/persons/{record}", headers=headers)
        unknown = client.get("/api/v1/persons/999999", headers=headers)
        assert known.status_code == unknown.status_code == 404
        assert known.get_json() == unknown.get_json()
    with clean.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AccessLog).where(AccessLog.channel == "person")
            )
            == 0
        )


def test_a_new_party_is_linked_only_when_the_user_chooses(client, clean, police, first):
    _case, record = first
    second = create_dv(client, police, abuser={"name": "章伟", "phone": "+8613911112222"})
    abuser = party(second, "abuser")
    assert abuser["person_id"] is None  # nothing linked silently
    path = f"/api/v1/cases/{second['id']}/parties/{abuser['party_id']}/proposals"
    offered = client.get(path, headers=police).get_json()
    assert [p["person_id"] for p in offered["proposals"]] == [record]
    link(client, police, second, "abuser", record)
    again = link(client, police, second, "abuser", record, status=409)
    assert again["error"]["code"] == "invalid_transition"
    # Another party: an unknown record number is a field error, nothing is linked.
    refused = link(client, police, second, "subject", 999999, status=422)
    assert "person_id" in refused["error"]["fields"]
    detail = client.get(f"/api/v1/cases/{second['id']}", headers=police).get_json()
    assert party(detail, "abuser")["person_id"] == record
    assert party(detail, "subject")["person_id"] is None
    with clean.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.case_id == second["id"], Event.trigger == "person_linked")
            )
            == 1
        )
    # A party outside the caller's identity scope cannot be linked.
    federation = api_token(client, "womens_federation")
    response = client.post(
        f"/api/v1/cases/{second['id']}/parties/{party(detail, 'subject')['party_id']}/person",
        json={"person_id": None},
        headers=federation,
    )
    assert response.status_code == 403


def test_the_case_page_proposes_and_links(client, clean, police, first):
    _case, record = first
    second = create_dv(client, police, abuser={"name": "张伟", "birth_date": "1980-01-01"})
    login(client, "police")
    page = client.get(f"/cases/{second['id']}").get_data(as_text=True)
    assert f'value="{record}"' in page and 'id="persons"' in page
    abuser = party(second, "abuser")["party_id"]
    token = csrf_token(client, f"/cases/{second['id']}")
    response = client.post(
        f"/cases/{second['id']}/parties/{abuser}/person",
        data={"csrf_token": token, "person_id": str(record)},
    )
    assert response.status_code == 302
    subject = party(second, "subject")["party_id"]
    client.post(
        f"/cases/{second['id']}/parties/{subject}/person",
        data={"csrf_token": token, "person_id": "new"},
    )
    with clean.app_context():
        assert db.session.get(PersonLink, abuser).record_id == record
        assert db.session.get(PersonLink, subject).record_id not in (None, record)


def test_repeat_abuser_is_flagged_on_the_case_page_the_list_and_the_api(client, police, first):
    case, record = first
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=police).get_json()
    assert detail["repeat_abuser"] is False
    second = create_dv(client, police, abuser={"name": "张伟", "id_number": ABUSER_ID})
    link(client, police, second, "abuser", record)
    for number in (case["id"], second["id"]):
        detail = client.get(f"/api/v1/cases/{number}", headers=police).get_json()
        assert detail["repeat_abuser"] is True
        assert party(detail, "abuser")["repeat_abuser"] is True
        assert party(detail, "subject")["repeat_abuser"] is False
    other = create_dv(client, police)  # someone else's call
    login(client, "police")
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "repeat-abuser" in page
    assert "repeat-abuser" not in client.get(f"/cases/{other['id']}").get_data(as_text=True)
    listing = client.get("/cases?type=dv_warning").get_data(as_text=True)
    rows = {row.split('">')[1].split("<")[0]: row for row in listing.split("<tr>")[2:]}
    assert "repeat-abuser" in rows[case["number"]] and "repeat-abuser" in rows[second["number"]]
    assert "repeat-abuser" not in rows[other["number"]]
    # The person page lists both calls.
    person = client.get(f"/api/v1/persons/{record}", headers=police).get_json()
    assert person["repeat_abuser"] is True
    assert sorted(c["id"] for c in person["cases"]) == sorted([case["id"], second["id"]])


def test_the_person_page_lists_and_counts_only_cases_in_scope(client, clean, police):
    from tests.integration.test_attachments import report

    with clean.test_request_context():
        child_case = report()  # 冉小雨, filed by the child director, handled by the police
        child_case_id = child_case.id
    dv = create_dv(client, police, subject={"name": "冉小雨", "birth_date": "2015-03-08"})
    record = link(client, police, dv, "subject", None)["person_id"]
    mr = client.get(f"/api/v1/cases/{child_case_id}", headers=police).get_json()
    link(client, police, mr, "subject", record)
    assert len(client.get(f"/api/v1/persons/{record}", headers=police).get_json()["cases"]) == 2
    director = api_token(client, "child_director")
    seen = client.get(f"/api/v1/persons/{record}", headers=director).get_json()
    assert [c["id"] for c in seen["cases"]] == [child_case_id]
    login(client, "child_director")
    page = client.get(f"/persons/{record}").get_data(as_text=True)
    assert mr["number"] in page and dv["number"] not in page
    assert "1 " in page.split('class="card-footer')[1][:200]


def test_a_supervisor_merges_and_the_merge_is_undone_exactly(client, clean, police):
    one = create_dv(client, police, abuser={"name": "赵建国", "phone": "13911113333"})
    two = create_dv(client, police, abuser={"name": "赵建囯", "phone": "13911114444"})
    a = link(client, police, one, "abuser", None)["person_id"]
    b = link(client, police, two, "abuser", None)["person_id"]
    with clean.app_context():
        before = {k.person_id: k.record_id for k in db.session.scalars(select(PersonLink))}
    refused = client.post(
        f"/api/v1/persons/{a}/merge", json={"other_id": b, "reason": "同一人"}, headers=police
    )
    assert refused.status_code == 403
    supervisor = api_token(client, "supervisor")
    no_reason = client.post(
        f"/api/v1/persons/{a}/merge", json={"other_id": b, "reason": " "}, headers=supervisor
    )
    assert no_reason.status_code == 422
    merged = client.post(
        f"/api/v1/persons/{a}/merge",
        json={"other_id": b, "reason": "身份证号核对为同一人"},
        headers=supervisor,
    )
    assert merged.status_code == 201, merged.get_json()
    merge_id = merged.get_json()["id"]
    person = client.get(f"/api/v1/persons/{a}", headers=police).get_json()
    assert sorted(c["id"] for c in person["cases"]) == sorted([one["id"], two["id"]])
    assert person["repeat_abuser"] is True
    assert client.get(f"/api/v1/persons/{b}", headers=police).get_json()["id"] == a
    again = client.post(
        f"/api/v1/persons/{a}/merge", json={"other_id": b, "reason": "再次"}, headers=supervisor
    )
    assert again.status_code == 409
    with clean.app_context():
        assert db.session.get(PersonRecord, b).merged_into_id == a
        triggers = db.session.scalars(
            select(Event.case_id).where(Event.trigger == "person_merged")
        ).all()
        assert sorted(triggers) == sorted([one["id"], two["id"]])
    undone = client.post(
        f"/api/v1/person-merges/{merge_id}/undo", json={"reason": "核对有误"}, headers=supervisor
    )
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["undone_at"]
    with clean.app_context():
        after = {k.person_id: k.record_id for k in db.session.scalars(select(PersonLink))}
        assert after == before
        assert db.session.get(PersonRecord, b).merged_into_id is None
    assert (
        client.get(f"/api/v1/cases/{one['id']}", headers=police).get_json()["repeat_abuser"]
        is False
    )
    twice = client.post(
        f"/api/v1/person-merges/{merge_id}/undo", json={"reason": "再次"}, headers=supervisor
    )
    assert twice.status_code == 409


def test_merge_and_undo_from_the_person_page(client, clean, police):
    one = create_dv(client, police, abuser={"name": "刘强"})
    two = create_dv(client, police, abuser={"name": "刘强"})
    a = link(client, police, one, "abuser", None)["person_id"]
    b = link(client, police, two, "abuser", None)["person_id"]
    login(client, "supervisor")
    token = csrf_token(client, f"/persons/{a}")
    response = client.post(
        f"/persons/{a}/merge", data={"csrf_token": token, "other_id": str(b), "reason": "同一人"}
    )
    assert response.status_code == 302
    page = client.get(f"/persons/{a}").get_data(as_text=True)
    assert one["number"] in page and two["number"] in page
    with clean.app_context():
        from caseflow.models import PersonMerge

        merge_id = db.session.scalar(select(PersonMerge.id))
    client.post(f"/person-merges/{merge_id}/undo", data={"csrf_token": token, "reason": "有误"})
    page = client.get(f"/persons/{a}").get_data(as_text=True)
    assert one["number"] in page and two["number"] not in page


def test_a_case_is_created_with_the_persons_the_caller_chose(client, clean, police, first):
    _case, record = first
    found = proposals(client, police, phone="13911112222")
    assert [p["person_id"] for p in found] == [record]
    body = dv_case(
        jurisdiction=CHENGNAN,
        call_at=(timeutil.now() - timedelta(hours=1)).isoformat(),
        abuser={"name": "张伟", "sex": "M", "relation": "spouse"},
        description="邻居报警。",
        person_links={"abuser": record, "subject": None},
    )
    created = client.post("/api/v1/cases", json=body, headers=police)
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert party(case, "abuser")["person_id"] == record
    assert party(case, "subject")["person_id"] not in (None, record)
    assert case["repeat_abuser"] is True
    with clean.app_context():
        from caseflow.models import Case

        count = db.session.scalar(select(func.count()).select_from(Case))
    for links, field in (
        ({"abuser": 999999}, "person_links.abuser"),
        ({"respondent": None}, "person_links.respondent"),  # no such party in a DV call
        ({"reporter": None}, "person_links.reporter"),
        ({"abuser": "x"}, "person_links.abuser"),
    ):
        refused = client.post("/api/v1/cases", json=body | {"person_links": links}, headers=police)
        assert refused.status_code == 422, refused.get_json()
        assert field in refused.get_json()["error"]["fields"]
    with clean.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == count
