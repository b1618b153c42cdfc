"""Read-side queries: the scoped case list, "my work", the supervisor queue.

Everything here filters with policy.scope() in SQL and paginates in SQL.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from .. import policy, timeutil
from ..deadlines.rules import load
from ..extensions import db
from ..models import (
    Case,
    Deadline,
    Jurisdiction,
    LegalAid,
    ProtectionOrder,
    Referral,
    User,
)
from ..workflows import WORKFLOWS
from .party_search import party_condition


@dataclass
class CaseFilters:
    type: str | None = None
    state: str | None = None
    urgent: bool | None = None
    overdue: bool = False
    jurisdiction: str | None = None  # a code: the place and everything under it
    q: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    owner: int | str | None = None  # a user id, or "none": no person assigned
    owner_org: int | None = None
    open_only: bool = False  # not in a final state of its type


def overdue_clause(at: datetime):
    """A case is overdue while it has a deadline past due that nobody has met."""
    return exists().where(
        Deadline.case_id == Case.id,
        Deadline.closed_at.is_(None),
        or_(Deadline.status == "missed", and_(Deadline.status == "open", Deadline.due_at < at)),
    )


def case_list(user: User, filters: CaseFilters, page: int, per_page: int):
    """(cases, total) for this user's scope and the filters, newest first."""
    conditions = [policy.scope(user)]
    if filters.type:
        conditions.append(Case.type == filters.type)
    if filters.state:
        conditions.append(Case.state == filters.state)
    if filters.urgent is not None:
        conditions.append(Case.urgent.is_(filters.urgent))
    if filters.overdue:
        conditions.append(overdue_clause(timeutil.now()))
    if filters.jurisdiction:
        place = db.session.scalar(
            select(Jurisdiction).where(Jurisdiction.code == filters.jurisdiction)
        )
        if place is None:
            return [], 0
        conditions.append(
            Case.jurisdiction_id.in_(
                select(Jurisdiction.id).where(Jurisdiction.path.startswith(place.path))
            )
        )
    if filters.q:
        escaped = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        text = f"%{escaped}%"
        conditions.append(
            or_(
                func.lower(Case.number).like(text, escape="\\"),
                # Any party's name, ID number or phone, only where the user may see it.
                party_condition(user, filters.q),
            )
        )
    if filters.created_from:
        conditions.append(Case.created_at >= filters.created_from)
    if filters.created_to:
        conditions.append(Case.created_at < filters.created_to)
    if filters.owner == "none":
        conditions.append(Case.owner_user_id.is_(None))
    elif filters.owner is not None:
        conditions.append(Case.owner_user_id == filters.owner)
    if filters.owner_org is not None:
        conditions.append(Case.owner_org_id == filters.owner_org)
    if filters.open_only:
        conditions.append(
            or_(
                *(
                    and_(Case.type == name, Case.state.not_in(wf.final_states))
                    for name, wf in WORKFLOWS.items()
                )
            )
        )
    where = and_(*conditions)
    total = db.session.scalar(select(func.count()).select_from(Case).where(where))
    items = db.session.scalars(
        select(Case)
        .where(where)
        .order_by(Case.urgent.desc(), Case.created_at.desc(), Case.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return items, total


def waiting_for(user: User, limit: int = 50) -> list[tuple[Case, list]]:
    """Open cases on which this user can act now, with the actions they can take."""
    pairs = [
        (wf.name, state)
        for wf in WORKFLOWS.values()
        for state in wf.open_states
        if any(user.role in step.roles for step in wf.steps_from(state))
    ]
    if not pairs:
        return []
    candidates = db.session.scalars(
        select(Case)
        .where(
            policy.scope(user),
            or_(*(and_(Case.type == t, Case.state == s) for t, s in pairs)),
        )
        .order_by(Case.urgent.desc(), Case.updated_at)
        .limit(limit * 4)
    ).all()
    out = []
    for case in candidates:
        steps = [s for s in policy.allowed_steps(user, case) if s.dest is not None]
        if steps:
            out.append((case, steps))
    return out[:limit]


def deadlines_due(user: User, within: timedelta = timedelta(hours=48), limit: int = 100):
    """Open deadlines due soon and unmet missed ones, on cases in scope, soonest first."""
    at = timeutil.now()
    return db.session.scalars(
        select(Deadline)
        .join(Case, Deadline.case_id == Case.id)
        .where(
            policy.scope(user),
            Deadline.closed_at.is_(None),
            or_(
                and_(Deadline.status == "open", Deadline.due_at < at + within),
                Deadline.status == "missed",
            ),
        )
        .order_by(Deadline.due_at)
        .limit(limit)
    ).all()


def closures_to_review(user: User) -> list[Case]:
    """Cases whose closure this supervisor may approve or reject, oldest request first."""
    if user.role != "supervisor":
        return []
    return db.session.scalars(
        select(Case)
        .where(policy.scope(user), Case.state == "closure_requested")
        .order_by(Case.updated_at)
    ).all()


def referrals_to(user: User, open_only: bool = True) -> list[Referral]:
    """The referral inbox of the user's organisation."""
    query = select(Referral).where(Referral.to_org_id == user.organisation_id)
    if open_only:
        query = query.where(Referral.status.in_(("sent", "accepted")))
    return db.session.scalars(query.order_by(Referral.sent_at.desc())).all()


def referrals_from(user: User, open_only: bool = True) -> list[Referral]:
    """The referrals the user's organisation sent, on cases still in the user's scope."""
    # An alias: the scope condition is itself an EXISTS on referrals (see orders_expiring).
    sent = aliased(Referral)
    query = (
        select(sent)
        .join(Case, sent.case_id == Case.id)
        .where(sent.from_org_id == user.organisation_id, policy.scope(user))
    )
    if open_only:
        query = query.where(sent.status.in_(("sent", "accepted")))
    return db.session.scalars(query.order_by(sent.sent_at.desc(), sent.id.desc())).all()


def referral_overdue(referral: Referral, at: datetime | None = None) -> bool:
    """Not answered and past its response deadline (or marked missed by the sweeper)."""
    deadline = referral.deadline
    if referral.status != "sent" or deadline is None or deadline.closed_at is not None:
        return False
    at = at or timeutil.now()
    return deadline.status == "missed" or (deadline.status == "open" and deadline.due_at < at)


def legal_aid_from(case: Case) -> list[Case]:
    """The legal-aid cases referred from this case, oldest first (whoever may open them)."""
    return db.session.scalars(
        select(Case)
        .join(LegalAid, LegalAid.case_id == Case.id)
        .where(LegalAid.source_case_id == case.id)
        .order_by(Case.created_at, Case.id)
    ).all()


def expiry_horizon() -> timedelta:
    """How far ahead an order's expiry is shown: the largest reminder of the rule pack
    (30 days by default; an extension is applied for before the order lapses, Art. 30)."""
    reminder = load(current_app.config["RULE_PACK"]).reminders.get("order_expiry")
    return timedelta(days=max(reminder.days_before) if reminder else 30)


def orders_expiring(user: User, within: timedelta | None = None, limit: int = 100):
    """Protection orders in force, in scope, whose term ends within `within` (by default the
    rule pack's horizon), soonest first: (case, order) pairs."""
    at = timeutil.now()
    within = within if within is not None else expiry_horizon()
    # An alias: the court's scope condition is itself an EXISTS on protection_orders, which
    # would otherwise be correlated with (and lose its FROM to) this query's join.
    order = aliased(ProtectionOrder)
    rows = db.session.execute(
        select(Case, order)
        .join(order, order.case_id == Case.id)
        .where(
            policy.scope(user),
            Case.state.in_(("issued", "in_force")),
            order.expires_at > at,
            order.expires_at <= at + within,
        )
        .order_by(order.expires_at, Case.id)
        .limit(limit)
    ).all()
    return [(case, found) for case, found in rows]


def orders_started_from(user: User, case: Case) -> list[Case]:
    """The protection-order applications started from this DV case that the user may see."""
    order = aliased(ProtectionOrder)
    return db.session.scalars(
        select(Case)
        .join(order, order.case_id == Case.id)
        .where(order.source_case_id == case.id, policy.scope(user))
        .order_by(Case.created_at, Case.id)
    ).all()
