"""Read-side queries: the scoped case list, "my work", the supervisor queue.

Everything here filters with policy.scope() in SQL and paginates in SQL.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false, func, or_, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from .. import policy, timeutil
from ..deadlines.rules import load
from ..extensions import db
from ..models import (
    Case,
    Deadline,
    Jurisdiction,
    LegalAid,
    Person,
    ProtectionOrder,
    Referral,
    User,
)
from ..workflows import WORKFLOWS
from .party_search import linked_cases, party_condition, person_matches


class Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a select, its parameters bound as usual."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element, compiler, **kw):
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


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
    """A case is overdue while it has a deadline past due that nobody has met: its
    next_due_at (kept by deadlines.ledger) is in the past."""
    return Case.next_due_at < at


# Up to this many matching cases are counted exactly; beyond, the total is PostgreSQL's
# estimate and said to be one (page and API: `total_estimated`).
COUNT_CAP = 1000
# Search collects the ids of the cases and persons matching the text first (trigram
# indexes), then applies the scope to those ids; past this many it searches in one statement.
CANDIDATE_CAP = 5000

LIST_ORDER = (Case.urgent.desc(), Case.created_at.desc(), Case.id.desc())
_KEY = tuple_(Case.urgent, Case.created_at, Case.id)


@dataclass
class CasePage:
    """One page of the list: its cases, the total (exact or estimated) and the cursor that
    lets the next page numbers be read by key rather than by offset."""

    items: list
    total: int
    estimated: bool = False
    page: int = 1
    cursor: str | None = None
    more: bool = False

    def __iter__(self):  # items, total = case_list(...)
        yield self.items
        yield self.total

    def __getitem__(self, index):
        return (self.items, self.total)[index]


def _key_text(case: Case) -> str:
    at = case.created_at
    micros = int(at.timestamp()) * 1_000_000 + at.microsecond
    return f"{int(bool(case.urgent))}.{micros}.{case.id}"


def _key_value(text: str):
    urgent, micros, case_id = text.split(".")
    if urgent not in ("0", "1"):
        raise ValueError(text)
    seconds, rest = divmod(int(micros), 1_000_000)
    at = datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest)
    case_id = int(case_id)
    if not 0 < case_id <= policy.MAX_ID:
        raise ValueError(text)
    return urgent == "1", at, case_id


def make_cursor(page: int, items: list) -> str | None:
    """The page number with the keys of its first and last case."""
    if not items:
        return None
    return f"{page}~{_key_text(items[0])}~{_key_text(items[-1])}"


def read_cursor(text: str | None):
    """(page, first key, last key), or None for a cursor that is not one of ours (the page
    is then read by offset: a cursor changes how, never what)."""
    if not text or len(text) > 120:
        return None
    try:
        page, first, last = text.split("~")
        page = int(page)
        if not 0 < page <= 1_000_000:
            return None
        return page, _key_value(first), _key_value(last)
    except (ValueError, OverflowError, OSError):
        return None


def _subtree_ids(path: str) -> list[int]:
    return list(
        db.session.scalars(select(Jurisdiction.id).where(Jurisdiction.path.startswith(path)))
    )


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_condition(user: User, q: str):
    """Cases whose number contains the text, or with a party matching it whom the user may
    see. The candidates are collected first through the trigram indexes, then the identity
    rules apply to those ids only; a text matching too many falls back to one statement."""
    number_ids = list(
        db.session.scalars(
            select(Case.id)
            .where(func.lower(Case.number).like(_like(q), escape="\\"))
            .limit(CANDIDATE_CAP + 1)
        )
    )
    persons = []
    if user is not None and user.is_authenticated and user.role not in policy.NO_IDENTITY_ROLES:
        persons = db.session.execute(
            select(Person.id, Person.case_id, Person.role)
            .where(person_matches(q))
            .limit(CANDIDATE_CAP + 1)
        ).all()
    if len(number_ids) > CANDIDATE_CAP or len(persons) > CANDIDATE_CAP:
        return or_(func.lower(Case.number).like(_like(q), escape="\\"), party_condition(user, q))
    parties = sorted({case_id for _id, case_id, role in persons if role != "reporter"})
    reporters = sorted({case_id for _id, case_id, role in persons if role == "reporter"})
    conditions = []
    if number_ids:
        conditions.append(Case.id.in_(number_ids))
    if parties:
        conditions.append(and_(Case.id.in_(parties), policy.identity_scope(user)))
        matched = sorted({pid for pid, _case_id, role in persons if role != "reporter"})
        conditions.append(
            and_(Case.id.in_(linked_cases(user, matched)), policy.identity_scope(user))
        )
    if reporters:
        conditions.append(
            and_(
                Case.id.in_(reporters),
                or_(Case.created_by_id == user.id, Case.owner_org_id == user.organisation_id),
            )
        )
    return or_(*conditions) if conditions else false()


def _estimate(query) -> int:
    """The planner's estimate of the rows of a query (PostgreSQL)."""
    plan = db.session.execute(Explain(query)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _total(where, items: list, page: int, per_page: int, first_offset: int | None):
    """(total, estimated): exact up to COUNT_CAP, PostgreSQL's estimate beyond."""
    if page == 1 and len(items) < per_page:
        return len(items), False
    if first_offset is not None and 0 < len(items) < per_page:
        return first_offset + len(items), False
    postgres = db.engine.dialect.name == "postgresql"
    estimate = _estimate(select(Case.id).where(where)) if postgres else None
    if estimate is not None and estimate > 10 * COUNT_CAP:
        return estimate, True  # far beyond the cap: counting would tell nothing more
    capped = select(func.count()).select_from(
        select(Case.id).where(where).limit(COUNT_CAP + 1).subquery()
    )
    counted = db.session.scalar(capped)
    if counted <= COUNT_CAP:
        return counted, False
    if not postgres:
        return db.session.scalar(select(func.count()).select_from(Case).where(where)), False
    # Never below what is known to exist.
    return max(estimate, COUNT_CAP + 1), True


def case_list(user: User, filters: CaseFilters, page: int, per_page: int, cursor=None):
    """A CasePage of this user's scope and the filters, urgent first, newest first.

    A page reached from a neighbouring page's cursor is read by key (WHERE the list's key
    is past that page's last or first case), so deep pages cost what page 1 costs and no
    case is shown twice or skipped while new cases come in; without a cursor, by offset."""
    conditions = [policy.list_scope(user)]
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
            return CasePage([], 0, page=page)
        conditions.append(Case.jurisdiction_id.in_(_subtree_ids(place.path)))
    if filters.q:
        conditions.append(_search_condition(user, filters.q))
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
    query = (
        select(Case).where(where).options(joinedload(Case.jurisdiction), joinedload(Case.owner_org))
    )
    anchor = read_cursor(cursor) if page > 1 else None
    first_offset = (page - 1) * per_page
    if anchor is not None and anchor[0] != page:
        anchor_page, first_key, last_key = anchor
        if page > anchor_page:
            skip = (page - anchor_page - 1) * per_page
            items = db.session.scalars(
                query.where(_KEY < tuple_(*last_key))
                .order_by(*LIST_ORDER)
                .offset(skip)
                .limit(per_page)
            ).all()
        else:
            skip = (anchor_page - page - 1) * per_page
            items = db.session.scalars(
                query.where(_KEY > tuple_(*first_key))
                .order_by(Case.urgent, Case.created_at, Case.id)
                .offset(skip)
                .limit(per_page)
            ).all()[::-1]
        first_offset = None  # where the anchor stands now is not known
    else:
        items = db.session.scalars(
            query.order_by(*LIST_ORDER).offset(first_offset).limit(per_page)
        ).all()
    total, estimated = _total(where, items, page, per_page, first_offset)
    return CasePage(
        items=items,
        total=total,
        estimated=estimated,
        page=page,
        cursor=make_cursor(page, items),
        more=len(items) == per_page,
    )


def page_window(page: int, pages: int, more: bool, width: int = 2) -> list[int | None]:
    """The page numbers a list shows: the first, the neighbours of this one, the last one
    (when the total is known); None where numbers are left out."""
    last = max(pages, page + (1 if more else 0))
    numbers = sorted({1, last, *range(max(1, page - width), min(last, page + width) + 1)})
    window: list[int | None] = []
    for number in numbers:
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window


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
