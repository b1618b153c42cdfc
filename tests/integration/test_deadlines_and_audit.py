"""Deadline rows and the timeline through the real services, with a frozen clock.

Times are Asia/Shanghai. Expected due times were worked out by hand from the default rule
pack (report_late 24 h, accept_due 24 h, verify_due 3 d, feedback_due 3 d, visit_due 7 d,
referral_due 5 d) and the 2026 calendar: hours count from the next full hour (民事诉讼法 Art. 85 ¶2); days exclude the
start day, end at local midnight after the last day, and a last day off work moves on.
November 2026 has no public holiday; 11-07/08, 11-14/15 … are ordinary weekends.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text, update

from caseflow import timeutil
from caseflow.deadlines import ledger
from caseflow.extensions import db
from caseflow.models import Case, Deadline, Event, Jurisdiction, Organisation, Visit
from caseflow.services import audit, cases, referrals, visits
from caseflow.services.errors import ValidationFailed
from tests.conftest import append_only_lifted, user

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def clock(*args) -> datetime:
    value = local(*args)
    timeutil.set_clock(value)
    return value


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def file_report(discovered_at: datetime, username: str = "child_director") -> Case:
    village = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "500240001001"))
    data = {
        "jurisdiction_id": village.id,
        "intake_org_id": None,
        "reporter_org_type": "village_committee",
        "discovered_at": discovered_at,
        "situation_codes": [4],
        "ongoing_danger": False,
        "guardian_is_suspect": True,
        "child_safety": "unsafe",
        "urgent": False,
        "description": "入户走访时发现儿童身上有多处淤青，监护人解释不清。",
        "subject": {
            "name": "冉小雨",
            "sex": "F",
            "birth_date": None,
            "id_number": None,
            "phone": None,
            "address": None,
            "school": None,
        },
        "reporter": {},
    }
    return cases.create_case(user(username), "mandatory_report", data)


def fire(username: str, case: Case, trigger: str, **data) -> Case:
    before, events = case.version, len(case.events)
    cases.fire(user(username), case, trigger, data, case.version)
    assert case.version > before  # every change moves the optimistic lock
    assert len(case.events) == events + 1
    return case


def rows(case: Case) -> list[tuple]:
    """The case's deadlines as stored: (kind, opened, due, status, closed, done_late)."""
    db.session.expire_all()
    found = db.session.scalars(
        select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.id)
    )
    return [(d.kind, d.opened_at, d.due_at, d.status, d.closed_at, d.done_late) for d in found]


def one(case: Case, kind: str, status: str | None = None) -> Deadline:
    db.session.expire_all()
    query = select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == kind)
    if status:
        query = query.where(Deadline.status == status)
    (deadline,) = db.session.scalars(query).all()
    return deadline


def timeline(case: Case) -> list[tuple]:
    found = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq))
    return [(e.seq, e.trigger, e.from_state, e.to_state) for e in found]


# --- the whole life of a report ------------------------------------------------------------


def test_full_flow_through_every_state_with_deadlines_and_timeline(ctx):
    t0 = clock(2026, 11, 2, 10, 15, 30)  # Monday
    case = file_report(discovered_at=local(2026, 11, 2, 8, 15, 30))
    assert case.state == "submitted"
    assert case.urgent is True  # situation 4
    assert rows(case) == [
        # discovered 08:15:30 → the hour 08:00–09:00 not counted, due 24 h after 09:00.
        ("report_late", local(2026, 11, 2, 8, 15, 30), local(2026, 11, 3, 9, 0), "met", t0, False),
        ("accept_due", t0, local(2026, 11, 3, 11, 0), "open", None, False),
    ]

    # Nobody accepts in time. The sweeper sees the miss only once the due time has passed.
    clock(2026, 11, 3, 11, 0)
    assert ledger.sweep() == 0
    clock(2026, 11, 3, 11, 1)
    assert ledger.sweep() == 1
    assert ledger.sweep() == 0
    swept = one(case, "accept_due")
    assert (swept.status, swept.closed_at, swept.done_late) == ("missed", None, False)

    t1 = clock(2026, 11, 3, 16, 15, 30)  # Tuesday
    fire("police", case, "accept", comment="已受理。")
    assert case.state == "accepted"
    assert case.owner_user_id == user("police").id
    late = one(case, "accept_due")
    assert (late.status, late.closed_at, late.done_late) == ("missed", t1, True)
    # Three days from Tuesday: Wed, Thu, Fri → end of Friday.
    for kind in ("verify_due", "feedback_due"):
        d = one(case, kind)
        assert (d.opened_at, d.due_at, d.status) == (t1, local(2026, 11, 7), "open"), kind

    clock(2026, 11, 4, 9, 0)
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    assert case.state == "verifying"
    assert case.mandatory_report.verifier_id == user("child_supervisor").id

    t3 = clock(2026, 11, 5, 11, 0)
    fire("child_supervisor", case, "verify", findings="经入户核实，情况属实。", risk_level="high")
    assert (case.state, case.risk_level) == ("verified", "high")
    verified = one(case, "verify_due")
    assert (verified.status, verified.closed_at, verified.done_late) == ("met", t3, False)

    t4 = clock(2026, 11, 5, 14, 0)  # Thursday
    fire("police", case, "refer", to_orgs=[org("石柱县民政局").id], reason="申请临时监护评估。")
    assert case.state == "referred"
    answer = one(case, "referral_due")
    # Five days from Thursday: Fri … Tue 11-10 → end of Tuesday.
    assert (answer.opened_at, answer.due_at, answer.status) == (t4, local(2026, 11, 11), "open")

    t5 = clock(2026, 11, 6, 10, 0)
    fire("police", case, "send_feedback", feedback="已受理并转介民政。")
    assert case.state == "referred"
    feedback = one(case, "feedback_due")
    assert (feedback.status, feedback.closed_at, feedback.done_late) == ("met", t5, False)

    t5b = clock(2026, 11, 6, 11, 0)
    (referral,) = case.referrals
    referrals.answer(referral, user("civil_affairs"), "accept", "")
    answered = one(case, "referral_due")
    assert (answered.status, answered.closed_at) == ("met", t5b)

    t6 = clock(2026, 11, 6, 15, 0)  # Friday
    fire("police", case, "start_follow_up", comment="每月回访一次。")
    assert case.state == "following_up"
    first_visit = one(case, "visit_due")
    # Seven days from Friday: last day Friday 11-13 → end of Friday.
    assert (first_visit.opened_at, first_visit.due_at) == (t6, local(2026, 11, 14))

    clock(2026, 11, 10, 10, 0)
    done = local(2026, 11, 10, 9, 0)
    visits.record(
        case,
        user("child_director"),
        done,
        "home",
        "safe",
        "儿童状态良好。",
        local(2026, 12, 10, 10, 0),
        case.version,
    )
    met_visit = db.session.get(Deadline, first_visit.id)
    assert (met_visit.status, met_visit.closed_at, met_visit.done_late) == ("met", done, False)
    next_visit = one(case, "visit_due", status="open")
    assert next_visit.due_at == local(2026, 12, 10, 10, 0)

    clock(2026, 11, 20, 10, 0)
    fire("police", case, "request_closure", summary="儿童已安全。")
    assert case.state == "closure_requested"
    clock(2026, 11, 20, 11, 0)
    fire("supervisor", case, "reject_closure", reason="请再回访一次。")
    assert case.state == "following_up"

    clock(2026, 11, 23, 10, 0)
    fire("police", case, "request_closure", summary="儿童已安全，监护人已接受指导。")
    t9 = clock(2026, 11, 23, 11, 0)
    fire("supervisor", case, "approve_closure", comment="同意结案。")
    assert (case.state, case.closed_at) == ("closed", t9)
    waived = db.session.get(Deadline, next_visit.id)
    assert (waived.status, waived.closed_at, waived.waived_by_id) == (
        "waived",
        t9,
        user("supervisor").id,
    )
    assert waived.waiver_reason

    t10 = clock(2026, 11, 30, 10, 0)  # Monday
    fire("supervisor", case, "reopen", reason="发现新情况。")
    assert (case.state, case.closed_at) == ("following_up", None)
    reopened = one(case, "visit_due", status="open")
    # Seven days from Monday: last day Monday 12-07 → end of Monday.
    assert (reopened.opened_at, reopened.due_at) == (t10, local(2026, 12, 8))

    clock(2026, 12, 8, 0, 1)
    assert ledger.sweep() == 1
    assert ledger.sweep() == 0
    assert one(case, "visit_due", status="missed").id == reopened.id

    assert timeline(case) == [
        (1, "submit", None, "submitted"),
        (2, "accept", "submitted", "accepted"),
        (3, "start_verification", "accepted", "verifying"),
        (4, "verify", "verifying", "verified"),
        (5, "refer", "verified", "referred"),
        (6, "send_feedback", "referred", "referred"),
        (7, "referral_accepted", "referred", "referred"),
        (8, "start_follow_up", "referred", "following_up"),
        (9, "visit_recorded", "following_up", "following_up"),
        (10, "request_closure", "following_up", "closure_requested"),
        (11, "reject_closure", "closure_requested", "following_up"),
        (12, "request_closure", "following_up", "closure_requested"),
        (13, "approve_closure", "closure_requested", "closed"),
        (14, "reopen", "closed", "following_up"),
    ]
    assert db.session.scalar(select(Case.version).where(Case.id == case.id)) == case.version
    assert audit.verify_chain(case.id) is None

    # Stored and read back in a new session, the chain still verifies.
    case_id = case.id
    db.session.commit()
    db.session.close()
    assert audit.verify_chain(case_id) is None
    assert db.session.get(Case, case_id).state == "following_up"


def test_unfounded_path_and_reject_closure_back_to_unfounded(ctx):
    clock(2026, 11, 2, 9, 0)
    case = file_report(discovered_at=local(2026, 11, 2, 8, 0))
    clock(2026, 11, 2, 10, 0)
    fire("police", case, "accept")
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    t = clock(2026, 11, 9, 10, 0)  # after verify_due (end of Thursday 11-05)
    fire("child_supervisor", case, "mark_unfounded", reason="系意外摔伤，有医院记录。")
    assert case.state == "unfounded"
    late = one(case, "verify_due")
    assert (late.due_at, late.status, late.closed_at, late.done_late) == (
        local(2026, 11, 6),
        "missed",
        t,
        True,
    )
    fire("police", case, "request_closure", summary="不属实。")
    fire("supervisor", case, "reject_closure", reason="请补充医院记录。")
    assert case.state == "unfounded"
    fire("police", case, "request_closure", summary="不属实，已附医院记录。")
    fire("supervisor", case, "approve_closure")
    assert case.state == "closed"
    assert [e[1:] for e in timeline(case)][-5:] == [
        ("mark_unfounded", "verifying", "unfounded"),
        ("request_closure", "unfounded", "closure_requested"),
        ("reject_closure", "closure_requested", "unfounded"),
        ("request_closure", "unfounded", "closure_requested"),
        ("approve_closure", "closure_requested", "closed"),
    ]
    assert audit.verify_chain(case.id) is None


def test_transfer_meets_and_reopens_accept_due(ctx):
    t0 = clock(2026, 11, 2, 9, 0)
    case = file_report(discovered_at=local(2026, 11, 2, 8, 0))
    t1 = clock(2026, 11, 2, 15, 20, 40)
    fire("police", case, "transfer", to_org=org("石柱县民政局").id, reason="属民政职责。")
    assert case.state == "submitted"
    assert case.owner_org_id == org("石柱县民政局").id
    assert case.owner_user_id is None
    accept_rows = [r for r in rows(case) if r[0] == "accept_due"]
    assert accept_rows == [
        # 09:00 exactly: that hour is not counted either (民事诉讼法 Art. 85 ¶2).
        ("accept_due", t0, local(2026, 11, 3, 10, 0), "met", t1, False),
        ("accept_due", t1, local(2026, 11, 3, 16, 0), "open", None, False),
    ]
    t2 = clock(2026, 11, 3, 9, 30)
    fire("civil_affairs", case, "accept")
    accept_rows = [r for r in rows(case) if r[0] == "accept_due"]
    assert accept_rows[1] == ("accept_due", t1, local(2026, 11, 3, 16, 0), "met", t2, False)


@pytest.mark.parametrize(
    ("discovered", "status", "late"),
    [
        (local(2026, 11, 1, 4, 0), "missed", True),  # 30 h before the report
        # The hour of the discovery is not counted: 09:59 → due 11-02 10:00, reported late;
        # 10:01 → due 11-02 11:00 (the old minute rule called this late; the law does not).
        (local(2026, 11, 1, 9, 59), "missed", True),
        (local(2026, 11, 1, 10, 1), "met", False),
        (local(2026, 11, 1, 10, 30), "met", False),  # 23 h 45 min before
        (local(2026, 11, 2, 10, 0), "met", False),
    ],
)
def test_report_late_when_discovered_more_than_24_hours_before(ctx, discovered, status, late):
    reported = clock(2026, 11, 2, 10, 15)
    case = file_report(discovered_at=discovered)
    deadline = one(case, "report_late")
    assert deadline.opened_at == discovered
    assert deadline.due_at == discovered.replace(minute=0) + timedelta(hours=25)
    assert (deadline.status, deadline.closed_at, deadline.done_late) == (status, reported, late)
    # Closed at once: the sweeper never touches it.
    clock(2026, 12, 1, 0, 0)
    ledger.sweep()
    assert one(case, "report_late").status == status


def test_sweep_marks_only_open_overdue_deadlines_and_is_idempotent(ctx):
    clock(2026, 11, 2, 9, 0)
    first = file_report(discovered_at=local(2026, 11, 2, 8, 0))
    clock(2026, 11, 2, 12, 0)
    second = file_report(discovered_at=local(2026, 11, 2, 11, 0))
    fire("police", second, "accept")  # accept_due met; verify_due, feedback_due open
    clock(2026, 11, 3, 10, 1)  # first's accept_due (10:00) passed; nothing else
    assert ledger.sweep() == 1
    assert ledger.sweep() == 0
    assert one(first, "accept_due").status == "missed"
    assert one(second, "accept_due").status == "met"
    clock(2026, 11, 6, 0, 1)  # second's verify_due and feedback_due (end of 11-05) passed
    assert ledger.sweep() == 2
    assert ledger.sweep() == 0
    statuses = sorted((d[0], d[3]) for d in rows(second))
    assert statuses == [
        ("accept_due", "met"),
        ("feedback_due", "missed"),
        ("report_late", "met"),
        ("verify_due", "missed"),
    ]


# --- the hash chain ------------------------------------------------------------------------


@pytest.fixture
def walked(ctx):
    """A report accepted and under verification: four events."""
    clock(2026, 11, 2, 9, 0)
    case = file_report(discovered_at=local(2026, 11, 2, 8, 0))
    clock(2026, 11, 2, 10, 0)
    fire("police", case, "accept", comment="已受理。")
    fire("police", case, "start_verification", verifier=user("child_supervisor").id)
    fire("police", case, "send_feedback", feedback="已受理，正在核实。")
    assert audit.verify_chain(case.id) is None
    return case


def test_the_chain_links_each_event_to_the_one_before(walked):
    found = db.session.scalars(
        select(Event).where(Event.case_id == walked.id).order_by(Event.seq)
    ).all()
    assert [e.seq for e in found] == [1, 2, 3, 4]
    assert found[0].prev_hash == audit.GENESIS
    for before, after in zip(found, found[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in found}) == 4


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("comment", "已受理。（改）"),
        ("trigger", "transfer"),
        ("to_state", "closed"),
        ("actor_id", None),
    ],
)
def test_a_tampered_event_is_found(walked, column, value):
    seq = 2
    with append_only_lifted(db.session.connection()):
        db.session.execute(
            text(f"UPDATE events SET {column} = :value WHERE case_id = :case AND seq = :seq"),
            {"value": value, "case": walked.id, "seq": seq},
        )
    db.session.expire_all()
    assert audit.verify_chain(walked.id) == seq


def test_a_tampered_time_is_found(walked):
    with append_only_lifted(db.session.connection()):
        db.session.execute(
            update(Event)
            .where(Event.case_id == walked.id, Event.seq == 3)
            .values(at=local(2026, 11, 1, 10, 0))
        )
    db.session.expire_all()
    assert audit.verify_chain(walked.id) == 3


def test_a_deleted_event_breaks_the_chain_at_the_next_one(walked):
    with append_only_lifted(db.session.connection()):
        db.session.execute(delete(Event).where(Event.case_id == walked.id, Event.seq == 2))
    db.session.expire_all()
    assert audit.verify_chain(walked.id) == 3


def test_a_rehashed_event_still_breaks_the_link_to_the_next(walked):
    """Editing a row and recomputing its own hash is not enough: the next one points back."""
    event = db.session.scalar(select(Event).where(Event.case_id == walked.id, Event.seq == 2))
    event.comment = "改过的备注"
    event.hash = audit._digest(event.prev_hash, event)
    with append_only_lifted(db.session.connection()):
        db.session.flush()
    db.session.expire_all()
    assert audit.verify_chain(walked.id) == 3


# --- visits ----------------------------------------------------------------------------------


def test_a_visit_dated_in_the_future_is_refused_and_changes_nothing(walked):
    case = walked
    clock(2026, 11, 2, 11, 0)
    before = (
        case.version,
        db.session.scalar(select(func.count()).select_from(Visit)),
        db.session.scalar(select(func.count()).select_from(Event)),
        rows(case),
    )
    with pytest.raises(ValidationFailed) as info:
        visits.record(
            case,
            user("child_director"),
            local(2026, 11, 2, 11, 1),
            "home",
            "safe",
            "还没发生的回访。",
            None,
            case.version,
        )
    assert "done_at" in info.value.fields
    db.session.expire_all()
    after = (
        db.session.get(Case, case.id).version,
        db.session.scalar(select(func.count()).select_from(Visit)),
        db.session.scalar(select(func.count()).select_from(Event)),
        rows(case),
    )
    assert after == before
    # The same visit dated now is fine.
    visits.record(
        case,
        user("child_director"),
        local(2026, 11, 2, 11, 0),
        "home",
        "safe",
        "儿童状态良好。",
        None,
        case.version,
    )
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert audit.verify_chain(case.id) is None
