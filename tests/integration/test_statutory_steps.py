"""The statutory steps added for issue 11, role by role, through the real services with a
frozen clock (Asia/Shanghai):

- proxy applications for a protection order (反家庭暴力法 Art. 23 ¶2; 法释〔2022〕17号 Art. 2):
  the declared proxy must be the drafter's organisation; consent only where Art. 2 asks it;
- 查访 after a 告诫书 (Art. 17 ¶2): the clock opens at delivery only, a committee does it;
- mandatory reports filed by institutions, and a school's report of sexual abuse to the
  police and the education bureau with the guardian told (未保法 Art. 40);
- the police periods D7 (公安刑事程序规定 Arts. 178–179), D8 (受案立案 reform) and D9
  (公安行政程序规定 Art. 165), opened and met at the time of the act.

November and December 2026 have no public holiday: only weekends roll.
"""

from datetime import date, datetime
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from caseflow import policy
from caseflow.config import Config
from caseflow.deadlines.rules import RulePack, RulePackError, load
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Organisation, Referral, User
from caseflow.services import cases, visits
from caseflow.services.errors import Forbidden, InvalidTransitionError, ValidationFailed
from caseflow.vocab import PROXY_ORG_TYPES
from tests.conftest import user
from tests.integration.test_dv_deadlines import (
    application,
    clock,
    deadline,
    deliver,
    draft,
    file_data,
    fire,
    issue_warning,
    local,
    log_call,
    midnight,
    org,
    place,
    refused,
)

YUNTI = "500240101002"  # 云梯村, in the other township


def add_user(username: str, role: str, organisation: Organisation) -> User:
    account = User(username=username, display_name=username, role=role, organisation=organisation)
    account.set_password("caseflow-demo")
    db.session.add(account)
    db.session.flush()
    return account


def new_org(name: str, type_: str, code: str = "500240") -> Organisation:
    unit = Organisation(name=name, type=type_, jurisdiction=place(code))
    db.session.add(unit)
    db.session.flush()
    return unit


def report_snapshot(case_id: int) -> tuple:
    """What a refused step on a mandatory report could have touched."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    rows = db.session.execute(
        select(
            Deadline.kind, Deadline.opened_at, Deadline.due_at, Deadline.status, Deadline.closed_at
        )
        .where(Deadline.case_id == case_id)
        .order_by(Deadline.id)
    ).all()
    events = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.case_id == case_id)
    )
    return (case.state, case.version, case.owner_org_id, events, rows)


def refused_step(error, username: str, case: Case, trigger: str, **data):
    """Fire and expect `error`; rolled back as the views do, with nothing changed."""
    if case.type != "mandatory_report":
        return refused(error, username, case, trigger, **data)
    case_id = case.id
    db.session.commit()
    before = report_snapshot(case_id)
    case = db.session.get(Case, case_id)
    with pytest.raises(error) as info:
        cases.fire(user(username), case, trigger, data, case.version)
    db.session.rollback()
    assert report_snapshot(case_id) == before
    return info.value


def case_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


# --- proxy applications ------------------------------------------------------------------------

# A demo user of each organisation type that may apply as a proxy, by declared role.
PROXY_USERS = {
    "police": "police",
    "womens_federation": "womens_federation",
    "residents_committee": "committee",
    "village_committee": "committee",
    "civil_affairs": "civil_affairs",
    "disabled_federation": "assisting_org",
}


def test_every_proxy_of_the_law_has_an_organisation_type():
    assert set(PROXY_ORG_TYPES) == {
        "police",
        "womens_federation",
        "residents_committee",
        "village_committee",
        "relief_agency",
        "civil_affairs",
        "disabled_federation",
        "elderly_organisation",
    }


@pytest.mark.parametrize(("role", "username"), sorted(PROXY_USERS.items()))
def test_each_proxy_applies_as_its_own_organisation(ctx, role, username):
    case = draft(local(2026, 11, 2, 9, 0), username, applicant_role=role, proxy_reason="coerced")
    assert case.protection_order.applicant_role == role
    assert case.owner_org_id == user(username).organisation_id
    applicant = case.person("applicant")
    assert applicant.organisation_name == user(username).organisation.name
    # Under coercion (Art. 23 ¶2) the victim is not asked: the proxy files.
    clock(local(2026, 11, 2, 10, 0))
    fire(username, case, "file", **file_data(local(2026, 11, 2, 9, 50)))
    assert case.state == "filed"


@pytest.mark.parametrize(
    ("role", "org_type"),
    [("relief_agency", "relief_agency"), ("elderly_organisation", "elderly_organisation")],
)
def test_relief_agencies_and_elderly_organisations_apply_as_themselves(ctx, role, org_type):
    unit = new_org(f"测试{org_type}", org_type)
    add_user(f"staff_{org_type}", "assisting_org", unit)
    case = draft(
        local(2026, 11, 2, 9, 0),
        f"staff_{org_type}",
        applicant_role=role,
        proxy_reason="no_capacity",
    )
    assert case.protection_order.applicant_role == role


@pytest.mark.parametrize(
    ("username", "declared"),
    [
        ("womens_federation", "village_committee"),
        ("committee", "police"),
        ("assisting_org", "elderly_organisation"),  # a 残联 is not an elderly organisation
        ("hotline", "womens_federation"),
        ("legal_aid", "civil_affairs"),
        ("civil_affairs", "relief_agency"),
    ],
)
def test_a_proxy_role_that_is_not_the_drafters_organisation_is_refused(ctx, username, declared):
    clock(local(2026, 11, 2, 9, 0))
    before = case_count()
    with pytest.raises(ValidationFailed) as info:
        cases.create_case(
            user(username),
            "protection_order",
            application(applicant_role=declared, proxy_reason="coerced"),
        )
    db.session.rollback()
    assert set(info.value.fields) == {"applicant_role"}
    assert case_count() == before


def test_a_close_relative_is_named_and_may_be_helped_by_any_drafter(ctx):
    clock(local(2026, 11, 2, 9, 0))
    with pytest.raises(ValidationFailed) as info:
        cases.create_case(
            user("hotline"),
            "protection_order",
            application(applicant_role="close_relative", proxy_reason="coerced"),
        )
    db.session.rollback()
    assert set(info.value.fields) == {"applicant.name"}
    case = draft(
        local(2026, 11, 2, 9, 0),
        "hotline",
        applicant_role="close_relative",
        proxy_reason="coerced",
        applicant={"name": "周建华", "relation": "父亲", "phone": None},
    )
    assert (case.person("applicant").name, case.person("applicant").organisation_name) == (
        "周建华",
        None,
    )


@pytest.mark.parametrize("reason", ["old_age", "disability", "serious_illness"])
def test_consent_is_asked_where_the_interpretation_asks_it(ctx, reason):
    case = draft(
        local(2026, 11, 2, 9, 0),
        "assisting_org",
        applicant_role="disabled_federation",
        proxy_reason=reason,
        subject={**application()["subject"], "birth_date": date(1950, 3, 1)},
    )
    assert case.protection_order.consent_required
    clock(local(2026, 11, 2, 10, 0))
    error = refused(
        ValidationFailed, "assisting_org", case, "file", **file_data(local(2026, 11, 2, 9, 50))
    )
    assert set(error.fields) == {"victim_wishes_confirmed"}
    fire(
        "assisting_org",
        case,
        "file",
        **file_data(local(2026, 11, 2, 9, 50), victim_wishes_confirmed=True),
    )
    assert (case.state, case.protection_order.victim_wishes_confirmed) == ("filed", True)


@pytest.mark.parametrize("reason", ["no_capacity", "serious_illness"])
def test_a_minor_is_never_asked_for_consent(ctx, reason):
    # An 8-year-old, by the birth date: a minor, whatever the reason given.
    eight = {**application()["subject"], "name": "周小雨", "birth_date": date(2018, 6, 1)}
    case = draft(
        local(2026, 11, 2, 9, 0),
        "committee",
        applicant_role="residents_committee",
        proxy_reason=reason,
        subject=eight,
    )
    assert "minor" in case.special_protection
    assert not case.protection_order.consent_required
    clock(local(2026, 11, 2, 10, 0))
    fire("committee", case, "file", **file_data(local(2026, 11, 2, 9, 50)))
    assert (case.state, case.protection_order.victim_wishes_confirmed) == ("filed", False)


def test_a_committee_sees_its_own_applications_and_no_other_order(ctx):
    own = draft(
        local(2026, 11, 2, 9, 0),
        "committee",
        applicant_role="village_committee",
        proxy_reason="coerced",
    )
    other = draft(local(2026, 11, 2, 9, 5))  # the women's federation's
    assert policy.can_view(user("committee"), own)
    assert not policy.can_view(user("committee"), other)


# --- 查访 after a 告诫书 (Art. 17 ¶2) ---------------------------------------------------------


def test_the_visit_clock_opens_at_delivery_only(ctx):
    case = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(case, local(2026, 11, 2, 10, 0))
    assert not [d for d in case.deadlines if d.kind in ("first_visit_due", "visit_due")]
    delivered = local(2026, 11, 4, 16, 0)  # Wednesday: the last of the three
    deliver(case, local(2026, 11, 3, 9, 0), local(2026, 11, 3, 9, 30), delivered)
    row = deadline(case, "first_visit_due")
    # Counted from the delivery: 30 days, 11-05 … 12-04 Friday → due 12-05 00:00.
    assert (row.opened_at, row.due_at, row.status) == (
        delivered,
        midnight(date(2026, 12, 5)),
        "open",
    )
    assert "第17条第2款" in row.basis and "送达" in row.basis and "本地规则" in row.basis


def test_after_a_plain_criticism_there_is_no_article_17_visit(ctx):
    case = log_call(local(2026, 11, 2, 9, 0))
    clock(local(2026, 11, 2, 10, 0))
    fire("police", case, "criticize", victim_informed=True, comment="")
    kinds = [d.kind for d in case.deadlines]
    assert kinds == ["visit_due"]
    assert "本地规则" in case.deadlines[0].basis


def test_a_committee_visits_the_dv_calls_of_its_place(ctx):
    case = log_call(local(2026, 11, 2, 9, 0))
    committee = user("committee")
    # Its place's DV call: visible, identities hidden until the police notify it.
    assert policy.can_view(committee, case)
    assert not policy.can_see_identity(committee, case)
    issue_warning(case, local(2026, 11, 2, 10, 0))
    deliver(case, local(2026, 11, 3, 9, 0), local(2026, 11, 3, 9, 30), local(2026, 11, 3, 10, 0))
    assert policy.can_see_identity(committee, case)
    assert policy.can_record_visit(committee, case)
    # The committee starts 查访 and records it; the clock from the delivery is met.
    clock(local(2026, 11, 5, 9, 0))
    fire("committee", case, "start_follow_up", first_visit_due=None, comment="社区查访。")
    done = local(2026, 11, 20, 10, 0)
    clock(local(2026, 11, 20, 11, 0))
    visits.record(case, committee, done, "home", "safe", "双方称未再发生暴力。", None, case.version)
    row = deadline(case, "first_visit_due")
    assert (row.status, row.closed_at) == ("met", done)
    assert case.visits[-1].by_user_id == committee.id


def test_a_committee_sees_nothing_outside_its_place_nor_other_case_types(ctx):
    yunti_committee = add_user("yunti_committee", "committee", org("云梯村村民委员会"))
    case = log_call(local(2026, 11, 2, 9, 0))  # in 城南社区
    assert not policy.can_view(yunti_committee, case)
    with pytest.raises(Forbidden):
        visits.record(
            case, yunti_committee, local(2026, 11, 2, 10, 0), "home", "safe", "", None, case.version
        )
    report = cases.create_case(user("child_director"), "mandatory_report", report_data())
    assert not policy.can_view(user("committee"), report)


def test_the_delivery_limit_counts_from_the_point_the_rule_pack_names(ctx, tmp_path):
    call_at = local(2026, 11, 2, 9, 0)  # Monday
    case = log_call(call_at)
    issue_warning(case, local(2026, 11, 4, 10, 0))
    row = deadline(case, "deliver_due")
    # From the call (the default, 南宁): 11-03 … 11-07 Saturday → Monday 11-09.
    assert (row.opened_at, row.due_at) == (call_at, midnight(date(2026, 11, 10)))
    text = Path(Config.RULE_PACK).read_text(encoding="utf-8")
    text += '\n[overrides."500240".deadlines.deliver_due]\ncounts_from = "issue"\n'
    pack = tmp_path / "rules.toml"
    pack.write_text(text, encoding="utf-8")
    current_app.config["RULE_PACK"] = str(pack)
    try:
        second = log_call(call_at)
        issued = local(2026, 11, 4, 10, 0)  # Wednesday: 11-05 … 11-09 Monday
        issue_warning(second, issued)
        row = deadline(second, "deliver_due")
        assert (row.opened_at, row.due_at) == (issued, midnight(date(2026, 11, 10)))
    finally:
        current_app.config["RULE_PACK"] = Config.RULE_PACK


def test_a_rule_pack_naming_an_unknown_starting_point_is_refused():
    base = {"days": 5, "basis": "本地规则"}
    with pytest.raises(RulePackError):
        RulePack({"deadlines": {"deliver_due": {**base, "counts_from": "lunch"}}})
    with pytest.raises(RulePackError):  # only the delivery limit has a choice
        RulePack({"deadlines": {"visit_due": {**base, "counts_from": "call"}}})
    assert load(Config.RULE_PACK).rule("deliver_due").counts_from == "call"


# --- mandatory reports by institutions -----------------------------------------------------------


def report_data(**over) -> dict:
    data = {
        "jurisdiction_id": place().id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": local(2026, 11, 2, 8, 0),
        "situation_codes": [4],
        "ongoing_danger": False,
        "sexual_abuse": False,
        "guardian_is_suspect": False,
        "guardian_notified_at": None,
        "child_safety": "unsafe",
        "urgent": False,
        "description": "发现儿童身上有多处淤青。",
        "subject": {
            "name": "冉小雨",
            "sex": "F",
            "birth_date": None,
            "id_number": None,
            "phone": None,
            "address": None,
            "school": "南宾小学",
        },
        "reporter": {},
    }
    return data | over


def file_as(username: str, **over) -> Case:
    clock(local(2026, 11, 2, 9, 0))
    return cases.create_case(user(username), "mandatory_report", report_data(**over))


def refused_report(username: str, **over) -> ValidationFailed:
    clock(local(2026, 11, 2, 9, 0))
    before = (case_count(), db.session.scalar(select(func.count()).select_from(Referral)))
    with pytest.raises(ValidationFailed) as info:
        cases.create_case(user(username), "mandatory_report", report_data(**over))
    db.session.rollback()
    after = (case_count(), db.session.scalar(select(func.count()).select_from(Referral)))
    assert after == before
    return info.value


@pytest.mark.parametrize(
    ("username", "unit_type"),
    [("institution_reporter", "school"), ("institution_reporter_2", "hospital")],
)
def test_a_school_and_a_hospital_file_their_own_reports(ctx, username, unit_type):
    case = file_as(username, reporter_org_type=unit_type)
    report = case.mandatory_report
    assert report.reporter_org_type == unit_type
    assert case.state == "submitted" and case.owner_org.type.startswith("police")
    assert {d.kind for d in case.deadlines} == {"report_late", "accept_due"}
    assert case.person("reporter").organisation_name == user(username).organisation.name
    # The reporter sees the report; the institution sees no other case of the place.
    assert policy.can_view(user(username), case)
    other = file_as("child_director")
    assert not policy.can_view(user(username), other)
    # No education bureau for a beating, nor for a hospital.
    assert case.referrals == []


def test_an_institution_reports_as_its_own_unit(ctx):
    error = refused_report("institution_reporter_2", reporter_org_type="school")
    assert set(error.fields) == {"reporter_org_type"}
    # A user with the role in a unit that is no mandatory-reporting institution.
    add_user("court_reporter", "institution_reporter", org("石柱县人民法院"))
    error = refused_report("court_reporter", reporter_org_type="hospital")
    assert set(error.fields) == {"reporter_org_type"}


def test_a_schools_report_of_sexual_abuse_goes_to_the_police_and_the_education_bureau(ctx):
    told = local(2026, 11, 2, 8, 40)
    case = file_as(
        "institution_reporter",
        reporter_org_type="school",
        situation_codes=[],
        sexual_abuse=True,
        guardian_notified_at=told,
    )
    report = case.mandatory_report
    assert report.sexual_abuse and report.guardian_notified_at == told
    assert case.owner_org.type.startswith("police")
    (referral,) = case.referrals
    assert referral.to_org.type == "education_bureau" and referral.status == "sent"
    assert "第40条" in referral.reason
    triggers = [e.trigger for e in case.events]
    assert triggers == ["submit", "referral_sent", "guardian_notice"]
    assert datetime.fromisoformat(case.events[-1].data["guardian_notified_at"]) == told
    # The education bureau sees the report from its inbox.
    bureau_user = add_user("education", "civil_affairs", referral.to_org)
    assert policy.can_view(bureau_user, case)


def test_situations_of_sexual_abuse_route_a_school_report_too(ctx):
    case = file_as(
        "institution_reporter",
        reporter_org_type="school",
        situation_codes=[2],
        guardian_notified_at=local(2026, 11, 2, 8, 30),
    )
    assert case.mandatory_report.sexual_abuse
    assert [r.to_org.type for r in case.referrals] == ["education_bureau"]


def test_the_guardian_who_is_the_suspect_is_not_told(ctx):
    case = file_as(
        "institution_reporter",
        reporter_org_type="school",
        sexual_abuse=True,
        guardian_is_suspect=True,
    )
    assert case.mandatory_report.guardian_notified_at is None
    assert case.events[-1].trigger == "guardian_notice"
    assert case.events[-1].data == {"guardian_notified": False, "reason": "guardian_is_suspect"}


def test_a_schools_sexual_abuse_report_is_refused_without_the_guardian_or_the_police(ctx):
    error = refused_report("institution_reporter", reporter_org_type="school", sexual_abuse=True)
    assert set(error.fields) == {"guardian_notified_at"}
    error = refused_report(
        "institution_reporter",
        reporter_org_type="school",
        sexual_abuse=True,
        guardian_notified_at=local(2026, 11, 2, 7, 0),  # before the discovery
    )
    assert set(error.fields) == {"guardian_notified_at"}
    error = refused_report(
        "institution_reporter",
        reporter_org_type="school",
        sexual_abuse=True,
        guardian_notified_at=local(2026, 11, 2, 8, 30),
        intake_org_id=org("石柱县民政局").id,
    )
    assert set(error.fields) == {"intake_org"}
    # A guardian who is the suspect is not told: a time given for it is refused.
    error = refused_report(
        "institution_reporter",
        reporter_org_type="school",
        sexual_abuse=True,
        guardian_is_suspect=True,
        guardian_notified_at=local(2026, 11, 2, 8, 30),
    )
    assert set(error.fields) == {"guardian_notified_at"}


def test_a_hospitals_report_of_sexual_abuse_is_not_the_schools_rule(ctx):
    case = file_as("institution_reporter_2", reporter_org_type="hospital", sexual_abuse=True)
    assert case.mandatory_report.sexual_abuse and case.referrals == []


# --- D8: who verifies decides the rule ------------------------------------------------------------


def accepted_report(intake: str) -> Case:
    case = file_as("child_director", intake_org_id=org(intake).id)
    clock(local(2026, 11, 2, 10, 0))  # Monday
    username = "police" if intake == "南宾派出所" else "civil_affairs"
    fire(username, case, "accept")
    return case


def test_police_verification_runs_by_the_reform_others_by_the_local_rule(ctx):
    police = accepted_report("南宾派出所")
    row = deadline(police, "verify_due")
    assert "受案立案" in row.basis and row.due_at == midnight(date(2026, 11, 6))
    civil = accepted_report("石柱县民政局")
    row = deadline(civil, "verify_due")
    assert "本地规则" in row.basis and "民政" in row.basis
    # Only the police extend, to 7 or 30 days from the acceptance, never shorter.
    refused_step(
        Forbidden, "civil_affairs", civil, "extend_verification", period="extended", reason="x"
    )
    police = db.session.get(Case, police.id)
    clock(local(2026, 11, 4, 9, 0))
    fire("police", police, "extend_verification", period="extended", reason="需调取监控核实。")
    row = deadline(police, "verify_due")
    # 7 days: 11-03 … 11-09 Monday → due 11-10 00:00.
    assert (row.opened_at, row.due_at) == (local(2026, 11, 2, 10, 0), midnight(date(2026, 11, 10)))
    event = police.last_event("extend_verification")
    assert datetime.fromisoformat(event.data["old_due_at"]) == midnight(date(2026, 11, 6))
    assert datetime.fromisoformat(event.data["new_due_at"]) == midnight(date(2026, 11, 10))
    fire("police", police, "extend_verification", period="complex", reason="案情复杂。")
    assert deadline(police, "verify_due").due_at == midnight(date(2026, 12, 3))
    error = refused_step(
        ValidationFailed, "police", police, "extend_verification", period="extended", reason="x"
    )
    assert set(error.fields) == {"period"}


def test_a_verifier_of_the_other_kind_brings_its_rule(ctx):
    case = accepted_report("南宾派出所")
    assert "受案立案" in deadline(case, "verify_due").basis
    clock(local(2026, 11, 2, 11, 0))
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    row = deadline(case, "verify_due")
    # The same acceptance, the local rule's 3 days and its basis; the timeline says so.
    assert (row.opened_at, row.due_at) == (local(2026, 11, 2, 10, 0), midnight(date(2026, 11, 6)))
    assert "本地规则" in row.basis
    change = case.last_event("start_verification").data["verify_due"]
    assert "受案立案" in change["old"]["basis"] and change["new"]["basis"] == row.basis
    # The police reform's extension is not theirs to use now.
    refused_step(
        InvalidTransitionError, "police", case, "extend_verification", period="extended", reason="x"
    )


# --- D7: the police decide not to open a case -------------------------------------------------------


def unfounded_by_police() -> Case:
    case = accepted_report("南宾派出所")
    fire("police", case, "start_verification", verifier=user("police").id)
    clock(local(2026, 11, 4, 15, 0))  # Wednesday
    fire("police", case, "mark_unfounded", reason="经调查，不构成犯罪，不予立案。")
    return case


def test_not_opening_a_case_opens_the_notice_period(ctx):
    case = unfounded_by_police()
    row = deadline(case, "no_case_notice_due")
    # 3 days: 11-05 … 11-07 Saturday → Monday 11-09.
    assert (row.opened_at, row.due_at) == (local(2026, 11, 4, 15, 0), midnight(date(2026, 11, 10)))
    assert "第178条" in row.basis
    # A finding by the township child supervisor is not a police decision: no D7.
    other = accepted_report("南宾派出所")
    fire("police", other, "start_verification", verifier=user("child_supervisor").id)
    fire("child_supervisor", other, "mark_unfounded", reason="系意外摔伤。")
    assert not [d for d in other.deadlines if d.kind == "no_case_notice_due"]
    with pytest.raises(InvalidTransitionError):
        cases.fire(
            user("police"), other, "serve_no_case_notice", {"served_at": None}, other.version
        )
    db.session.rollback()


def test_a_timely_reconsideration_entered_late_is_accepted_and_decided(ctx):
    case = unfounded_by_police()
    # The reconsideration cannot be applied for before the notice is served.
    clock(local(2026, 11, 5, 9, 0))
    refused_step(
        InvalidTransitionError,
        "police",
        case,
        "request_police_review",
        applied_at=None,
        grounds="x",
    )
    served = local(2026, 11, 6, 10, 0)  # Friday
    clock(local(2026, 11, 6, 11, 0))
    fire("police", case, "serve_no_case_notice", served_at=served, comment="")
    assert (
        deadline(case, "no_case_notice_due").status,
        deadline(case, "no_case_notice_due").closed_at,
    ) == ("met", served)
    window = deadline(case, "police_review_window")
    # 7 days from the service: 11-07 … 11-13 Friday → due 11-14 00:00.
    assert (window.opened_at, window.due_at) == (served, midnight(date(2026, 11, 14)))
    # Applied on the last day, typed in on Monday: accepted, met at the application.
    applied = local(2026, 11, 13, 16, 0)
    clock(local(2026, 11, 16, 9, 0))
    fire(
        "child_director",
        case,
        "request_police_review",
        applied_at=applied,
        grounds="孩子伤情明显，请求复议。",
    )
    window = deadline(case, "police_review_window")
    assert (window.status, window.closed_at, window.done_late) == ("met", applied, False)
    decision = deadline(case, "police_review_decision_due")
    # 30 days from the application: 11-14 … 12-13 Sunday → Monday 12-14.
    assert (decision.opened_at, decision.due_at) == (applied, midnight(date(2026, 12, 15)))
    # Once only.
    refused_step(
        InvalidTransitionError,
        "child_director",
        case,
        "request_police_review",
        applied_at=applied,
        grounds="x",
    )
    # Extended once with the higher organ's approval: 60 days from the application.
    fire("police", case, "extend_police_review", approved_by="石柱县公安局", reason="案情复杂。")
    # 60 days: 11-14 … 01-12 Tuesday (2027) → due 01-13 00:00.
    assert deadline(case, "police_review_decision_due").due_at == midnight(date(2027, 1, 13))
    refused_step(
        InvalidTransitionError, "police", case, "extend_police_review", approved_by="x", reason="x"
    )
    decided = local(2026, 12, 1, 10, 0)
    clock(local(2026, 12, 1, 11, 0))
    fire("police", case, "overturn_no_case", decided_at=decided, reason="撤销原决定，予以立案。")
    assert case.state == "verified"
    row = deadline(case, "police_review_decision_due")
    assert (row.status, row.closed_at) == ("met", decided)


def test_a_late_reconsideration_is_refused_and_changes_nothing(ctx):
    case = unfounded_by_police()
    served = local(2026, 11, 6, 10, 0)
    clock(local(2026, 11, 6, 11, 0))
    fire("police", case, "serve_no_case_notice", served_at=served, comment="")
    clock(local(2026, 11, 16, 9, 0))
    refused_step(
        InvalidTransitionError,
        "child_director",
        case,
        "request_police_review",
        applied_at=local(2026, 11, 14, 8, 0),  # the window ended at 11-14 00:00
        grounds="不服。",
    )
    # Nor may the reconsideration be decided or extended: none was applied for.
    refused_step(
        InvalidTransitionError, "police", case, "uphold_no_case", decided_at=None, reason="x"
    )


def test_the_reconsideration_upheld(ctx):
    case = unfounded_by_police()
    clock(local(2026, 11, 6, 11, 0))
    fire("police", case, "serve_no_case_notice", served_at=None, comment="")
    clock(local(2026, 11, 9, 11, 0))
    fire(
        "police",
        case,
        "request_police_review",
        applied_at=local(2026, 11, 9, 10, 0),
        grounds="不服。",
    )
    clock(local(2026, 11, 20, 11, 0))
    fire("police", case, "uphold_no_case", decided_at=local(2026, 11, 20, 10, 0), reason="维持。")
    assert case.state == "unfounded"
    assert deadline(case, "police_review_decision_due").status == "met"


# --- D9: a 治安 case from a DV call --------------------------------------------------------------


def test_a_public_order_case_is_decided_within_30_days(ctx):
    case = log_call(local(2026, 11, 2, 21, 0))
    accepted = local(2026, 11, 2, 23, 0)  # Monday night
    clock(local(2026, 11, 3, 9, 0))
    fire("police", case, "escalate", outcome="admin_penalty", decided_at=accepted, detail="受案。")
    row = deadline(case, "penalty_decision_due")
    # 30 days: 11-03 … 12-02 Wednesday → due 12-03 00:00.
    assert (row.opened_at, row.due_at, row.status) == (
        accepted,
        midnight(date(2026, 12, 3)),
        "open",
    )
    assert "第165条" in row.basis
    fire("police", case, "extend_penalty_decision", approved_by="石柱县公安局", reason="案情复杂。")
    # 60 days: 11-03 … 01-01 (2027) → due 01-02 00:00 (holidays of 2027 are not this branch's).
    extended = deadline(case, "penalty_decision_due")
    assert extended.opened_at == accepted and extended.due_at > midnight(date(2026, 12, 31))
    assert case.last_event("extend_penalty_decision").data["approved_by"] == "石柱县公安局"
    refused(
        InvalidTransitionError,
        "police",
        case,
        "extend_penalty_decision",
        approved_by="x",
        reason="x",
    )
    decided = local(2026, 11, 20, 15, 0)
    clock(local(2026, 11, 23, 9, 0))  # typed in on Monday
    refused(
        ValidationFailed,
        "police",
        case,
        "decide_penalty",
        decided_at=local(2026, 11, 2, 22, 0),
        decision="x",
    )
    fire("police", case, "decide_penalty", decided_at=decided, decision="行政拘留五日。")
    row = deadline(case, "penalty_decision_due")
    assert (row.status, row.closed_at) == ("met", decided)
    refused(
        InvalidTransitionError, "police", case, "decide_penalty", decided_at=decided, decision="x"
    )


def test_a_criminal_case_or_a_repeat_without_penalty_opens_no_public_order_period(ctx):
    case = log_call(local(2026, 11, 2, 21, 0))
    clock(local(2026, 11, 3, 9, 0))
    fire(
        "police",
        case,
        "escalate",
        outcome="criminal_case",
        decided_at=local(2026, 11, 3, 8, 0),
        detail="立案。",
    )
    assert not [d for d in case.deadlines if d.kind == "penalty_decision_due"]
    # Repeat violence that goes to a 治安 case opens it, counted from that decision.
    repeat = log_call(local(2026, 11, 2, 21, 0))
    fire("police", repeat, "criticize", victim_informed=True, comment="")
    clock(local(2026, 11, 10, 9, 0))
    fire(
        "police",
        repeat,
        "record_repeat",
        occurred_at=local(2026, 11, 9, 22, 0),
        description="再次殴打。",
        outcome="admin_penalty",
    )
    row = deadline(repeat, "penalty_decision_due")
    assert row.opened_at == local(2026, 11, 10, 9, 0)


def test_the_new_events_and_deadlines_are_in_the_hash_chain(ctx):
    from caseflow.services import audit

    case = unfounded_by_police()
    clock(local(2026, 11, 6, 11, 0))
    fire("police", case, "serve_no_case_notice", served_at=None, comment="")
    assert audit.verify_chain(case.id) is None
    count = db.session.scalar(
        select(func.count()).select_from(Deadline).where(Deadline.case_id == case.id)
    )
    assert count == len(case.deadlines)
    assert db.session.scalar(
        select(func.count()).select_from(Event).where(Event.case_id == case.id)
    ) == len(case.events)


def test_a_notice_is_not_served_before_the_decision(ctx):
    case = unfounded_by_police()  # decided 11-04 15:00
    clock(local(2026, 11, 6, 11, 0))
    error = refused_step(
        ValidationFailed,
        "police",
        case,
        "serve_no_case_notice",
        served_at=local(2026, 11, 4, 14, 0),
        comment="",
    )
    assert set(error.fields) == {"served_at"}
