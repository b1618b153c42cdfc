"""People told when their case moves (services.case_notifications): the reporting unit at
each step of its report, the receiving unit when a referral arrives, the legal-aid centre
when aid is granted. Each move once, no identity in the text, none after a rollback."""

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Notification, Organisation
from caseflow.services import cases
from tests.conftest import user
from tests.integration.test_attachments import report

IDENTITIES = ("冉小雨", "谭春梅", "13800000001", "淤青")


def told(username, kind="case_moved") -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user(username).id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def assert_no_identity(notes):
    for n in notes:
        for value in IDENTITIES:
            assert value not in n.subject + n.body


def fire(case, username, trigger, data):
    cases.fire(user(username), case, trigger, data, case.version)
    db.session.commit()


def test_the_reporting_unit_is_told_of_each_step_of_its_report_once(ctx):
    case = report()  # by the child director of 城南社区
    assert told("child_director") == []  # filing it tells no one: she did it
    fire(case, "police", "accept", {"comment": "已受理，安排核实。"})
    fire(case, "police", "start_verification", {"verifier": user("child_supervisor").id})
    fire(
        case,
        "child_supervisor",
        "verify",
        {"findings": "经入户核实，情况属实。", "risk_level": "high"},
    )
    civil = db.session.scalar(select(Organisation).where(Organisation.name == "石柱县民政局"))
    fire(case, "police", "refer", {"to_orgs": [civil.id], "reason": "申请临时监护评估。"})
    notes = told("child_director")
    # accept, verify and refer; starting the verification is internal to the police.
    assert [n.key.split(":")[2] for n in notes] == [
        str(e.seq) for e in case.events if e.trigger in ("accept", "verify", "refer")
    ]
    assert all(case.number in n.subject for n in notes)
    assert_no_identity(notes)
    # The receiving unit was told once that the referral arrived.
    arrived = told("civil_affairs", "referral_arrived")
    assert len(arrived) == 1
    assert_no_identity(arrived)
    assert told("police") == []  # the actor is not told of their own step


def test_a_rolled_back_step_tells_no_one(ctx):
    case = report()
    cases.fire(user("police"), case, "accept", {"comment": "x"}, case.version)
    db.session.rollback()
    assert told("child_director") == []


def test_the_receiving_unit_is_told_once_per_referral(ctx):
    from caseflow.services import referrals

    case = report()
    civil = db.session.scalar(select(Organisation).where(Organisation.name == "石柱县民政局"))
    referrals.add(case, user("police"), [civil], "请评估临时监护。", None, case.version)
    db.session.commit()
    assert len(told("civil_affairs", "referral_arrived")) == 1
