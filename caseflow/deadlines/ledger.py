"""Opening, meeting and sweeping deadline rows."""

from datetime import datetime

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, attributes
from sqlalchemy.orm.util import identity_key

from .. import timeutil
from ..extensions import db
from ..models import Case, Deadline
from .calendar import Due
from .rules import Rule


def rule_for(kind: str, case: Case) -> Rule:
    """The rule in force for this kind of deadline at the case's place."""
    from ..services.rule_overrides import current_pack

    return current_pack().rule(kind, case.jurisdiction.path)


def open_deadline(
    case: Case,
    kind: str,
    start: datetime | None = None,
    due_at: datetime | None = None,
    rule: str | None = None,
) -> Deadline:
    """Open a deadline of `kind` counted from `start` (now by default) by the rule pack,
    or at an explicit `due_at` (a visit date the team agreed). `rule` names another entry
    of the pack for this kind (the 24-hour urgent ruling is still a `ruling_due`)."""
    rule = rule_for(rule or kind, case)
    start = start or timeutil.now()
    # Counted before the row exists: reading the calendar may flush the session.
    due = rule.due(start, timeutil.local_zone()) if due_at is None else None
    deadline = Deadline(
        case=case, kind=kind, opened_at=start, due_at=due_at, basis=rule.basis, status="open"
    )
    db.session.add(deadline)
    if due is not None:
        counted(deadline, rule, start, due)
    return deadline


def counted(deadline: Deadline, rule: Rule, start: datetime, due: Due) -> None:
    """Give a deadline the due time `rule` counts from `start`, and keep how it was counted:
    a day period is counted again when the calendar of a year it touches changes."""
    deadline.due_at = due.at
    deadline.basis = rule.basis
    deadline.provisional = due.provisional
    deadline.counted_from = start if rule.days is not None else None
    deadline.period_days = rule.days


def close(deadline: Deadline, at: datetime | None = None) -> None:
    """Meet a deadline: `met` if on time, `missed` (done late) otherwise."""
    at = at or timeutil.now()
    on_time = at <= deadline.due_at
    deadline.status = "met" if on_time else "missed"
    deadline.done_late = not on_time
    deadline.closed_at = at


def meet(case: Case, kind: str, at: datetime | None = None) -> list[Deadline]:
    """Close the open deadlines of this kind on the case; a missed one records it was done."""
    at = at or timeutil.now()
    closed = []
    for deadline in case.deadlines:
        if deadline.kind != kind or deadline.closed_at is not None:
            continue
        if deadline.status in ("open", "missed"):
            close(deadline, at)
            closed.append(deadline)
    return closed


def waive(deadline: Deadline, by, reason: str, at: datetime | None = None) -> None:
    deadline.status = "waived"
    deadline.closed_at = at or timeutil.now()
    deadline.waived_by_id = by.id
    deadline.waiver_reason = reason


def sweep(at: datetime | None = None) -> int:
    """Mark every open deadline past its due time as missed. Safe to run twice or at once
    from two hosts: one UPDATE with the status in its WHERE clause."""
    at = at or timeutil.now()
    result = db.session.execute(
        update(Deadline)
        .where(Deadline.status == "open", Deadline.due_at < at)
        .values(status="missed")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


# --- cases.next_due_at ----------------------------------------------------------------------
#
# The one place that keeps the column: every flush that adds, changes or deletes a deadline
# row through the ORM (opening, meeting, waiving, a calendar recount) refreshes its case's
# next_due_at in the same transaction. Code that changes deadlines with Core statements
# (set-based sweeps) calls refresh_next_due itself with the cases it touched, or a select
# of their ids. Marking an open deadline missed changes nothing: it is still unmet.

UNMET = ("open", "missed")


def next_due_of(case_id_column):
    """The correlated earliest due time of the unmet deadlines of a case."""
    return (
        select(func.min(Deadline.due_at))
        .where(
            Deadline.case_id == case_id_column,
            Deadline.closed_at.is_(None),
            Deadline.status.in_(UNMET),
        )
        .scalar_subquery()
    )


def refresh_next_due(case_ids, session=None) -> None:
    """Recompute cases.next_due_at for these cases (ids, or a select of ids)."""
    session = session or db.session
    if isinstance(case_ids, list | set | tuple):
        case_ids = sorted(set(case_ids))
        if not case_ids:
            return
    rows = session.execute(
        update(Case)
        .where(Case.id.in_(case_ids))
        .values(next_due_at=next_due_of(Case.id))
        .returning(Case.id, Case.next_due_at)
        .execution_options(synchronize_session=False)
    ).all()
    # Cases loaded in this session see the new value without a reload (and stay clean).
    identity = session.identity_map
    for case_id, value in rows:
        case = identity.get(identity_key(Case, case_id))
        if case is not None:
            attributes.set_committed_value(case, "next_due_at", value)


_TRACKED = ("due_at", "status", "closed_at", "case_id")


def _touched_deadlines(session) -> list[Deadline]:
    touched = [o for o in list(session.new) + list(session.deleted) if isinstance(o, Deadline)]
    for obj in session.dirty:
        if isinstance(obj, Deadline):
            state = attributes.instance_state(obj)
            if any(state.attrs[name].history.has_changes() for name in _TRACKED):
                touched.append(obj)
    return touched


@event.listens_for(Session, "before_flush")
def _remember_deadline_changes(session, _flush_context, _instances):
    touched = _touched_deadlines(session)
    if touched:
        session.info.setdefault("next_due_deadlines", []).extend(touched)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_after_flush(session, _flush_context):
    pending = session.info.pop("next_due_deadlines", None)
    if pending:
        # The case ids of new cases are known only now.
        refresh_next_due({d.case_id for d in pending if d.case_id is not None}, session)
