"""Waiving a deadline (the supervisor's decision that it no longer binds), with a reason.

Only a supervisor whose organisation's jurisdiction contains the case's place may waive,
only a deadline still open or missed and not yet closed, and never without a reason. The
waiver is kept on the deadline (who, why, when) and on the case's timeline.
"""

from flask_babel import lazy_gettext as _l

from .. import policy
from ..deadlines import ledger
from ..extensions import db
from ..models import Deadline, User
from .audit import append_event
from .cases import conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, ValidationFailed

MAX_REASON = 2000
WAIVABLE = ("open", "missed")


class ReasonRequired(ValidationFailed):
    default_message = _l("Give the reason for waiving this deadline.")


class NotSupervisorOfPlace(Forbidden):
    default_message = _l("Only a supervisor of the case's jurisdiction may waive its deadlines.")


class NotWaivable(InvalidTransitionError):
    default_message = _l("Only an open or missed deadline that nobody has met can be waived.")


def may_waive(actor: User, deadline: Deadline) -> bool:
    """Whether this user may waive deadlines of this case (the check of the form's button)."""
    return (
        actor is not None
        and actor.is_authenticated
        and actor.role == "supervisor"
        and policy.in_jurisdiction(actor, deadline.case)
    )


def is_waivable(deadline: Deadline) -> bool:
    return deadline.status in WAIVABLE and deadline.closed_at is None


def check_waive(deadline: Deadline, actor: User) -> None:
    """May `actor` waive `deadline` now: state (409), then role (403); the deadline is in
    scope already (404). The deadline row is re-read under a lock (PostgreSQL: SELECT …
    FOR UPDATE) held to the end of the transaction: a waiver does not go through the
    case's version, so of two at once (or a waiver and the deadline being met) the second
    waits for the first to commit, then reads the new status and is refused."""
    db.session.flush()
    db.session.refresh(deadline, with_for_update=True)
    if not is_waivable(deadline):
        raise NotWaivable()
    if not may_waive(actor, deadline):
        raise NotSupervisorOfPlace()


@conflicts_as_409
def waive(deadline: Deadline, actor: User, reason) -> Deadline:
    """Waive `deadline` for `actor` with `reason`; the caller commits. `reason` is the
    text, or a callable returning it (raising ValidationFailed for a malformed body), so
    that the fields are judged only after the state and the role."""
    check_waive(deadline, actor)
    if callable(reason):
        reason = reason()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(fields={"reason": [_l("Give the reason for waiving this deadline.")]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            fields={"reason": [_l("At most %(max)d characters.", max=MAX_REASON)]}
        )
    case = deadline.case
    ledger.waive(deadline, actor, reason)
    touch(case)
    append_event(
        case,
        actor,
        "deadline_waived",
        case.state,
        reason,
        {"deadline_id": deadline.id, "kind": deadline.kind},
    )
    flush()
    return deadline
