"""Legal aid through the real services, with a frozen clock (workflows.md §4; law.md §4:
法律援助法 Art. 32, 41, 43, 44, 49; deadline rows D16, D17, D18, D21).

Times are Asia/Shanghai. Expected due times are worked out by hand from the default rule
pack (decision_due 7 d, assign_due 3 d, objection_decision_due 5 d, referral_due 5 d) and
民事诉讼法 Art. 85 as the ledger applies it: the start day is excluded, the period ends at
local midnight after the last day, and a last day that is not a working day moves to the
next working day. Holiday data: chinesecalendar 1.11.0 (checked in
test_the_holiday_data_the_expectations_rely_on):
- 国庆 2026: 10-01 (Thu) … 10-07 (Wed) off; 10-08 (Thu) is the first working day after;
  Saturday 10-10 is a 调休 working day; Sunday 10-11 is a rest day.
- November 2026 has no holiday: only ordinary weekends.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.deadlines import ledger
from caseflow.extensions import db
from caseflow.forms import from_json
from caseflow.forms.legal_aid import DenyForm, LegalAidForm
from caseflow.models import Case, Deadline, Event, Jurisdiction, LegalAid, Organisation, Referral
from caseflow.services import audit, cases, referrals
from caseflow.services.errors import (
    GUARD_MESSAGES,
    Forbidden,
    InvalidTransitionError,
    ServiceError,
    ValidationFailed,
)
from tests.conftest import user

pytestmark = pytest.mark.usefixtures("ctx")

SH = ZoneInfo("Asia/Shanghai")
CHENGNAN = "500240001001"  # 城南社区, 南宾街道
CENTRE = "石柱县法律援助中心"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def clock(value: datetime) -> datetime:
    timeutil.set_clock(value)
    return value


def place(code: str = CHENGNAN) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def person(**given) -> dict:
    fields = ("name", "sex", "birth_date", "id_number", "phone", "address")
    return {k: None for k in fields} | given


def application(**over) -> dict:
    """A standalone application as LegalAidForm.to_data gives it (DV victim: no means test)."""
    data = {
        "jurisdiction_id": place().id,
        "source_case_id": None,
        "subject": person(name="罗晓梅", sex="F", phone="13700000001"),
        "matter": "divorce",
        "description": "离婚诉讼代理，丈夫长期家暴。",
        "means_test_exempt_reason": "domestic_violence",
        "household_size": None,
        "monthly_income": None,
        "honesty_undertaking": False,
        "urgent_pre_provision": False,
        "procedural_deadline": None,
        "special_protection": [],
        "urgent": False,
    }
    return data | over


def fire(username: str, case: Case, trigger: str, **data) -> Case:
    before, events = case.version, len(case.events)
    cases.fire(user(username), case, trigger, data, case.version)
    assert case.version > before
    assert len(case.events) == events + 1
    return case


def deadlines(case: Case, kind: str) -> list[Deadline]:
    db.session.expire_all()
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.case_id == case.id, Deadline.kind == kind)
        .order_by(Deadline.id)
    ).all()


def deadline(case: Case, kind: str) -> Deadline:
    (found,) = deadlines(case, kind)
    return found


def triggers(case_id: int) -> list[str]:
    return db.session.scalars(
        select(Event.trigger).where(Event.case_id == case_id).order_by(Event.seq)
    ).all()


def snapshot(case_id: int) -> dict:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return {
        "case": (case.state, case.version, case.urgent, case.closed_at),
        "events": db.session.scalar(
            select(func.count()).select_from(Event).where(Event.case_id == case_id)
        ),
        "deadlines": db.session.execute(
            select(Deadline.kind, Deadline.due_at, Deadline.status, Deadline.closed_at)
            .where(Deadline.case_id == case_id)
            .order_by(Deadline.id)
        ).all(),
        "referrals": db.session.execute(
            select(Referral.id, Referral.status, Referral.answer, Referral.answered_at)
            .where(Referral.case_id == case_id)
            .order_by(Referral.id)
        ).all(),
        "detail": dict(
            db.session.execute(select(LegalAid.__table__).where(LegalAid.case_id == case_id))
            .mappings()
            .one_or_none()
            or {}
        ),
    }


def refused(error, username: str, case: Case, trigger: str, **data) -> ServiceError:
    """Fire and expect `error`; rolled back as the views do, and nothing of the case moved."""
    case_id = case.id
    db.session.commit()
    before = snapshot(case_id)
    case = db.session.get(Case, case_id)
    with pytest.raises(error) as info:
        cases.fire(user(username), case, trigger, data, case.version)
    db.session.rollback()
    assert snapshot(case_id) == before
    return info.value


def standalone(at: datetime, **over) -> Case:
    clock(at)
    return cases.create_case(user("legal_aid"), "legal_aid", application(**over))


def dv_case(at: datetime) -> Case:
    clock(at)
    return cases.create_case(
        user("police"),
        "dv_warning",
        {
            "jurisdiction_id": place().id,
            "call_at": at - timedelta(hours=1),
            "attended_at": at - timedelta(minutes=40),
            "location": "城南社区",
            "subject": person(name="李秀英", sex="F", phone="13800000002"),
            "abuser": person(name="王建国", sex="M", relation="spouse"),
            "violence_forms": ["physical"],
            "injury_level": "minor",
            "injuries": "手臂软组织挫伤。",
            "minors_present": False,
            "minors_witnessed": False,
            "prior_incidents": 0,
            "special_protection": [],
            "urgent": False,
            "description": "邻居报警称听到争吵和哭喊，民警到场制止。",
        },
    )


# --- the calendar data the expectations rely on ---------------------------------------------


def test_the_holiday_data_the_expectations_rely_on():
    for day in range(1, 8):
        assert not chinese_calendar.is_workday(date(2026, 10, day)), day
    assert chinese_calendar.is_workday(date(2026, 9, 30))
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert not chinese_calendar.is_workday(date(2026, 10, 11))  # Sunday
    assert chinese_calendar.is_workday(date(2026, 10, 12))
    for day in range(1, 31):
        d = date(2026, 11, day)
        assert chinese_calendar.is_workday(d) == (d.weekday() < 5), d


# --- 7 / 3-day deadlines (Art. 43 ¶1, D16) ----------------------------------------------------


def test_decision_across_national_day_then_a_late_assignment():
    case = standalone(local(2026, 9, 29, 15, 0))
    assert (case.state, case.owner_org_id) == ("referred", org(CENTRE).id)
    assert case.owner_org_id == user("legal_aid").organisation_id
    assert deadlines(case, "decision_due") == []  # a referral is not yet an application

    # Received on Wednesday 09-30 at 10:00, recorded after the holiday: the legal time counts.
    received = local(2026, 9, 30, 10, 0)
    clock(local(2026, 10, 8, 9, 0))
    fire("legal_aid", case, "receive_application", received_at=received)
    assert case.state == "applied"
    assert case.legal_aid.received_at == received
    decision = deadline(case, "decision_due")
    # 7 days from 09-30: 10-01 … 10-07, all 国庆; the last day 10-07 moves to Thursday
    # 10-08, the first working day → due at midnight after it, 10-09 00:00.
    assert (decision.opened_at, decision.due_at, decision.status) == (
        received,
        local(2026, 10, 9),
        "open",
    )
    assert "第43条" in decision.basis

    granted_at = clock(local(2026, 10, 8, 16, 0))
    fire("legal_aid", case, "grant", comment="符合条件。")
    assert case.state == "granted"
    assert (case.legal_aid.decision, case.legal_aid.decided_at) == ("granted", granted_at)
    met = deadline(case, "decision_due")
    assert (met.status, met.closed_at, met.done_late) == ("met", granted_at, False)
    assign = deadline(case, "assign_due")
    # 3 days from Thursday 10-08: Fri 10-09, Sat 10-10 (调休, working), Sun 10-11 (rest) →
    # the last day moves to Monday 10-12 → due 10-13 00:00.
    assert (assign.opened_at, assign.due_at, assign.status) == (
        granted_at,
        local(2026, 10, 13),
        "open",
    )

    # Tuesday morning: the sweep marks the assignment missed; it is recorded late.
    clock(local(2026, 10, 13, 0, 0))
    assert ledger.sweep() == 0  # due at exactly midnight: not yet past
    late = clock(local(2026, 10, 13, 9, 30))
    assert ledger.sweep() == 1
    assert deadline(case, "assign_due").status == "missed"
    fire(
        "legal_aid", case, "assign_lawyer", lawyer_name="冉志远", law_firm="重庆石柱民兴律师事务所"
    )
    assert case.state == "in_service"
    assert (case.legal_aid.lawyer_name, case.legal_aid.assigned_at) == ("冉志远", late)
    done = deadline(case, "assign_due")
    assert (done.status, done.closed_at, done.done_late) == ("missed", late, True)
    assert case.open_deadlines() == []
    assert audit.verify_chain(case.id) is None


def test_a_decision_not_made_in_seven_days_is_missed_after_the_sweep():
    case = standalone(local(2026, 11, 2, 9, 0))  # Monday
    fire("legal_aid", case, "receive_application")
    decision = deadline(case, "decision_due")
    # 7 days from Monday 11-02: last day Monday 11-09 (working) → due 11-10 00:00.
    assert decision.due_at == local(2026, 11, 10)
    clock(local(2026, 11, 9, 23, 59))
    assert ledger.sweep() == 0
    clock(local(2026, 11, 10, 0, 1))
    assert ledger.sweep() == 1
    assert ledger.sweep() == 0  # idempotent
    assert deadline(case, "decision_due").status == "missed"
    denied_at = clock(local(2026, 11, 10, 10, 0))
    fire("legal_aid", case, "deny", reason="不属于法律援助事项范围。")
    late = deadline(case, "decision_due")
    assert (late.status, late.closed_at, late.done_late) == ("missed", denied_at, True)


# --- materials (Art. 43 ¶2, D17) ------------------------------------------------------------


def test_materials_requested_once_waive_the_decision_and_supply_opens_a_new_one():
    case = standalone(local(2026, 11, 2, 9, 0))
    fire("legal_aid", case, "receive_application")
    assert deadline(case, "decision_due").due_at == local(2026, 11, 10)

    asked_at = clock(local(2026, 11, 3, 10, 0))
    fire("legal_aid", case, "request_materials", materials="身份证复印件；离婚起诉状。")
    assert case.state == "materials_pending"
    assert case.legal_aid.materials_requested == "身份证复印件；离婚起诉状。"
    waived = deadline(case, "decision_due")
    assert (waived.status, waived.closed_at) == ("waived", asked_at)
    assert waived.waived_by_id == user("legal_aid").id
    assert "43" in waived.waiver_reason
    assert case.last_event("request_materials").comment == "身份证复印件；离婚起诉状。"

    # Nothing to decide while waiting: the machine refuses a decision.
    refused(InvalidTransitionError, "legal_aid", case, "grant")
    refused(InvalidTransitionError, "legal_aid", case, "deny", reason="x")

    supplied = local(2026, 11, 5, 15, 0)  # Thursday
    clock(local(2026, 11, 6, 9, 0))
    fire("legal_aid", case, "supply_materials", supplied_at=supplied)
    assert case.state == "applied"
    old, new = deadlines(case, "decision_due")
    assert old.status == "waived"
    # 7 days from Thursday 11-05: last day Thursday 11-12 → due 11-13 00:00.
    assert (new.opened_at, new.due_at, new.status) == (supplied, local(2026, 11, 13), "open")

    # A second list of missing materials is refused (409): once, in one list.
    error = refused(
        InvalidTransitionError, "legal_aid", case, "request_materials", materials="再补充。"
    )
    assert error.status == 409
    assert str(error.message) == str(GUARD_MESSAGES["materials_already_requested"])

    decided = clock(local(2026, 11, 12, 17, 0))
    fire("legal_aid", case, "grant")
    old, new = deadlines(case, "decision_due")
    assert old.status == "waived"  # not met by the decision: it was no longer running
    assert (new.status, new.closed_at) == ("met", decided)


def test_materials_not_supplied_is_treated_as_withdrawn():
    case = standalone(local(2026, 11, 2, 9, 0))
    fire("legal_aid", case, "receive_application")
    clock(local(2026, 11, 3, 10, 0))
    fire("legal_aid", case, "request_materials", materials="身份证复印件。")
    # Not withdrawn by another centre or the justice bureau.
    refused(Forbidden, "justice_bureau", case, "withdraw", reason="x")
    clock(local(2026, 12, 3, 10, 0))
    fire("legal_aid", case, "withdraw", reason="申请人逾期未补充材料，视为撤回申请。")
    assert case.state == "withdrawn"
    assert case.open_deadlines() == []
    assert [d.status for d in deadlines(case, "decision_due")] == ["waived"]
    assert case.last_event("withdraw").comment == "申请人逾期未补充材料，视为撤回申请。"
    # Withdrawn is closed as in §1: the centre asks, a supervisor approves.
    fire("legal_aid", case, "request_closure", summary="视为撤回。")
    fire("supervisor", case, "approve_closure")
    assert case.state == "closed"


# --- denial, objection (Art. 43 ¶1, Art. 49, D21) --------------------------------------------


def test_a_denial_needs_written_reasons(ctx):
    form = from_json(DenyForm, {"version": 3})
    assert not form.validate()
    assert "reason" in form.errors
    form = from_json(DenyForm, {"version": 3, "reason": "   "})
    assert not form.validate() and "reason" in form.errors
    form = from_json(DenyForm, {"version": 3, "reason": "经审查不符合经济困难条件。"})
    assert form.validate(), form.errors

    case = standalone(local(2026, 11, 2, 9, 0))
    fire("legal_aid", case, "receive_application")
    at = clock(local(2026, 11, 4, 11, 0))
    fire("legal_aid", case, "deny", reason=form.to_data()["reason"])
    aid = case.legal_aid
    assert (case.state, aid.decision, aid.decided_at) == ("denied", "denied", at)
    assert aid.denial_reason == "经审查不符合经济困难条件。"
    assert case.last_event("deny").comment == "经审查不符合经济困难条件。"
    assert deadline(case, "decision_due").status == "met"


def referred_from_dv() -> tuple[Case, Case, Referral]:
    """Police refer the victim of a DV case to legal aid; the centre receives and denies it."""
    source = dv_case(local(2026, 11, 9, 10, 0))
    clock(local(2026, 11, 9, 14, 0))
    case = cases.create_case(
        user("police"),
        "legal_aid",
        application(source_case_id=source.id, jurisdiction_id=None),
    )
    (referral,) = source.referrals
    return source, case, referral


def test_refer_to_legal_aid_from_a_dv_case():
    source, case, referral = referred_from_dv()
    centre = org(CENTRE)
    # The linked case belongs to the centre, at the place of the case it came from.
    assert (case.state, case.owner_org_id, case.jurisdiction_id) == (
        "referred",
        centre.id,
        source.jurisdiction_id,
    )
    assert case.created_by_id == user("police").id
    assert case.legal_aid.source_case_id == source.id
    assert case.legal_aid.referral_id == referral.id
    assert case.risk_level == source.risk_level
    # The DV case holds a referral to the centre, with its response deadline, and a line on
    # its timeline pointing to the new case.
    assert (referral.to_org_id, referral.from_org_id, referral.status) == (
        centre.id,
        user("police").organisation_id,
        "sent",
    )
    assert referral.reason == case.description
    answer = referral.deadline
    # referral_due 5 d from Monday 11-09 14:00: last day Saturday 11-14 → Monday 11-16
    # → due 11-17 00:00.
    assert (answer.kind, answer.case_id, answer.due_at) == (
        "referral_due",
        source.id,
        local(2026, 11, 17),
    )
    started = source.last_event("legal_aid_started")
    assert started.data == {"case_id": case.id, "number": case.number}
    assert started.to_state == started.from_state == "incident_logged"
    assert source.state == "incident_logged"  # the DV case's own state does not move

    # Answering the linked referral directly is refused and changes nothing.
    db.session.commit()
    before = snapshot(source.id), snapshot(case.id)
    for action, text in (("decline", "不予受理。"), ("accept", "")):
        with pytest.raises(InvalidTransitionError):
            referrals.answer(referral, user("legal_aid"), action, text)
        db.session.rollback()
        assert (snapshot(source.id), snapshot(case.id)) == before

    received = clock(local(2026, 11, 10, 9, 0))
    fire("legal_aid", case, "receive_application")
    db.session.expire_all()
    assert (referral.status, referral.answered_at) == ("accepted", received)
    assert (referral.deadline.status, referral.deadline.closed_at) == ("met", received)
    assert triggers(source.id)[-1] == "referral_accepted"

    # Accepted, it still cannot be completed or declined by hand.
    db.session.commit()
    before = snapshot(source.id), snapshot(case.id)
    for action, text in (("complete", "已结案。"), ("decline", "x")):
        with pytest.raises(InvalidTransitionError):
            referrals.answer(referral, user("legal_aid"), action, text)
        db.session.rollback()
        assert (snapshot(source.id), snapshot(case.id)) == before

    clock(local(2026, 11, 11, 9, 0))
    fire("legal_aid", case, "grant", comment="家暴受害人，免于经济困难审查。")
    clock(local(2026, 11, 12, 9, 0))
    fire(
        "legal_aid", case, "assign_lawyer", lawyer_name="冉志远", law_firm="重庆石柱民兴律师事务所"
    )
    updates = [e for e in source.events if e.trigger == "legal_aid_update"]
    assert [e.data["trigger"] for e in updates] == ["grant", "assign_lawyer"]
    assert all(e.data["case_id"] == case.id for e in updates)
    assert updates[1].comment == "冉志远（重庆石柱民兴律师事务所）"
    assert deadline(case, "assign_due").status == "met"

    concluded = clock(local(2027, 3, 1, 9, 0))
    fire("legal_aid", case, "conclude", outcome="法院判决准予离婚，申请人获得子女抚养权。")
    db.session.expire_all()
    assert (referral.status, referral.answer) == (
        "completed",
        "法院判决准予离婚，申请人获得子女抚养权。",
    )
    assert referral.answered_at == received  # the acceptance time is kept
    assert triggers(source.id)[-2:] == ["referral_completed", "legal_aid_update"]
    assert source.events[-1].data["trigger"] == "conclude"
    assert case.legal_aid.concluded_at == concluded
    assert audit.verify_chain(source.id) is None
    assert audit.verify_chain(case.id) is None


def test_the_source_case_must_be_an_open_case_the_referrer_sees():
    source = dv_case(local(2026, 11, 9, 10, 0))
    with pytest.raises(ValidationFailed) as info:
        cases.create_case(
            user("child_director_2"), "legal_aid", application(source_case_id=source.id)
        )
    assert "source_case" in info.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LegalAid)) == 0


def deny_and_object(at_objection: datetime) -> tuple[Case, Case, Referral]:
    source, case, referral = referred_from_dv()
    clock(local(2026, 11, 10, 9, 0))
    fire("legal_aid", case, "receive_application")
    clock(local(2026, 11, 13, 16, 0))
    fire("legal_aid", case, "deny", reason="该事项不属于法律援助范围。")
    assert [e.data["trigger"] for e in source.events if e.trigger == "legal_aid_update"] == ["deny"]
    # Another unit is not the applicant's side.
    refused(Forbidden, "womens_federation", case, "file_objection", reason="x")
    clock(at_objection + timedelta(hours=2))
    fire("police", case, "file_objection", reason="申请人系家暴受害人。", lodged_at=at_objection)
    return source, case, referral


def test_objection_granted_by_the_justice_bureau():
    lodged = local(2026, 11, 16, 10, 0)  # Monday
    source, case, referral = deny_and_object(lodged)
    assert case.state == "objection"
    assert case.legal_aid.objection_at == lodged
    due = deadline(case, "objection_decision_due")
    # 5 days from Monday 11-16: last day Saturday 11-21 → Monday 11-23 → due 11-24 00:00.
    assert (due.opened_at, due.due_at, due.status) == (lodged, local(2026, 11, 24), "open")
    assert "第49条" in due.basis

    # The centre whose denial is contested cannot decide the objection, either way.
    error = refused(Forbidden, "legal_aid", case, "grant")
    assert str(error.message) == str(GUARD_MESSAGES["not_justice_bureau"])
    refused(Forbidden, "legal_aid", case, "uphold_denial", reason="维持。")
    refused(Forbidden, "police", case, "grant")

    decided = clock(local(2026, 11, 20, 11, 0))  # Friday
    fire("justice_bureau", case, "grant", comment="异议成立，给予法律援助。")
    aid = case.legal_aid
    assert (case.state, aid.decision, aid.objection_decided_at) == ("granted", "granted", decided)
    assert case.last_event("grant").data == {"on_objection": True}
    met = deadline(case, "objection_decision_due")
    assert (met.status, met.closed_at) == ("met", decided)
    assign = deadline(case, "assign_due")
    # 3 days from Friday 11-20: Sat, Sun, Mon 11-23 (working) → due 11-24 00:00.
    assert (assign.opened_at, assign.due_at, assign.status) == (
        decided,
        local(2026, 11, 24),
        "open",
    )
    # The centre assigns the lawyer; the bureau does not own the case.
    refused(Forbidden, "justice_bureau", case, "assign_lawyer", lawyer_name="x", law_firm="y")
    clock(local(2026, 11, 23, 9, 0))
    fire(
        "legal_aid", case, "assign_lawyer", lawyer_name="冉志远", law_firm="重庆石柱民兴律师事务所"
    )
    assert deadline(case, "assign_due").status == "met"
    db.session.expire_all()
    assert referral.status == "accepted"
    assert audit.verify_chain(source.id) is None and audit.verify_chain(case.id) is None


def test_objection_upheld_closes_the_case_and_declines_the_referral():
    lodged = local(2026, 11, 16, 10, 0)
    source, case, referral = deny_and_object(lodged)
    # Decided late: after the 11-24 00:00 due time the sweep has marked it missed.
    clock(local(2026, 11, 24, 8, 0))
    assert ledger.sweep() == 1
    decided = clock(local(2026, 11, 24, 10, 0))
    fire("justice_bureau", case, "uphold_denial", reason="异议不成立，维持原决定。")
    assert case.state == "closed"
    assert (case.closed_at, case.legal_aid.objection_decided_at) == (decided, decided)
    late = deadline(case, "objection_decision_due")
    assert (late.status, late.closed_at, late.done_late) == ("missed", decided, True)
    db.session.expire_all()
    assert (referral.status, referral.answer) == ("declined", "异议不成立，维持原决定。")
    assert triggers(source.id)[-2:] == ["referral_declined", "legal_aid_update"]
    assert source.events[-1].data["trigger"] == "uphold_denial"
    assert case.open_deadlines() == []
    assert audit.verify_chain(source.id) is None and audit.verify_chain(case.id) is None


# --- the means test (Art. 32 (4), Art. 41) ------------------------------------------------------


def form_payload(**over) -> dict:
    payload = {
        "jurisdiction": CHENGNAN,
        "subject": {"name": "廖桂芳", "sex": "F", "phone": "137-0000-0003"},
        "matter": "maintenance",
        "description": "请求前夫支付子女抚养费。",
        "means_test_exempt_reason": "",
    }
    return payload | over


def test_without_exemption_the_form_requires_household_size_and_income(ctx):
    centre = user("legal_aid")
    form = from_json(LegalAidForm, form_payload(honesty_undertaking=True)).setup(centre)
    assert not form.validate()
    assert set(form.errors) == {"household_size", "monthly_income"}


def test_without_exemption_the_form_requires_the_undertaking(ctx):
    centre = user("legal_aid")
    form = from_json(LegalAidForm, form_payload()).setup(centre)
    assert not form.validate()
    assert "honesty_undertaking" in form.errors
    form = from_json(LegalAidForm, form_payload(household_size=3, monthly_income=900)).setup(centre)
    assert not form.validate()
    assert set(form.errors) == {"honesty_undertaking"}
    form = from_json(
        LegalAidForm,
        form_payload(household_size=3, monthly_income=900, honesty_undertaking=True),
    ).setup(centre)
    assert form.validate(), form.errors
    case = standalone(local(2026, 11, 2, 9, 0), **form.to_data())
    aid = case.legal_aid
    assert (aid.means_test_exempt_reason, aid.household_size, aid.monthly_income) == (
        None,
        3,
        900,
    )
    assert aid.honesty_undertaking is True
    assert case.subject.phone == "13700000003"


def test_with_an_exemption_no_means_data_is_stored(ctx):
    centre = user("legal_aid")
    form = from_json(
        LegalAidForm, form_payload(means_test_exempt_reason="domestic_violence")
    ).setup(centre)
    assert form.validate(), form.errors
    # Even if means are sent along, an exempt application keeps none of them.
    form = from_json(
        LegalAidForm,
        form_payload(
            means_test_exempt_reason="abuse",
            household_size=4,
            monthly_income=2500,
            honesty_undertaking=True,
        ),
    ).setup(centre)
    assert form.validate(), form.errors
    case = standalone(local(2026, 11, 2, 9, 0), **form.to_data())
    db.session.expire_all()
    aid = db.session.get(LegalAid, case.id)
    assert aid.means_test_exempt_reason == "abuse"
    assert (aid.household_size, aid.monthly_income, aid.honesty_undertaking) == (
        None,
        None,
        False,
    )
    form = from_json(LegalAidForm, form_payload(means_test_exempt_reason="poverty")).setup(centre)
    assert not form.validate() and "means_test_exempt_reason" in form.errors


# --- urgent pre-provision (Art. 44, D18) -------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline_day", "accepted"),
    [
        (date(2026, 11, 2), True),  # today
        (date(2026, 11, 8), True),  # six days away: less than seven
        (date(2026, 11, 9), False),  # seven days away: not "不足七日"
        (date(2026, 11, 30), False),
        (date(2026, 11, 1), False),  # already passed
        (None, False),  # no deadline given
    ],
)
def test_urgent_pre_provision_needs_a_deadline_less_than_seven_days_away(
    ctx, deadline_day, accepted
):
    at = local(2026, 11, 2, 10, 0)  # Monday
    data = {"urgent_pre_provision": True, "procedural_deadline": deadline_day}
    if accepted:
        case = standalone(at, **data)
        assert case.urgent is True
        assert case.risk_level == "high"
        assert case.legal_aid.urgent_pre_provision is True
        assert case.legal_aid.procedural_deadline == deadline_day
        return
    with pytest.raises(ValidationFailed) as info:
        standalone(at, **data)
    assert set(info.value.fields) == {"procedural_deadline"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_far_deadline_without_pre_provision_is_ordinary(ctx):
    case = standalone(
        local(2026, 11, 2, 10, 0), procedural_deadline=date(2027, 1, 15), urgent_pre_provision=False
    )
    assert (case.urgent, case.risk_level) == (False, "medium")
    assert case.legal_aid.urgent_pre_provision is False
