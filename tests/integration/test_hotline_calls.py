"""Hotline calls through services.hotline (workflows.md §5): logged once per form token,
anonymity, danger ⇒ 110, callbacks, matches on a phone or ID number within what the
agent may see, and attaching calls to cases.

Times are Asia/Shanghai, on a frozen clock.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from caseflow import timeutil
from caseflow.extensions import db
from caseflow.forms import from_json
from caseflow.forms.base import normalise_id_number, normalise_phone
from caseflow.forms.hotline import HotlineCallForm
from caseflow.models import Case, Event, HotlineCall, Jurisdiction
from caseflow.services import audit, cases, hotline
from caseflow.services.errors import Forbidden, InvalidTransitionError, NotFound, ValidationFailed
from tests.conftest import user

pytestmark = pytest.mark.usefixtures("ctx")

SH = ZoneInfo("Asia/Shanghai")
CHENGNAN = "500240001001"
PHONE = "13800000002"
ID_NUMBER = "50024019900101000X"  # passes the GB 11643 check, with an X
NAME = "李秀英"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def clock(value: datetime) -> datetime:
    timeutil.set_clock(value)
    return value


def place(code: str = CHENGNAN) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def call_data(token: str = "form-token-0001", **over) -> dict:
    data = {
        "client_token": token,
        "line": "12338",
        "received_at": None,
        "duration_minutes": 12,
        "anonymous": False,
        "caller_name": NAME,
        "caller_phone": PHONE,
        "caller_id_number": ID_NUMBER,
        "caller_relation": "self",
        "subject_name": NAME,
        "subject_sex": "F",
        "subject_phone": None,
        "subject_id_number": None,
        "jurisdiction_id": place().id,
        "category": "domestic_violence",
        "urgency": "urgent",
        "summary": "来电人称丈夫酒后殴打她。",
        "action_taken": "advice",
        "action_note": None,
        "danger": False,
        "transferred_110": False,
        "callback_needed": False,
        "callback_due": None,
    }
    return data | over


def log(username: str = "hotline", token: str = "form-token-0001", **over):
    return hotline.log_call(user(username), call_data(token, **over))


def count_calls() -> int:
    return db.session.scalar(select(func.count()).select_from(HotlineCall))


def person(**given) -> dict:
    fields = ("name", "sex", "birth_date", "id_number", "phone", "address")
    return {k: None for k in fields} | given


def dv_case(username: str, **subject) -> Case:
    at = timeutil.now()
    return cases.create_case(
        user(username),
        "dv_warning",
        {
            "jurisdiction_id": place().id,
            "call_at": at,
            "attended_at": None,
            "location": "城南社区",
            "subject": person(name=NAME, sex="F", **subject),
            "abuser": person(name="王建国", sex="M", relation="spouse"),
            "violence_forms": ["physical"],
            "injury_level": "minor",
            "injuries": "",
            "minors_present": False,
            "minors_witnessed": False,
            "prior_incidents": 0,
            "special_protection": [],
            "urgent": False,
            "description": "12338热线来电：丈夫酒后殴打。",
        },
    )


# --- logging ----------------------------------------------------------------------------------


def test_the_same_form_token_logs_one_call():
    at = clock(local(2026, 11, 5, 9, 0))
    call, created = log()
    assert created is True
    assert (call.number, call.org_id, call.agent_id) == (
        "HC-2026-000001",
        user("hotline").organisation_id,
        user("hotline").id,
    )
    assert (call.received_at, call.created_at) == (at, at)  # no time typed: now
    db.session.commit()
    # A double click, a resent request: the first call, unchanged.
    clock(local(2026, 11, 5, 9, 1))
    again, created = log(summary="另一段摘要。", category="other")
    assert created is False
    assert again.id == call.id
    assert (again.summary, again.category) == ("来电人称丈夫酒后殴打她。", "domestic_violence")
    assert count_calls() == 1
    # The same token from another agent is refused, not returned.
    with pytest.raises(ValidationFailed) as info:
        log("womens_federation")
    assert "client_token" in info.value.fields
    db.session.rollback()
    assert count_calls() == 1
    # A new form is a new call, with the next number.
    second, created = log(token="form-token-0002")
    assert created is True and second.number == "HC-2026-000002"


@pytest.mark.parametrize("username", ["police", "legal_aid", "statistician", "supervisor"])
def test_only_the_hotline_and_the_womens_federation_log_calls(username):
    with pytest.raises(Forbidden):
        log(username)
    db.session.rollback()
    assert count_calls() == 0


def test_an_anonymous_call_keeps_no_name_or_id_number():
    clock(local(2026, 11, 5, 9, 0))
    call, _ = log(anonymous=True, subject_name=None)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(HotlineCall, call.id)
    assert stored.anonymous is True
    assert (stored.caller_name, stored.caller_id_number) == (None, None)
    row = db.session.execute(select(HotlineCall.__table__).where(HotlineCall.id == call.id))
    values = [str(v) for v in row.one()]
    assert NAME not in values and ID_NUMBER not in values


def test_danger_must_be_transferred_to_110():
    at = clock(local(2026, 11, 5, 22, 10))
    with pytest.raises(ValidationFailed) as info:
        log(danger=True)
    assert set(info.value.fields) == {"transferred_110"}
    db.session.rollback()
    assert count_calls() == 0
    call, created = log(danger=True, transferred_110=True, action_taken="advice")
    assert created
    assert (call.danger, call.urgency, call.action_taken) == (True, "danger", "emergency_110")
    assert call.transferred_110_at == at
    # Without danger, nothing is set for 110.
    calm, _ = log(token="form-token-0002", transferred_110=True)
    assert (calm.danger, calm.transferred_110_at, calm.action_taken) == (False, None, "advice")


def test_a_callback_needs_a_due_time():
    clock(local(2026, 11, 5, 9, 0))
    with pytest.raises(ValidationFailed) as info:
        log(callback_needed=True)
    assert set(info.value.fields) == {"callback_due"}
    db.session.rollback()
    assert count_calls() == 0
    # A due time without a callback is not kept.
    call, _ = log(callback_due=local(2026, 11, 6, 9, 0))
    assert (call.callback_needed, call.callback_due) == (False, None)


# --- callbacks --------------------------------------------------------------------------------


def test_callbacks_in_order_of_due_time_and_overdue():
    clock(local(2026, 11, 5, 9, 0))
    later, _ = log(token="tok-later-01", callback_needed=True, callback_due=local(2026, 11, 7, 9))
    sooner, _ = log(token="tok-soon-001", callback_needed=True, callback_due=local(2026, 11, 6, 9))
    log(token="tok-none-001")  # no callback
    theirs, _ = log(
        "womens_federation",
        token="tok-fed-0001",
        callback_needed=True,
        callback_due=local(2026, 11, 5, 12),
    )
    assert hotline.callbacks(user("hotline")) == [sooner, later]
    assert hotline.callbacks(user("womens_federation")) == [theirs]
    assert hotline.callbacks(user("hotline"), mine_only=True) == [sooner, later]
    assert not any(hotline.overdue(c) for c in (sooner, later))

    clock(local(2026, 11, 6, 9, 0))
    assert not hotline.overdue(sooner)  # due exactly now: not yet overdue
    clock(local(2026, 11, 6, 9, 1))
    assert hotline.overdue(sooner) and not hotline.overdue(later)
    assert hotline.overdue(later, at=local(2026, 11, 8))

    hotline.mark_callback_done(sooner, user("hotline"), "已回访，来电人已搬至娘家暂住。")
    assert sooner.callback_done_at == local(2026, 11, 6, 9, 1)
    assert not hotline.overdue(sooner)
    assert hotline.callbacks(user("hotline")) == [later]
    with pytest.raises(InvalidTransitionError):  # the callback is closed: 409
        hotline.mark_callback_done(sooner, user("hotline"), "again")


# --- matches ----------------------------------------------------------------------------------


def test_matches_by_phone_and_id_number_within_the_team_and_the_scope():
    clock(local(2026, 11, 5, 9, 0))
    agent = user("hotline")
    # A call typed with a +86 prefix, dashes and a full-width lower-case x, through the form.
    form = from_json(
        HotlineCallForm,
        {
            "client_token": "form-token-0001",
            "line": "12338",
            "caller_phone": "+86 138-0000-0002",
            "subject_id_number": "50024019900101000ｘ",
            "category": "domestic_violence",
            "summary": "来电人称丈夫酒后殴打她。",
            "action_taken": "advice",
        },
    ).setup(agent)
    assert form.validate(), form.errors
    data = form.to_data()
    assert (data["caller_phone"], data["subject_id_number"]) == (PHONE, ID_NUMBER)
    first, _ = hotline.log_call(agent, data)
    # Another team's call with the same phone.
    theirs, _ = log("womens_federation", token="tok-fed-0001", caller_phone=PHONE)
    # A case the hotline opened (in its scope) and one the police opened (not in it).
    own_case = dv_case("hotline", phone=PHONE)
    police_case = dv_case("police", id_number=ID_NUMBER)
    db.session.flush()

    found = hotline.matches(agent, normalise_phone("138 0000 0002"), None)
    assert found.calls == [first]
    assert found.cases == [own_case]
    found = hotline.matches(agent, None, normalise_id_number("50024019900101000x"))
    assert found.calls == [first]
    assert found.cases == []  # the police case: neither shown nor counted
    assert not hasattr(found, "hidden")
    found = hotline.matches(agent, PHONE, ID_NUMBER)
    assert (found.calls, found.cases) == ([first], [own_case])
    assert police_case not in found.cases

    # The women's federation sees its own calls only, and DV cases of its area.
    fed = hotline.matches(user("womens_federation"), PHONE, ID_NUMBER)
    assert fed.calls == [theirs]
    assert set(fed.cases) == {own_case, police_case}
    # Nothing for a role that does not log calls, or with nothing to look for.
    assert hotline.matches(user("police"), PHONE, ID_NUMBER).calls == []
    empty = hotline.matches(agent, None, None)
    assert (empty.calls, empty.cases) == ([], [])
    assert hotline.matches(agent, "13900000009", None).calls == []


def test_a_user_of_another_organisation_cannot_see_the_teams_calls():
    clock(local(2026, 11, 5, 9, 0))
    call, _ = log()
    assert hotline.visible_call(user("hotline"), call.id) is call
    for username in ("womens_federation", "police", "legal_aid", "supervisor", "admin"):
        assert hotline.visible_call(user(username), call.id) is None, username
    assert hotline.visible_call(user("hotline"), call.id + 1000) is None


# --- attaching --------------------------------------------------------------------------------


def test_attach_puts_the_call_on_the_case_without_identities():
    clock(local(2026, 11, 5, 9, 0))
    call, _ = log()
    case = dv_case("hotline", phone=PHONE)
    version = case.version
    clock(local(2026, 11, 5, 9, 20))
    hotline.attach(call, case, user("hotline"), version)
    assert call.case_id == case.id
    assert case.version > version
    event = case.last_event("call_attached")
    assert (event.actor_id, event.comment, event.from_state, event.to_state) == (
        user("hotline").id,
        "",
        "incident_logged",
        "incident_logged",
    )
    assert event.data == {
        "call_id": call.id,
        "number": call.number,
        "category": "domestic_violence",
    }
    text = str(event.data) + event.comment
    for secret in (NAME, PHONE, ID_NUMBER):
        assert secret not in text
    # Attaching it again to the same case changes nothing.
    events = len(case.events)
    hotline.attach(call, case, user("hotline"))
    assert len(case.events) == events
    # Many calls can attach to one case.
    second, _ = log(token="form-token-0002")
    hotline.attach(second, case, user("hotline"))
    assert {c.id for c in case.calls} == {call.id, second.id}
    assert audit.verify_chain(case.id) is None


def test_a_call_on_one_case_cannot_be_attached_to_another():
    clock(local(2026, 11, 5, 9, 0))
    call, _ = log()
    first = dv_case("hotline")
    other = dv_case("hotline")
    hotline.attach(call, first, user("hotline"))
    db.session.commit()
    events = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.case_id == other.id)
    )
    with pytest.raises(InvalidTransitionError):  # the call's state: 409
        hotline.attach(call, other, user("hotline"), other.version)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(HotlineCall, call.id).case_id == first.id
    assert (
        db.session.scalar(select(func.count()).select_from(Event).where(Event.case_id == other.id))
        == events
    )


def test_a_call_cannot_be_attached_to_a_case_out_of_scope():
    clock(local(2026, 11, 5, 9, 0))
    call, _ = log()
    police_case = dv_case("police")
    db.session.commit()
    version = police_case.version
    with pytest.raises(NotFound):
        hotline.attach(call, police_case, user("hotline"), version)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(HotlineCall, call.id).case_id is None
    assert db.session.get(Case, police_case.id).version == version
    assert police_case.last_event("call_attached") is None
