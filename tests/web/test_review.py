"""The supervisor's review page, deadline waivers (page and API), the workload counts and
the rule-pack page."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseflow import policy, timeutil
from caseflow.deadlines import ledger, rules
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Jurisdiction, Organisation, Referral, User, Visit
from caseflow.services import cases as case_service
from caseflow.services import review as review_service
from caseflow.services.common import VISIT_KINDS
from tests.conftest import PASSWORD, api_token, csrf_token, login, user

CHENGNAN = "500240001001"  # 南宾街道
YUNTI = "500240101002"  # 西沱镇


def place(code):
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def org(name):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def report(username, code, child="冉小雨"):
    data = {
        "jurisdiction_id": place(code).id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": timeutil.now() - timedelta(hours=2),
        "situation_codes": [],
        "ongoing_danger": False,
        "guardian_is_suspect": False,
        "child_safety": "unknown",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青。",
        "subject": {
            "name": child,
            "sex": "F",
            "birth_date": None,
            "id_number": None,
            "phone": None,
            "address": None,
            "school": None,
        },
        "reporter": {"name": "谭春梅", "phone": "13800000001"},
    }
    return case_service.create_case(user(username), "mandatory_report", data)


def township_supervisor():
    """A supervisor of 西沱镇 (the other township)."""
    found = user("xituo_supervisor")
    if found is None:
        found = User(
            username="xituo_supervisor",
            display_name="西沱督导",
            role="supervisor",
            organisation=org("西沱镇人民政府"),
        )
        found.set_password(PASSWORD)
        db.session.add(found)
        db.session.flush()
    return found


@pytest.fixture
def world(clean):
    """Case A in 城南 (南宾) with an overdue visit and an unanswered referral past due;
    case B in 云梯村 (西沱) whose latest visit asks for escalation; three days later,
    swept, so their acceptance deadlines are missed."""
    start = timeutil.now()
    with clean.app_context():
        a = report("child_director", CHENGNAN)
        b = report("child_director_2", YUNTI, child="马小花")
        ledger.open_deadline(a, "visit_due", due_at=start + timedelta(days=1))
        referral = Referral(
            case=a,
            to_org=org("石柱县民政局"),
            from_org=a.owner_org,
            reason="请协助",
            status="sent",
            sent_at=start,
            sent_by_id=user("police").id,
        )
        db.session.add(referral)
        deadline = ledger.open_deadline(a, "referral_due", due_at=start + timedelta(days=1))
        deadline.referral = referral
        db.session.add(
            Visit(
                case=b,
                done_at=start,
                by_user_id=user("child_director_2").id,
                method="home",
                outcome="escalate",
                notes="",
                recorded_at=start,
            )
        )
        township_supervisor()
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "a_number": a.number, "b_number": b.number}
    timeutil.set_clock(start + timedelta(days=3))
    with clean.app_context():
        ledger.sweep()
        db.session.commit()
    return ids


def missed_deadline_id(clean, case_id, kind="accept_due"):
    with clean.app_context():
        return db.session.scalar(
            select(Deadline.id).where(Deadline.case_id == case_id, Deadline.kind == kind)
        )


def test_review_is_for_supervisors_only(client, world):
    login(client, "police")
    assert client.get("/review").status_code == 403


def test_sections_show_the_right_cases(client, world):
    login(client, "supervisor")
    page = client.get("/review?section=missed").get_data(as_text=True)
    assert world["a_number"] in page and world["b_number"] in page
    page = client.get("/review?section=visits").get_data(as_text=True)
    assert world["a_number"] in page and world["b_number"] not in page.split('id="workload"')[0]
    page = client.get("/review?section=referrals").get_data(as_text=True)
    assert world["a_number"] in page and "石柱县民政局" in page
    page = client.get("/review?section=escalated").get_data(as_text=True)
    body = page.split('id="section-escalated"')[1].split('id="workload"')[0]
    assert world["b_number"] in body and world["a_number"] not in body
    assert f"/cases/{world['b']}" in body  # rows link to the case


def test_filters_and_sort(client, world):
    login(client, "supervisor")
    page = client.get(f"/review?section=missed&place={YUNTI}").get_data(as_text=True)
    body = page.split('id="section-missed"')[1].split('id="workload"')[0]
    assert world["b_number"] in body and world["a_number"] not in body
    page = client.get("/review?section=missed&type=dv_warning").get_data(as_text=True)
    body = page.split('id="section-missed"')[1].split('id="workload"')[0]
    assert world["a_number"] not in body and world["b_number"] not in body
    asc = client.get("/review?section=missed&sort=number").get_data(as_text=True)
    desc = client.get("/review?section=missed&sort=number&dir=desc").get_data(as_text=True)
    first, second = sorted([world["a_number"], world["b_number"]])
    assert asc.index(f'data-case="{first}"') < asc.index(f'data-case="{second}"')
    assert desc.index(f'data-case="{second}"') < desc.index(f'data-case="{first}"')


def test_no_case_outside_scope(client, world):
    login(client, "xituo_supervisor")
    for section in review_service.SECTIONS:
        page = client.get(f"/review?section={section}").get_data(as_text=True)
        assert world["a_number"] not in page
    page = client.get("/review?section=escalated").get_data(as_text=True)
    assert world["b_number"] in page


@pytest.mark.parametrize("username", ["supervisor", "xituo_supervisor"])
def test_counts_equal_scoped_queries(client, clean, world, username):
    login(client, username)
    page = client.get("/review").get_data(as_text=True)
    with clean.app_context():
        who = user(username)
        now = timeutil.now()
        overdue = review_service.overdue_deadline(at=now)
        missed = db.session.scalar(
            select(func.count(Deadline.id))
            .join(Case, Deadline.case_id == Case.id)
            .where(policy.scope(who), overdue, Deadline.kind.not_in((*VISIT_KINDS, "referral_due")))
        )
        counts = review_service.counts(who, review_service.ReviewFilters())
        assert counts["missed"] == missed
        assert f'data-count="missed">{missed}<' in page
        workers, orgs = review_service.workload(who)
        visible = db.session.scalars(select(Case).where(policy.scope(who))).all()
        for load in orgs:
            mine = [c for c in visible if c.owner_org_id == load.key]
            assert load.open_cases == sum(1 for c in mine if c.is_open)
            late = [
                d
                for c in mine
                for d in c.deadlines
                if d.closed_at is None
                and (d.status == "missed" or (d.status == "open" and d.due_at < now))
            ]
            assert load.missed == sum(1 for d in late if d.kind not in VISIT_KINDS)
            assert load.overdue_visits == sum(1 for d in late if d.kind in VISIT_KINDS)
        assert sum(x.open_cases for x in orgs) == sum(1 for c in visible if c.is_open)
        assert sum(x.open_cases for x in workers) == sum(1 for c in visible if c.is_open)
    assert 'id="workload-org"' in page


def test_waive_on_the_case_page_shows_reason_and_who(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["a"])
    login(client, "supervisor")
    page = client.get(f"/cases/{world['a']}").get_data(as_text=True)
    assert f"/deadlines/{deadline_id}/waive" in page
    token = csrf_token(client, f"/cases/{world['a']}")
    with clean.app_context():
        version = db.session.get(Case, world["a"]).version
    response = client.post(
        f"/deadlines/{deadline_id}/waive", data={"csrf_token": token, "reason": "  "}
    )
    assert response.status_code == 422
    with clean.app_context():
        assert db.session.get(Deadline, deadline_id).status == "missed"
    response = client.post(
        f"/deadlines/{deadline_id}/waive",
        data={"csrf_token": token, "reason": "案件已移交上级机关处理"},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{world['a']}").get_data(as_text=True)
    assert "案件已移交上级机关处理" in page and "谭志强" in page
    with clean.app_context():
        d = db.session.get(Deadline, deadline_id)
        assert d.status == "waived" and d.waived_by.username == "supervisor"
        case = db.session.get(Case, world["a"])
        assert case.version > version
        event = case.events[-1]
        assert event.trigger == "deadline_waived"
        assert event.data == {"deadline_id": deadline_id, "kind": "accept_due"}


def test_waive_from_the_review_page(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["b"])
    login(client, "supervisor")
    token = csrf_token(client, "/review?section=missed")
    response = client.post(
        f"/deadlines/{deadline_id}/waive?next=review&section=missed",
        data={"csrf_token": token, "reason": "重复报告"},
    )
    assert response.status_code == 302 and "/review" in response.headers["Location"]
    page = client.get("/review?section=missed").get_data(as_text=True)
    assert f"/deadlines/{deadline_id}/waive" not in page


def test_a_non_supervisor_gets_no_waiver_form(client, clean, world):
    login(client, "police")
    page = client.get(f"/cases/{world['a']}").get_data(as_text=True)
    assert "waive-form" not in page


def _event_count(case_id):
    return db.session.scalar(select(func.count(Event.id)).where(Event.case_id == case_id))


def test_api_waiver_without_reason_is_422_and_changes_nothing(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["a"])
    headers = api_token(client, "supervisor")
    with clean.app_context():
        before = (_event_count(world["a"]), db.session.get(Case, world["a"]).version)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = client.post(f"/api/v1/deadlines/{deadline_id}/waive", json=body, headers=headers)
        assert response.status_code == 422, response.get_json()
        assert "reason" in response.get_json()["error"]["fields"]
    with clean.app_context():
        assert db.session.get(Deadline, deadline_id).status == "missed"
        assert (_event_count(world["a"]), db.session.get(Case, world["a"]).version) == before


def test_api_waiver_by_a_non_supervisor_is_403(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["a"])
    headers = api_token(client, "police")  # owns the case, but is no supervisor
    response = client.post(
        f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 403
    with clean.app_context():
        assert db.session.get(Deadline, deadline_id).status == "missed"


def test_api_waiver_by_a_supervisor_of_another_jurisdiction_is_403(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["a"])
    headers = api_token(client, "xituo_supervisor")
    # Out of scope: it does not exist for them.
    response = client.post(
        f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 404
    # A referral to their unit puts the case in their scope, not in their jurisdiction.
    with clean.app_context():
        db.session.add(
            Referral(
                case_id=world["a"],
                to_org=org("西沱镇人民政府"),
                reason="协助",
                status="sent",
                sent_at=timeutil.now(),
                sent_by_id=user("police").id,
            )
        )
        db.session.commit()
    response = client.post(
        f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "x"}, headers=headers
    )
    assert response.status_code == 403
    with clean.app_context():
        assert db.session.get(Deadline, deadline_id).status == "missed"


def test_api_waiver_by_the_supervisor(client, clean, world):
    deadline_id = missed_deadline_id(clean, world["a"])
    headers = api_token(client, "supervisor")
    response = client.post(
        f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "已另案处理"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "waived" and body["waiver_reason"] == "已另案处理"
    assert body["waived_by"] == "谭志强"
    # Once waived it cannot be waived again.
    response = client.post(
        f"/api/v1/deadlines/{deadline_id}/waive", json={"reason": "again"}, headers=headers
    )
    assert response.status_code == 409
    assert (
        client.post(
            "/api/v1/deadlines/999999/waive", json={"reason": "x"}, headers=headers
        ).status_code
        == 404
    )


def test_waive_path_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/deadlines/{deadline_id}/waive" in spec["paths"]


def test_rules_page_shows_defaults(client, clean):
    login(client, "police")
    assert client.get("/admin/rules").status_code == 403
    login(client, "admin")
    page = client.get("/admin/rules?jurisdiction=500240").get_data(as_text=True)
    assert "未成年人保护法" in page and 'data-kind="accept_due"' in page
    # No server file path, no internal codes shown.
    assert clean.config["RULE_PACK"] not in page and "default.toml" not in page
    assert "<code>accept_due</code>" not in page and ">start_follow_up<" not in page
    # Every statutory period of the law table, with where it is enforced or why not.
    for n in range(1, 30):
        assert f'data-period="D{n}"' in page, n
    # The table once, in the page's body; the title is text only.
    assert page.count('id="statutory-periods"') == 1
    assert "<table" not in page.split("<title>")[1].split("</title>")[0]
    row = page.split('data-period="D10"')[1].split("</tr>")[0]
    assert 'data-enforced="true"' in row and "反家庭暴力法第28条" in row
    assert "人身安全保护令" in row or "保护令" in row
    assert 'data-source="override"' not in page
    assert client.get("/admin/rules?jurisdiction=nowhere").status_code == 404


def test_rules_page_shows_an_override(client, clean, tmp_path):
    original = clean.config["RULE_PACK"]
    text = Path(original).read_text(encoding="utf-8")
    pack = tmp_path / "pack.toml"
    pack.write_text(
        text + '\n[overrides."500240001".deadlines.deliver_due]\ndays = 9\n'
        'basis = "本县规定：9日内送达"\nbasis_en = "County rule: deliver within 9 days"\n',
        encoding="utf-8",
    )
    clean.config["RULE_PACK"] = str(pack)
    rules.load.cache_clear()
    try:
        login(client, "supervisor")
        page = client.get("/admin/rules?jurisdiction=500240001001").get_data(as_text=True)
        row = page.split('data-kind="deliver_due"')[1].split("</tr>")[0]
        assert (
            "500240001" in row and "本县规定：9日内送达" in row and 'data-source="500240001"' in row
        )
        page = client.get("/admin/rules?jurisdiction=500240101").get_data(as_text=True)
        row = page.split('data-kind="deliver_due"')[1].split("</tr>")[0]
        assert 'data-source="default"' in row
    finally:
        clean.config["RULE_PACK"] = original
        rules.load.cache_clear()


def test_a_visit_dated_in_the_future_is_refused(client, clean, world):
    login(client, "police")
    token = csrf_token(client, f"/cases/{world['a']}")
    with clean.app_context():
        version = db.session.get(Case, world["a"]).version
        visits = db.session.scalar(select(func.count(Visit.id)).where(Visit.case_id == world["a"]))
    future = timeutil.to_local(timeutil.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/cases/{world['a']}/visits",
        data={
            "csrf_token": token,
            "visit-version": str(version),
            "visit-done_at": future,
            "visit-method": "home",
            "visit-outcome": "safe",
            "visit-notes": "",
        },
    )
    assert response.status_code == 422
    with clean.app_context():
        assert (
            db.session.scalar(select(func.count(Visit.id)).where(Visit.case_id == world["a"]))
            == visits
        )
