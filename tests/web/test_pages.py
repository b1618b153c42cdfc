"""The pages through the Flask test client: login, the report form's errors, actions with
stale versions, scope, the access log and the workflow diagram."""

import re
from datetime import timedelta

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, Event
from tests.conftest import csrf_token, login


def report_form(token, **overrides):
    discovered = timeutil.to_local(timeutil.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "csrf_token": token,
        "subject-name": "冉小雨",
        "subject-sex": "F",
        "subject-birth_date": "2015-03-08",
        "jurisdiction": "500240001001",
        "discovered_at": discovered,
        "description": "发现儿童多处淤青。",
        "reporter_org_type": "village_committee",
        "child_safety": "unknown",
    }
    data.update(overrides)
    return data


def file_report(client, **overrides):
    token = csrf_token(client, "/cases/new/mandatory_report")
    return client.post("/cases/new/mandatory_report", data=report_form(token, **overrides))


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_pages_need_login(client):
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused(client):
    response = login(client, "police", "wrong")
    assert response.status_code == 200
    assert client.get("/cases").status_code == 302


def test_a_form_without_csrf_token_changes_nothing(client, clean):
    login(client, "child_director")
    data = report_form("")
    del data["csrf_token"]
    response = client.post("/cases/new/mandatory_report", data=data)
    assert response.status_code == 400
    with clean.app_context():
        assert count(Case) == 0


def test_report_is_filed_and_urgent_with_a_situation(client, clean):
    login(client, "child_director")
    response = file_report(client, situation_codes="2")
    assert response.status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.state == "submitted" and case.urgent
        assert case.subject.name == "冉小雨"


def test_bad_report_input_is_422_and_changes_nothing(client, clean):
    login(client, "child_director")
    tomorrow = (timeutil.to_local(timeutil.now()) + timedelta(days=1)).date().isoformat()
    cases = [
        {"subject-birth_date": tomorrow},
        {"subject-id_number": "500240201503080025"},  # wrong check digit
        {"subject-name": "名" * 101},
        {"description": ""},
        {"jurisdiction": "500240101002"},  # a village outside the reporter's area
    ]
    for overrides in cases:
        response = file_report(client, **overrides)
        assert response.status_code == 422, overrides
        assert "is-invalid" in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Case) == 0 and count(Event) == 0


def _case_id(clean):
    with clean.app_context():
        return db.session.scalar(db.select(Case.id))


def test_stale_version_is_a_conflict_and_changes_nothing(client, clean):
    login(client, "child_director")
    file_report(client)
    case_id = _case_id(clean)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "police")
    token = csrf_token(client, f"/cases/{case_id}")
    response = client.post(
        f"/cases/{case_id}/actions/accept",
        data={"csrf_token": token, "accept-version": "0", "accept-comment": "x"},
    )
    assert response.status_code == 409
    with clean.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "submitted" and case.version == 1 and len(case.events) == 1


def test_out_of_scope_case_is_404_and_not_listed(client, clean):
    login(client, "child_director")
    file_report(client)
    case_id = _case_id(clean)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "child_director_2")
    assert client.get(f"/cases/{case_id}").status_code == 404
    page = client.get("/cases").get_data(as_text=True)
    assert "MR-" not in page


def test_viewing_a_case_is_logged(client, clean):
    login(client, "child_director")
    file_report(client)
    case_id = _case_id(clean)
    assert client.get(f"/cases/{case_id}").status_code == 200
    with clean.app_context():
        rows = db.session.scalars(db.select(AccessLog)).all()
        assert [(r.case_id, r.channel) for r in rows] == [(case_id, "page")]


def test_workflow_diagram_highlights_the_state(client, clean):
    login(client, "child_director")
    file_report(client)
    case_id = _case_id(clean)
    page = client.get(f"/workflows/mandatory_report?case={case_id}").get_data(as_text=True)
    assert "stateDiagram-v2" in page
    assert re.search(r"class submitted current", page)
    assert "submitted --&gt; accepted" in page


def test_language_switch(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en?next=/login")
    assert "Log in to caseflow" in client.get("/login").get_data(as_text=True)
    client.get("/lang/zh_Hans_CN")
    assert "登录" in client.get("/login").get_data(as_text=True)
