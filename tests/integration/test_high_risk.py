"""High-risk households (services/persons.py): who is on the list and why, the screening
interval from the rule pack, due and overdue screenings, recording a visit (the note
redacted like other free text), and who may see and screen."""

from datetime import date, timedelta

import pytest

from caseflow import timeutil
from tests.conftest import api_token, csrf_token, login
from tests.integration.test_api_domestic_violence import (
    ABUSER,
    api,  # noqa: F401  (fixture)
    fire,
    po_in_force,
    t,
)
from tests.integration.test_persons import create_dv, link, party

INTERVAL = 90  # rule pack: household_screening_due


def households(client, headers) -> dict:
    response = client.get("/api/v1/high-risk", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {h["number"]: h for h in response.get_json()["items"]}


def today() -> date:
    return timeutil.to_local(timeutil.now()).date()


@pytest.fixture
def police(client):
    return api_token(client, "police")


def screen(client, headers, case_id, status=201, **body):
    response = client.post(f"/api/v1/cases/{case_id}/screenings", json=body, headers=headers)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_child_in_the_household_puts_it_on_the_list(client, police):
    child = create_dv(client, police, minors=True)
    plain = create_dv(client, police)
    for username in ("police", "womens_federation", "supervisor"):
        found = households(client, api_token(client, username))
        assert plain["number"] not in found
        assert found[child["number"]]["reasons"] == ["child"]
        assert found[child["number"]]["interval_days"] == INTERVAL
        assert found[child["number"]]["due_on"] == (today() + timedelta(INTERVAL)).isoformat()
        assert found[child["number"]]["status"] == "planned"
    for username in ("child_director", "committee", "statistician"):
        response = client.get("/api/v1/high-risk", headers=api_token(client, username))
        assert response.status_code == 403


def test_a_repeat_abuser_puts_both_households_on_the_list(client, police):
    one = create_dv(client, police, abuser={"name": "孙伟"})
    two = create_dv(client, police, subject={"name": "黄玉兰"}, abuser={"name": "孙伟"})
    record = link(client, police, one, "abuser", None)["person_id"]
    assert households(client, police) == {}
    link(client, police, two, "abuser", record)
    found = households(client, police)
    assert set(found) == {one["number"], two["number"]}
    assert all(h["reasons"] == ["repeat_abuser"] for h in found.values())


def test_one_victim_is_one_household(client, police):
    one = create_dv(client, police, minors=True)
    two = create_dv(client, police, minors=True)
    record = link(client, police, one, "subject", None)["person_id"]
    link(client, police, two, "subject", record)
    found = households(client, police)
    assert list(found) == [two["number"]]  # the newest case carries the household
    assert sorted(found[two["number"]]["cases"]) == sorted([one["number"], two["number"]])


def test_screening_visits_move_the_next_one_and_show_overdue(client, police):
    case = create_dv(client, police, minors=True)
    federation = api_token(client, "womens_federation")
    long_ago = today() - timedelta(days=INTERVAL + 10)
    screen(client, federation, case["id"], done_on=long_ago.isoformat(), outcome="concern")
    found = households(client, police)[case["number"]]
    assert found["status"] == "overdue"
    assert found["due_on"] == (long_ago + timedelta(INTERVAL)).isoformat()
    recent = today() - timedelta(days=INTERVAL - 5)
    screen(client, police, case["id"], done_on=recent.isoformat(), outcome="safe")
    found = households(client, police)[case["number"]]
    assert found["status"] == "due" and found["last_screening"]["outcome"] == "safe"
    screen(client, police, case["id"], done_on=today().isoformat(), outcome="safe")
    found = households(client, police)[case["number"]]
    assert found["status"] == "planned"
    assert found["due_on"] == (today() + timedelta(INTERVAL)).isoformat()
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=police).get_json()
    assert [e["trigger"] for e in detail["events"]].count("screening_visit") == 3


def test_an_escalating_screening_stays_a_reason_and_the_note_is_redacted(client, police):
    case = create_dv(client, police, subject={"name": "李秀英", "phone": "13812345678"})
    # Not a high-risk household: nothing to screen (409), nothing recorded.
    screen(client, police, case["id"], 409, done_on=today().isoformat(), outcome="safe")
    other = create_dv(client, police, subject={"name": "李秀英"}, minors=True)
    note = "李秀英在家，电话13812345678畅通。"
    screen(client, police, other["id"], done_on=today().isoformat(), outcome="escalate", note=note)
    mine = households(client, police)[other["number"]]
    assert mine["reasons"] == ["visit_escalated", "child"]
    assert mine["last_screening"]["note"] == note
    federation = households(client, api_token(client, "womens_federation"))[other["number"]]
    assert "李秀英" not in federation["last_screening"]["note"]
    assert "13812345678" not in federation["last_screening"]["note"]
    assert federation["subject"]["masked"] is True


def test_a_screening_is_checked_in_the_house_order(client, police):
    case = create_dv(client, police, minors=True)
    supervisor = api_token(client, "supervisor")
    screen(client, supervisor, case["id"], 403, done_on=today().isoformat(), outcome="safe")
    director = api_token(client, "child_director")  # no DV case in scope: 404
    screen(client, director, case["id"], 404, done_on=today().isoformat(), outcome="safe")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    error = screen(client, police, case["id"], 422, done_on=tomorrow, outcome="maybe")
    assert set(error["error"]["fields"]) == {"done_on", "outcome"}
    error = screen(client, police, case["id"], 422, done_on="2026-13-01", outcome="safe")
    assert set(error["error"]["fields"]) == {"done_on"}
    assert households(client, police)[case["number"]]["last_screening"] is None


def test_the_list_page_and_recording_a_visit_there(client, clean, police):
    case = create_dv(client, police, minors=True)
    login(client, "police")
    page = client.get("/high-risk").get_data(as_text=True)
    assert case["number"] in page and 'id="nav-high-risk"' in page
    token = csrf_token(client, "/high-risk")
    response = client.post(
        f"/high-risk/{case['id']}/screenings",
        data={"csrf_token": token, "done_on": today().isoformat(), "outcome": "safe", "note": ""},
    )
    assert response.status_code == 302
    assert households(client, police)[case["number"]]["last_screening"]["outcome"] == "safe"
    login(client, "child_director")
    assert client.get("/high-risk").status_code == 403


def test_a_violated_order_flags_its_respondent_and_the_household(api):  # noqa: F811
    case_id = po_in_force(api)
    fire(
        api,
        "womens_federation",
        case_id,
        "record_violation",
        occurred_at=(t(minutes=-30)).isoformat(),
        description="被申请人到申请人单位门口纠缠。",
        evidence="",
    )
    detail = api.case("womens_federation", case_id)
    respondent = party(detail, "respondent")
    assert respondent["name"] == ABUSER
    link_path = f"/api/v1/cases/{case_id}/parties/{respondent['party_id']}/person"
    linked = api.post("womens_federation", link_path, {"person_id": None})
    assert linked.status_code == 201, linked.get_json()
    detail = api.case("womens_federation", case_id)
    assert detail["repeat_abuser"] is True
    response = api.get("womens_federation", "/api/v1/high-risk")
    found = {h["case_id"]: h for h in response.get_json()["items"]}
    assert "order_violated" in found[case_id]["reasons"]
    assert "repeat_abuser" in found[case_id]["reasons"]


def test_a_closed_household_stays_only_for_what_outlives_its_cases(client, clean, police):
    """Every case closed: a child alone no longer keeps the household on the list (its
    screenings would be years overdue); a repeat abuser does."""
    from sqlalchemy import update

    from caseflow.extensions import db
    from caseflow.models import Case

    child = create_dv(client, police, minors=True)
    one = create_dv(client, police, abuser={"name": "孙伟"}, minors=True)
    two = create_dv(client, police, subject={"name": "黄玉兰"}, abuser={"name": "孙伟"})
    record = link(client, police, one, "abuser", None)["person_id"]
    link(client, police, two, "abuser", record)
    assert {child["number"], one["number"], two["number"]} <= set(households(client, police))
    ids = [child["id"], one["id"], two["id"]]
    with clean.app_context():
        db.session.execute(update(Case).where(Case.id.in_(ids)).values(state="closed"))
        db.session.commit()
    found = households(client, police)
    assert child["number"] not in found
    assert set(found) == {one["number"], two["number"]}
    assert found[one["number"]]["reasons"] == ["repeat_abuser", "child"]
