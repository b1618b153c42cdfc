"""Names typed into the free text of the forms people use: the DV call form, the warning
letter, visit notes, referral reasons and answers, the mandatory report and its steps.
Whoever may open the case but not see its identities reads every one of them redacted, on
the page, in the API, in the referral inbox and in notifications; whoever typed them is
warned after saving; a form pre-filled from the case copies none of them."""

import json
import re
from datetime import timedelta

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.models import AccessLog, Case, Organisation, Referral
from tests.conftest import api_token, csrf_token, login
from tests.web.test_dv_pages import (
    ABUSER_ADDRESS,
    ABUSER_ID,
    VICTIM_ADDRESS,
    VICTIM_ID,
    VICTIM_PHONE,
    dv_form,
    local_input,
    logout,
)
from tests.web.test_pages import report_form

WARNING = "请以&#39;当事人&#39;&#39;被申请人&#39;等称谓代替姓名"  # as the page escapes it
HIDDEN = "已隐去身份信息"
STRANGER_MOBILE = "15900001111"  # a number of nobody on the case: still a mobile pattern
STRANGER_ID = "500240199001010011"

# The victim 王秀英 and the abuser 赵建国, as people write them in sentences.
DV_SECRETS = [
    "王秀英", "赵建国", "秀英", "建国", "赵某", "王某", "王氏",
    VICTIM_PHONE, VICTIM_ADDRESS, ABUSER_ID, ABUSER_ADDRESS, VICTIM_ID, STRANGER_MOBILE,
    STRANGER_ID,
]  # fmt: skip
DV_TEXT = (
    f"赵建国因家庭琐事殴打王秀英，建国称秀英不听话。赵某事后离开，王某（王氏）报警，"
    f"电话{VICTIM_PHONE}，住{VICTIM_ADDRESS}；赵建国身份证号{ABUSER_ID}，住{ABUSER_ADDRESS}。"
    f"邻居电话 {STRANGER_MOBILE[:3]}-{STRANGER_MOBILE[3:7]}-{STRANGER_MOBILE[7:]}，"
    f"证人身份证{STRANGER_ID}。"
)


def _post_action(client, case_id, trigger, fields: dict):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    version = re.search(rf'name="{trigger}-version"[^>]*value="(\d+)"', page)
    assert version, f"no {trigger} form on the case page"
    data = {"csrf_token": csrf_token(client, f"/cases/{case_id}"), f"{trigger}-version": version[1]}
    data.update({f"{trigger}-{k}": v for k, v in fields.items()})
    response = client.post(
        f"/cases/{case_id}/{'actions/' + trigger if trigger not in ('visit', 'referral') else trigger + 's'}",
        data=data,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _assert_hidden(text: str, secrets, where):
    found = [s for s in secrets if s in text]
    assert not found, (where, found)


def test_dv_free_text_with_names_is_redacted_everywhere(client, clean):
    login(client, "police")
    token = csrf_token(client, "/cases/new/dv_warning")
    data = dv_form(
        token,
        **{"subject-id_number": VICTIM_ID, "description": DV_TEXT, "injuries": "王秀英手臂淤青。"},
    )
    response = client.post("/cases/new/dv_warning", data=data)
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert WARNING in page  # the server's warning after the save; the text is kept
    assert "赵建国因家庭琐事殴打王秀英" in page  # the handling unit reads it as written

    with clean.app_context():
        fed = db.session.scalar(
            db.select(Organisation).where(Organisation.type == "womens_federation")
        )
        fed_id = fed.id
    issued = timeutil.now() - timedelta(hours=1)
    page = _post_action(
        client,
        case_id,
        "issue_warning",
        {
            "warning_number": "石公（南）告字〔2026〕099号",
            "issued_at": local_input(issued),
            "facts": "赵建国殴打王秀英致其受伤。" + DV_TEXT,
            "prohibition": "禁止赵某对王秀英实施家庭暴力。",
        },
    )
    assert WARNING in page
    page = _post_action(
        client,
        case_id,
        "visit",
        {
            "done_at": local_input(timeutil.now() - timedelta(minutes=30)),
            "method": "home",
            "outcome": "safe",
            "notes": "回访王秀英，秀英称建国已搬离。" + DV_TEXT,
        },
    )
    assert WARNING in page
    page = _post_action(
        client,
        case_id,
        "referral",
        {"to_orgs": str(fed_id), "reason": "请妇联跟进王秀英。" + DV_TEXT},
    )
    assert WARNING in page
    # A comment without any identity saves without the warning.
    page = _post_action(
        client,
        case_id,
        "visit",
        {
            "done_at": local_input(timeutil.now() - timedelta(minutes=10)),
            "method": "phone",
            "outcome": "safe",
            "notes": "当事人情绪稳定，被申请人未再出现。",
        },
    )
    assert WARNING not in page
    logout(client)

    # The women's federation opens DV cases of the county, without their identities.
    login(client, "womens_federation")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    _assert_hidden(page, DV_SECRETS, "page")
    assert HIDDEN in page and "王**" in page and "赵**" in page
    assert "当事人情绪稳定" in page  # text without identities is untouched
    inbox = client.get("/referrals").get_data(as_text=True)
    assert "请妇联跟进" in inbox
    _assert_hidden(inbox, DV_SECRETS, "referral inbox")
    notes = client.get("/notifications").get_data(as_text=True)
    _assert_hidden(notes, DV_SECRETS, "notifications")
    prefilled = client.get(f"/cases/new/protection_order?from_case={case_id}")
    assert prefilled.status_code == 200
    _assert_hidden(prefilled.get_data(as_text=True), DV_SECRETS, "pre-filled application")
    headers = api_token(client, "womens_federation")
    raw = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_data(as_text=True)
    _assert_hidden(raw, DV_SECRETS, "api")
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["text_redacted"]

    # Accepting the referral makes the federation part of the team: it reads the text.
    with clean.app_context():
        referral_id = db.session.scalar(db.select(Referral.id).where(Referral.case_id == case_id))
    answer = client.post(
        f"/api/v1/referrals/{referral_id}/actions/accept", json={}, headers=headers
    )
    assert answer.status_code == 200
    detail = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert "赵建国因家庭琐事殴打王秀英" in detail["description"]
    assert detail["text_redacted"] is False


def test_the_application_pre_filled_for_the_police_copies_the_facts_and_is_logged(client, clean):
    login(client, "police")
    token = csrf_token(client, "/cases/new/dv_warning")
    response = client.post("/cases/new/dv_warning", data=dv_form(token, description=DV_TEXT))
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/cases/new/protection_order?from_case={case_id}").get_data(as_text=True)
    assert "赵建国因家庭琐事殴打王秀英" in page
    with clean.app_context():
        channels = db.session.scalars(
            db.select(AccessLog.channel).where(AccessLog.case_id == case_id)
        ).all()
    assert "prefill" in channels


def test_mandatory_report_text_and_steps_redacted_for_civil_affairs(client, clean):
    child_id = "500240201503080024"
    text = f"冉小雨（身份证{child_id}）身上多处淤青，小雨说是冉某打的，冉氏家长电话13700001234。"
    login(client, "child_director")
    token = csrf_token(client, "/cases/new/mandatory_report")
    data = report_form(token, **{"subject-id_number": child_id, "description": text})
    response = client.post("/cases/new/mandatory_report", data=data)
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert WARNING in client.get(response.headers["Location"]).get_data(as_text=True)
    logout(client)
    login(client, "police")
    page = _post_action(client, case_id, "accept", {"comment": "已受理，冉小雨由民警联系。"})
    assert WARNING in page
    logout(client)
    secrets = ["冉小雨", "小雨", "冉某", "冉氏", child_id, "13700001234"]
    login(client, "civil_affairs")  # mandatory reports of the county, not the case team
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    _assert_hidden(page, secrets, "page")
    assert HIDDEN in page and "已受理" in page
    raw = client.get(
        f"/api/v1/cases/{case_id}", headers=api_token(client, "civil_affairs")
    ).get_data(as_text=True)
    _assert_hidden(raw, secrets, "api")
    with clean.app_context():
        assert db.session.get(Case, case_id).description == text  # nothing typed is lost


def test_the_api_warns_about_names_in_what_it_saved(client, clean):
    headers = api_token(client, "police")
    with clean.app_context():
        from tests.web.test_dv_pages import VILLAGE

    body = {
        "type": "dv_warning",
        "jurisdiction": VILLAGE,
        "call_at": (timeutil.now() - timedelta(hours=2)).isoformat(),
        "subject": {"name": "王秀英", "sex": "F"},
        "abuser": {"name": "赵建国", "sex": "M", "relation": "spouse"},
        "violence_forms": ["physical"],
        "description": "赵建国殴打王秀英。",
    }
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert [w["code"] for w in created.get_json()["warnings"]] == ["identity_in_text"]
    body["description"] = "被申请人殴打当事人。"
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.get_json()["warnings"] == []


def test_legal_aid_application_text_redacted_for_readers_without_identity_access(client, clean):
    """The legal-aid application form (the matter's description) with the applicant's
    names, ID number and phone typed into it: a reader of the case without identity
    access (any user in scope who is not the case team) reads it redacted."""
    from caseflow import policy
    from caseflow.demo import USERS
    from caseflow.models import User
    from tests.web.test_legal_aid_pages import post_la

    applicant_id = "500240198505050027"
    text = (
        f"陈淑芬称前夫拒付抚养费，淑芬多次催要，陈某（身份证{applicant_id}）"
        f"电话{VICTIM_PHONE}，另有证人电话{STRANGER_MOBILE}。"
    )
    login(client, "hotline")
    response = post_la(
        client,
        description=text,
        **{"subject-id_number": applicant_id},
        household_size="3",
        monthly_income="800",
        honesty_undertaking="y",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    logout(client)
    with clean.app_context():
        case = db.session.get(Case, case_id)
        readers = [
            name
            for name, *_ in USERS
            if (who := db.session.scalar(db.select(User).where(User.username == name)))
            and policy.can_view(who, case)
            and not policy.can_see_identity(who, case)
        ]
    assert readers, "nobody reads the application masked"
    secrets = ["陈淑芬", "淑芬", "陈某", applicant_id, VICTIM_PHONE, STRANGER_MOBILE]
    for reader in readers:
        login(client, reader)
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        _assert_hidden(page, secrets, (reader, "page"))
        assert HIDDEN in page
        assert "3 in the household" not in page and "800" not in page  # the means too
        detail = client.get(f"/api/v1/cases/{case_id}", headers=api_token(client, reader))
        _assert_hidden(json.dumps(detail.get_json(), ensure_ascii=False), secrets, (reader, "api"))
        assert detail.get_json()["fields"]["household_size"] is None
        logout(client)
