"""The legal-aid pages through the Flask test client (workflows.md §4; 法律援助法 Art. 32,
43, 44, 49): the referral form (means questions, exemption, urgent provision), referring a
DV case and the answers coming back to it, the objection decided by the justice bureau, and
the referral inbox (answers, permissions, overdue on both sides, referrals we sent)."""

import re
from datetime import timedelta

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import Case, Event, LegalAid, Organisation, Referral
from caseflow.services import cases as case_service
from caseflow.services import referrals as referral_service
from tests.conftest import csrf_token, login, user
from tests.web.test_dv_pages import VICTIM_PHONE, VILLAGE, make_dv
from tests.web.test_pages import file_report

CENTRE = "石柱县法律援助中心"


def use_english(client):
    client.get("/lang/en")


def logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def today():
    return timeutil.to_local(timeutil.now()).date()


def la_form(token, **overrides):
    data = {
        "csrf_token": token,
        "jurisdiction": VILLAGE,
        "subject-name": "陈淑芬",
        "subject-sex": "F",
        "subject-phone": VICTIM_PHONE,
        "matter": "maintenance",
        "description": "前夫拒付子女抚养费，申请人需要律师代理起诉。",
        "means_test_exempt_reason": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_la(client, **overrides):
    token = csrf_token(client, "/cases/new/legal_aid")
    return client.post("/cases/new/legal_aid", data=la_form(token, **overrides))


def act(client, case_id, trigger, **fields):
    token = csrf_token(client, f"/cases/{case_id}")
    with client.application.app_context():
        version = db.session.get(Case, case_id).version
    data = {"csrf_token": token, f"{trigger}-version": str(version)}
    data.update({f"{trigger}-{k}": v for k, v in fields.items()})
    return client.post(f"/cases/{case_id}/actions/{trigger}", data=data)


def only_aid(app):
    with app.app_context():
        return db.session.scalar(db.select(Case.id).where(Case.type == "legal_aid"))


def refer_dv(client, app, dv_id, actor="police"):
    """The police refer their DV case to legal aid through the pre-filled form."""
    login(client, actor)
    use_english(client)
    page = client.get(f"/cases/new/legal_aid?from_case={dv_id}").get_data(as_text=True)
    token = csrf_token(client, f"/cases/new/legal_aid?from_case={dv_id}")
    data = {
        "csrf_token": token,
        "source_case_id": str(dv_id),
        "jurisdiction": VILLAGE,
        "subject-name": "李红梅",
        "subject-sex": "F",
        "matter": "divorce",
        "description": "受害人要求离婚并请求损害赔偿。",
        "means_test_exempt_reason": "domestic_violence",
    }
    response = client.post("/cases/new/legal_aid", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return page, only_aid(app)


# --- the referral form ----------------------------------------------------------------------


def test_form_says_there_is_no_means_test_for_victims_and_hides_the_questions_by_script(
    client, clean
):
    login(client, "hotline")
    use_english(client)
    page = client.get("/cases/new/legal_aid").get_data(as_text=True)
    assert "No means test for victims of abuse, abandonment or domestic violence." in page
    assert "Art. 32 (4)" in page
    assert 'id="means-questions"' in page
    assert "js/legal_aid_form.js" in page
    script = client.get("/static/js/legal_aid_form.js")
    assert script.status_code == 200
    assert b"means_test_exempt_reason" in script.data and b"means-questions" in script.data
    script.close()
    # The deadline that allows urgent provision: today up to six days ahead (Art. 44).
    assert (today() + timedelta(days=6)).isoformat() in page


def test_without_an_exemption_the_means_answers_are_required(client, clean):
    login(client, "hotline")
    use_english(client)
    response = post_la(client)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please correct the marked fields. Nothing was saved." in page
    assert "honesty undertaking is needed (Art. 41)" in page
    assert "Answer the means questions, or choose an exemption." in page
    with clean.app_context():
        assert count(Case) == 0 and count(LegalAid) == 0 and count(Event) == 0

    response = post_la(client, household_size="3", monthly_income="800", honesty_undertaking="y")
    assert response.status_code == 302
    with clean.app_context():
        aid = db.session.scalar(db.select(LegalAid))
        assert (aid.household_size, aid.monthly_income, aid.honesty_undertaking) == (3, 800, True)
        assert aid.means_test_exempt_reason is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 in the household, 800 yuan per person per month" in page


def test_without_an_exemption_household_and_income_are_required(client, clean):
    login(client, "hotline")
    use_english(client)
    response = post_la(client, honesty_undertaking="y")
    assert response.status_code == 422
    assert "Answer the means questions, or choose an exemption." in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Case) == 0


def test_with_an_exemption_no_means_data_is_asked_or_kept(client, clean):
    login(client, "hotline")
    use_english(client)
    # Answers typed before choosing the exemption (no script) are dropped, not stored.
    response = post_la(
        client,
        means_test_exempt_reason="domestic_violence",
        household_size="4",
        monthly_income="5000",
    )
    assert response.status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        aid = case.legal_aid
        assert aid.means_test_exempt_reason == "domestic_violence"
        assert (aid.household_size, aid.monthly_income, aid.honesty_undertaking) == (
            None,
            None,
            False,
        )
        assert case.owner_org.name == CENTRE and case.state == "referred"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No means test" in page and "Victim of domestic violence" in page
    assert "The applicant" in page and "The victim" not in page


def test_urgent_provision_needs_a_deadline_less_than_seven_days_away(client, clean):
    login(client, "hotline")
    use_english(client)
    far = (today() + timedelta(days=10)).isoformat()
    response = post_la(
        client,
        means_test_exempt_reason="abuse",
        urgent_pre_provision="y",
        procedural_deadline=far,
    )
    assert response.status_code == 422
    assert "less than 7 days away" in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Case) == 0

    near = today() + timedelta(days=3)
    response = post_la(
        client,
        means_test_exempt_reason="abuse",
        urgent_pre_provision="y",
        procedural_deadline=near.isoformat(),
    )
    assert response.status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.urgent is True
        assert case.legal_aid.urgent_pre_provision is True
        assert case.legal_aid.procedural_deadline == near
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="pre-provision"' in page and near.isoformat() in page


def test_prefill_from_a_case_needs_an_open_case_in_scope_that_is_not_legal_aid(client, clean):
    dv_id = make_dv(clean)
    login(client, "police")
    assert client.get("/cases/new/legal_aid?from_case=999999").status_code == 404
    assert client.get("/cases/new/legal_aid?from_case=abc").status_code == 404
    logout(client)
    # The legal-aid centre does not see the police's DV case.
    login(client, "legal_aid")
    assert client.get(f"/cases/new/legal_aid?from_case={dv_id}").status_code == 404
    post_la(client, means_test_exempt_reason="abuse")
    aid_id = only_aid(clean)
    assert client.get(f"/cases/new/legal_aid?from_case={aid_id}").status_code == 404
    logout(client)
    login(client, "police")
    page = client.get(f"/cases/new/legal_aid?from_case={dv_id}").get_data(as_text=True)
    assert f'name="source_case_id" value="{dv_id}"' in page
    assert 'value="李红梅"' in page
    assert re.search(r'<option selected value="domestic_violence">', page)
    assert re.search(r'<option selected value="divorce">', page)


def test_prefill_hides_identities_the_user_may_not_see(client, clean):
    """The women's federation sees DV cases in its area, but not the victim's identity."""
    dv_id = make_dv(clean)
    login(client, "womens_federation")
    page = client.get(f"/cases/new/legal_aid?from_case={dv_id}").get_data(as_text=True)
    assert "李红梅" not in page and VICTIM_PHONE not in page
    assert 'id="source-case"' in page


# --- referring a DV case, and the answers coming back -----------------------------------------


def test_refer_a_dv_case_and_follow_the_centres_answers_on_it(client, clean):
    dv_id = make_dv(clean, "warning_issued")
    login(client, "police")
    use_english(client)
    dv_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert 'id="refer-legal-aid"' in dv_page
    logout(client)

    _, aid_id = refer_dv(client, clean, dv_id)
    with clean.app_context():
        aid_case = db.session.get(Case, aid_id)
        dv = db.session.get(Case, dv_id)
        assert aid_case.owner_org.name == CENTRE
        assert aid_case.legal_aid.source_case_id == dv_id
        (referral,) = dv.referrals
        assert referral.to_org.name == CENTRE and referral.status == "sent"
        assert aid_case.legal_aid.referral_id == referral.id
        assert [e.trigger for e in dv.events][-1] == "legal_aid_started"
        aid_number = aid_case.number
        dv_number = dv.number

    dv_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert f'href="/cases/{aid_id}"' in dv_page and aid_number in dv_page
    assert 'id="refer-legal-aid"' not in dv_page  # one open legal-aid case is enough
    assert "Referred to legal aid" in dv_page
    assert "Answered on legal-aid case" in dv_page  # no withdraw button on the linked one
    aid_page = client.get(f"/cases/{aid_id}").get_data(as_text=True)
    assert f'href="/cases/{dv_id}"' in aid_page and dv_number in aid_page
    logout(client)

    # The centre works the case on its page.
    login(client, "legal_aid")
    use_english(client)
    assert act(client, aid_id, "receive_application").status_code == 302
    assert act(client, aid_id, "grant", comment="符合条件").status_code == 302
    response = act(client, aid_id, "assign_lawyer", lawyer_name="冉志远", law_firm="民兴律所")
    assert response.status_code == 302
    aid_page = client.get(f"/cases/{aid_id}").get_data(as_text=True)
    assert "冉志远（民兴律所）" in aid_page
    # The centre sees the DV case (referred to it) without the owner's tools.
    dv_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert 'id="actions"' not in dv_page
    assert "Add a referral" not in dv_page and 'id="refer-legal-aid"' not in dv_page
    assert "Accept referral" not in dv_page
    logout(client)

    login(client, "police")
    use_english(client)
    dv_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    timeline = dv_page[dv_page.index('id="timeline"') :]
    assert "Referral accepted" in timeline
    assert "Legal aid: granted" in timeline
    assert "Lawyer assigned" in timeline and "冉志远（民兴律所）" in timeline
    with clean.app_context():
        dv = db.session.get(Case, dv_id)
        updates = [e.data["trigger"] for e in dv.events if e.trigger == "legal_aid_update"]
        assert updates == ["grant", "assign_lawyer"]
        assert dv.referrals[0].status == "accepted"


def test_the_linked_referral_cannot_be_answered_from_the_inbox(client, clean):
    dv_id = make_dv(clean)
    _, aid_id = refer_dv(client, clean, dv_id)
    logout(client)
    login(client, "legal_aid")
    use_english(client)
    inbox = client.get("/referrals").get_data(as_text=True)
    assert "Answered on legal-aid case" in inbox and f'href="/cases/{aid_id}"' in inbox
    assert "Accept referral" not in inbox
    with clean.app_context():
        referral = db.session.scalar(db.select(Referral))
        referral_id, before = referral.id, db.session.get(Case, dv_id).version
    token = csrf_token(client, "/referrals")
    response = client.post(
        f"/referrals/{referral_id}/accept?next=inbox",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "answered by the steps of its legal-aid case" in response.get_data(as_text=True)
    with clean.app_context():
        assert db.session.get(Referral, referral_id).status == "sent"
        assert db.session.get(Case, dv_id).version == before
        assert db.session.get(Case, aid_id).state == "referred"


def test_the_justice_bureau_decides_an_objection_the_centre_cannot(client, clean):
    dv_id = make_dv(clean)
    _, aid_id = refer_dv(client, clean, dv_id)
    with clean.test_request_context():
        centre = user("legal_aid")
        case = db.session.get(Case, aid_id)
        case_service.fire(centre, case, "receive_application", {}, case.version)
        case_service.fire(centre, case, "deny", {"reason": "不属于法律援助范围。"}, case.version)
        db.session.commit()
    use_english(client)
    # The referring police station lodges the objection on the applicant's behalf.
    response = act(client, aid_id, "file_objection", reason="属于家庭暴力受害人主张权益。")
    assert response.status_code == 302
    logout(client)

    login(client, "legal_aid")
    page = client.get(f"/cases/{aid_id}").get_data(as_text=True)
    assert 'data-trigger="grant"' not in page and 'data-trigger="uphold_denial"' not in page
    assert act(client, aid_id, "grant", comment="x").status_code == 403
    with clean.app_context():
        assert db.session.get(Case, aid_id).state == "objection"
    logout(client)

    login(client, "justice_bureau")
    use_english(client)
    page = client.get(f"/cases/{aid_id}").get_data(as_text=True)
    assert 'data-trigger="grant"' in page and 'data-trigger="uphold_denial"' in page
    assert act(client, aid_id, "grant", comment="异议成立").status_code == 302
    with clean.app_context():
        case = db.session.get(Case, aid_id)
        assert case.state == "granted" and case.legal_aid.objection_decided_at is not None
    page = client.get(f"/cases/{aid_id}").get_data(as_text=True)
    assert "decided by the justice bureau" in page


# --- ordinary referrals ----------------------------------------------------------------------


def send_referral(app, case_id, to_type="civil_affairs", hours=None):
    with app.test_request_context():
        police = user("police")
        case = db.session.get(Case, case_id)
        org = db.session.scalar(
            db.select(Organisation).where(Organisation.type == to_type).order_by(Organisation.id)
        )
        due = timeutil.now() + timedelta(hours=hours) if hours else None
        (referral,) = referral_service.add(case, police, [org], "请协助安置。", due, case.version)
        db.session.commit()
        return referral.id, org.name


def answer(client, referral_id, action, **data):
    token = csrf_token(client, "/referrals")
    return client.post(
        f"/referrals/{referral_id}/{action}?next=inbox",
        data={"csrf_token": token, **data},
        follow_redirects=True,
    )


def status_of(app, referral_id):
    with app.app_context():
        return db.session.get(Referral, referral_id).status


def test_referral_lifecycle_and_who_may_answer(client, clean):
    dv_id = make_dv(clean)
    referral_id, org_name = send_referral(clean, dv_id, to_type="womens_federation")

    # Another organisation (the legal-aid centre) may not answer it.
    with clean.test_request_context():
        referral = db.session.get(Referral, referral_id)
        referral_service.send(
            referral.case, user("police"), [user("legal_aid").organisation], "法律咨询", None
        )
        db.session.commit()
    login(client, "legal_aid")
    use_english(client)
    page = answer(client, referral_id, "accept").get_data(as_text=True)
    assert "This referral is not addressed to your unit." in page
    assert status_of(clean, referral_id) == "sent"
    logout(client)

    login(client, "womens_federation")
    use_english(client)
    inbox = client.get("/referrals").get_data(as_text=True)
    assert "Accept referral" in inbox
    page = answer(client, referral_id, "decline").get_data(as_text=True)
    assert "A reason is required to decline." in page
    assert status_of(clean, referral_id) == "sent"
    answer(client, referral_id, "accept")
    assert status_of(clean, referral_id) == "accepted"
    page = answer(client, referral_id, "complete").get_data(as_text=True)
    assert "The outcome is required to complete." in page
    assert status_of(clean, referral_id) == "accepted"
    answer(client, referral_id, "complete", outcome="已联系社区妇联跟进。")
    assert status_of(clean, referral_id) == "completed"
    logout(client)

    # The sender sees it among the referrals it sent (all, answered ones too).
    login(client, "police")
    use_english(client)
    sent = client.get("/referrals?all=1").get_data(as_text=True)
    sent = sent[sent.index('id="sent-list"') :]
    assert org_name in sent and "Completed" in sent and "已联系社区妇联跟进。" in sent


def test_an_unanswered_referral_past_its_deadline_is_overdue_for_both_sides(client, clean):
    dv_id = make_dv(clean)
    referral_id, org_name = send_referral(clean, dv_id, to_type="womens_federation", hours=24)
    login(client, "police")
    use_english(client)
    sent = client.get("/referrals").get_data(as_text=True)
    assert "referral-overdue" not in sent and org_name in sent
    with clean.app_context():
        due = db.session.get(Referral, referral_id).deadline.due_at
    timeutil.set_clock(due + timedelta(hours=1))
    login(client, "police")  # a day later the idle session has ended

    sent = client.get("/referrals").get_data(as_text=True)
    sent = sent[sent.index('id="sent-list"') :]
    assert "referral-overdue" in sent
    case_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    referrals_card = case_page[case_page.index('id="referrals"') :]
    assert "referral-overdue" in referrals_card
    logout(client)

    login(client, "womens_federation")
    use_english(client)
    inbox = client.get("/referrals").get_data(as_text=True)
    inbox = inbox[inbox.index('id="inbox"') : inbox.index('id="sent-list"')]
    assert "referral-overdue" in inbox and "Overdue" in inbox
    # Once answered it is no longer overdue.
    answer(client, referral_id, "accept")
    inbox = client.get("/referrals").get_data(as_text=True)
    assert "referral-overdue" not in inbox


def test_navigation_shows_legal_aid_entries_by_role(client, clean):
    login(client, "legal_aid")
    use_english(client)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/cases?type=legal_aid"' in page
    assert 'href="/cases/new/legal_aid"' in page
    logout(client)
    login(client, "police")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/cases?type=legal_aid"' not in page
    assert 'href="/cases/new/legal_aid"' in page
    logout(client)
    login(client, "statistician")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/cases/new/legal_aid"' not in page
    assert client.get("/cases/new/legal_aid").status_code == 403


def test_a_child_abandoned_is_referred_without_means_test_for_abandonment(client, clean):
    """From a mandatory report: the exemption is abuse, or abandonment when situation 6
    (abandoned or left without care) was reported; the matter then the guardianship."""
    login(client, "child_director")
    use_english(client)
    file_report(client, situation_codes=["6"])
    with clean.app_context():
        report_id = db.session.scalar(db.select(Case.id))
    page = client.get(f"/cases/{report_id}").get_data(as_text=True)
    assert 'id="refer-legal-aid"' in page
    form = client.get(f"/cases/new/legal_aid?from_case={report_id}").get_data(as_text=True)
    assert '<option selected value="abandonment">' in form
    assert '<option selected value="guardianship">' in form
    assert 'value="冉小雨"' in form


def test_the_creation_page_loads_the_source_in_scope_before_the_role(client, clean):
    """Scope (404), then the source's state (409), then the role (403)."""
    dv_id = make_dv(clean)
    login(client, "statistician")  # may not refer to legal aid at all
    assert client.get("/cases/new/legal_aid").status_code == 403
    assert client.get("/cases/new/legal_aid?from_case=999999").status_code == 404
    assert client.get(f"/cases/new/legal_aid?from_case={dv_id}").status_code == 404
    logout(client)
    with clean.app_context():
        case = db.session.get(Case, dv_id)
        case.state = "closed"  # a closed case: it exists, but cannot be referred now
        db.session.commit()
    login(client, "police")
    assert client.get(f"/cases/new/legal_aid?from_case={dv_id}").status_code == 409
