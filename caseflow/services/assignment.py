"""Assignment inside the owner unit: the unit's lead gives a case to one of its workers.

"Lead" is a flag on the user (users.is_lead), set by an administrator: a unit's hierarchy
is not the roles' (a police station has only `police` users), so it is said per person.
A lead acts only for the unit that owns the case; the worker must be an active user of
that unit who may see identities. Each assignment is an event and tells the assignee
once (keyed by the event), in the same transaction: a rolled-back assignment tells no one.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Case, User
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, ValidationFailed
from .notifications import notify


def workers(case: Case) -> list[User]:
    """Who the case may be given to: the active users of its owner unit who see identities."""
    if case.owner_org_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == case.owner_org_id,
                User.active,
                User.role.not_in(policy.NO_IDENTITY_ROLES),
            )
            .order_by(User.display_name, User.id)
        )
    )


@conflicts_as_409
def assign(case: Case, actor: User, worker_id, version) -> Case:
    """Order: version (409), state (409), role (403), the worker (422)."""
    check_version(case, version)
    if not case.is_open:
        raise InvalidTransitionError(_l("Only an open case can be assigned."))
    if not policy.can_assign(actor, case):
        raise Forbidden(_l("Only a lead of the unit handling this case may assign it."))
    worker = next((u for u in workers(case) if u.id == worker_id), None)
    if worker is None or isinstance(worker_id, bool):
        raise ValidationFailed(fields={"user": [_l("Choose a worker of the handling unit.")]})
    if case.owner_user_id == worker.id:
        raise ValidationFailed(fields={"user": [_l("The case is already assigned to them.")]})
    previous = case.owner_user_id
    case.owner_user_id = worker.id
    touch(case)
    event = append_event(
        case,
        actor,
        "assigned",
        case.state,
        "",
        {"user_id": worker.id, "previous_user_id": previous},
    )
    flush()
    notify(
        worker,
        f"assigned:{case.id}:{event.seq}",
        "assigned",
        _("Case %(number)s assigned to you", number=case.number),
        _("%(lead)s assigned case %(number)s to you.", lead=actor.display_name, number=case.number),
        case,
    )
    return case
