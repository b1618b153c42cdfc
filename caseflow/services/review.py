"""The supervisor's review: the queues of a jurisdiction and its workload, in SQL.

Every query here is filtered by policy.scope(user), so what the page counts is what the
supervisor can open. Sections: closures awaiting approval, missed deadlines, overdue
visits, unanswered referrals past due, and open cases whose latest visit asks for
escalation. Each is filtered by case type and place (a township or village and what lies
under it) and sorted by due time or case number.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from .. import policy, timeutil
from ..extensions import db
from ..models import Case, Deadline, Jurisdiction, Organisation, Referral, User, Visit
from ..workflows import WORKFLOWS
from .common import VISIT_KINDS

SECTIONS = ("closures", "missed", "visits", "referrals", "escalated")
SORTS = ("due", "number")
# Deadlines with a section of their own are not repeated among the missed deadlines.
OWN_SECTION_KINDS = (*VISIT_KINDS, "referral_due")
MAX_ROWS = 200


@dataclass
class ReviewFilters:
    type: str | None = None
    place: str | None = None  # a jurisdiction code: the place and everything under it
    sort: str = "due"
    desc: bool = False

    @classmethod
    def from_args(cls, args) -> "ReviewFilters":
        case_type = args.get("type") or None
        sort = args.get("sort") or "due"
        return cls(
            type=case_type if case_type in WORKFLOWS else None,
            place=(args.get("place") or "").strip()[:32] or None,
            sort=sort if sort in SORTS else "due",
            desc=args.get("dir") == "desc",
        )


@dataclass
class Row:
    case: Case
    at: datetime | None = None  # the time the row is late since (or waiting since)
    deadline: Deadline | None = None
    referral: Referral | None = None
    visit: Visit | None = None


def open_case_clause():
    """The case is not in a final state of its workflow."""
    return or_(
        *(
            and_(Case.type == name, Case.state.not_in(wf.final_states))
            for name, wf in WORKFLOWS.items()
        )
    )


def overdue_deadline(deadline=Deadline, at: datetime | None = None):
    """Nobody met it and it is past due (marked missed by the sweep, or not yet swept)."""
    at = at or timeutil.now()
    return and_(
        deadline.closed_at.is_(None),
        or_(
            deadline.status == "missed",
            and_(deadline.status == "open", deadline.due_at < at),
        ),
    )


def _case_conditions(user: User, filters: ReviewFilters) -> list:
    conditions = [policy.scope(user)]
    if filters.type:
        conditions.append(Case.type == filters.type)
    if filters.place:
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == filters.place))
        if place is None:
            conditions.append(Case.id.is_(None))  # an unknown place holds no case
        else:
            conditions.append(
                Case.jurisdiction_id.in_(
                    select(Jurisdiction.id).where(Jurisdiction.path.startswith(place.path))
                )
            )
    return conditions


def _ordered(query, filters: ReviewFilters, due_column):
    key = Case.number if filters.sort == "number" else due_column
    key = key.desc() if filters.desc else key.asc()
    return query.order_by(key, Case.number, Case.id)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _closures(user, filters):
    query = select(Case).where(*_case_conditions(user, filters), Case.state == "closure_requested")
    return query, Case.updated_at


def _deadlines(user, filters, visits: bool):
    kinds = Deadline.kind.in_(VISIT_KINDS) if visits else Deadline.kind.not_in(OWN_SECTION_KINDS)
    query = (
        select(Deadline)
        .join(Case, Deadline.case_id == Case.id)
        .where(*_case_conditions(user, filters), overdue_deadline(), kinds)
    )
    return query, Deadline.due_at


def _referrals(user, filters):
    # An alias: the scope condition is itself an EXISTS on referrals.
    referral = aliased(Referral)
    query = (
        select(referral)
        .join(Case, referral.case_id == Case.id)
        .join(Deadline, Deadline.referral_id == referral.id)
        .where(*_case_conditions(user, filters), referral.status == "sent", overdue_deadline())
    )
    return query, Deadline.due_at


def _latest_visit(column):
    return (
        select(column)
        .where(Visit.case_id == Case.id)
        .order_by(Visit.done_at.desc(), Visit.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _escalated(user, filters):
    latest_id = _latest_visit(Visit.id)
    query = (
        select(Visit)
        .join(Case, Visit.case_id == Case.id)
        .where(
            *_case_conditions(user, filters),
            open_case_clause(),
            Visit.id == latest_id,
            Visit.outcome == "escalate",
        )
    )
    return query, Visit.done_at


def _query(user, section: str, filters: ReviewFilters):
    if section == "closures":
        return _closures(user, filters)
    if section == "missed":
        return _deadlines(user, filters, visits=False)
    if section == "visits":
        return _deadlines(user, filters, visits=True)
    if section == "referrals":
        return _referrals(user, filters)
    if section == "escalated":
        return _escalated(user, filters)
    raise KeyError(section)


def counts(user: User, filters: ReviewFilters) -> dict[str, int]:
    """The number of rows of every section, with the same filters."""
    if user.role != "supervisor":
        return dict.fromkeys(SECTIONS, 0)
    return {section: _count(_query(user, section, filters)[0]) for section in SECTIONS}


def rows(user: User, section: str, filters: ReviewFilters, limit: int = MAX_ROWS) -> list[Row]:
    """The rows of one section, sorted and filtered."""
    if user.role != "supervisor":
        return []
    query, due_column = _query(user, section, filters)
    found = db.session.scalars(_ordered(query, filters, due_column).limit(limit)).all()
    if section == "closures":
        return [Row(case=c, at=c.updated_at) for c in found]
    if section in ("missed", "visits"):
        return [Row(case=d.case, at=d.due_at, deadline=d) for d in found]
    if section == "referrals":
        return [
            Row(case=r.case, at=r.deadline.due_at, referral=r, deadline=r.deadline) for r in found
        ]
    return [Row(case=v.case, at=v.done_at, visit=v) for v in found]


def places(user: User) -> list[Jurisdiction]:
    """The places of the supervisor's area, for the filter (in tree order)."""
    root = user.organisation.jurisdiction
    return db.session.scalars(
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(root.path))
        .order_by(Jurisdiction.path)
    ).all()


# --- workload -------------------------------------------------------------------------


@dataclass
class Load:
    key: int | None
    name: str
    open_cases: int = 0
    missed: int = 0
    overdue_visits: int = 0

    @property
    def overdue(self) -> int:
        return self.missed + self.overdue_visits


def _grouped(user: User, column, at: datetime) -> dict:
    scoped = policy.scope(user)
    out: dict = {}
    open_rows = db.session.execute(
        select(column, func.count(Case.id)).where(scoped, open_case_clause()).group_by(column)
    ).all()
    for key, n in open_rows:
        out.setdefault(key, [0, 0, 0])[0] = n
    for index, kinds in (
        (1, Deadline.kind.not_in(VISIT_KINDS)),
        (2, Deadline.kind.in_(VISIT_KINDS)),
    ):
        late = db.session.execute(
            select(column, func.count(Deadline.id))
            .select_from(Case)
            .join(Deadline, Deadline.case_id == Case.id)
            .where(scoped, overdue_deadline(at=at), kinds)
            .group_by(column)
        ).all()
        for key, n in late:
            out.setdefault(key, [0, 0, 0])[index] = n
    return out


def workload(user: User) -> tuple[list[Load], list[Load]]:
    """(per worker, per organisation): open cases, missed deadlines and overdue visits of
    the cases in the user's scope, by the case's owner. Counted in SQL under the scope."""
    if user.role != "supervisor":
        return [], []
    at = timeutil.now()
    result = []
    for column, model, attr in (
        (Case.owner_user_id, User, "display_name"),
        (Case.owner_org_id, Organisation, "name"),
    ):
        grouped = _grouped(user, column, at)
        names = {
            obj.id: getattr(obj, attr)
            for obj in db.session.scalars(
                select(model).where(model.id.in_([k for k in grouped if k is not None]))
            )
        }
        loads = [Load(key, names.get(key, ""), *values) for key, values in grouped.items()]
        loads.sort(key=lambda x: (x.key is None, -x.overdue, -x.open_cases, x.name))
        result.append(loads)
    return result[0], result[1]
