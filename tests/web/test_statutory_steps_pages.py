"""The new roles through the pages: a school's reporter files a report of sexual abuse with
the guardian told, and a committee records a 查访 on the DV call of its community."""

import re
from datetime import timedelta

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Visit
from tests.conftest import csrf_token, login
from tests.web.test_pages import report_form


def minutes_ago(minutes: int) -> str:
    at = timeutil.now() - timedelta(minutes=minutes)
    return timeutil.to_local(at).strftime("%Y-%m-%dT%H:%M")


def test_a_schools_reporter_files_as_the_school(client, clean):
    login(client, "institution_reporter")
    page = client.get("/cases/new/mandatory_report").get_data(as_text=True)
    # The unit type is the school's, preselected.
    assert re.search(
        r'<option[^>]*selected[^>]*value="school"|<option[^>]*value="school"[^>]*selected', page
    )
    assert 'name="guardian_notified_at"' in page and 'name="sexual_abuse"' in page
    token = csrf_token(client, "/cases/new/mandatory_report")
    data = report_form(
        token,
        reporter_org_type="school",
        sexual_abuse="y",
        discovered_at=minutes_ago(120),
        guardian_notified_at=minutes_ago(60),
    )
    response = client.post("/cases/new/mandatory_report", data=data)
    assert response.status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.mandatory_report.reporter_org_type == "school"
        assert [r.to_org.type for r in case.referrals] == ["education_bureau"]
        case_id = case.id
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "通知监护人（未保法第40条）" in page


def test_a_schools_report_without_the_guardian_is_refused_on_the_page(client, clean):
    login(client, "institution_reporter")
    token = csrf_token(client, "/cases/new/mandatory_report")
    data = report_form(token, reporter_org_type="school", sexual_abuse="y")
    response = client.post("/cases/new/mandatory_report", data=data)
    assert response.status_code == 422
    with clean.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0


def test_a_committee_records_a_visit_on_its_communitys_call(client, clean):
    from caseflow.services import cases
    from tests.conftest import user
    from tests.integration.test_dv_deadlines import call_data

    with clean.test_request_context():
        case = cases.create_case(
            user("police"), "dv_warning", call_data(timeutil.now() - timedelta(hours=2))
        )
        db.session.commit()
        case_id, version = case.id, case.version
    login(client, "committee")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="visit-done_at"' in page  # the visit form is offered
    token = csrf_token(client, f"/cases/{case_id}")
    response = client.post(
        f"/cases/{case_id}/visits",
        data={
            "csrf_token": token,
            "visit-version": version,
            "visit-done_at": minutes_ago(30),
            "visit-method": "home",
            "visit-outcome": "safe",
            "visit-notes": "社区查访。",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with clean.app_context():
        (visit,) = db.session.scalars(db.select(Visit)).all()
        assert visit.by_user.username == "committee"
