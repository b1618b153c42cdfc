"""Transfer of an open case, in any state, to another unit that handles its type
(services.transfers): offered with a reason, seen by both units until answered, accepted
(the receiving unit owns it) or declined (the owner keeps it); each side told once."""

import pytest
from sqlalchemy import select

from caseflow import policy
from caseflow.extensions import db
from caseflow.models import CaseTransfer, Notification, Organisation
from caseflow.services import cases, transfers
from caseflow.services.errors import (
    Forbidden,
    InvalidTransitionError,
    ValidationFailed,
    VersionConflict,
)
from tests.conftest import api_token, user
from tests.integration.test_attachments import report


def org(name) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def told(username) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(
            Notification.user_id == user(username).id, Notification.kind == "case_transfer"
        )
    ).all()


@pytest.fixture
def verifying(ctx):
    """A report in verification (a state where the old 'transfer' step is not offered)."""
    case = report()
    cases.fire(user("police"), case, "accept", {"comment": "受理"}, case.version)
    cases.fire(
        user("police"),
        case,
        "start_verification",
        {"verifier": user("child_supervisor").id},
        case.version,
    )
    db.session.commit()
    return case


def test_the_units_offered_handle_the_type_for_the_place(verifying):
    names = {o.name for o in transfers.receiving_units(verifying)}
    assert "石柱县民政局" in names  # civil affairs handles reports county-wide
    assert "南宾派出所" not in names  # the owner
    assert "西沱派出所" not in names  # another township
    assert "石柱县法律援助中心" not in names  # does not handle reports


def test_offer_then_accept_in_any_state(verifying):
    case = verifying
    civil = org("石柱县民政局")
    assert policy.visible_case(user("civil_affairs"), case.id) is not None  # county civil affairs
    transfer = transfers.offer(
        case, user("police"), civil.id, "监护问题由民政部门牵头。", case.version
    )
    db.session.commit()
    assert len(told("civil_affairs")) == 1
    assert case.events[-1].trigger == "transfer_offered"
    with pytest.raises(InvalidTransitionError):  # one offer at a time
        transfers.offer(case, user("police"), civil.id, "again", case.version)
    db.session.rollback()
    with pytest.raises(Forbidden):  # the owner cannot answer its own offer
        transfers.answer(transfer, user("police"), True, None, case.version)
    db.session.rollback()
    transfers.answer(transfer, user("civil_affairs"), True, None, case.version)
    db.session.commit()
    assert case.owner_org_id == civil.id and case.state == "verifying"
    assert case.events[-1].trigger == "transfer_accepted"
    assert len(told("police")) == 1
    for n in told("police") + told("civil_affairs"):
        assert "冉小雨" not in n.subject + n.body
    with pytest.raises(InvalidTransitionError):
        transfers.answer(transfer, user("civil_affairs"), False, "x", case.version)


def test_a_declined_offer_keeps_the_owner_and_needs_a_reason(verifying):
    case = verifying
    civil = org("石柱县民政局")
    transfer = transfers.offer(case, user("police"), civil.id, "请民政部门接手。", case.version)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        transfers.answer(transfer, user("civil_affairs"), False, "  ", case.version)
    db.session.rollback()
    transfers.answer(transfer, user("civil_affairs"), False, "不属于本部门职责。", case.version)
    db.session.commit()
    assert case.owner_org.name == "南宾派出所"
    assert transfer.status == "declined" and transfer.answer == "不属于本部门职责。"


def test_a_unit_that_does_not_handle_the_type_is_not_offered(ctx):
    case = report()
    assert org("石柱县妇联").id not in {o.id for o in transfers.receiving_units(case)}


@pytest.mark.parametrize(
    ("who", "to", "reason", "stale", "error"),
    [
        ("police", "石柱县民政局", "x", True, VersionConflict),
        ("child_director", "石柱县民政局", "x", False, Forbidden),  # not the owner unit
        ("police", "石柱县法律援助中心", "x", False, ValidationFailed),
        ("police", "石柱县民政局", " ", False, ValidationFailed),
    ],
)
def test_refused_offers_change_nothing(verifying, who, to, reason, stale, error):
    case = verifying
    before = (case.version, case.owner_org_id, len(case.events))
    with pytest.raises(error):
        transfers.offer(
            case, user(who), org(to).id, reason, case.version - 1 if stale else case.version
        )
    db.session.rollback()
    assert (case.version, case.owner_org_id, len(case.events)) == before
    assert db.session.scalar(select(CaseTransfer.id)) is None


def test_transfer_through_the_api(client, clean):
    with clean.app_context():
        case = report()
        case_id, version = case.id, case.version
        civil_id = org("石柱县民政局").id
    police = api_token(client, "police")
    offered = client.post(
        f"/api/v1/cases/{case_id}/transfers",
        headers=police,
        json={"to_org": civil_id, "reason": "请民政部门接手。", "version": version},
    )
    assert offered.status_code == 201, offered.get_data(as_text=True)
    body = offered.get_json()
    civil = api_token(client, "civil_affairs")
    declined = client.post(
        f"/api/v1/cases/{case_id}/transfers/{body['id']}/decline",
        headers=civil,
        json={"version": body["version"]},
    )
    assert declined.status_code == 422
    accepted = client.post(
        f"/api/v1/cases/{case_id}/transfers/{body['id']}/accept",
        headers=civil,
        json={"version": body["version"]},
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
