"""Follow-up visits (跟踪回访)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from .. import policy, timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, User, Visit
from .act_times import entry_marks
from .audit import append_event
from .cases import check_version, conflicts_as_409, flush, touch
from .common import VISIT_KINDS, open_next_planned_visit
from .errors import Forbidden, InvalidTransitionError, ValidationFailed


def check_record(case: Case, actor: User, version) -> None:
    """May `actor` record a visit now: version (409), state (409), role (403). The case row
    is re-read under a lock first, so of two visits sent at once on the same version the
    second waits for the first and then fails the version check: a clean 409."""
    db.session.flush()
    db.session.refresh(case, with_for_update=True)
    check_version(case, version)
    if not case.is_open:
        raise InvalidTransitionError(_l("Visits can only be recorded on an open case."))
    if not policy.can_record_visit(actor, case):
        raise Forbidden(_l("You may not record visits on this case."))


@conflicts_as_409
def record(
    case: Case,
    actor: User,
    done_at: datetime,
    method: str,
    outcome: str,
    notes: str,
    next_due: datetime | None,
    version,
) -> Visit:
    check_record(case, actor, version)
    now = timeutil.now()
    if done_at > now:
        raise ValidationFailed(fields={"done_at": [_l("A visit cannot be dated in the future.")]})
    started = case_started_at(case)
    if done_at < started.replace(second=0, microsecond=0):
        raise ValidationFailed(
            fields={
                "done_at": [
                    _l(
                        "A visit cannot be before the case began (%(when)s).",
                        when=timeutil.to_local(started).strftime("%Y-%m-%d %H:%M"),
                    )
                ]
            }
        )
    if next_due is not None and next_due <= now:
        raise ValidationFailed(fields={"next_due": [_l("The next visit must be in the future.")]})
    visit = Visit(
        case=case,
        done_at=done_at,
        by_user_id=actor.id,
        method=method,
        outcome=outcome,
        notes=notes,
        next_due=next_due,
        recorded_at=now,
    )
    db.session.add(visit)
    for kind in VISIT_KINDS:
        ledger.meet(case, kind, done_at)
    if next_due is not None:
        ledger.open_deadline(case, "visit_due", start=now, due_at=next_due)
    else:
        open_next_planned_visit(case, now)
    touch(case)
    db.session.flush()
    _alert_supervisors(case, visit)
    append_event(
        case,
        actor,
        "visit_recorded",
        case.state,
        notes,
        {
            "method": method,
            "outcome": outcome,
            "done_at": done_at.isoformat(),
            **entry_marks(done_at, now),
        },
    )
    flush()
    return visit


def case_started_at(case: Case) -> datetime:
    """The first legal moment of the case, which no visit can precede: the report made, the
    call received, else the case's creation (an application, a referral)."""
    if case.type == "mandatory_report" and case.mandatory_report is not None:
        return min(case.mandatory_report.reported_at, case.created_at)
    if case.type == "dv_warning" and case.dv_incident is not None:
        return min(case.dv_incident.call_at, case.created_at)
    return case.created_at


def _alert_supervisors(case: Case, visit: Visit) -> None:
    """An `escalate` visit, or a second `unreachable` in a row, tells the supervisors of the
    place at once (no identity in the text: the case number and a link)."""
    from flask_babel import gettext as _

    from .notifications import notify_all
    from .sweeps import supervisors_over

    earlier = [v for v in case.visits if v.id != visit.id and v.done_at <= visit.done_at]
    previous = max(earlier, key=lambda v: v.done_at, default=None)
    if visit.outcome == "escalate":
        subject = _("%(number)s: a follow-up visit asks for escalation", number=case.number)
    elif (
        visit.outcome == "unreachable"
        and previous is not None
        and previous.outcome == "unreachable"
    ):
        subject = _("%(number)s: the person was unreachable twice in a row", number=case.number)
    else:
        return
    notify_all(
        supervisors_over(case.jurisdiction),
        f"visit-alert:{visit.id}",
        "visit_alert",
        subject,
        subject,
        case,
    )
