"""Hotline calls (workflows.md §5): logging a call once, finding earlier calls and cases of
the same person, opening or attaching a case, callbacks.

A call belongs to the hotline team (organisation) that took it; only that team sees its
identities. Matching on a phone or ID number shows what the agent may see: the team's
own calls, and cases in the agent's scope (names masked where the policy says so).
Records outside the scope are not counted either: "none" and "held elsewhere" must look
the same, or the answer tells whether a person has a case anywhere (workflows.md).
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from .. import policy, timeutil
from ..extensions import db
from ..models import Case, CaseCounter, HotlineCall, Person, User
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, NotFound, ValidationFailed

CALL_ROLES = frozenset({"hotline", "womens_federation"})


def may_log_calls(user: User) -> bool:
    return user.role in CALL_ROLES


def team_calls(user: User):
    """The SQL condition on HotlineCall for the calls this user's team took."""
    return HotlineCall.org_id == user.organisation_id


def visible_call(user: User, call_id: int) -> HotlineCall | None:
    if not may_log_calls(user):
        return None
    return db.session.scalar(select(HotlineCall).where(HotlineCall.id == call_id, team_calls(user)))


def _next_number() -> str:
    year = timeutil.to_local(timeutil.now()).year
    key = f"HC-{year}"
    counter = db.session.get(CaseCounter, key, with_for_update=True)
    if counter is None:
        counter = CaseCounter(key=key, value=0)
        db.session.add(counter)
    counter.value += 1
    return f"{key}-{counter.value:06d}"


def log_call(actor: User, data: dict) -> tuple[HotlineCall, bool]:
    """Save a call once per form token. Returns (call, created): a second submission of the
    same form (a double click, a resent request) returns the first call unchanged."""
    if not may_log_calls(actor):
        raise Forbidden(_l("Your role may not log hotline calls."))
    token = data["client_token"]
    existing = _earlier_call(actor, token)
    if existing is not None:
        return existing, False
    anonymous = bool(data.get("anonymous"))
    if data.get("danger") and not data.get("transferred_110"):
        raise ValidationFailed(
            fields={
                "transferred_110": [
                    _l("12338 is not an emergency line: transfer the caller to 110 and tick this.")
                ]
            }
        )
    if data.get("callback_needed") and not data.get("callback_due"):
        raise ValidationFailed(
            fields={"callback_due": [_l("When should the caller be called back?")]}
        )
    try:
        # In a savepoint: when the same form arrives twice at once, the second insert waits
        # for the first to commit and then breaks the unique token; only the savepoint is
        # undone (its number too) and the first call is answered, never a server error.
        with db.session.begin_nested():
            call = _new_call(actor, token, data, anonymous)
    except IntegrityError:
        existing = _earlier_call(actor, token)
        if existing is None:
            raise
        return existing, False
    return call, True


def _earlier_call(actor: User, token: str) -> HotlineCall | None:
    """The call already saved with this form token: the same agent's retry, else refused."""
    existing = db.session.scalar(select(HotlineCall).where(HotlineCall.client_token == token))
    if existing is not None and existing.agent_id != actor.id:
        raise ValidationFailed(fields={"client_token": [_l("This form was already used.")]})
    return existing


def _new_call(actor: User, token: str, data: dict, anonymous: bool) -> HotlineCall:
    now = timeutil.now()
    call = HotlineCall(
        number=_next_number(),
        client_token=token,
        org_id=actor.organisation_id,
        agent_id=actor.id,
        line=data["line"],
        received_at=data.get("received_at") or now,
        duration_minutes=data.get("duration_minutes"),
        anonymous=anonymous,
        caller_name=None if anonymous else data.get("caller_name"),
        caller_phone=data.get("caller_phone"),
        caller_id_number=None if anonymous else data.get("caller_id_number"),
        caller_relation=data.get("caller_relation"),
        subject_name=data.get("subject_name"),
        subject_sex=data.get("subject_sex"),
        subject_phone=data.get("subject_phone"),
        subject_id_number=data.get("subject_id_number"),
        jurisdiction_id=data.get("jurisdiction_id"),
        category=data["category"],
        urgency="danger" if data.get("danger") else data.get("urgency") or "normal",
        summary=data["summary"],
        action_taken="emergency_110" if data.get("danger") else data["action_taken"],
        action_note=data.get("action_note"),
        danger=bool(data.get("danger")),
        transferred_110_at=now if data.get("danger") else None,
        callback_needed=bool(data.get("callback_needed")),
        callback_due=data.get("callback_due") if data.get("callback_needed") else None,
        created_at=now,
    )
    db.session.add(call)
    db.session.flush()
    return call


def lock(call: HotlineCall) -> None:
    """Re-read the call under a row lock (PostgreSQL: SELECT … FOR UPDATE) held to the end
    of the transaction. Attaching a call and closing its callback do not go through a
    case's version: of two at once, the second waits here for the first to commit, then
    reads what the first wrote and is refused (409)."""
    db.session.flush()
    db.session.refresh(call, with_for_update=True)


def check_attach(call: HotlineCall, case: Case, actor: User, version=None) -> None:
    """May `actor` attach `call` to `case` now: the case in scope (404), its version when
    given (409), the call not on another case (409). Takes the call's row lock."""
    if policy.visible_case(actor, case.id) is None:
        raise NotFound()
    if version is not None:
        check_version(case, version)
    lock(call)
    if call.case_id is not None and call.case_id != case.id:
        raise InvalidTransitionError(_l("This call is already on another case."))


@conflicts_as_409
def attach(call: HotlineCall, case: Case, actor: User, version=None) -> None:
    """Put a call on a case's timeline (a case opened from it, or an existing one)."""
    check_attach(call, case, actor, version)
    if call.case_id == case.id:
        return
    call.case_id = case.id
    touch(case)
    append_event(
        case,
        actor,
        "call_attached",
        case.state,
        "",
        {"call_id": call.id, "number": call.number, "category": call.category},
    )
    flush()


def check_callback(call: HotlineCall, actor: User) -> None:
    """May `actor` close the callback of `call` now: one still open (409), an agent of the
    team (403). Takes the call's row lock, so two agents closing it at once cannot both."""
    lock(call)
    if not call.callback_needed or call.callback_done_at is not None:
        raise InvalidTransitionError(_l("No callback is open on this call."))
    if not may_log_calls(actor) or call.org_id != actor.organisation_id:
        raise Forbidden(_l("Your role may not log hotline calls."))


def mark_callback_done(call: HotlineCall, actor: User, note: str) -> None:
    check_callback(call, actor)
    call.callback_done_at = timeutil.now()
    call.callback_note = note
    flush()


def callbacks(user: User, mine_only: bool = False) -> list[HotlineCall]:
    """Open callbacks of the team (or the agent), the most overdue first."""
    query = select(HotlineCall).where(
        team_calls(user), HotlineCall.callback_needed, HotlineCall.callback_done_at.is_(None)
    )
    if mine_only:
        query = query.where(HotlineCall.agent_id == user.id)
    return db.session.scalars(query.order_by(HotlineCall.callback_due, HotlineCall.id)).all()


@dataclass
class Matches:
    calls: list = field(default_factory=list)
    cases: list = field(default_factory=list)


def matches(user: User, phone: str | None, id_number: str | None, limit: int = 20) -> Matches:
    """Earlier calls of the team and cases in scope with the same phone or ID number
    (both already normalised by the form: digits only, upper-case X)."""
    found = Matches()
    if not (phone or id_number) or not may_log_calls(user):
        return found
    call_terms, person_terms = [], []
    if phone:
        call_terms += [HotlineCall.caller_phone == phone, HotlineCall.subject_phone == phone]
        person_terms.append(Person.phone == phone)
    if id_number:
        call_terms += [
            HotlineCall.caller_id_number == id_number,
            HotlineCall.subject_id_number == id_number,
        ]
        person_terms.append(Person.id_number == id_number)
    found.calls = db.session.scalars(
        select(HotlineCall)
        .where(team_calls(user), or_(*call_terms))
        .order_by(HotlineCall.received_at.desc())
        .limit(limit)
    ).all()
    case_ids = select(Person.case_id).where(or_(*person_terms))
    found.cases = db.session.scalars(
        select(Case)
        .where(Case.id.in_(case_ids), policy.scope(user))
        .order_by(Case.created_at.desc())
        .limit(limit)
    ).all()
    return found


def overdue(call: HotlineCall, at: datetime | None = None) -> bool:
    at = at or timeutil.now()
    return bool(
        call.callback_needed
        and call.callback_done_at is None
        and call.callback_due is not None
        and call.callback_due < at
    )
