"""Referrals to other departments and their answers (workflows.md "Common parts")."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from .. import policy, timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, Organisation, Referral, User
from .audit import append_event
from .cases import conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, ValidationFailed

# Which answers are possible from which status, and what each needs.
ANSWERS = {
    "accept": ("sent", "accepted"),
    "decline": ("sent", "declined"),
    "complete": ("accepted", "completed"),
    "withdraw": (("sent", "accepted"), "withdrawn"),
}


def send(
    case: Case, actor: User, to_orgs: list[Organisation], reason: str, due_at: datetime | None
) -> list[Referral]:
    """Refer the case to each organisation, with a response deadline per referral."""
    now = timeutil.now()
    if due_at is not None and due_at <= now:
        raise ValidationFailed(
            fields={"due_at": [_l("The response deadline must be in the future.")]}
        )
    out = []
    for org in to_orgs:
        if not org.active or not org.referable:
            raise ValidationFailed(
                fields={"to_orgs": [_l("%(org)s does not take referrals.", org=org.name)]}
            )
        if org.id == actor.organisation_id:
            raise ValidationFailed(
                fields={"to_orgs": [_l("You cannot refer a case to your own unit.")]}
            )
        if any(r.to_org_id == org.id and r.is_open for r in case.referrals):
            raise ValidationFailed(
                fields={"to_orgs": [_l("%(org)s already has an open referral.", org=org.name)]}
            )
        referral = Referral(
            case=case,
            to_org=org,
            from_org_id=actor.organisation_id,
            reason=reason,
            status="sent",
            sent_at=now,
            sent_by_id=actor.id,
        )
        db.session.add(referral)
        db.session.flush()
        deadline = ledger.open_deadline(case, "referral_due", start=now, due_at=due_at)
        deadline.referral = referral
        out.append(referral)
    from .case_notifications import referral_arrived

    for referral in out:
        referral_arrived(referral, actor)
    return out


def check_add(case: Case, actor: User, version) -> None:
    """May `actor` refer `case` now: version (409), state (409), role (403)."""
    from .cases import check_version

    check_version(case, version)
    if not case.is_open:
        raise InvalidTransitionError()
    if case.owner_org_id != actor.organisation_id:
        raise Forbidden(_l("Only the unit handling this case may refer it."))


@conflicts_as_409
def add(case: Case, actor: User, to_orgs, reason: str, due_at, version) -> list[Referral]:
    """A referral outside the `refer` step: allowed to the handling unit on an open case."""
    check_add(case, actor, version)
    referrals = send(case, actor, to_orgs, reason, due_at)
    touch(case)
    append_event(
        case,
        actor,
        "referral_sent",
        case.state,
        reason,
        {"referral_ids": [r.id for r in referrals], "to_orgs": [o.id for o in to_orgs]},
    )
    flush()
    return referrals


def lock(referral: Referral) -> None:
    """Re-read the referral under a row lock (PostgreSQL: SELECT … FOR UPDATE) and hold it
    to the end of the transaction. Of two answers at once, the second waits here for the
    first to commit, then reads the new status and is refused (409): an answer does not
    go through the case's version (it may be sent without one), so the row decides."""
    db.session.flush()
    db.session.refresh(referral, with_for_update=True)


def check_answer(referral: Referral, actor: User, action: str) -> None:
    """May `actor` give this answer now: state (409), then role (403). Takes the row lock."""
    if action not in ANSWERS:
        raise Forbidden(_l("Unknown action."))
    lock(referral)
    sources = ANSWERS[action][0]
    if referral.status not in (sources if isinstance(sources, tuple) else (sources,)):
        raise InvalidTransitionError(_l("This referral has already been answered."))
    if linked_case(referral) is not None:
        raise InvalidTransitionError(
            _l("This referral is answered by the steps of its legal-aid case.")
        )
    if not policy.can_do_referral_action(actor, referral, action):
        raise Forbidden(_l("This referral is not addressed to your unit."))


@conflicts_as_409
def answer(referral: Referral, actor: User, action: str, text: str) -> Referral:
    """accept / decline (reason) / complete (outcome) by the receiving unit; withdraw by the sender."""
    check_answer(referral, actor, action)
    if action == "decline" and not text:
        raise ValidationFailed(fields={"reason": [_l("A reason is required to decline.")]})
    if action == "complete" and not text:
        raise ValidationFailed(fields={"outcome": [_l("The outcome is required to complete.")]})
    settle(referral, actor, action, text)
    flush()
    return referral


def linked_case(referral: Referral):
    """The legal-aid case this referral belongs to, whose steps answer it, if any."""
    from ..models import LegalAid

    return db.session.scalar(db.select(LegalAid).where(LegalAid.referral_id == referral.id))


def settle(referral: Referral, actor: User, action: str, text: str) -> None:
    """Record an answer (permissions already checked) and show it on the sending case."""
    target = ANSWERS[action][1]
    now = timeutil.now()
    referral.status = target
    referral.answered_at = referral.answered_at if action == "complete" else now
    referral.answered_by_id = actor.id
    if text:
        referral.answer = text
    if referral.deadline is not None and referral.deadline.closed_at is None:
        if action == "withdraw":
            ledger.waive(referral.deadline, actor, "referral withdrawn", now)
        else:
            ledger.close(referral.deadline, now)
    case = referral.case
    touch(case)
    append_event(
        case,
        actor,
        f"referral_{target}",
        case.state,
        text or "",
        {"referral_id": referral.id, "to_org": referral.to_org_id},
    )
