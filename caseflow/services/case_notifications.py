"""People told when their case moves (issue: "People told when their case moves").

Each rule names the step and who is told: the reporting unit when its report is accepted,
transferred, verified, found unfounded, referred, and when feedback is sent; the receiving
unit when a referral arrives; the applicant's unit when a protection order is ruled on;
the legal-aid centre when aid is granted (a lawyer is to be assigned). The assignee of a
case is told by services.assignment.

The rows are written through services.notifications in the transaction of the step, keyed
by the case and the event's sequence number (or the referral's id), so each move is told
once, a rolled-back step tells no one, and the emails leave the outbox only after the
commit. The texts carry the case number, the step and a unit's name, never a person's
identity. Whether each person gets an email at once or a digest is their own setting.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..models import Case, Event, Referral, User
from .notifications import notify_all

# The roles that never get case notifications (they see no identities or no cases).
SILENT_ROLES = policy.NO_IDENTITY_ROLES


def _unit(org_id: int | None, actor: User | None) -> list[User]:
    """The active users of a unit who may hear about cases, without the one who acted."""
    if org_id is None:
        return []
    users = db.session.scalars(
        select(User)
        .where(User.organisation_id == org_id, User.active, User.role.not_in(SILENT_ROLES))
        .order_by(User.id)
    ).all()
    return [u for u in users if actor is None or u.id != actor.id]


def _reporting_unit(case: Case, actor: User | None) -> list[User]:
    return _unit(case.created_by.organisation_id, actor)


def _owner_unit(case: Case, actor: User | None) -> list[User]:
    return _unit(case.owner_org_id, actor)


# (case type, trigger) → who is told.
RULES = {
    ("mandatory_report", "accept"): _reporting_unit,
    ("mandatory_report", "transfer"): _reporting_unit,
    ("mandatory_report", "verify"): _reporting_unit,
    ("mandatory_report", "mark_unfounded"): _reporting_unit,
    ("mandatory_report", "refer"): _reporting_unit,
    ("mandatory_report", "send_feedback"): _reporting_unit,
    ("protection_order", "issue_order"): _reporting_unit,
    ("protection_order", "reject"): _reporting_unit,
    ("legal_aid", "grant"): _owner_unit,
}


def after_step(case: Case, actor: User | None, step, event: Event) -> int:
    """Tell the people the rule of this step names. Returns how many were told."""
    rule = RULES.get((case.type, step.trigger))
    if rule is None:
        return 0
    people = rule(case, actor)
    if not people:
        return 0
    return notify_all(
        people,
        f"case-move:{case.id}:{event.seq}",
        "case_moved",
        _("Case %(number)s: %(step)s", number=case.number, step=step.label),
        _(
            "%(unit)s: %(step)s on case %(number)s.",
            unit=actor.organisation.name if actor else _("System"),
            step=step.label,
            number=case.number,
        ),
        case,
    )


def referral_arrived(referral: Referral, actor: User) -> int:
    """Tell the receiving unit that a referral arrived (once per referral)."""
    case = referral.case
    return notify_all(
        _unit(referral.to_org_id, actor),
        f"referral-arrived:{referral.id}",
        "referral_arrived",
        _("Referral of case %(number)s to your unit", number=case.number),
        _(
            "%(unit)s referred case %(number)s to your unit; answer it from the referral inbox.",
            unit=actor.organisation.name,
            number=case.number,
        ),
        case,
    )
