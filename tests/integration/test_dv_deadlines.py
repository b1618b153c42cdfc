"""The two domestic-violence case types through the real services, with a frozen clock:
deadline arithmetic, the legal refusals, the expiry sweep, and the data the indicators
need (workflows.md §2–§3; law.md §1; indicators.md §B).

Times are Asia/Shanghai. Expected values were worked out by hand from the default rule
pack (deliver_due 5 d, first_visit_due 30 d, visit_due 7 d, referral_due 5 d, ruling_due
72 h, ruling_due_urgent 24 h, reconsideration_window 5 d) and the rules of 民事诉讼法
Art. 85 ¶2: the starting hour is not counted (hours run from the next full hour); days
exclude the start day and end at local midnight after the last day; a last day that is not
a working day moves to the next working day. The holiday data is the county's calendar as
seeded from chinesecalendar 1.11.0 (checked in test_the_holiday_data_the_expectations_rely_on):
- 国庆 2026: 10-01 (Thu) … 10-07 (Wed) off, 10-08 (Thu) the first working day after;
  Saturday 10-10 is a 调休 working day.
- 春节 2026: 02-15 … 02-23 off; Saturday 02-28 is a 调休 working day.
- November and early December 2026 have no holiday: only ordinary weekends.
- 2027 has no notice: the provisional calendar (《全国年节及纪念日放假办法》 2024) applies,
  元旦 01-01, 春节 02-05 … 02-10 (初一, 初二 on the weekend made up on 02-09, 02-10), and the
  deadline says it is provisional.
The 6-month term follows 民法典 Art. 202: a month without the corresponding day ends on
its last day (31 August + 6 months → 28 February, or 29 in a leap year).
"""

import statistics
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import and_, exists, func, select

from caseflow import policy, timeutil
from caseflow.deadlines import ledger
from caseflow.deadlines.calendar import current_calendar
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Deadline,
    DvIncident,
    Event,
    Jurisdiction,
    Organisation,
    Person,
    ProtectionOrder,
    Referral,
    Visit,
)
from caseflow.services import cases, referrals, visits
from caseflow.services.errors import (
    GUARD_MESSAGES,
    InvalidTransitionError,
    ServiceError,
    ValidationFailed,
)
from caseflow.services.protection_order import expire_due
from tests.conftest import postgres_only, user

SH = ZoneInfo("Asia/Shanghai")
CHENGNAN = "500240001001"  # 城南社区, a community of 南宾街道
COURT = "石柱县人民法院"
NANBIN_POLICE = "南宾派出所"
WOMENS_FEDERATION = "石柱县妇联"
ABUSER_ID = "500240198506120031"  # passes the GB 11643 check


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def midnight(day: date) -> datetime:
    return local(day.year, day.month, day.day)


def clock(value: datetime) -> datetime:
    timeutil.set_clock(value)
    return value


def place(code: str = CHENGNAN) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def person(**given) -> dict:
    """A person as the forms' person_data() gives it: every field, empty ones None."""
    fields = ("name", "sex", "birth_date", "id_number", "phone", "address")
    return {k: None for k in fields} | given


def fire(username: str, case: Case, trigger: str, **data) -> Case:
    before, events = case.version, len(case.events)
    cases.fire(user(username), case, trigger, data, case.version)
    assert case.version > before  # every change moves the optimistic lock
    assert len(case.events) == events + 1  # and writes one event
    return case


# --- DV calls (DvIncidentForm.to_data and the action forms) ---------------------------------


def call_data(call_at: datetime, **over) -> dict:
    data = {
        "jurisdiction_id": place().id,
        "call_at": call_at,
        "attended_at": call_at + timedelta(minutes=20),
        "location": "城南社区",
        "subject": person(name="李秀英", sex="F", phone="13800000002"),
        "abuser": person(
            name="王建国",
            sex="M",
            relation="spouse",
            id_number=ABUSER_ID,
            address="城南社区5栋",
        ),
        "violence_forms": ["physical", "psychological"],
        "injury_level": "minor",
        "injuries": "手臂软组织挫伤。",
        "minors_present": False,
        "minors_witnessed": False,
        "prior_incidents": 0,
        "special_protection": [],
        "urgent": False,
        "description": "邻居报警称听到争吵和哭喊，民警到场制止。",
    }
    return data | over


def log_call(call_at: datetime, **over) -> Case:
    clock(call_at + timedelta(hours=1))
    return cases.create_case(user("police"), "dv_warning", call_data(call_at, **over))


def warning_number(case: Case) -> str:
    return f"石公（南）告字〔2026〕{case.id:03d}号"


def issue_warning(case: Case, issued_at: datetime, recorded_at=None, **over) -> Case:
    clock(recorded_at or issued_at + timedelta(minutes=10))
    data = {
        "warning_number": warning_number(case),
        "issued_at": issued_at,
        "facts": "王建国因家庭琐事殴打李秀英，致其手臂软组织挫伤。",
        "prohibition": "禁止加害人对受害人实施家庭暴力。",
        "abuser_id_number": None,
        "abuser_address": None,
    }
    return fire("police", case, "issue_warning", **(data | over))


def deliver(case: Case, abuser_at, victim_at, committee_at) -> Case:
    clock(max(abuser_at, victim_at, committee_at) + timedelta(minutes=30))
    return fire(
        "police",
        case,
        "deliver",
        delivered_abuser_at=abuser_at,
        delivered_victim_at=victim_at,
        committee_notified_at=committee_at,
        committee_name="城南社区居民委员会",
    )


# --- protection orders (ProtectionOrderForm.to_data and the action forms) -------------------


def application(**over) -> dict:
    data = {
        "jurisdiction_id": place().id,
        "source_case_id": None,
        "subject": person(name="周晓燕", sex="F", phone="13900000001", address="城南社区8栋"),
        "applicant_role": "victim",
        "proxy_reason": None,
        "applicant": {"name": None, "relation": None, "phone": None},
        "oral_application": False,
        "special_protection": [],
        "urgent": False,
        "description": "被申请人多次殴打申请人并扬言报复，申请人面临家庭暴力的现实危险。",
        "respondent": person(name="吴志刚", sex="M", relation="spouse"),
        "measures": ["no_violence", "no_contact"],
        "measures_other": None,
        "evidence": ["statement", "medical"],
        "court_id": org(COURT).id,
        "court_basis": "applicant_residence",
        "victim_wishes_confirmed": False,
    }
    return data | over


def file_data(filed_at: datetime, **over) -> dict:
    """FileForm.to_data with nothing changed: empty fields keep the draft's values."""
    data = {
        "filed_at": filed_at,
        "facts": None,
        "respondent": person(relation=None),
        "measures": [],
        "measures_other": None,
        "evidence": [],
        "court_id": None,
        "court_basis": None,
        "victim_wishes_confirmed": False,
    }
    return data | over


def draft(at: datetime, username: str = "womens_federation", **over) -> Case:
    clock(at)
    return cases.create_case(user(username), "protection_order", application(**over))


def filed(filed_at: datetime, **over) -> Case:
    case = draft(filed_at - timedelta(minutes=30), **over)
    clock(filed_at + timedelta(minutes=1))
    return fire("womens_federation", case, "file", **file_data(filed_at))


def accepted(accepted_at: datetime, court_urgent: bool = False, **over) -> Case:
    case = filed(accepted_at - timedelta(hours=1), **over)
    clock(accepted_at + timedelta(minutes=3))
    return fire(
        "court_liaison",
        case,
        "court_accept",
        accepted_at=accepted_at,
        court_case_number=f"（2026）渝0240民保令{case.id}号",
        urgent=court_urgent,
    )


def issue(case: Case, issued_at: datetime, expires_on: date, recorded_at=None) -> Case:
    clock(recorded_at or issued_at + timedelta(minutes=5))
    return fire(
        "court_liaison",
        case,
        "issue_order",
        order_number=f"（2026）渝0240民保令{case.id}号之一",
        issued_at=issued_at,
        expires_on=expires_on,
        granted_measures=["no_violence", "no_contact"],
        measures_other=None,
        comment="",
    )


def reject(case: Case, ruled_at: datetime) -> Case:
    """Rejected and served on the applicant at once (the window runs from service)."""
    clock(ruled_at + timedelta(minutes=5))
    return fire(
        "court_liaison",
        case,
        "reject",
        ruled_at=ruled_at,
        served_at=ruled_at,
        reason="证据不足以证明存在现实危险。",
    )


def service(at: datetime, **over) -> dict:
    data = {
        "served_applicant_at": at,
        "served_respondent_at": at,
        "served_police_at": at,
        "served_committee_at": at,
        "police_name": NANBIN_POLICE,
        "committee_name": "城南社区居民委员会",
    }
    return data | over


def in_force(issued_at: datetime, expires_on: date) -> Case:
    case = accepted(issued_at - timedelta(hours=20))
    issue(case, issued_at, expires_on)
    clock(issued_at + timedelta(hours=3))
    return fire("court_liaison", case, "serve", **service(issued_at + timedelta(hours=2)))


# --- what is stored -----------------------------------------------------------------------------


def deadline(case: Case, kind: str) -> Deadline:
    db.session.expire_all()
    (found,) = db.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == kind)
    ).all()
    return found


def triggers(case_id: int) -> list[str]:
    return db.session.scalars(
        select(Event.trigger).where(Event.case_id == case_id).order_by(Event.seq)
    ).all()


def snapshot(case_id: int) -> dict:
    """Everything a refused request could have touched, read back from the database."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    detail = ProtectionOrder if case.type == "protection_order" else DvIncident
    return {
        "case": (case.state, case.version, case.urgent, case.description, case.closed_at),
        "events": db.session.scalar(
            select(func.count()).select_from(Event).where(Event.case_id == case_id)
        ),
        "deadlines": db.session.execute(
            select(
                Deadline.kind,
                Deadline.opened_at,
                Deadline.due_at,
                Deadline.status,
                Deadline.closed_at,
                Deadline.done_late,
            )
            .where(Deadline.case_id == case_id)
            .order_by(Deadline.id)
        ).all(),
        "referrals": db.session.execute(
            select(Referral.to_org_id, Referral.status).where(Referral.case_id == case_id)
        ).all(),
        "persons": db.session.execute(
            select(Person.role, Person.name, Person.id_number, Person.address)
            .where(Person.case_id == case_id)
            .order_by(Person.id)
        ).all(),
        "detail": dict(
            db.session.execute(select(detail.__table__).where(detail.case_id == case_id))
            .mappings()
            .one()
        ),
    }


def refused(error, username: str, case: Case, trigger: str, **data) -> ServiceError:
    """Fire and expect `error`; the request is rolled back as the views do, and nothing of
    the case (state, version, events, deadlines, referrals, persons, its type's row) moved."""
    case_id = case.id
    db.session.commit()
    before = snapshot(case_id)
    case = db.session.get(Case, case_id)
    with pytest.raises(error) as info:
        cases.fire(user(username), case, trigger, data, case.version)
    db.session.rollback()
    assert snapshot(case_id) == before
    return info.value


# --- the calendar data the expectations rely on ---------------------------------------------


def test_the_holiday_data_the_expectations_rely_on(ctx):
    calendar = current_calendar()
    for day in (date(2026, 10, 3), date(2026, 10, 7), date(2026, 2, 23)):
        assert not calendar.is_working_day(day), day  # public holidays
    for day in (date(2026, 10, 10), date(2026, 2, 28)):
        assert day.weekday() == 5 and calendar.is_working_day(day), day  # 调休 Saturdays
    assert calendar.is_working_day(date(2026, 10, 8))
    for day in (date(2026, 11, 7), date(2026, 11, 8), date(2026, 12, 5), date(2026, 12, 6)):
        assert not calendar.is_working_day(day), day  # ordinary weekends
    for day in (date(2026, 11, 9), date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 10)):
        assert calendar.is_working_day(day), day
    assert not calendar.year(2026).provisional
    assert calendar.year(2027).provisional and not calendar.is_working_day(date(2027, 2, 10))


# --- ruling_due (Art. 28) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_at", "status", "late"),
    [
        (local(2026, 11, 3, 15, 30), "met", False),
        (local(2026, 11, 5, 11, 0), "met", False),  # exactly at the due minute
        (local(2026, 11, 5, 11, 1), "missed", True),  # a minute after
    ],
)
def test_ruling_due_72_hours_from_the_hour_after_acceptance_met_at_the_ruling_time(
    ctx, issued_at, status, late
):
    acceptance = local(2026, 11, 2, 10, 17, 45)  # Monday
    case = accepted(acceptance)
    ruling = deadline(case, "ruling_due")
    # 10:17:45: the hour 10:00–11:00 is not counted (Art. 85 ¶2), + 72 h → 11-05 11:00.
    assert (ruling.opened_at, ruling.due_at, ruling.status) == (
        acceptance,
        local(2026, 11, 5, 11, 0),
        "open",
    )
    assert "第28条" in ruling.basis
    assert case.protection_order.accepted_at == acceptance
    # The court's liaison records the ruling later than it was made: the legal time counts.
    issue(case, issued_at, date(2027, 5, 3), recorded_at=local(2026, 11, 5, 16, 0))
    met = deadline(case, "ruling_due")
    assert (met.status, met.closed_at, met.done_late) == (status, issued_at, late)
    order = db.session.get(ProtectionOrder, case.id)
    assert (order.ruling, order.ruled_at, order.issued_at) == ("issued", issued_at, issued_at)


@pytest.mark.parametrize(
    ("urgent_at_draft", "urgent_at_acceptance", "due", "status"),
    [
        # Accepted Monday 22:05:59 → counted from 23:00. Rejected Tuesday 23:01.
        (False, False, local(2026, 11, 5, 23, 0), "met"),  # + 72 h
        # Asked for by the applicant, not found by the court: + 72 h (Art. 28: the court
        # decides urgency; the request is kept).
        (True, False, local(2026, 11, 5, 23, 0), "met"),
        (False, True, local(2026, 11, 3, 23, 0), "missed"),  # + 24 h, found by the court
        (True, True, local(2026, 11, 3, 23, 0), "missed"),
    ],
)
def test_ruling_due_24_hours_when_urgent(ctx, urgent_at_draft, urgent_at_acceptance, due, status):
    acceptance = local(2026, 11, 2, 22, 5, 59)
    case = accepted(acceptance, court_urgent=urgent_at_acceptance, urgent=urgent_at_draft)
    assert case.urgent is urgent_at_acceptance
    assert case.protection_order.urgency_requested is urgent_at_draft
    ruling = deadline(case, "ruling_due")
    assert (ruling.opened_at, ruling.due_at) == (acceptance, due)
    hours = 24 if case.urgent else 72
    assert f"{'二十四' if hours == 24 else '七十二'}小时" in ruling.basis
    # The sweep marks an urgent ruling missed a minute after it was due …
    clock(local(2026, 11, 3, 23, 1))
    assert ledger.sweep() == (1 if case.urgent else 0)
    ruled_at = local(2026, 11, 3, 23, 1)
    reject(case, ruled_at)
    closed = deadline(case, "ruling_due")
    # … and the ruling, when it comes, closes it at its own time, late or not.
    assert (closed.status, closed.closed_at, closed.done_late) == (
        status,
        ruled_at,
        status == "missed",
    )


# --- the reconsideration window (Art. 31; 民事诉讼法 Art. 85) -----------------------------------


@pytest.mark.parametrize(
    ("ruled_at", "window_end", "provisional"),
    [
        # Monday 09-28: 09-29, 09-30, 10-01, 10-02, 10-03 → the last day is in 国庆 →
        # the first day after the holiday, Thursday 10-08 → ends at midnight into 10-09.
        (local(2026, 9, 28, 15, 0), midnight(date(2026, 10, 9)), False),
        # Monday 10-05 (a holiday): 10-06 … 10-10, Saturday 10-10 is a 调休 working day:
        # it is the last day, no roll-over → ends at midnight into Sunday 10-11.
        (local(2026, 10, 5, 10, 0), midnight(date(2026, 10, 11)), False),
        # Monday 02-23 (春节): 02-24 … 02-28, Saturday 02-28 is a 调休 working day.
        (local(2026, 2, 23, 10, 0), midnight(date(2026, 3, 1)), False),
        # Monday 11-02: 11-03 … 11-07 Saturday, a rest day → Monday 11-09.
        (local(2026, 11, 2, 10, 0), midnight(date(2026, 11, 10)), False),
        # Friday 2027-02-05 (除夕): 02-06 … 02-10, a provisional make-up day of 春节 →
        # Thursday 02-11, provisional.
        (local(2027, 2, 5, 10, 0), midnight(date(2027, 2, 12)), True),
        # A 2026 rejection whose last day (2027-01-02, a Saturday) rolls to Monday 01-04 on
        # the provisional 2027 calendar (the old code ended it on the Saturday).
        (local(2026, 12, 28, 10, 0), midnight(date(2027, 1, 5)), True),
    ],
)
def test_reconsideration_window(ctx, ruled_at, window_end, provisional):
    case = accepted(ruled_at - timedelta(hours=2))
    reject(case, ruled_at)
    window = deadline(case, "reconsideration_window")
    assert (window.opened_at, window.due_at, window.status, window.provisional) == (
        ruled_at,
        window_end,
        "open",
        provisional,
    )
    assert "第31条" in window.basis
    # The last minute of the window is inside it.
    requested_at = window_end - timedelta(minutes=1)
    clock(requested_at + timedelta(seconds=30))
    fire(
        "womens_federation",
        case,
        "request_reconsideration",
        requested_at=requested_at,
        reason="不服",
    )
    used = deadline(case, "reconsideration_window")
    assert (case.state, used.status, used.closed_at) == ("reconsideration", "met", requested_at)
    assert case.protection_order.reconsideration_requested_at == requested_at


@pytest.fixture
def rejected(ctx):
    """Rejected Monday 2026-09-28 15:00: the window ends at 2026-10-09 00:00."""
    case = accepted(local(2026, 9, 28, 13, 0))
    return reject(case, local(2026, 9, 28, 15, 0))


def test_reconsideration_is_judged_by_when_it_was_applied_for(rejected):
    # Entered after the window and after the sweep has marked it missed: an application
    # made after the window is refused, one made inside it is accepted (issue 11: applied
    # 11-09 16:00, entered 11-10 09:00).
    clock(local(2026, 10, 12, 9, 0))
    assert ledger.sweep() == 1
    assert deadline(rejected, "reconsideration_window").status == "missed"
    error = refused(
        ValidationFailed,
        "womens_federation",
        rejected,
        "request_reconsideration",
        requested_at=local(2026, 10, 12, 8, 0),
        reason="不服",
    )
    assert set(error.fields) == {"requested_at"}
    fire(
        "womens_federation",
        rejected,
        "request_reconsideration",
        requested_at=local(2026, 10, 8, 23, 0),
        reason="不服",
    )
    window = deadline(rejected, "reconsideration_window")
    assert (window.status, window.closed_at) == ("met", local(2026, 10, 8, 23, 0))
    assert rejected.events[-1].data["late_entry"] is True


@pytest.mark.parametrize(
    "requested_at",
    [
        local(2026, 10, 9, 0, 0),  # the first moment after the window (the form would also
        local(2026, 10, 20, 9, 0),  # refuse a time in the future; the service checks anyway)
        local(2026, 9, 28, 14, 59),  # before the ruling it contests
    ],
)
def test_reconsideration_dated_outside_the_window_is_invalid(rejected, requested_at):
    clock(local(2026, 10, 8, 12, 0))  # the window is still open
    error = refused(
        ValidationFailed,
        "womens_federation",
        rejected,
        "request_reconsideration",
        requested_at=requested_at,
        reason="不服",
    )
    assert set(error.fields) == {"requested_at"}


def test_reconsideration_only_once(rejected):
    clock(local(2026, 9, 30, 10, 0))
    fire(
        "womens_federation",
        rejected,
        "request_reconsideration",
        requested_at=local(2026, 9, 30, 9, 0),
        reason="补充了医院诊断证明。",
    )
    # A second request, still inside the five days.
    again = {"requested_at": local(2026, 9, 30, 9, 30), "reason": "再次申请"}
    clock(local(2026, 9, 30, 10, 30))
    refused(
        InvalidTransitionError, "womens_federation", rejected, "request_reconsideration", **again
    )
    # Nor after the court upheld the rejection.
    clock(local(2026, 10, 1, 10, 0))
    fire(
        "court_liaison",
        rejected,
        "uphold_rejection",
        decided_at=local(2026, 10, 1, 9, 0),
        reason="维持原裁定。",
    )
    assert rejected.state == "closed"
    refused(
        InvalidTransitionError, "womens_federation", rejected, "request_reconsideration", **again
    )
    assert triggers(rejected.id)[-2:] == ["request_reconsideration", "uphold_rejection"]


def test_an_order_issued_on_reconsideration_keeps_the_first_ruling(rejected):
    clock(local(2026, 9, 30, 10, 0))
    fire(
        "womens_federation",
        rejected,
        "request_reconsideration",
        requested_at=local(2026, 9, 30, 9, 0),
        reason="补充了医院诊断证明。",
    )
    # 6 months from 10-01 → 2027-04-01; the term counts from the reconsideration ruling.
    clock(local(2026, 10, 1, 9, 10))
    error = refused(
        ValidationFailed,
        "court_liaison",
        rejected,
        "issue_order",
        order_number="（2026）渝0240民保令1号",
        issued_at=local(2026, 10, 1, 9, 0),
        expires_on=date(2027, 4, 2),
        granted_measures=["no_violence"],
        measures_other=None,
        comment="",
    )
    assert set(error.fields) == {"expires_on"}
    issue(rejected, local(2026, 10, 1, 9, 0), date(2027, 4, 1))
    order = db.session.get(ProtectionOrder, rejected.id)
    assert (order.ruling, order.ruled_at) == ("rejected", local(2026, 9, 28, 15, 0))
    assert order.issued_at == order.reconsideration_decided_at == local(2026, 10, 1, 9, 0)
    assert order.expires_at == midnight(date(2027, 4, 2))


# --- the term (Art. 30; 民法典 Art. 202) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued_at", "last_allowed", "first_refused"),
    [
        # 31 August + 6 months: February has no 31st → its last day; 2027 is common …
        (local(2026, 8, 31, 15, 0), date(2027, 2, 28), date(2027, 3, 1)),
        # … and 2028 a leap year.
        (local(2027, 8, 31, 10, 0), date(2028, 2, 29), date(2028, 3, 1)),
        # 07:30 on 1 September in Shanghai is still 31 August in UTC: the local day counts.
        (local(2026, 9, 1, 7, 30), date(2027, 3, 1), date(2027, 3, 2)),
        (local(2026, 11, 3, 15, 30), date(2027, 5, 3), date(2027, 5, 4)),
    ],
)
def test_the_order_lasts_at_most_six_months(ctx, issued_at, last_allowed, first_refused):
    case = accepted(issued_at - timedelta(hours=5))
    clock(issued_at + timedelta(minutes=5))
    data = {
        "order_number": f"（{issued_at.year}）渝0240民保令{case.id}号",
        "issued_at": issued_at,
        "granted_measures": ["no_violence", "no_contact"],
        "measures_other": None,
        "comment": "",
    }
    error = refused(
        ValidationFailed, "court_liaison", case, "issue_order", expires_on=first_refused, **data
    )
    assert error.status == 422
    assert set(error.fields) == {"expires_on"}
    assert last_allowed.isoformat() in str(error.fields["expires_on"][0])
    # Ending before the day it is made is refused too.
    refused(
        ValidationFailed,
        "court_liaison",
        case,
        "issue_order",
        expires_on=issued_at.date() - timedelta(days=1),
        **data,
    )
    fire("court_liaison", case, "issue_order", expires_on=last_allowed, **data)
    order = db.session.get(ProtectionOrder, case.id)
    # In force to the end of its last day: local midnight after it.
    assert order.expires_at == midnight(last_allowed + timedelta(days=1))
    assert case.state == "issued"


# --- order of legal moments -------------------------------------------------------------------


def test_no_ruling_before_acceptance(ctx):
    case = filed(local(2026, 11, 2, 9, 0))
    clock(local(2026, 11, 2, 11, 0))
    ruling = {
        "order_number": "（2026）渝0240民保令1号",
        "issued_at": local(2026, 11, 2, 10, 0),
        "expires_on": date(2027, 5, 2),
        "granted_measures": ["no_violence"],
        "measures_other": None,
        "comment": "",
    }
    # Not accepted yet: neither ruling exists.
    refused(InvalidTransitionError, "court_liaison", case, "issue_order", **ruling)
    refused(
        InvalidTransitionError,
        "court_liaison",
        case,
        "reject",
        ruled_at=local(2026, 11, 2, 10, 0),
        reason="x",
    )
    # Acceptance dated before the filing.
    error = refused(
        ValidationFailed,
        "court_liaison",
        case,
        "court_accept",
        accepted_at=local(2026, 11, 2, 8, 59),
        court_case_number=None,
        urgent=False,
    )
    assert set(error.fields) == {"accepted_at"}
    fire(
        "court_liaison",
        case,
        "court_accept",
        accepted_at=local(2026, 11, 2, 10, 17),
        court_case_number=None,
        urgent=False,
    )
    # Rulings dated before the acceptance.
    error = refused(ValidationFailed, "court_liaison", case, "issue_order", **ruling)
    assert set(error.fields) == {"issued_at"}
    error = refused(
        ValidationFailed,
        "court_liaison",
        case,
        "reject",
        ruled_at=local(2026, 11, 2, 10, 16),
        reason="x",
    )
    assert set(error.fields) == {"ruled_at"}
    assert deadline(case, "ruling_due").status == "open"


def test_no_service_before_the_order_is_made(ctx):
    case = accepted(local(2026, 11, 2, 10, 0))
    clock(local(2026, 11, 3, 16, 0))
    refused(
        InvalidTransitionError,
        "court_liaison",
        case,
        "serve",
        **service(local(2026, 11, 3, 15, 0)),
    )
    issued_at = local(2026, 11, 3, 15, 30)
    issue(case, issued_at, date(2027, 5, 3))
    clock(local(2026, 11, 4, 10, 0))
    error = refused(
        ValidationFailed,
        "court_liaison",
        case,
        "serve",
        **service(local(2026, 11, 4, 9, 0), served_respondent_at=local(2026, 11, 3, 15, 29)),
    )
    assert set(error.fields) == {"served_respondent_at"}
    fire(
        "court_liaison",
        case,
        "serve",
        **service(local(2026, 11, 4, 9, 0), served_applicant_at=issued_at),
    )
    order = db.session.get(ProtectionOrder, case.id)
    assert case.state == "in_force"
    assert order.served_at == local(2026, 11, 4, 9, 0)  # the last of the four (Art. 32)


# --- filing (Art. 27) -----------------------------------------------------------------------------


def test_filing_needs_respondent_measures_and_facts_or_evidence(ctx):
    # A draft with the victim only. (The draft form requires the facts; the service does
    # not rely on it.)
    case = draft(
        local(2026, 11, 2, 9, 0),
        description="",
        respondent=person(relation=None),
        measures=[],
        evidence=[],
    )
    clock(local(2026, 11, 2, 10, 0))
    error = refused(
        ValidationFailed,
        "womens_federation",
        case,
        "file",
        **file_data(local(2026, 11, 2, 9, 50)),
    )
    assert set(error.fields) == {"respondent.name", "measures", "evidence"}
    # "Other" measures must say what they are.
    error = refused(
        ValidationFailed,
        "womens_federation",
        case,
        "file",
        **file_data(
            local(2026, 11, 2, 9, 50),
            respondent=person(name="吴志刚", relation="spouse"),
            measures=["other"],
            facts="被申请人多次殴打申请人。",
        ),
    )
    assert set(error.fields) == {"measures_other"}
    # One item of evidence is enough without facts; the facts are enough without evidence.
    fire(
        "womens_federation",
        case,
        "file",
        **file_data(
            local(2026, 11, 2, 9, 50),
            respondent=person(name="吴志刚", relation="spouse"),
            measures=["no_violence"],
            evidence=["police_documents"],
        ),
    )
    order = db.session.get(ProtectionOrder, case.id)
    assert (case.state, order.filed_at) == ("filed", local(2026, 11, 2, 9, 50))
    assert case.person("respondent").name == "吴志刚"


def test_a_proxy_files_only_on_the_victims_wishes_and_with_a_court(ctx):
    case = draft(
        local(2026, 11, 2, 9, 0),
        applicant_role="womens_federation",
        proxy_reason="coerced",
        court_id=None,
    )
    clock(local(2026, 11, 2, 10, 0))
    error = refused(
        ValidationFailed, "womens_federation", case, "file", **file_data(local(2026, 11, 2, 9, 50))
    )
    # A coerced victim (Art. 23 ¶2) is not asked for consent; 法释 Art. 2 cases are
    # (tests/integration/test_statutory_steps.py).
    assert set(error.fields) == {"court"}


# --- extension and variation (Art. 30) ------------------------------------------------------------


def test_no_extension_or_change_once_the_order_has_lapsed(ctx):
    case = in_force(local(2026, 11, 2, 15, 0), date(2026, 11, 30))
    assert case.protection_order.expires_at == midnight(date(2026, 12, 1))
    extension = {
        "applied_at": local(2026, 11, 28, 9, 0),
        "decided_at": local(2026, 11, 30, 23, 0),
        "expires_on": date(2026, 12, 31),
        "comment": "",
    }
    # Midnight: the order lapsed; the sweep has not run yet, the case still says in_force.
    clock(local(2026, 12, 1, 0, 0))
    error = refused(InvalidTransitionError, "court_liaison", case, "extend", **extension)
    assert str(error.message) == str(GUARD_MESSAGES["order_expired"])
    refused(
        InvalidTransitionError,
        "court_liaison",
        case,
        "modify",
        applied_at=local(2026, 11, 28, 9, 0),
        decided_at=local(2026, 11, 30, 23, 0),
        granted_measures=["no_violence"],
        measures_other=None,
        comment="",
    )


def test_an_extension_must_end_after_the_current_last_day(ctx):
    case = in_force(local(2026, 11, 2, 15, 0), date(2026, 11, 30))
    clock(local(2026, 11, 30, 23, 59))  # the last minute in force
    data = {
        "applied_at": local(2026, 11, 28, 9, 0),
        "decided_at": local(2026, 11, 30, 23, 0),
        "comment": "",
    }
    error = refused(
        ValidationFailed, "court_liaison", case, "extend", expires_on=date(2026, 11, 30), **data
    )
    assert set(error.fields) == {"expires_on"}
    fire("court_liaison", case, "extend", expires_on=date(2026, 12, 31), **data)
    assert case.protection_order.expires_at == midnight(date(2027, 1, 1))
    assert case.state == "in_force"


# --- the expiry sweep --------------------------------------------------------------------------------


def test_expire_due_fires_once_at_expires_at_and_not_at_the_old_date_after_an_extension(ctx):
    lapsing = in_force(local(2026, 11, 2, 15, 0), date(2026, 11, 30))
    extended = in_force(local(2026, 11, 3, 15, 0), date(2026, 11, 30))
    clock(local(2026, 11, 25, 10, 0))
    fire(
        "court_liaison",
        extended,
        "extend",
        applied_at=local(2026, 11, 20, 9, 0),
        decided_at=local(2026, 11, 25, 9, 0),
        expires_on=date(2026, 12, 31),
        comment="",
    )
    revoked = in_force(local(2026, 11, 4, 15, 0), date(2026, 11, 30))
    clock(local(2026, 11, 26, 10, 0))
    fire(
        "court_liaison",
        revoked,
        "revoke",
        decided_at=local(2026, 11, 26, 9, 0),
        reason="申请人撤回",
    )
    db.session.commit()

    clock(local(2026, 11, 30, 23, 59))  # a minute before: nothing
    assert expire_due() == 0
    swept_at = clock(local(2026, 12, 1, 0, 0))  # at expires_at
    assert expire_due() == 1
    assert expire_due() == 0
    db.session.commit()
    clock(local(2026, 12, 1, 0, 5))
    assert expire_due() == 0

    db.session.expire_all()
    assert triggers(lapsing.id).count("expire") == 1
    event = db.session.scalar(
        select(Event).where(Event.case_id == lapsing.id, Event.trigger == "expire")
    )
    assert (event.actor_id, event.from_state, event.to_state, event.at) == (
        None,
        "in_force",
        "ended",
        swept_at,
    )
    order = db.session.get(ProtectionOrder, lapsing.id)
    assert (order.case.state, order.ended_at, order.end_reason) == (
        "ended",
        midnight(date(2026, 12, 1)),
        "expired",
    )
    # The extended order is still in force; the revoked one ended as revoked.
    assert db.session.get(Case, extended.id).state == "in_force"
    assert "expire" not in triggers(extended.id)
    revoked_order = db.session.get(ProtectionOrder, revoked.id)
    assert (revoked_order.case.state, revoked_order.end_reason) == ("ended", "revoked")
    assert "expire" not in triggers(revoked.id)

    # The extended order lapses at its new date.
    clock(local(2026, 12, 31, 23, 59))
    assert expire_due() == 0
    clock(local(2027, 1, 1, 0, 0))
    assert expire_due() == 1
    assert triggers(extended.id).count("expire") == 1

    # Ended, the owner starts follow-up: 7 days from Wednesday 12-02: 12-03 … 12-09.
    clock(local(2026, 12, 2, 9, 0))
    fire("womens_federation", lapsing, "start_follow_up", first_visit_due=None, comment="")
    visit = deadline(lapsing, "visit_due")
    assert (lapsing.state, visit.due_at) == ("following_up", midnight(date(2026, 12, 10)))


# --- violations (Art. 32 ¶2, 34) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("womens_federation", {COURT, NANBIN_POLICE}),
        ("court_liaison", {NANBIN_POLICE}),  # the court does not refer to itself
        ("police", {COURT}),  # nor the police station to itself
    ],
)
def test_a_violation_goes_to_the_court_and_the_local_police_once(ctx, username, expected):
    case = in_force(local(2026, 11, 2, 15, 0), date(2027, 5, 2))
    clock(local(2026, 11, 10, 20, 0))
    fire(
        username,
        case,
        "record_violation",
        occurred_at=local(2026, 11, 10, 19, 0),
        description="被申请人到申请人住处砸门威胁。",
        evidence="邻居证言、门锁损坏照片",
    )
    sent = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).all()
    assert {r.to_org.name for r in sent} == expected
    assert {r.status for r in sent} == {"sent"}
    assert {r.from_org_id for r in sent} == {user(username).organisation_id}
    assert all(case.protection_order.order_number in r.reason for r in sent)
    answers = db.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == "referral_due")
    ).all()
    # Sent Tuesday 11-10: 11-11 … 11-15 Sunday → Monday 11-16.
    assert sorted(d.referral_id for d in answers) == sorted(r.id for r in sent)
    assert {d.due_at for d in answers} == {midnight(date(2026, 11, 17))}
    first = case.last_event("record_violation")
    assert sorted(first.data["referral_ids"]) == sorted(r.id for r in sent)

    # A second violation while those referrals are open: recorded, no duplicate referral.
    clock(local(2026, 11, 12, 20, 0))
    fire(
        username,
        case,
        "record_violation",
        occurred_at=local(2026, 11, 12, 18, 0),
        description="被申请人再次打电话威胁。",
        evidence="",
    )
    assert db.session.scalar(
        select(func.count()).select_from(Referral).where(Referral.case_id == case.id)
    ) == len(expected)
    assert case.last_event("record_violation").data["referral_ids"] == []
    assert triggers(case.id).count("record_violation") == 2
    assert case.state == "in_force"


def test_a_new_referral_once_the_earlier_one_is_answered(ctx):
    case = in_force(local(2026, 11, 2, 15, 0), date(2027, 5, 2))
    clock(local(2026, 11, 10, 20, 0))
    violation = {"description": "砸门威胁。", "evidence": ""}
    fire(
        "womens_federation",
        case,
        "record_violation",
        occurred_at=local(2026, 11, 10, 19, 0),
        **violation,
    )
    court_referral = next(r for r in case.referrals if r.to_org.name == COURT)
    clock(local(2026, 11, 11, 9, 0))
    referrals.answer(court_referral, user("court_liaison"), "accept", "")
    referrals.answer(court_referral, user("court_liaison"), "complete", "已对被申请人训诫。")
    clock(local(2026, 11, 20, 9, 0))
    fire(
        "womens_federation",
        case,
        "record_violation",
        occurred_at=local(2026, 11, 20, 8, 0),
        **violation,
    )
    to_court = db.session.scalars(
        select(Referral)
        .where(Referral.case_id == case.id, Referral.to_org_id == org(COURT).id)
        .order_by(Referral.id)
    ).all()
    assert [r.status for r in to_court] == ["completed", "sent"]
    to_police = db.session.scalars(
        select(Referral).where(
            Referral.case_id == case.id, Referral.to_org_id == org(NANBIN_POLICE).id
        )
    ).all()
    assert [r.status for r in to_police] == ["sent"]


# --- the warning letter (Art. 16–17) ---------------------------------------------------------------


def test_a_warning_letter_identifies_the_abuser(ctx):
    case = log_call(
        local(2026, 11, 2, 9, 0),
        abuser=person(name="王建国", sex="M", relation="spouse"),  # no ID number, no address
    )
    error = refused(
        ValidationFailed,
        "police",
        case,
        "issue_warning",
        warning_number="石公（南）告字〔2026〕001号",
        issued_at=local(2026, 11, 2, 9, 50),
        facts="殴打",
        prohibition="禁止实施家庭暴力。",
        abuser_id_number=None,
        abuser_address=None,
    )
    assert set(error.fields) == {"abuser_id_number"}
    # A letter dated before the call.
    error = refused(
        ValidationFailed,
        "police",
        case,
        "issue_warning",
        warning_number="石公（南）告字〔2026〕001号",
        issued_at=local(2026, 11, 2, 8, 59),
        facts="殴打",
        prohibition="禁止实施家庭暴力。",
        abuser_id_number=ABUSER_ID,
        abuser_address=None,
    )
    assert set(error.fields) == {"issued_at"}
    # The address given on the letter is enough, and is kept on the abuser.
    issue_warning(case, local(2026, 11, 2, 9, 50), abuser_address="城南社区5栋")
    assert case.state == "warning_issued"
    assert case.person("abuser").address == "城南社区5栋"


def test_a_warning_number_is_used_once(ctx):
    first = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(first, local(2026, 11, 2, 10, 0))
    second = log_call(local(2026, 11, 3, 9, 0))
    error = refused(
        ValidationFailed,
        "police",
        second,
        "issue_warning",
        warning_number=warning_number(first),
        issued_at=local(2026, 11, 3, 10, 0),
        facts="殴打",
        prohibition="禁止实施家庭暴力。",
        abuser_id_number=None,
        abuser_address=None,
    )
    assert set(error.fields) == {"warning_number"}


@pytest.mark.parametrize(
    ("issued_at", "due"),
    [
        # Monday 14:20:10: 11-03 … 11-07 Saturday → Sunday → Monday 11-09.
        (local(2026, 11, 2, 14, 20, 10), midnight(date(2026, 11, 10))),
        # Wednesday: 11-05 … 11-09 Monday, a working day.
        (local(2026, 11, 4, 23, 50), midnight(date(2026, 11, 10))),
        # Monday 09-28: 09-29 … 10-03 in 国庆 → Thursday 10-08.
        (local(2026, 9, 28, 16, 0), midnight(date(2026, 10, 9))),
    ],
)
def test_deliver_due_five_days_from_the_warning(ctx, issued_at, due):
    call_at = issued_at - timedelta(hours=3)
    case = log_call(call_at)
    # Recorded the next morning: the local rule counts from the call (南宁: 自报警之日起),
    # the call of the same day here.
    issue_warning(case, issued_at, recorded_at=issued_at + timedelta(hours=10))
    row = deadline(case, "deliver_due")
    assert (row.opened_at, row.due_at, row.status) == (call_at, due, "open")
    assert "第17条" in row.basis
    assert case.dv_incident.warning_issued_at == issued_at
    assert case.dv_incident.outcome == "warning"


@pytest.mark.parametrize(
    ("committee_at", "status"),
    [
        (local(2026, 11, 9, 18, 0), "met"),  # the last of the three, on the last day
        (local(2026, 11, 10, 9, 0), "missed"),  # the committee told the day after
    ],
)
def test_delivery_is_complete_at_the_last_of_the_three(ctx, committee_at, status):
    case = log_call(local(2026, 11, 2, 11, 0))
    issue_warning(case, local(2026, 11, 2, 14, 20))  # due 2026-11-10 00:00
    # Delivered before the letter existed: refused.
    clock(local(2026, 11, 3, 10, 0))
    error = refused(
        ValidationFailed,
        "police",
        case,
        "deliver",
        delivered_abuser_at=local(2026, 11, 2, 14, 0),
        delivered_victim_at=local(2026, 11, 3, 9, 0),
        committee_notified_at=local(2026, 11, 3, 9, 0),
        committee_name="城南社区居民委员会",
    )
    assert set(error.fields) == {"delivered_abuser_at"}
    deliver(case, local(2026, 11, 4, 10, 0), local(2026, 11, 3, 16, 0), committee_at)
    row = deadline(case, "deliver_due")
    assert (row.status, row.closed_at, row.done_late) == (status, committee_at, status == "missed")
    assert case.dv_incident.delivered_at == committee_at
    assert case.last_event("deliver").data["delivered_at"] == committee_at.isoformat()
    assert case.state == "delivered"


def test_first_visit_due_from_criticism_met_by_a_visit(ctx):
    case = log_call(local(2026, 11, 5, 9, 0))
    opened = clock(local(2026, 11, 5, 11, 0))  # Thursday
    fire(
        "police", case, "criticize", victim_informed=True, comment="已批评教育，告知可申请告诫书。"
    )
    assert (case.state, case.dv_incident.outcome) == ("following_up", "criticism")
    # No 告诫书, so no Art. 17 ¶2 查访: the local rule's visit, said so in its basis.
    assert not [d for d in case.deadlines if d.kind == "first_visit_due"]
    row = deadline(case, "visit_due")
    assert "本地规则" in row.basis and "第17条第2款的查访仅针对告诫书" in row.basis
    # 30 days: 11-06 … 12-05 Saturday → Sunday → Monday 12-07.
    assert (row.opened_at, row.due_at, row.status) == (opened, midnight(date(2026, 12, 8)), "open")
    done = local(2026, 11, 20, 10, 0)
    clock(local(2026, 11, 20, 15, 0))
    visits.record(
        case, user("police"), done, "home", "safe", "受害人称未再受暴力。", None, case.version
    )
    row = deadline(case, "visit_due")
    assert (row.status, row.closed_at, row.done_late) == ("met", done, False)


def test_first_visit_due_from_follow_up_after_delivery(ctx):
    case = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(case, local(2026, 11, 2, 10, 0))
    deliver(case, local(2026, 11, 3, 9, 0), local(2026, 11, 3, 9, 30), local(2026, 11, 3, 10, 0))
    clock(local(2026, 11, 10, 9, 0))  # Tuesday
    fire("police", case, "start_follow_up", first_visit_due=None, comment="社区与派出所共同查访。")
    # The 查访 clock ran from the delivery (Tuesday 11-03 10:00), and follow-up keeps it:
    # 30 days: 11-04 … 12-03 Thursday, a working day.
    (row,) = [d for d in case.deadlines if d.kind == "first_visit_due"]
    assert (row.opened_at, row.due_at) == (local(2026, 11, 3, 10, 0), midnight(date(2026, 12, 4)))
    done = local(2026, 12, 11, 9, 0)
    clock(local(2026, 12, 11, 10, 0))
    visits.record(
        case, user("police"), done, "home", "concern", "仍有言语威胁。", None, case.version
    )
    row = deadline(case, "first_visit_due")
    assert (row.status, row.closed_at, row.done_late) == ("missed", done, True)


def test_a_first_visit_date_chosen_by_the_team(ctx):
    case = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(case, local(2026, 11, 2, 10, 0))
    deliver(case, local(2026, 11, 3, 9, 0), local(2026, 11, 3, 9, 30), local(2026, 11, 3, 10, 0))
    clock(local(2026, 11, 4, 9, 0))
    chosen = local(2026, 11, 11, 15, 0)
    fire("police", case, "start_follow_up", first_visit_due=chosen, comment="")
    # One more visit at the chosen date; the Art. 17 ¶2 clock from the delivery stays.
    assert deadline(case, "visit_due").due_at == chosen
    assert deadline(case, "first_visit_due").due_at == midnight(date(2026, 12, 4))


# --- who sees an application ----------------------------------------------------------------------


def test_the_court_sees_an_application_once_it_is_filed_with_it(ctx):
    case = draft(local(2026, 11, 2, 9, 0))
    court = user("court_liaison")
    assert not policy.can_view(court, case)
    clock(local(2026, 11, 2, 10, 0))
    fire("womens_federation", case, "file", **file_data(local(2026, 11, 2, 9, 50)))
    assert policy.can_view(court, case)
    # Filed with another court: not this court's case.
    other = Organisation(name="石柱县另一法院（测试）", type="court", jurisdiction=place("500240"))
    db.session.add(other)
    db.session.flush()
    case.protection_order.court_id = other.id
    db.session.flush()
    assert not policy.can_view(court, case)
    # A DV call is never the court's.
    call = log_call(local(2026, 11, 3, 9, 0))
    assert not policy.can_view(court, call)


# --- indicators (indicators.md §B) from the stored rows ---------------------------------------------

NOV = (local(2026, 11, 1), local(2026, 12, 1))
DEC = (local(2026, 12, 1), local(2027, 1, 1))


def within(column, period):
    return and_(column >= period[0], column < period[1])


def counted(*conditions):
    """Cases counted by indicators: not sealed, not test data."""
    return and_(Case.sealed.is_(False), Case.is_test.is_(False), *conditions)


def test_indicators_from_plain_sql(ctx):
    # DV calls. DV1 warned and delivered in time, then visited in time; DV2 warned and
    # delivered late; DV3 criticised and visited late; DV4 escalated; DV5 called on
    # 31 October, the letter made that night but recorded on 1 November.
    dv1 = log_call(local(2026, 11, 2, 9, 0))
    issue_warning(dv1, local(2026, 11, 2, 14, 0))  # due 11-10 00:00
    deliver(dv1, *[local(2026, 11, 4, 10, 0)] * 3)
    clock(local(2026, 11, 5, 9, 0))  # 30 d: … 12-05 Sat → Mon 12-07 → due 12-08 00:00
    fire("police", dv1, "start_follow_up", first_visit_due=None, comment="")
    dv2 = log_call(local(2026, 11, 3, 20, 0))
    issue_warning(dv2, local(2026, 11, 3, 21, 0))  # 11-04 … 11-08 Sun → Mon 11-09
    deliver(dv2, local(2026, 11, 5, 9, 0), local(2026, 11, 5, 9, 0), local(2026, 11, 12, 10, 0))
    dv3 = log_call(local(2026, 11, 4, 8, 0))
    clock(local(2026, 11, 4, 9, 0))  # 30 d: 11-05 … 12-04 Friday → due 12-05 00:00
    fire("police", dv3, "criticize", victim_informed=True, comment="")
    dv4 = log_call(local(2026, 11, 6, 23, 0))
    clock(local(2026, 11, 7, 11, 0))
    fire(
        "police",
        dv4,
        "escalate",
        outcome="admin_penalty",
        decided_at=local(2026, 11, 7, 10, 0),
        detail="石公（南）行罚决字〔2026〕12号，拘留五日。",
    )
    dv5 = log_call(local(2026, 10, 31, 22, 0))
    issue_warning(dv5, local(2026, 10, 31, 23, 0), recorded_at=local(2026, 11, 1, 8, 0))
    clock(local(2026, 12, 1, 12, 0))
    visits.record(
        dv1, user("police"), local(2026, 12, 1, 10, 0), "home", "safe", "", None, dv1.version
    )
    clock(local(2026, 12, 7, 12, 0))
    visits.record(
        dv3, user("police"), local(2026, 12, 7, 10, 0), "home", "safe", "", None, dv3.version
    )

    # Protection orders. PO1 accepted → issued in 30.5 h; PO2 urgent, rejected after 26 h
    # (24 h missed), issued on reconsideration; PO3 issued after 60 h; PO4 a draft only;
    # PO5 filed, not accepted; PO6 filed and accepted in October, issued in November (46 h).
    po1 = accepted(local(2026, 11, 2, 9, 0))
    issue(po1, local(2026, 11, 3, 15, 30), date(2027, 5, 3))
    clock(local(2026, 11, 4, 9, 0))
    fire("court_liaison", po1, "serve", **service(local(2026, 11, 4, 8, 0)))
    for when in (local(2026, 11, 10, 19, 0), local(2026, 11, 20, 19, 0)):
        clock(when + timedelta(hours=1))
        fire(
            "womens_federation",
            po1,
            "record_violation",
            occurred_at=when,
            description="威胁",
            evidence="",
        )
    po2 = accepted(local(2026, 11, 2, 10, 0), urgent=True, court_urgent=True)
    reject(po2, local(2026, 11, 3, 12, 0))
    clock(local(2026, 11, 5, 11, 0))
    fire(
        "womens_federation",
        po2,
        "request_reconsideration",
        requested_at=local(2026, 11, 5, 10, 0),
        reason="补充证据",
    )
    issue(po2, local(2026, 11, 6, 10, 0), date(2027, 5, 6))
    po3 = accepted(local(2026, 11, 4, 8, 0))
    issue(po3, local(2026, 11, 6, 20, 0), date(2027, 5, 6))
    draft(local(2026, 11, 5, 9, 0))  # PO4
    filed(local(2026, 11, 20, 10, 0))  # PO5
    po6 = accepted(local(2026, 10, 30, 11, 0))
    issue(po6, local(2026, 11, 1, 9, 0), date(2027, 5, 1))
    db.session.commit()

    dv = and_(Case.id == DvIncident.case_id)
    po = and_(Case.id == ProtectionOrder.case_id)

    def count(query):
        return db.session.scalar(query)

    # DV-01 家庭暴力警情数: calls received in November.
    dv01 = count(
        select(func.count())
        .select_from(Case)
        .join(DvIncident, dv)
        .where(counted(within(DvIncident.call_at, NOV)))
    )
    assert dv01 == 4
    # DV-02 出具告诫书数: letters made in November — by the letter's own time. Counted by
    # when it was recorded, DV5 (made 31 October) would wrongly be in.
    dv02 = count(
        select(func.count())
        .select_from(Case)
        .join(DvIncident, dv)
        .where(counted(within(DvIncident.warning_issued_at, NOV)))
    )
    assert dv02 == 2
    recorded = count(
        select(func.count())
        .select_from(Event)
        .where(Event.trigger == "issue_warning", within(Event.at, NOV))
    )
    assert recorded == 3
    # DV-03 告诫书出具率 = DV-02 / DV-01.
    assert dv02 / dv01 == 0.5
    # DV-04 告诫书按期送达率: of November's letters, delivered by deliver_due.
    delivered_in_time = count(
        select(func.count())
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .join(DvIncident, dv)
        .where(
            Deadline.kind == "deliver_due",
            Deadline.status == "met",
            counted(within(DvIncident.warning_issued_at, NOV)),
        )
    )
    assert (delivered_in_time, dv02) == (1, 2)
    # … and the delivery moment is the last of the three (DV2: 11-12 10:00, after 11-10).
    late = db.session.execute(
        select(
            DvIncident.delivered_abuser_at,
            DvIncident.delivered_victim_at,
            DvIncident.committee_notified_at,
            Deadline.due_at,
            Deadline.closed_at,
        )
        .join(
            Deadline, and_(Deadline.case_id == DvIncident.case_id, Deadline.kind == "deliver_due")
        )
        .where(DvIncident.case_id == dv2.id)
    ).one()
    assert max(late[:3]) == late.closed_at == local(2026, 11, 12, 10, 0) > late.due_at
    # DV-05 家暴案件跟踪回访完成率: DV visits due in December, done by their due date.
    visit_kinds = ("first_visit_due", "visit_due")
    due_in_dec = and_(
        Case.type == "dv_warning",
        Deadline.kind.in_(visit_kinds),
        counted(within(Deadline.due_at, DEC)),
    )
    due = count(
        select(func.count())
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .where(due_in_dec)
    )
    done_in_time = count(
        select(func.count())
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .where(due_in_dec, Deadline.status == "met")
    )
    # DV1's and DV2's 查访 from their deliveries (12-05, 12-15), DV3's local visit (12-05).
    assert (done_in_time, due) == (1, 3)
    # The same from the visits themselves: a visit between opening and due date.
    by_visits = count(
        select(func.count())
        .select_from(Deadline)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            due_in_dec,
            exists().where(
                Visit.case_id == Deadline.case_id,
                Visit.done_at >= Deadline.opened_at,
                Visit.done_at <= Deadline.due_at,
            ),
        )
    )
    assert by_visits == done_in_time

    # PO-01 人身安全保护令申请数: applications filed in November (not PO4's draft, not PO6).
    po01 = count(
        select(func.count())
        .select_from(Case)
        .join(ProtectionOrder, po)
        .where(counted(within(ProtectionOrder.filed_at, NOV)))
    )
    assert po01 == 4
    # PO-02 签发数: orders issued in November, first ruling or on reconsideration, each once.
    po02 = count(
        select(func.count())
        .select_from(Case)
        .join(ProtectionOrder, po)
        .where(counted(within(ProtectionOrder.issued_at, NOV)))
    )
    assert po02 == 4
    issue_events = db.session.execute(
        select(Event.case_id, func.count())
        .where(Event.trigger == "issue_order")
        .group_by(Event.case_id)
    ).all()
    assert sorted(n for _case, n in issue_events) == [1, 1, 1, 1]
    # PO-03 审核签发率: of the first rulings made in November, issued / (issued + rejected).
    rulings = db.session.execute(
        select(ProtectionOrder.ruling, func.count())
        .join(Case, po)
        .where(counted(within(ProtectionOrder.ruled_at, NOV)))
        .group_by(ProtectionOrder.ruling)
    ).all()
    assert dict(rulings) == {"issued": 3, "rejected": 1}
    # PO-04 法定期限内裁定率: rulings made by ruling_due — met at the ruling's own time.
    by_due = db.session.execute(
        select(Deadline.status, Deadline.closed_at == ProtectionOrder.ruled_at)
        .join(ProtectionOrder, ProtectionOrder.case_id == Deadline.case_id)
        .join(Case, po)
        .where(Deadline.kind == "ruling_due", counted(within(ProtectionOrder.ruled_at, NOV)))
    ).all()
    assert sorted(status for status, _same in by_due) == ["met", "met", "met", "missed"]
    assert all(same for _status, same in by_due)
    # PO-05 平均裁定用时: hours from acceptance to the first ruling.
    times = db.session.execute(
        select(ProtectionOrder.accepted_at, ProtectionOrder.ruled_at)
        .join(Case, po)
        .where(counted(within(ProtectionOrder.ruled_at, NOV)))
    ).all()
    hours = sorted((ruled - accepted_at).total_seconds() / 3600 for accepted_at, ruled in times)
    assert hours == [26.0, 30.5, 46.0, 60.0]
    assert statistics.mean(hours) == 40.625  # 162.5 / 4
    assert statistics.median(hours) == 38.25  # (30.5 + 46) / 2
    # PO-06 违反保护令次数: record_violation events.
    po06 = count(
        select(func.count())
        .select_from(Event)
        .join(Case, Case.id == Event.case_id)
        .where(Event.trigger == "record_violation", counted(within(Event.at, NOV)))
    )
    assert po06 == 2


# --- two sweepers at once (PostgreSQL) ----------------------------------------------------------

TIMEOUT = 20


class Sweeper(threading.Thread):
    """One `flask sweep` process: its own app context, session and connection."""

    def __init__(self, app, before=None, after=None):
        super().__init__(daemon=True)
        self.app, self.before, self.after = app, before, after
        self.count, self.error = None, None

    def run(self):
        with self.app.app_context():
            try:
                if self.before:
                    self.before()
                self.count = expire_due()
                if self.after:
                    self.after()
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001  reported to the test thread
                db.session.rollback()
                self.error = exc


def lapsing_orders(n: int) -> list[int]:
    ids = []
    for i in range(n):
        case = in_force(local(2026, 11, 2, 9, i), date(2026, 11, 30))
        ids.append(case.id)
    db.session.commit()
    return ids


def expire_events(case_ids) -> dict:
    db.session.expire_all()
    rows = db.session.execute(
        select(Event.case_id, func.count())
        .where(Event.trigger == "expire", Event.case_id.in_(case_ids))
        .group_by(Event.case_id)
    ).all()
    return dict(rows)


def test_two_sweepers_at_the_same_moment_expire_each_order_once(ctx):
    postgres_only()
    app = current_app._get_current_object()
    ids = lapsing_orders(6)
    clock(local(2026, 12, 1, 0, 0))
    start = threading.Barrier(2, timeout=TIMEOUT)
    sweepers = [Sweeper(app, before=start.wait), Sweeper(app, before=start.wait)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(TIMEOUT)
        assert not sweeper.is_alive(), "a sweeper hung"
    assert [s.error for s in sweepers] == [None, None]
    assert sum(s.count for s in sweepers) == 6
    assert expire_events(ids) == {case_id: 1 for case_id in ids}
    states = db.session.scalars(select(Case.state).where(Case.id.in_(ids))).all()
    assert set(states) == {"ended"}


def test_a_sweeper_skips_orders_another_is_expiring(ctx):
    """The first sweeper has claimed and expired the orders but not committed; the second
    must neither wait for it nor expire them again (SKIP LOCKED)."""
    postgres_only()
    app = current_app._get_current_object()
    ids = lapsing_orders(2)
    clock(local(2026, 12, 1, 0, 0))
    first_swept, second_done = threading.Event(), threading.Event()

    def hold_until_the_second_is_done():
        first_swept.set()
        if not second_done.wait(5):
            raise AssertionError("the second sweeper waited on the first's locks")

    first = Sweeper(app, after=hold_until_the_second_is_done)
    second = Sweeper(app, before=lambda: first_swept.wait(TIMEOUT), after=second_done.set)
    first.start()
    second.start()
    for sweeper in (first, second):
        sweeper.join(TIMEOUT)
        assert not sweeper.is_alive(), "a sweeper hung"
    assert (first.error, second.error) == (None, None)
    assert (first.count, second.count) == (2, 0)
    assert expire_events(ids) == {case_id: 1 for case_id in ids}
