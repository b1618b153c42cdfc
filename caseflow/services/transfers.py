"""Transfer of an open case, in any state, to another unit that handles its type.

The owner unit offers it with a reason; the receiving unit sees the case until it answers;
it accepts (it becomes the owner, the assignee is cleared) or declines with a reason (the
owner keeps it). One offer open at a time. Each step is an event, and the other side is
told (services.case_notifications), once, in the same transaction.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from .. import policy, timeutil
from ..extensions import db
from ..models import Case, CaseTransfer, Jurisdiction, Organisation, User
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, ValidationFailed
from .notifications import notify_all

MAX_REASON = 2000


def receiving_units(case: Case) -> list[Organisation]:
    """Units that handle the case's type for its place: an active user whose role handles
    the type, in a unit whose jurisdiction contains the place; not the owner."""
    roles = [r for r, types in policy.ROLE_CASE_TYPES.items() if case.type in types]
    ancestors = [c for c in case.jurisdiction.path.split("/") if c]
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Jurisdiction, Organisation.jurisdiction_id == Jurisdiction.id)
            .where(
                Jurisdiction.code.in_(ancestors),
                Organisation.id != case.owner_org_id,
                exists().where(
                    User.organisation_id == Organisation.id, User.active, User.role.in_(roles)
                ),
            )
            .order_by(Jurisdiction.path.desc(), Organisation.name)
        )
    )


def pending(case: Case) -> CaseTransfer | None:
    return db.session.scalar(
        select(CaseTransfer).where(
            CaseTransfer.case_id == case.id, CaseTransfer.status == "pending"
        )
    )


def _reason(text, field="reason"):
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationFailed(fields={field: [_l("Give the reason.")]})
    if len(text) > MAX_REASON:
        raise ValidationFailed(fields={field: [_l("At most 2000 characters.")]})
    return text


def _tell(users, key, case, subject):
    notify_all(users, key, "case_transfer", subject, subject, case)


def _unit(org_id, actor):
    from .case_notifications import _unit as unit_users

    return unit_users(org_id, actor)


@conflicts_as_409
def offer(case: Case, actor: User, to_org_id, reason, version) -> CaseTransfer:
    """Order: version (409), state (409), role (403), fields (422)."""
    check_version(case, version)
    if not case.is_open:
        raise InvalidTransitionError(_l("Only an open case can be transferred."))
    if pending(case) is not None:
        raise InvalidTransitionError(
            _l("A transfer of this case is already waiting for an answer.")
        )
    if not policy.can_offer_transfer(actor, case):
        raise Forbidden(_l("Only the unit handling this case may transfer it."))
    target = next((o for o in receiving_units(case) if o.id == to_org_id), None)
    errors = {}
    if target is None or isinstance(to_org_id, bool):
        errors["to_org"] = [_l("Choose a unit that handles this type of case here.")]
    try:
        reason = _reason(reason)
    except ValidationFailed as exc:
        errors |= exc.fields
    if errors:
        raise ValidationFailed(fields=errors)
    transfer = CaseTransfer(
        case=case,
        from_org_id=case.owner_org_id,
        to_org_id=target.id,
        reason=reason,
        status="pending",
        requested_by_id=actor.id,
        requested_at=timeutil.now(),
    )
    db.session.add(transfer)
    touch(case)
    flush()
    append_event(
        case, actor, "transfer_offered", case.state, reason,
        {"transfer_id": transfer.id, "to_org": target.id},
    )  # fmt: skip
    flush()
    _tell(
        _unit(target.id, actor),
        f"transfer-offered:{transfer.id}",
        case,
        _("Case %(number)s offered to your unit: accept or decline it", number=case.number),
    )
    return transfer


@conflicts_as_409
def answer(transfer: CaseTransfer, actor: User, accept: bool, text, version) -> CaseTransfer:
    case = transfer.case
    check_version(case, version)
    if transfer.status != "pending" or not case.is_open:
        raise InvalidTransitionError(_l("This transfer was already answered."))
    if not policy.can_answer_transfer(actor, transfer):
        raise Forbidden(_l("Only the unit the case is offered to may answer."))
    reason = None if accept else _reason(text)
    transfer.status = "accepted" if accept else "declined"
    transfer.answered_by_id = actor.id
    transfer.answered_at = timeutil.now()
    transfer.answer = reason
    if accept:
        case.owner_org_id = transfer.to_org_id
        case.owner_user_id = None
    touch(case)
    trigger = "transfer_accepted" if accept else "transfer_declined"
    append_event(case, actor, trigger, case.state, reason or "", {"transfer_id": transfer.id})
    flush()
    subject = (
        _("Case %(number)s: the transfer was accepted", number=case.number)
        if accept
        else _("Case %(number)s: the transfer was declined", number=case.number)
    )
    _tell(_unit(transfer.from_org_id, actor), f"transfer-answered:{transfer.id}", case, subject)
    return transfer
