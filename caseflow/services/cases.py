"""Creating cases and firing triggers on them."""

import functools
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from .. import policy, timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, CaseCounter, User
from ..workflows import PREVIOUS, WORKFLOWS, InvalidTransition, UnknownTrigger
from .audit import append_event
from .errors import (
    GUARD_MESSAGES,
    Forbidden,
    InvalidTransitionError,
    NotFound,
    ValidationFailed,
    VersionConflict,
    refusal_error,
)

# Type-specific parts, registered by each case type's service module:
# CREATORS[type](actor, data) -> Case (not yet numbered), and
# EFFECTS[(type, trigger)](case, actor, data) -> (comment, event data).
CREATORS: dict[str, Callable] = {}
# CREATED[type](case, actor, data): after the new case has its id and number.
CREATED: dict[str, Callable] = {}
EFFECTS: dict[tuple[str, str], Callable] = {}
# CREATION_EVENT[type](case) -> dict: what the first timeline entry keeps of an act made
# before it was entered (a report phoned in, then typed): its time, how, the late entry.
CREATION_EVENT: dict[str, Callable] = {}


def next_number(case_type: str) -> str:
    """MR-2026-000123: a counter per type and year.

    On PostgreSQL the number is taken in its own short transaction (one statement on its own
    connection, committed at once), so concurrent intakes do not queue behind the counter
    row until each one commits; a create that fails afterwards leaves a gap, never a
    duplicate. SQLite has one writer at a time anyway: there it is taken in the request's
    transaction."""
    prefix = WORKFLOWS[case_type].prefix
    year = timeutil.to_local(timeutil.now()).year
    key = f"{prefix}-{year}"
    if db.engine.dialect.name == "postgresql":
        return f"{key}-{_allocate_apart(key):06d}"
    if db.session.get(CaseCounter, key) is None:
        try:
            with db.session.begin_nested():
                db.session.add(CaseCounter(key=key, value=0))
        except IntegrityError:  # another request created it first; the update below still works
            pass
    value = db.session.execute(
        update(CaseCounter)
        .where(CaseCounter.key == key)
        .values(value=CaseCounter.value + 1)
        .returning(CaseCounter.value)
    ).scalar_one()
    return f"{key}-{value:06d}"


def _allocate_apart(key: str) -> int:
    table = CaseCounter.__table__
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        value = conn.execute(
            pg_insert(table)
            .values(key=key, value=1)
            .on_conflict_do_update(index_elements=[table.c.key], set_={"value": table.c.value + 1})
            .returning(table.c.value)
        ).scalar_one()
    return value


def create_case(actor: User, case_type: str, data: dict) -> Case:
    """Create a case and fire its initial trigger (submit, log_incident, draft, refer)."""
    workflow = WORKFLOWS.get(case_type)
    if workflow is None or case_type not in CREATORS:
        raise ValidationFailed(fields={"type": [_l("Unknown case type.")]})
    step = workflow.step(workflow.initial_trigger)
    if actor.role not in step.roles:
        raise Forbidden(GUARD_MESSAGES["role"])
    at = timeutil.now()
    case = CREATORS[case_type](actor, data)
    case.type = case_type
    case.state = workflow.apply(workflow.NEW, step.trigger)
    case.created_by_id = actor.id
    case.created_at = case.updated_at = at
    case.number = next_number(case_type)
    db.session.add(case)
    db.session.flush()
    for kind in step.opens:
        _open(case, kind, data)
    extra = CREATION_EVENT[case_type](case) if case_type in CREATION_EVENT else {}
    append_event(
        case, actor, step.trigger, None, data.get("description", ""), _summary(data) | extra
    )
    if case_type in CREATED:
        CREATED[case_type](case, actor, data)
    db.session.flush()
    return case


def _summary(data: dict) -> dict:
    """What the timeline keeps of a creation: the facts, never identities (persons hold them)."""
    keep = (
        "urgent",
        "situation_codes",
        "reporter_org_type",
        "ongoing_danger",
        "child_safety",
        "violence_forms",
        "injury_level",
        "minors_present",
        "minors_witnessed",
        "applicant_role",
        "measures",
        "source_case_id",
        "client_token",
    )
    return {k: data[k] for k in keep if k in data}


# A form's one-time token is looked for among the creator's recent cases only: a
# submission kept offline is sent within a day or two (its draft lives 24 hours).
CLIENT_TOKEN_DAYS = 3


def created_with_token(actor: User, case_type: str, token: str) -> Case | None:
    """The case this user already created from the form with this one-time token (a
    submission sent again after a lost answer), if any. The user's row is locked first:
    two copies of one submission arriving at once are handled one by one, so the second
    finds the case the first created (the caller commits or rolls back, which frees it)."""
    from datetime import timedelta

    from ..models import Event

    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write takes the database's write lock now.
        db.session.execute(update(User).where(User.id == actor.id).values(id=User.id))
    else:
        db.session.execute(db.select(User.id).where(User.id == actor.id).with_for_update())
    since = timeutil.now() - timedelta(days=CLIENT_TOKEN_DAYS)
    return db.session.scalar(
        db.select(Case)
        .join(Event, Event.case_id == Case.id)
        .where(
            Case.created_by_id == actor.id,
            Case.type == case_type,
            Case.created_at >= since,
            Event.seq == 1,
            Event.data["client_token"].as_string() == token,
        )
        .limit(1)
    )


def _open(case: Case, kind: str, data: dict, trigger: str | None = None) -> None:
    opener = OPENERS.get((case.type, kind))
    if opener and getattr(opener, "takes_trigger", False):
        opener(case, data, trigger)  # a visit plan starts on its trigger only
    elif opener:
        opener(case, data)
    else:
        ledger.open_deadline(case, kind)


# Deadlines that do not simply start now, per (type, kind): (case, data) -> None.
OPENERS: dict[tuple[str, str], Callable] = {}


def touch(case: Case) -> None:
    """Mark the case changed, so its version moves and concurrent writers conflict."""
    case.updated_at = timeutil.now()
    # An UPDATE (and a version bump) even when the clock has not moved since the last
    # change (a frozen test clock, a coarse system clock): an equal value is no change.
    flag_modified(case, "updated_at")


def check_version(case: Case, version) -> None:
    if version is None or str(version) != str(case.version):
        raise VersionConflict()


def conflicts_as_409(service: Callable) -> Callable:
    """A concurrent change shows as StaleDataError at whichever flush first writes the case
    row: the explicit one at the end, or an autoflush on the way (a lazy load after the case
    was changed). Either way the answer is VersionConflict, never a server error."""

    @functools.wraps(service)
    def wrapped(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except StaleDataError:
            raise VersionConflict() from None

    return wrapped


def check_step(actor: User, case: Case, step) -> None:
    """State (409), then role and guards (403, or 409/422 by the guard's reason)."""
    if case.state not in step.source:
        raise InvalidTransitionError()
    refusal = policy.step_refusal(actor, case, step)
    if refusal:
        raise refusal_error(refusal)


@conflicts_as_409
def fire(actor: User, case: Case, trigger: str, data, version) -> Case:
    """Fire `trigger` on `case` for `actor` if `version` is current.

    The one check order of pages and API (the case is already loaded in scope, 404):
    version (409), state (409), role and guards (403), then the fields (422). `data` is
    the validated fields, or a callable that validates them and returns them (raising
    ValidationFailed), so that a form is judged only once everything before it passed."""
    workflow = case.workflow
    try:
        step = workflow.step(trigger)
    except UnknownTrigger:
        raise NotFound(_l("Unknown action.")) from None
    check_version(case, version)
    check_step(actor, case, step)
    if callable(data):
        data = data()
    return _perform(case, step, actor, data)


@conflicts_as_409
def fire_as_system(case: Case, trigger: str, data: dict | None = None) -> Case:
    """Fire a time-driven step (a protection order's `expire`) with no user behind it.
    The step's guards still apply; roles do not (such steps have none)."""
    step = case.workflow.step(trigger)
    for guard in step.guards:
        reason = guard(case, None)
        if reason:
            raise refusal_error(reason)
    return _perform(case, step, None, data or {})


def _perform(case: Case, step, actor: User | None, data: dict) -> Case:
    workflow = case.workflow
    if case.state not in step.source:
        raise InvalidTransitionError()
    from_state = case.state
    previous = None
    if step.dest == PREVIOUS:
        request = case.last_event("request_closure")
        previous = request.from_state if request else None
    try:
        new_state = workflow.apply(from_state, step.trigger, previous=previous)
    except InvalidTransition:
        raise InvalidTransitionError() from None
    effect = EFFECTS.get((case.type, step.trigger))
    comment, event_data = effect(case, actor, data) if effect else (data.get("comment", ""), {})
    case.state = new_state
    touch(case)
    for kind in step.meets:
        ledger.meet(case, kind)
    for kind in step.opens:
        _open(case, kind, data, step.trigger)
    event = append_event(case, actor, step.trigger, from_state, comment, event_data)
    flush()
    from .case_notifications import after_step  # who is told of this move

    after_step(case, actor, step, event)
    return case


def flush() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict() from None


def assignable_user(case: Case, user_id, roles) -> User | None:
    """A user work on this case may go to: active, of these roles, covering its jurisdiction."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or user.role not in roles:
        return None
    return user if user.organisation.jurisdiction.contains(case.jurisdiction) else None
