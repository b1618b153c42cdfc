"""The domestic-violence pages through the Flask test client: logging a call and drafting a
protection order, the application pre-filled from a DV case, the case page sections, the
orders about to lapse on "my work", and the printable documents (scope, identity, log)."""

import re
from datetime import date, timedelta

import pytest

from caseflow import timeutil
from caseflow.deadlines.calendar import add_months
from caseflow.extensions import db
from caseflow.forms.base import ID_CHECK, ID_WEIGHTS
from caseflow.models import AccessLog, Case, Event, Jurisdiction, Organisation, User
from caseflow.services import cases as case_service
from tests.conftest import csrf_token, login, user

VILLAGE = "500240001001"  # 城南社区, 南宾街道: in the demo police station's area
VICTIM_PHONE = "13812345678"
VICTIM_ADDRESS = "城南社区幸福路8号2单元301"
ABUSER_ADDRESS = "南宾街道建设路66号"
PROXY_PHONE = "13698765432"


def id_number(first17: str) -> str:
    """A valid GB 11643 ID number from its first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + ID_CHECK[total % 11]


ABUSER_ID = id_number("50024019800512003")
VICTIM_ID = id_number("50024019850920002")


def local_input(moment) -> str:
    return timeutil.to_local(moment).strftime("%Y-%m-%dT%H:%M")


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def use_english(client):
    """Pages are Chinese first; the new wording is checked in its English msgids."""
    client.get("/lang/en")


def logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


# --- setting up cases quickly through the services --------------------------------------


def _village():
    return db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == VILLAGE))


def _court():
    return db.session.scalar(db.select(Organisation).where(Organisation.type == "court"))


def dv_data(**overrides):
    call_at = timeutil.now() - timedelta(days=3)
    data = {
        "jurisdiction_id": _village().id,
        "call_at": call_at,
        "attended_at": call_at + timedelta(minutes=20),
        "location": "受害人家中",
        "subject": {
            "name": "李红梅",
            "sex": "F",
            "birth_date": date(1985, 9, 20),
            "id_number": VICTIM_ID,
            "phone": VICTIM_PHONE,
            "address": VICTIM_ADDRESS,
        },
        "abuser": {
            "name": "张大勇",
            "sex": "M",
            "relation": "spouse",
            "birth_date": date(1980, 5, 12),
            "id_number": ABUSER_ID,
            "address": ABUSER_ADDRESS,
        },
        "violence_forms": ["physical", "psychological"],
        "injury_level": "minor",
        "injuries": "面部软组织挫伤。",
        "minors_present": True,
        "minors_witnessed": True,
        "prior_incidents": 2,
        "special_protection": [],
        "urgent": False,
        "description": "邻居报警称听到争吵和哭喊，民警到场时受害人面部有伤。",
    }
    data.update(overrides)
    return data


def make_dv(app, state="incident_logged", actor="police") -> int:
    """A DV call walked to `state`: incident_logged, warning_issued, delivered, escalated."""
    with app.test_request_context():
        police = user(actor)
        case = case_service.create_case(police, "dv_warning", dv_data())
        call_at = case.dv_incident.call_at
        if state != "incident_logged":
            case_service.fire(
                police,
                case,
                "issue_warning",
                {
                    "warning_number": "石公（南）告字〔2026〕017号",
                    "issued_at": call_at + timedelta(hours=2),
                    "facts": "张大勇因家庭琐事殴打李红梅，致其面部软组织挫伤。",
                    "prohibition": "禁止张大勇对李红梅实施家庭暴力。",
                },
                case.version,
            )
        if state in ("delivered", "escalated"):
            at = call_at + timedelta(days=1)
            case_service.fire(
                police,
                case,
                "deliver",
                {
                    "delivered_abuser_at": at,
                    "delivered_victim_at": at,
                    "committee_notified_at": at,
                    "committee_name": "城南社区居民委员会",
                },
                case.version,
            )
        if state == "escalated":
            case_service.fire(police, case, "start_follow_up", {}, case.version)
            case_service.fire(
                police,
                case,
                "record_repeat",
                {
                    "occurred_at": call_at + timedelta(days=2),
                    "description": "张大勇再次殴打李红梅。",
                },
                case.version,
            )
        db.session.commit()
        assert case.state == state
        return case.id


def po_data(**overrides):
    data = {
        "jurisdiction_id": _village().id,
        "source_case_id": None,
        "subject": {
            "name": "黄玉兰",
            "sex": "F",
            "phone": VICTIM_PHONE,
            "address": VICTIM_ADDRESS,
            "id_number": VICTIM_ID,
        },
        "applicant_role": "victim",
        "proxy_reason": None,
        "applicant": {},
        "respondent": {
            "name": "孙伟",
            "sex": "M",
            "relation": "spouse",
            "address": ABUSER_ADDRESS,
            "id_number": ABUSER_ID,
        },
        "measures": ["no_violence", "no_contact", "other"],
        "measures_other": "禁止被申请人进入申请人工作的超市。",
        "evidence": ["statement", "medical"],
        "court_id": _court().id,
        "court_basis": "applicant_residence",
        "victim_wishes_confirmed": False,
        "oral_application": False,
        "special_protection": [],
        "urgent": False,
        "description": "孙伟多次殴打、威胁申请人，申请人面临家庭暴力的现实危险。",
    }
    data.update(overrides)
    return data


def make_po(app, state="drafted", days_ago=10, term_months=6, **overrides) -> int:
    """A protection order drafted by the women's federation, walked to `state`
    (drafted, filed, issued, in_force); the court's steps happen `days_ago` days back."""
    with app.test_request_context():
        wf, court = user("womens_federation"), user("court_liaison")
        case = case_service.create_case(wf, "protection_order", po_data(**overrides))
        t = timeutil.now() - timedelta(days=days_ago)
        if state != "drafted":
            case_service.fire(wf, case, "file", {"filed_at": t}, case.version)
        if state in ("issued", "in_force"):
            case_service.fire(
                court,
                case,
                "court_accept",
                {"accepted_at": t + timedelta(hours=1)},
                case.version,
            )
            issued = t + timedelta(hours=3)
            case_service.fire(
                court,
                case,
                "issue_order",
                {
                    "order_number": "（2026）渝0240民保令12号",
                    "issued_at": issued,
                    "expires_on": add_months(timeutil.to_local(issued).date(), term_months),
                    "granted_measures": ["no_violence", "no_contact"],
                },
                case.version,
            )
        if state == "in_force":
            at = t + timedelta(hours=20)
            case_service.fire(
                court,
                case,
                "serve",
                {
                    "served_applicant_at": at,
                    "served_respondent_at": at,
                    "served_police_at": at,
                    "served_committee_at": at,
                    "police_name": "南宾派出所",
                    "committee_name": "城南社区居民委员会",
                },
                case.version,
            )
        db.session.commit()
        assert case.state == state
        return case.id


# --- logging a DV call -------------------------------------------------------------------


def dv_form(token, **overrides):
    call = timeutil.now() - timedelta(hours=2)
    data = {
        "csrf_token": token,
        "call_at": local_input(call),
        "attended_at": local_input(call + timedelta(minutes=25)),
        "jurisdiction": VILLAGE,
        "location": "受害人家中",
        "subject-name": "王秀英",
        "subject-sex": "F",
        "subject-phone": VICTIM_PHONE,
        "subject-address": VICTIM_ADDRESS,
        "abuser-name": "赵建国",
        "abuser-relation": "partner",
        "abuser-sex": "M",
        "abuser-address": ABUSER_ADDRESS,
        "violence_forms": ["physical", "stalking"],
        "injury_level": "minor",
        "injuries": "手臂淤青。",
        "minors_witnessed": "y",
        "prior_incidents": "3",
        "description": "受害人报警称被同居男友殴打。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_dv_call_form_offers_checkboxes(client):
    login(client, "police")
    page = client.get("/cases/new/dv_warning").get_data(as_text=True)
    assert page.count('type="checkbox" name="violence_forms"') == 7
    assert 'type="checkbox" name="special_protection"' in page
    assert 'name="abuser-relation"' in page and 'name="attended_at"' in page


def test_police_log_a_dv_call_through_the_page(client, clean):
    login(client, "police")
    token = csrf_token(client, "/cases/new/dv_warning")
    response = client.post("/cases/new/dv_warning", data=dv_form(token))
    assert response.status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.type == "dv_warning" and case.state == "incident_logged"
        assert case.number.startswith("DV-")
        incident = case.dv_incident
        assert incident.violence_forms == ["physical", "stalking"]
        assert incident.relation == "partner" and incident.prior_incidents == 3
        # Witnessing implies presence.
        assert incident.minors_witnessed and incident.minors_present
        assert case.subject.name == "王秀英" and case.subject.phone == VICTIM_PHONE
        abuser = case.person("abuser")
        assert abuser.name == "赵建国" and abuser.relation == "partner"
        assert response.headers["Location"].endswith(f"/cases/{case.id}")
        number = case.number
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in page and "赵建国" in page


@pytest.mark.parametrize(
    "overrides",
    [
        # The police cannot arrive before the call.
        {
            "attended_at": local_input(timeutil.now() - timedelta(hours=3)),
        },
        {"violence_forms": None},  # at least one form of violence
        {"violence_forms": ["physical", "witchcraft"]},
        {"abuser-relation": None},
        {"abuser-name": ""},
        {"call_at": local_input(timeutil.now() + timedelta(days=1))},
        {"jurisdiction": "500240101002"},  # a village outside the station's area
    ],
)
def test_bad_dv_input_is_422_and_saves_nothing(client, clean, overrides):
    login(client, "police")
    token = csrf_token(client, "/cases/new/dv_warning")
    response = client.post("/cases/new/dv_warning", data=dv_form(token, **overrides))
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Case) == 0 and count(Event) == 0


def test_attendance_before_the_call_is_named(client, clean):
    login(client, "police")
    use_english(client)
    token = csrf_token(client, "/cases/new/dv_warning")
    early = local_input(timeutil.now() - timedelta(hours=3))
    page = client.post("/cases/new/dv_warning", data=dv_form(token, attended_at=early))
    assert "Attendance cannot be before the call." in page.get_data(as_text=True)


def test_only_the_police_log_dv_calls(client):
    login(client, "child_director")
    assert client.get("/cases/new/dv_warning").status_code == 403


# --- drafting a protection order ---------------------------------------------------------


def po_form(token, court_id, **overrides):
    data = {
        "csrf_token": token,
        "source_case": "",
        "subject-name": "黄玉兰",
        "subject-sex": "F",
        "subject-phone": VICTIM_PHONE,
        "subject-address": VICTIM_ADDRESS,
        "applicant_role": "victim",
        "proxy_reason": "",
        "respondent-name": "孙伟",
        "respondent-relation": "spouse",
        "respondent-sex": "M",
        "measures": ["no_violence", "move_out"],
        "evidence": ["statement", "recordings"],
        "court": str(court_id),
        "court_basis": "respondent_residence",
        "jurisdiction": VILLAGE,
        "urgent": "y",
        "description": "孙伟多次殴打申请人并扬言报复。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def court_id(app):
    with app.app_context():
        return _court().id


def test_a_protection_order_is_drafted_through_the_page(client, clean):
    login(client, "womens_federation")
    use_english(client)
    page = client.get("/cases/new/protection_order").get_data(as_text=True)
    assert page.count('type="checkbox" name="measures"') == 6
    assert page.count('type="checkbox" name="evidence"') == 11
    token = csrf_token(client, "/cases/new/protection_order")
    response = client.post(
        "/cases/new/protection_order", data=po_form(token, court_id(clean)), follow_redirects=True
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.type == "protection_order" and case.state == "drafted" and case.urgent
        order = case.protection_order
        assert order.measures == ["move_out", "no_violence"]
        assert order.evidence == ["recordings", "statement"]
        assert order.court.name == "石柱县人民法院" and order.court_basis == "respondent_residence"
        assert order.relation == "spouse" and order.source_case_id is None
        assert case.person("respondent").name == "孙伟"
        assert f"Application {case.number} drafted." in text


def proxy_form(clean, client, **overrides):
    token = csrf_token(client, "/cases/new/protection_order")
    return po_form(
        token,
        court_id(clean),
        applicant_role="womens_federation",
        **{"applicant-phone": PROXY_PHONE, **overrides},
    )


def test_a_proxy_application_through_the_page(client, clean):
    login(client, "womens_federation")
    form = proxy_form(clean, client, **{"applicant-name": "名" * 101})
    response = client.post("/cases/new/protection_order", data=form)
    assert response.status_code == 422
    assert "is-invalid" in response.get_data(as_text=True)
    with clean.app_context():
        assert count(Case) == 0 and count(Event) == 0
    form = proxy_form(clean, client, proxy_reason="coerced", victim_wishes_confirmed="y")
    assert client.post("/cases/new/protection_order", data=form).status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.protection_order.proxy_reason == "coerced"
        applicant = case.person("applicant")
        assert applicant.organisation_name == "石柱县妇联" and applicant.phone == PROXY_PHONE


def test_a_unit_applying_without_a_name_is_named_by_its_unit(client, clean):
    login(client, "womens_federation")
    form = proxy_form(clean, client, proxy_reason="coerced", victim_wishes_confirmed="y")
    assert client.post("/cases/new/protection_order", data=form).status_code == 302
    with clean.app_context():
        case = db.session.scalar(db.select(Case))
        assert case.person("applicant").name == "石柱县妇联"


def test_a_proxy_application_needs_a_reason(client, clean):
    login(client, "womens_federation")
    response = client.post("/cases/new/protection_order", data=proxy_form(clean, client))
    assert response.status_code == 422
    with clean.app_context():
        assert count(Case) == 0


def test_an_unknown_measure_is_422_even_on_a_draft_without_facts(client, clean):
    login(client, "womens_federation")
    token = csrf_token(client, "/cases/new/protection_order")
    data = po_form(token, court_id(clean), description="", measures=["bogus"])
    response = client.post("/cases/new/protection_order", data=data)
    assert response.status_code == 422
    with clean.app_context():
        assert count(Case) == 0


# --- the application pre-filled from a DV case --------------------------------------------


def field_value(page, name):
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page
    )
    return match.group(1) if match else None


def checked(page, name, value):
    return bool(re.search(rf'name="{name}" value="{value}"[^>]*checked', page))


def selected(page, name, value):
    select = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', page, re.S)
    return bool(select and re.search(rf'<option selected value="{value}"', select.group(0)))


def test_prefill_from_a_dv_case(client, clean):
    dv_id = make_dv(clean, "escalated")
    login(client, "police")
    response = client.get(f"/cases/new/protection_order?from_case={dv_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_value(page, "source_case") == str(dv_id)
    assert field_value(page, "subject-name") == "李红梅"
    assert field_value(page, "subject-id_number") == VICTIM_ID
    assert field_value(page, "subject-phone") == VICTIM_PHONE
    assert field_value(page, "respondent-name") == "张大勇"
    assert field_value(page, "respondent-id_number") == ABUSER_ID
    assert field_value(page, "respondent-address") == ABUSER_ADDRESS
    assert selected(page, "respondent-relation", "spouse")
    assert selected(page, "jurisdiction", VILLAGE)
    assert checked(page, "evidence", "police_documents")
    assert not checked(page, "evidence", "recordings")
    # The facts: the call, the warning letter and the repeat violence.
    assert "邻居报警称听到争吵和哭喊" in page
    assert "石公（南）告字〔2026〕017号" in page and "张大勇再次殴打李红梅。" in page

    # Sent as shown (plus the court and the measures), it becomes a linked application.
    token = csrf_token(client, f"/cases/new/protection_order?from_case={dv_id}")
    with clean.app_context():
        court = _court().id
    form = {
        "csrf_token": token,
        "source_case": str(dv_id),
        "subject-name": "李红梅",
        "subject-sex": "F",
        "applicant_role": "victim",
        "respondent-name": "张大勇",
        "respondent-relation": "spouse",
        "measures": ["no_violence"],
        "evidence": ["police_documents"],
        "court": str(court),
        "jurisdiction": VILLAGE,
        "description": "见告诫书。",
    }
    response = client.post("/cases/new/protection_order", data=form)
    assert response.status_code == 302
    with clean.app_context():
        order_case = db.session.scalar(db.select(Case).where(Case.type == "protection_order"))
        assert order_case.protection_order.source_case_id == dv_id
        source = db.session.get(Case, dv_id)
        assert source.last_event("order_started").data["number"] == order_case.number
        order_id, order_number = order_case.id, order_case.number
    # Each case links to the other.
    dv_page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert f'href="/cases/{order_id}"' in dv_page and order_number in dv_page
    po_page = client.get(f"/cases/{order_id}").get_data(as_text=True)
    assert f'href="/cases/{dv_id}"' in po_page


def test_no_evidence_of_a_warning_without_one(client, clean):
    dv_id = make_dv(clean, "incident_logged")
    login(client, "police")
    page = client.get(f"/cases/new/protection_order?from_case={dv_id}").get_data(as_text=True)
    assert not checked(page, "evidence", "police_documents")
    assert field_value(page, "subject-name") == "李红梅"


def test_prefill_copies_no_identity_the_user_may_not_see(client, clean):
    # The women's federation sees DV calls in its county but not the identities in them.
    dv_id = make_dv(clean, "escalated")
    login(client, "womens_federation")
    response = client.get(f"/cases/new/protection_order?from_case={dv_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_value(page, "source_case") == str(dv_id)
    assert field_value(page, "subject-name") in (None, "")
    assert field_value(page, "respondent-name") in (None, "")
    for secret in (VICTIM_PHONE, VICTIM_ADDRESS, VICTIM_ID, ABUSER_ID, ABUSER_ADDRESS):
        assert secret not in page, secret
    assert 'id="source-case"' in page
    assert selected(page, "respondent-relation", "spouse")
    assert checked(page, "evidence", "police_documents")


def other_station_police(app):
    """A police officer of 西沱派出所, the other township."""
    with app.app_context():
        station = db.session.scalar(
            db.select(Organisation).where(Organisation.name == "西沱派出所")
        )
        template = user("police")
        officer = User(
            username="police_xituo",
            display_name="秦警官",
            role="police",
            organisation=station,
            password_hash=template.password_hash,
        )
        db.session.add(officer)
        db.session.commit()
    return "police_xituo"


def test_prefill_from_a_case_out_of_scope_is_404(client, clean):
    dv_id = make_dv(clean, "escalated")
    login(client, other_station_police(clean))
    assert client.get(f"/cases/{dv_id}").status_code == 404
    assert client.get(f"/cases/new/protection_order?from_case={dv_id}").status_code == 404


def test_prefill_only_from_a_dv_case(client, clean):
    order_id = make_po(clean)
    login(client, "womens_federation")
    assert client.get(f"/cases/new/protection_order?from_case={order_id}").status_code == 404
    assert client.get("/cases/new/protection_order?from_case=x").status_code == 404
    assert client.get("/cases/new/protection_order?from_case=99999").status_code == 404


# --- the case page ------------------------------------------------------------------------


def test_dv_case_page_sections(client, clean):
    dv_id = make_dv(clean, "escalated")
    login(client, "police")
    use_english(client)
    page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert "The victim" in page and "The child" not in page
    abuser = page[page.index('id="person-abuser"') :]
    assert "The abuser" in abuser[:300] and "张大勇" in abuser and ABUSER_ID in abuser
    section = page[page.index('id="type-section"') :]
    assert "Spouse" in section and "Physical (beating, binding, injuring)" in section
    assert "Minors witnessed the violence" in section
    warning = page[page.index('id="warning"') :]
    assert "石公（南）告字〔2026〕017号" in warning and "城南社区居民委员会" in warning
    assert f'href="/cases/{dv_id}/documents/warning"' in page
    # Escalated after repeat violence: the application is offered prominently.
    start = page[page.index('id="start-order"') :]
    assert f'href="/cases/new/protection_order?from_case={dv_id}"' in start[:800]
    assert "btn-danger" in start[:800]


def test_an_open_dv_case_offers_the_application_as_a_secondary_link(client, clean):
    dv_id = make_dv(clean, "delivered")
    login(client, "police")
    page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    assert 'id="start-order"' not in page
    orders = page[page.index('id="orders-started"') :]
    assert f'href="/cases/new/protection_order?from_case={dv_id}"' in orders
    # No warning letter issued before delivery? It was: the link is there.
    assert f'href="/cases/{dv_id}/documents/warning"' in page


def test_dv_page_for_a_user_who_may_not_see_identities(client, clean):
    dv_id = make_dv(clean, "warning_issued")
    login(client, "womens_federation")
    page = client.get(f"/cases/{dv_id}").get_data(as_text=True)
    abuser = page[page.index('id="person-abuser"') : page.index('id="type-section"')]
    assert "张**" in abuser and "张大勇" not in abuser
    for secret in (VICTIM_PHONE, VICTIM_ADDRESS, VICTIM_ID, ABUSER_ID, ABUSER_ADDRESS):
        assert secret not in page, secret
    # The letter cannot be printed with masked names: no link to it.
    assert "/documents/warning" not in page


def test_po_case_page_sections_and_expiry_warning(client, clean):
    # Issued 5 months and some days ago for 6 months: its last day is within 30 days.
    order_id = make_po(clean, "in_force", days_ago=170)
    login(client, "womens_federation")
    use_english(client)
    page = client.get(f"/cases/{order_id}").get_data(as_text=True)
    assert "The victim" in page
    respondent = page[page.index('id="person-respondent"') :]
    assert "孙伟" in respondent and "Spouse" in respondent[:1500]
    section = page[page.index('id="type-section"') :]
    assert "(1) Prohibit the respondent from domestic violence" in section
    assert "禁止被申请人进入申请人工作的超市。" in section
    assert "Medical records" in section and "石柱县人民法院" in section
    with clean.app_context():
        order = db.session.get(Case, order_id).protection_order
        last = (timeutil.to_local(order.expires_at) - timedelta(days=1)).date()
    assert re.search(rf'id="last-day">{last.isoformat()}<', page)
    assert 'id="expiry-warning"' in page
    assert "extension must be applied for before it lapses" in page
    service = page[page.index('id="service"') :]
    assert service[:2000].count("✓") == 4 and "南宾派出所" in service
    assert f'href="/cases/{order_id}/documents/application"' in page
    assert f'href="/cases/{order_id}/documents/application?copy=respondent"' in page
    assert f'href="/cases/{order_id}/documents/service"' in page


def test_no_expiry_warning_for_an_order_far_from_its_end(client, clean):
    order_id = make_po(clean, "in_force", days_ago=10)
    login(client, "womens_federation")
    page = client.get(f"/cases/{order_id}").get_data(as_text=True)
    assert 'id="order"' in page and 'id="expiry-warning"' not in page


def test_mandatory_report_page_still_names_the_child(client, clean):
    from tests.web.test_pages import file_report

    login(client, "child_director")
    use_english(client)
    response = file_report(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The child" in page and "The victim" not in page and "The report" in page


# --- my work: orders about to lapse -------------------------------------------------------


def test_my_work_lists_orders_expiring_soon_in_scope(client, clean):
    soon = make_po(clean, "in_force", days_ago=170)
    later = make_po(clean, "in_force", days_ago=10)
    with clean.app_context():
        soon_number = db.session.get(Case, soon).number
        later_number = db.session.get(Case, later).number
    for username in ("womens_federation", "court_liaison", "police"):
        login(client, username)
        page = client.get("/").get_data(as_text=True)
        listed = page[page.index('id="expiring-orders"') :]
        assert soon_number in listed, username
        assert later_number not in listed, username
        logout(client)
    login(client, "child_director")
    page = client.get("/").get_data(as_text=True)
    assert soon_number not in page and 'id="expiring-orders"' not in page


# --- navigation ---------------------------------------------------------------------------


def test_navigation_offers_what_the_role_may_start(client):
    links = {
        "police": {"mandatory_report", "dv_warning", "protection_order", "legal_aid"},
        "womens_federation": {"mandatory_report", "dv_warning", "protection_order", "legal_aid"},
        "child_director": {"mandatory_report", "legal_aid"},
        "court_liaison": {"legal_aid"},
        "legal_aid": {"protection_order", "legal_aid"},
        "statistician": set(),
    }
    for username, expected in links.items():
        login(client, username)
        page = client.get("/").get_data(as_text=True)
        shown = set(re.findall(r'href="/cases/new/(\w+)"', page))
        assert shown == expected, username
        logout(client)


def test_workflow_pages_link_all_three_types(client):
    login(client, "police")
    response = client.get("/workflows")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("mandatory_report", "dv_warning", "protection_order"):
        assert f'href="/workflows/{name}"' in page
    page = client.get("/workflows/protection_order").get_data(as_text=True)
    assert "in_force --&gt; ended" in page


# --- printable documents ------------------------------------------------------------------


def assert_printable(page):
    assert "@page { size: A4; margin: 2.5cm 2.6cm; }" in page
    assert "<nav" not in page and "navbar" not in page
    # The print button is wired by static/js/print.js (the CSP allows no inline handler).
    assert "@media print" in page and "data-print" in page and "js/print.js" in page


def test_the_warning_letter(client, clean):
    dv_id = make_dv(clean, "warning_issued")
    login(client, "police")
    response = client.get(f"/cases/{dv_id}/documents/warning")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_printable(page)
    for shown in (
        "石公（南）告字〔2026〕017号",
        "张大勇",
        ABUSER_ID,
        ABUSER_ADDRESS,
        "1980年5月12日",
        "张大勇因家庭琐事殴打李红梅，致其面部软组织挫伤。",
        "禁止张大勇对李红梅实施家庭暴力。",
        "南宾派出所",
    ):
        assert shown in page, shown
    with clean.app_context():
        issued = db.session.get(Case, dv_id).dv_incident.warning_issued_at
        day = timeutil.to_local(issued).date()
        logged = db.session.scalars(db.select(AccessLog)).all()
        assert [(r.case_id, r.what) for r in logged] == [(dv_id, "document:warning")]
    assert f"{day.year}年{day.month}月{day.day}日" in page
    # Handed to the abuser: never where the victim lives or how to reach her.
    assert VICTIM_PHONE not in page and VICTIM_ADDRESS not in page and VICTIM_ID not in page


def test_no_warning_letter_before_one_is_issued(client, clean):
    dv_id = make_dv(clean, "incident_logged")
    login(client, "police")
    assert client.get(f"/cases/{dv_id}/documents/warning").status_code == 404
    with clean.app_context():
        assert count(AccessLog) == 0


def test_documents_are_refused_without_identity_access(client, clean):
    dv_id = make_dv(clean, "warning_issued")
    order_id = make_po(clean, "in_force")
    # The women's federation may open the police's DV case, not see who is in it.
    login(client, "womens_federation")
    use_english(client)
    assert client.get(f"/cases/{dv_id}").status_code == 200
    response = client.get(f"/cases/{dv_id}/documents/warning")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "hidden names" in text and "张大勇" not in text
    logout(client)
    # The police station sees the federation's order in its area, not the identities.
    login(client, "police")
    assert client.get(f"/cases/{order_id}").status_code == 200
    for path in ("application", "application?copy=respondent", "service"):
        assert client.get(f"/cases/{order_id}/documents/{path}").status_code == 403, path
    with clean.app_context():
        assert count(AccessLog) == 2  # the two case pages, no document


def test_documents_of_cases_out_of_scope_are_404(client, clean):
    dv_id = make_dv(clean, "warning_issued")
    order_id = make_po(clean, "in_force")
    login(client, "child_director")
    assert client.get(f"/cases/{dv_id}/documents/warning").status_code == 404
    assert client.get(f"/cases/{order_id}/documents/application").status_code == 404
    assert client.get(f"/cases/{order_id}/documents/service").status_code == 404
    logout(client)
    login(client, "police")
    # A document of the other case type is not there at all.
    assert client.get(f"/cases/{dv_id}/documents/application").status_code == 404


def test_the_application_court_copy_and_respondent_copy(client, clean):
    order_id = make_po(clean, "filed")
    login(client, "womens_federation")
    use_english(client)
    court_copy = client.get(f"/cases/{order_id}/documents/application").get_data(as_text=True)
    assert_printable(court_copy)
    for shown in ("黄玉兰", VICTIM_PHONE, VICTIM_ADDRESS, "孙伟", ABUSER_ADDRESS, "石柱县人民法院"):
        assert shown in court_copy, shown
    measures = court_copy[court_copy.index('id="measures"') :]
    items = re.findall(r"<li>(.*?)</li>", measures[: measures.index("</ol>")], re.S)
    assert items[0].strip() == "Prohibit the respondent from domestic violence"
    assert items[2].strip().endswith("禁止被申请人进入申请人工作的超市。")
    assert "Medical records" in court_copy
    assert "孙伟多次殴打、威胁申请人" in court_copy

    response = client.get(f"/cases/{order_id}/documents/application?copy=respondent")
    copy = response.get_data(as_text=True)
    assert_printable(copy)
    assert 'id="copy-mark"' in copy and "黄玉兰" in copy and "孙伟" in copy
    assert VICTIM_PHONE not in copy and VICTIM_ADDRESS not in copy and VICTIM_ID not in copy
    with clean.app_context():
        whats = [r.what for r in db.session.scalars(db.select(AccessLog).order_by(AccessLog.id))]
        assert whats == ["document:application", "document:application:respondent"]


def test_a_proxy_application_shows_the_proxy_and_the_victim(client, clean):
    order_id = make_po(
        clean,
        "drafted",
        applicant_role="close_relative",
        proxy_reason="serious_illness",
        applicant={"name": "黄玉梅", "relation": "姐姐", "phone": PROXY_PHONE},
        victim_wishes_confirmed=True,
    )
    login(client, "womens_federation")
    use_english(client)
    court_copy = client.get(f"/cases/{order_id}/documents/application").get_data(as_text=True)
    applicant = court_copy[court_copy.index('id="applicant"') : court_copy.index('id="victim"')]
    assert "黄玉梅" in applicant and "姐姐" in applicant and PROXY_PHONE in applicant
    victim = court_copy[court_copy.index('id="victim"') : court_copy.index('id="respondent"')]
    assert "黄玉兰" in victim and VICTIM_PHONE in victim and VICTIM_ADDRESS in victim
    assert "Serious illness" in court_copy
    copy = client.get(f"/cases/{order_id}/documents/application?copy=respondent").get_data(
        as_text=True
    )
    assert "黄玉梅" in copy and "黄玉兰" in copy
    for secret in (PROXY_PHONE, VICTIM_PHONE, VICTIM_ADDRESS):
        assert secret not in copy, secret


def test_the_service_checklist(client, clean):
    order_id = make_po(clean, "in_force")
    login(client, "court_liaison")
    response = client.get(f"/cases/{order_id}/documents/service")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_printable(page)
    assert "（2026）渝0240民保令12号" in page
    rows = re.findall(r'<tr data-party="(\w+)">(.*?)</tr>', page, re.S)
    assert [party for party, _ in rows] == ["applicant", "respondent", "police", "committee"]
    cells = dict(rows)
    assert "黄玉兰" in cells["applicant"] and "孙伟" in cells["respondent"]
    assert "南宾派出所" in cells["police"] and "城南社区居民委员会" in cells["committee"]
    assert all("时" in cell for cell in cells.values())  # each with its service time
    assert VICTIM_PHONE not in page and VICTIM_ADDRESS not in page
    with clean.app_context():
        logged = db.session.scalars(db.select(AccessLog)).all()
        assert [(r.case_id, r.what) for r in logged] == [(order_id, "document:service")]


def test_no_service_checklist_before_the_order(client, clean):
    order_id = make_po(clean, "filed")
    login(client, "court_liaison")
    assert client.get(f"/cases/{order_id}/documents/application").status_code == 200
    assert client.get(f"/cases/{order_id}/documents/service").status_code == 404
