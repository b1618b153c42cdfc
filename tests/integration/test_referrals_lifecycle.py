"""Ordinary referrals between departments through services.referrals (workflows.md "Common
parts": to an organisation, reason, `sent → accepted → completed`, or `declined` (reason)
/ `withdrawn`; a response deadline; the outcome).

What test_api.py already covers (refusals of `add` by a non-owner, a stale version, the
own unit, a past deadline; the answer forms' required fields; accept → complete by the
API) is not repeated. Here: the response deadline of each referral (rule pack
`referral_due` 5 d, or an explicit one), met / waived / missed with the answers and the
sweep; a unit answering what is not addressed to it; and what the receiving unit may see
(policy.identity_scope: a receiving department joins the case team once it has accepted).

Times are Asia/Shanghai; November 2026 has no public holiday (chinesecalendar 1.11.0), so
only weekends move a last day.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from caseflow import policy, timeutil
from caseflow.deadlines import ledger
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Jurisdiction, Organisation, Referral
from caseflow.services import audit, cases, referrals
from caseflow.services.errors import Forbidden, InvalidTransitionError, ValidationFailed
from tests.conftest import user

pytestmark = pytest.mark.usefixtures("ctx")

SH = ZoneInfo("Asia/Shanghai")
CIVIL = "石柱县民政局"
CENTRE = "石柱县法律援助中心"
EDUCATION = "石柱县教育委员会"
VICTIM, VICTIM_PHONE = "李秀英", "13800000002"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def clock(value: datetime) -> datetime:
    timeutil.set_clock(value)
    return value


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def person(**given) -> dict:
    fields = ("name", "sex", "birth_date", "id_number", "phone", "address")
    return {k: None for k in fields} | given


def dv_case() -> Case:
    """A DV call logged by 南宾派出所: neither civil affairs nor the legal-aid centre handles
    DV cases, so before a referral they do not see it at all."""
    at = clock(local(2026, 11, 5, 9, 0))  # Thursday
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    return cases.create_case(
        user("police"),
        "dv_warning",
        {
            "jurisdiction_id": place.id,
            "call_at": at,
            "attended_at": at,
            "location": "城南社区",
            "subject": person(name=VICTIM, sex="F", phone=VICTIM_PHONE),
            "abuser": person(name="王建国", sex="M", relation="spouse"),
            "violence_forms": ["physical"],
            "injury_level": "minor",
            "injuries": "手臂软组织挫伤。",
            "minors_present": True,
            "minors_witnessed": True,
            "prior_incidents": 1,
            "special_protection": [],
            "urgent": False,
            "description": "邻居报警称听到争吵和哭喊，民警到场制止。",
        },
    )


def refer(case: Case, *names: str, due_at=None, reason="申请临时庇护与法律援助评估。"):
    return referrals.add(
        case, user("police"), [org(n) for n in names], reason, due_at, case.version
    )


def snapshot(case_id: int) -> dict:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return {
        "case": (case.state, case.version, case.updated_at),
        "events": db.session.scalar(
            select(func.count()).select_from(Event).where(Event.case_id == case_id)
        ),
        "referrals": db.session.execute(
            select(
                Referral.id,
                Referral.status,
                Referral.answer,
                Referral.answered_at,
                Referral.answered_by_id,
            )
            .where(Referral.case_id == case_id)
            .order_by(Referral.id)
        ).all(),
        "deadlines": db.session.execute(
            select(Deadline.id, Deadline.status, Deadline.closed_at, Deadline.waiver_reason)
            .where(Deadline.case_id == case_id)
            .order_by(Deadline.id)
        ).all(),
    }


def refused(error, username: str, referral: Referral, action: str, text: str = ""):
    case_id, referral_id = referral.case_id, referral.id
    db.session.commit()
    before = snapshot(case_id)
    referral = db.session.get(Referral, referral_id)
    with pytest.raises(error) as info:
        referrals.answer(referral, user(username), action, text)
    db.session.rollback()
    assert snapshot(case_id) == before
    return info.value


def sees(username: str, case: Case) -> bool:
    return policy.visible_case(user(username), case.id) is not None


def identity(username: str, case: Case) -> bool:
    return policy.can_see_identity(user(username), case)


# --- sending ----------------------------------------------------------------------------------


def test_one_case_referred_to_two_organisations_with_the_default_deadline():
    case = dv_case()
    for username in ("civil_affairs", "legal_aid"):
        assert not sees(username, case), username
    version = case.version
    sent = clock(local(2026, 11, 5, 14, 0))  # Thursday
    civil, centre = refer(case, CIVIL, CENTRE, reason="申请临时庇护与法律援助评估。")
    assert case.version > version
    police = user("police")
    for referral, name in ((civil, CIVIL), (centre, CENTRE)):
        assert referral.to_org_id == org(name).id
        assert (referral.from_org_id, referral.sent_by_id) == (police.organisation_id, police.id)
        assert (referral.status, referral.sent_at, referral.answered_at) == ("sent", sent, None)
        assert referral.reason == "申请临时庇护与法律援助评估。"
        due = referral.deadline
        # referral_due 5 d from Thursday 11-05: Fri … Tue 11-10 (working) → 11-11 00:00.
        assert (due.kind, due.opened_at, due.due_at, due.status) == (
            "referral_due",
            sent,
            local(2026, 11, 11),
            "open",
        )
        assert "未成年人保护法" in due.basis
    assert civil.deadline.id != centre.deadline.id  # one deadline per referral
    event = case.last_event("referral_sent")
    assert event.comment == "申请临时庇护与法律援助评估。"
    assert event.data == {
        "referral_ids": [civil.id, centre.id],
        "to_orgs": [org(CIVIL).id, org(CENTRE).id],
    }
    # The state of the case does not move; the police still own it.
    assert (case.state, case.owner_org_id) == ("incident_logged", police.organisation_id)
    # Both receiving units now see the case, without its identities, and do not own it.
    for username in ("civil_affairs", "legal_aid"):
        assert sees(username, case), username
        assert not identity(username, case), username
        view = policy.person_view(user(username), case, case.subject)
        assert view["masked"] is True and VICTIM not in str(view)
    assert audit.verify_chain(case.id) is None


def test_an_explicit_response_deadline():
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    agreed = local(2026, 11, 7, 12, 0)  # a Saturday noon, as agreed: not moved
    (referral,) = refer(case, EDUCATION, due_at=agreed, reason="协调学校关注目睹家暴的儿童。")
    assert (referral.deadline.due_at, referral.deadline.status) == (agreed, "open")
    assert "未成年人保护法" in referral.deadline.basis  # the rule's basis stays attached
    # A second open referral to the same unit is refused.
    with pytest.raises(ValidationFailed) as info:
        refer(case, EDUCATION)
    assert "to_orgs" in info.value.fields


def test_only_the_owner_refers_the_case():
    case = dv_case()
    with pytest.raises(Forbidden):
        referrals.add(case, user("womens_federation"), [org(CIVIL)], "x", None, case.version)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


# --- answers ----------------------------------------------------------------------------------


def test_accept_then_complete_with_an_outcome():
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    civil, _centre = refer(case, CIVIL, CENTRE)
    accepted = clock(local(2026, 11, 6, 9, 30))
    referrals.answer(civil, user("civil_affairs"), "accept", "")
    assert (civil.status, civil.answered_at) == ("accepted", accepted)
    assert civil.answered_by_id == user("civil_affairs").id
    assert (civil.deadline.status, civil.deadline.closed_at) == ("met", accepted)
    # Accepted: civil affairs joins the case team and sees the identities; the centre, whose
    # referral is still only sent, does not.
    assert identity("civil_affairs", case)
    view = policy.person_view(user("civil_affairs"), case, case.subject)
    assert (view["masked"], view["name"], view["phone"]) == (False, VICTIM, VICTIM_PHONE)
    assert not identity("legal_aid", case)
    # … but it is still not the owner: the case's own steps stay with the police.
    assert case.owner_org_id != user("civil_affairs").organisation_id
    assert policy.allowed_steps(user("civil_affairs"), case) == []

    # Completing needs the outcome; nothing moves without it.
    error = refused(ValidationFailed, "civil_affairs", civil, "complete", "")
    assert "outcome" in error.fields
    clock(local(2026, 11, 20, 16, 0))
    civil = db.session.get(Referral, civil.id)
    referrals.answer(civil, user("civil_affairs"), "complete", "已安排临时庇护七日。")
    assert (civil.status, civil.answer) == ("completed", "已安排临时庇护七日。")
    assert civil.answered_at == accepted  # the acceptance time is kept
    case = civil.case
    events = [e for e in case.events if e.trigger.startswith("referral_")]
    assert [e.trigger for e in events] == [
        "referral_sent",
        "referral_accepted",
        "referral_completed",
    ]
    assert events[-1].comment == "已安排临时庇护七日。"
    assert events[-1].data == {"referral_id": civil.id, "to_org": org(CIVIL).id}
    # Completed: still on the team.
    assert identity("civil_affairs", case)
    # A completed referral takes no further answer.
    refused(InvalidTransitionError, "civil_affairs", civil, "decline", "x")
    refused(InvalidTransitionError, "police", civil, "withdraw")
    assert audit.verify_chain(case.id) is None


def test_decline_needs_a_reason_and_reveals_nothing():
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    (referral,) = refer(case, CENTRE)
    error = refused(ValidationFailed, "legal_aid", referral, "decline", "")
    assert "reason" in error.fields
    declined = clock(local(2026, 11, 9, 10, 0))
    referral = db.session.get(Referral, referral.id)
    referrals.answer(referral, user("legal_aid"), "decline", "申请人已自行委托律师。")
    assert (referral.status, referral.answer, referral.answered_at) == (
        "declined",
        "申请人已自行委托律师。",
        declined,
    )
    assert (referral.deadline.status, referral.deadline.closed_at) == ("met", declined)
    assert referral.case.last_event("referral_declined").comment == "申请人已自行委托律师。"
    # The declining unit may still open the case (it was referred to it) but never saw the
    # identities and does not now.
    assert sees("legal_aid", case)
    assert not identity("legal_aid", case)
    refused(InvalidTransitionError, "legal_aid", referral, "accept")
    # Declined, it is no longer open: the sender may refer to the centre again.
    (again,) = refer(referral.case, CENTRE, reason="申请人重新提出申请。")
    assert again.status == "sent"


def test_withdraw_by_the_sender_waives_the_deadline():
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    civil, centre = refer(case, CIVIL, CENTRE)
    # Only the sending unit withdraws; the receiver declines instead.
    refused(Forbidden, "civil_affairs", civil, "withdraw")
    refused(Forbidden, "womens_federation", civil, "withdraw")
    at = clock(local(2026, 11, 6, 8, 0))
    civil = db.session.get(Referral, civil.id)
    referrals.answer(civil, user("police"), "withdraw", "")
    assert (civil.status, civil.answered_at) == ("withdrawn", at)
    due = civil.deadline
    assert (due.status, due.closed_at, due.waiver_reason) == ("waived", at, "referral withdrawn")
    assert due.waived_by_id == user("police").id
    assert civil.case.last_event("referral_withdrawn").data["referral_id"] == civil.id
    refused(InvalidTransitionError, "civil_affairs", civil, "accept")
    # An accepted referral may still be withdrawn by the sender.
    centre = db.session.get(Referral, centre.id)
    referrals.answer(centre, user("legal_aid"), "accept", "")
    referrals.answer(centre, user("police"), "withdraw", "")
    assert centre.status == "withdrawn"
    assert centre.deadline.status == "met"  # met at the acceptance, not waived afterwards


@pytest.mark.parametrize(
    ("username", "action", "text"),
    [
        ("womens_federation", "accept", ""),  # a unit the referral is not addressed to
        ("legal_aid", "accept", ""),  # addressed to civil affairs, not to the centre
        ("legal_aid", "decline", "不属于本单位。"),
        ("police", "accept", ""),  # the sender cannot accept its own referral
        ("supervisor", "accept", ""),
        ("statistician", "accept", ""),
    ],
)
def test_a_unit_answering_a_referral_not_addressed_to_it_is_forbidden(username, action, text):
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    civil, _centre = refer(case, CIVIL, CENTRE)
    refused(Forbidden, username, civil, action, text)


def test_state_is_checked_before_the_unit():
    """One check order (state 409, then role 403): completing a referral not yet accepted
    is not possible now, whoever asks; once accepted, only the receiving unit completes."""
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    civil, _centre = refer(case, CIVIL, CENTRE)
    refused(InvalidTransitionError, "police", civil, "complete", "x")
    referrals.answer(civil, user("civil_affairs"), "accept", "")
    refused(Forbidden, "police", civil, "complete", "x")


def test_an_unknown_answer_is_refused():
    case = dv_case()
    clock(local(2026, 11, 5, 14, 0))
    (civil,) = refer(case, CIVIL)
    refused(Forbidden, "civil_affairs", civil, "shred")


# --- the deadline sweep -----------------------------------------------------------------------


def test_a_referral_past_its_deadline_is_missed_after_the_sweep():
    case = dv_case()
    clock(local(2026, 11, 6, 15, 0))  # Friday
    civil, centre = refer(case, CIVIL, CENTRE)
    # 5 days from Friday 11-06: last day Wednesday 11-11 → due 11-12 00:00.
    assert civil.deadline.due_at == local(2026, 11, 12)
    clock(local(2026, 11, 11, 17, 0))
    referrals.answer(db.session.get(Referral, centre.id), user("legal_aid"), "accept", "")
    clock(local(2026, 11, 12, 0, 0))
    assert ledger.sweep() == 0  # due exactly now: not past
    clock(local(2026, 11, 12, 0, 1))
    assert ledger.sweep() == 1  # only the unanswered one
    db.session.expire_all()
    civil, centre = db.session.get(Referral, civil.id), db.session.get(Referral, centre.id)
    assert (civil.status, civil.deadline.status, civil.deadline.closed_at) == (
        "sent",
        "missed",
        None,
    )
    assert centre.deadline.status == "met"
    # Answered late: the deadline records it was done, late.
    late = clock(local(2026, 11, 13, 9, 0))
    referrals.answer(civil, user("civil_affairs"), "accept", "")
    assert (civil.deadline.status, civil.deadline.closed_at, civil.deadline.done_late) == (
        "missed",
        late,
        True,
    )
