"""One person across cases: proposals, links, merges, repeat abusers, high-risk households.

A party of a case (models.Person, with its role there) is linked to a person record
(models.PersonRecord) only when a user chooses it: a proposed record, or a new one.
Proposals search the parties of the cases whose identities the user may see
(policy.identity_scope; a reporter only for the handling unit and the reporter), so a
person outside that scope is never proposed, and a record known only there gives the same
answer as no record at all. Every answer naming a person logs the cases it shows.

Repeat abusers and the high-risk household list count only cases within the user's scope
(policy.scope): a count is a disclosure.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from .. import policy, timeutil
from ..deadlines.rules import load
from ..extensions import db
from ..models import (
    Case,
    DvIncident,
    Event,
    Person,
    PersonLink,
    PersonMerge,
    PersonRecord,
    ProtectionOrder,
    ScreeningVisit,
    User,
    Visit,
)
from ..vocab import SCREENING_OUTCOMES
from . import person_keys
from .access_log import log_access
from .audit import append_event
from .cases import conflicts_as_409, flush, touch
from .errors import Forbidden, InvalidTransitionError, NotFound, ValidationFailed

ABUSER_ROLES = ("abuser", "respondent")
DV_TYPES = ("dv_warning", "protection_order")
MERGE_ROLES = frozenset({"supervisor", "child_supervisor"})
SCREENING_ROLES = frozenset({"police", "womens_federation"})
HIGH_RISK_ROLES = SCREENING_ROLES | {"supervisor"}
SCREENING_RULE = "household_screening_due"
SOON_DAYS = 14  # a screening due within this many days shows as due
MAX_TEXT = 2000


# --- who may see which party -------------------------------------------------------------


def party_scope(user: User):
    """The SQL condition on Person ⋈ Case: the parties whose identity this user sees."""
    if user is None or not user.is_authenticated or user.role in policy.NO_IDENTITY_ROLES:
        return None
    return or_(
        and_(Person.role != "reporter", policy.identity_scope(user)),
        and_(
            Person.role == "reporter",
            or_(Case.created_by_id == user.id, Case.owner_org_id == user.organisation_id),
        ),
    )


def can_see_party(user: User, case: Case, party: Person) -> bool:
    if party.role == "reporter":
        return policy.can_see_reporter(user, case)
    return policy.can_see_identity(user, case)


def _scoped_links(user: User, *conditions):
    """(link, party, case) rows of parties this user sees, matching the conditions."""
    condition = party_scope(user)
    if condition is None:
        return []
    return db.session.execute(
        select(PersonLink, Person, Case)
        .join(Person, Person.id == PersonLink.person_id)
        .join(Case, Case.id == Person.case_id)
        .where(condition, *conditions)
        .order_by(Case.created_at.desc(), Person.id)
    ).all()


# --- proposals ---------------------------------------------------------------------------


@dataclass
class Proposal:
    record_id: int
    matched_by: list[str]
    party: Person  # the in-scope party the record is shown by
    cases: list[tuple[Case, str]] = field(default_factory=list)  # (case, role), in scope


def keys_of(values) -> dict:
    """The normalised keys of a party (a Person or a dict of its fields)."""

    def get(name):
        return values.get(name) if isinstance(values, dict) else getattr(values, name)

    birth = get("birth_date")
    if isinstance(birth, str):
        try:
            birth = date.fromisoformat(birth)
        except ValueError:
            birth = None
    return {
        "id_number": person_keys.id_number(get("id_number")),
        "phone": person_keys.phone(get("phone")),
        "name_key": person_keys.name_key(get("name")),
        "name_pinyin": person_keys.name_pinyin(get("name")),
        "birth_date": birth,
    }


def proposals(user: User, given, exclude_record: int | None = None) -> list[Proposal]:
    """Records of persons within the user's identity scope matching the given party by ID
    number, phone, or name (variant characters, pinyin) with the birth date."""
    keys = keys_of(given)
    tests = []
    if keys["id_number"]:
        tests.append(("id_number", PersonLink.id_number == keys["id_number"]))
    if keys["phone"]:
        tests.append(("phone", PersonLink.phone == keys["phone"]))
    if keys["birth_date"] and keys["name_key"]:
        tests.append(
            (
                "name_birth",
                and_(
                    PersonLink.birth_date == keys["birth_date"],
                    or_(
                        PersonLink.name_key == keys["name_key"],
                        PersonLink.name_pinyin == keys["name_pinyin"],
                    ),
                ),
            )
        )
    if not tests:
        return []
    rows = _scoped_links(user, or_(*(t for _, t in tests)))
    found: dict[int, Proposal] = {}
    for link, party, _case in rows:
        if link.record_id == exclude_record:
            continue
        proposal = found.setdefault(link.record_id, Proposal(link.record_id, [], party))
        for name, _test in tests:
            if name not in proposal.matched_by and _matches(name, link, keys):
                proposal.matched_by.append(name)
    for proposal in found.values():
        proposal.cases = [(c, p.role) for c, p in record_cases(user, proposal.record_id)]
        for case, _role in proposal.cases:
            log_access(user, case, "person", what="proposal")
    return list(found.values())


def _matches(name: str, link: PersonLink, keys: dict) -> bool:
    if name == "id_number":
        return link.id_number == keys["id_number"]
    if name == "phone":
        return link.phone == keys["phone"]
    return link.birth_date == keys["birth_date"] and (
        link.name_key == keys["name_key"] or link.name_pinyin == keys["name_pinyin"]
    )


def party_proposals(user: User, case: Case, party: Person) -> list[Proposal]:
    """Proposals for a party not yet linked (none for a linked one)."""
    if party.link is not None or not can_see_party(user, case, party):
        return []
    return proposals(user, party)


# --- links -------------------------------------------------------------------------------


def visible_record(user: User, record_id) -> PersonRecord | None:
    """The record if some party linked to it is within the user's identity scope."""
    if not isinstance(record_id, int) or not 0 < record_id <= policy.MAX_ID:
        return None
    record = db.session.get(PersonRecord, record_id)
    if record is None:
        return None
    if record.merged_into_id is not None:
        merge = _open_merge_of(record)
        return record if merge and visible_record(user, record.merged_into_id) else None
    return record if _scoped_links(user, PersonLink.record_id == record.id) else None


def record_cases(user: User, record_id: int) -> list[tuple[Case, Person]]:
    """The record's cases and parties within the user's identity scope."""
    return [(c, p) for _link, p, c in _scoped_links(user, PersonLink.record_id == record_id)]


def party_of(case: Case, party_id) -> Person:
    party = next((p for p in case.persons if p.id == party_id), None)
    if party is None:
        raise NotFound(_l("No such party in this case."))
    return party


@conflicts_as_409
def link(actor: User, case: Case, party: Person, record_id) -> PersonLink:
    """Link a party to an existing record (record_id) or to a new one (None).
    Order: the party already linked (409), identity access (403), the record (422)."""
    if party.link is not None:
        raise InvalidTransitionError(_l("This party is already linked to a person record."))
    if not can_see_party(actor, case, party):
        raise Forbidden(_l("Only those who may see this party's identity may link it."))
    if record_id is None:
        record = PersonRecord(created_at=timeutil.now(), created_by_id=actor.id)
        db.session.add(record)
        db.session.flush()
    else:
        record = visible_record(actor, record_id) if isinstance(record_id, int) else None
        if record is None or record.merged_into_id is not None:
            raise ValidationFailed(fields={"person_id": [_l("No such person in your scope.")]})
    new = PersonLink(
        person=party,
        record_id=record.id,
        linked_at=timeutil.now(),
        linked_by_id=actor.id,
        **keys_of(party),
    )
    db.session.add(new)
    touch(case)
    append_event(
        case,
        actor,
        "person_linked",
        case.state,
        "",
        {
            "party_id": party.id,
            "role": party.role,
            "person_id": record.id,
            "new": record_id is None,
        },
    )
    flush()
    return new


LINKABLE_ROLES = ("subject", "abuser", "respondent", "applicant", "guardian")


def links_requested(value) -> dict:
    """The `person_links` of a case's creation: {role: record id or None (a new record)}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(fields={"person_links": [_l("An object of roles and persons.")]})
    for role, record_id in value.items():
        if role not in LINKABLE_ROLES:
            raise ValidationFailed(fields={f"person_links.{role}": [_l("Unknown role.")]})
        if record_id is not None and (
            isinstance(record_id, bool) or not isinstance(record_id, int)
        ):
            raise ValidationFailed(
                fields={f"person_links.{role}": [_l("Must be a whole number or null.")]}
            )
    return value


def link_on_creation(actor: User, case: Case, links: dict) -> None:
    for role, record_id in links.items():
        party = case.person(role)
        if party is None:
            raise ValidationFailed(
                fields={f"person_links.{role}": [_l("No such party in this case.")]}
            )
        try:
            link(actor, case, party, record_id)
        except ValidationFailed:
            raise ValidationFailed(
                fields={f"person_links.{role}": [_l("No such person in your scope.")]}
            ) from None


# --- merge and undo ----------------------------------------------------------------------


def _open_merge_of(record: PersonRecord) -> PersonMerge | None:
    return db.session.scalar(
        select(PersonMerge)
        .where(PersonMerge.merged_id == record.id, PersonMerge.undone_at.is_(None))
        .order_by(PersonMerge.id.desc())
    )


def merges_of(record: PersonRecord) -> list[PersonMerge]:
    return db.session.scalars(
        select(PersonMerge)
        .where(or_(PersonMerge.survivor_id == record.id, PersonMerge.merged_id == record.id))
        .order_by(PersonMerge.id.desc())
    ).all()


def _reason(value, name: str = "reason") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed(fields={name: [_l("Give the reason.")]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed(fields={name: [_l("At most 2000 characters.")]})
    return text


def _cases_of_links(person_ids) -> list[Case]:
    if not person_ids:
        return []
    return db.session.scalars(
        select(Case)
        .where(Case.id.in_(select(Person.case_id).where(Person.id.in_(person_ids))))
        .order_by(Case.id)
    ).all()


def _note_on_cases(actor, cases, trigger, comment, data) -> None:
    for case in cases:
        touch(case)
        append_event(case, actor, trigger, case.state, comment, data)


@conflicts_as_409
def merge(actor: User, survivor: PersonRecord, other_id, reason) -> PersonMerge:
    """Merge record `other_id` into `survivor` (both in the actor's scope, else 404).
    Order: scope (404), a record already merged (409), role (403), fields (422)."""
    other = visible_record(actor, other_id) if isinstance(other_id, int) else None
    if other is None:
        raise NotFound(_l("No such person in your scope."))
    if survivor.merged_into_id is not None or other.merged_into_id is not None:
        raise InvalidTransitionError(_l("One of these records is already merged."))
    if actor.role not in MERGE_ROLES:
        raise Forbidden(_l("Only a supervisor may merge person records."))
    if other.id == survivor.id:
        raise ValidationFailed(fields={"other_id": [_l("Choose another person record.")]})
    text = _reason(reason)
    moved = [link.person_id for link in other.links]
    cases = _cases_of_links(moved + [link.person_id for link in survivor.links])
    for item in list(other.links):
        item.record_id = survivor.id
    other.merged_into_id = survivor.id
    row = PersonMerge(
        survivor_id=survivor.id,
        merged_id=other.id,
        reason=text,
        moved=moved,
        merged_at=timeutil.now(),
        merged_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    data = {"merge_id": row.id, "survivor_id": survivor.id, "merged_id": other.id}
    _note_on_cases(actor, cases, "person_merged", text, data)
    flush()
    db.session.expire(survivor, ["links"])
    db.session.expire(other, ["links"])
    return row


def visible_merge(user: User, merge_id) -> PersonMerge | None:
    if not isinstance(merge_id, int) or not 0 < merge_id <= policy.MAX_ID:
        return None
    row = db.session.get(PersonMerge, merge_id)
    if row is None:
        return None
    return row if visible_record(user, row.survivor_id) else None


@conflicts_as_409
def unmerge(actor: User, row: PersonMerge, reason) -> PersonMerge:
    """Undo a merge: the moved links go back and both records stand again.
    Order: already undone or changed since (409), role (403), the reason (422)."""
    if row.undone_at is not None:
        raise InvalidTransitionError(_l("This merge has already been undone."))
    survivor, merged = row.survivor, row.merged
    links = db.session.scalars(select(PersonLink).where(PersonLink.person_id.in_(row.moved))).all()
    if (
        survivor.merged_into_id is not None
        or merged.merged_into_id != survivor.id
        or len(links) != len(row.moved)
        or any(item.record_id != survivor.id for item in links)
    ):
        raise InvalidTransitionError(
            _l("The records changed since this merge; undo the later merge first.")
        )
    if actor.role not in MERGE_ROLES:
        raise Forbidden(_l("Only a supervisor may undo a merge."))
    text = _reason(reason)
    for item in links:
        item.record_id = merged.id
    merged.merged_into_id = None
    row.undone_at = timeutil.now()
    row.undone_by_id = actor.id
    row.undo_reason = text
    cases = _cases_of_links([link.person_id for link in survivor.links] + list(row.moved))
    data = {"merge_id": row.id, "survivor_id": survivor.id, "merged_id": merged.id}
    _note_on_cases(actor, cases, "person_unmerged", text, data)
    flush()
    db.session.expire(survivor, ["links"])
    db.session.expire(merged, ["links"])
    return row


# --- repeat abusers ----------------------------------------------------------------------


def repeat_abusers(user: User, record_ids=None) -> set[int]:
    """Records that are the abuser or respondent of two or more DV cases (a protection
    order started from a DV call counts with it, once), or the respondent of a violated
    order — counting only cases within the user's scope."""
    conditions = [
        Person.role.in_(ABUSER_ROLES),
        Case.type.in_(DV_TYPES),
        policy.scope(user),
        Case.is_test.is_(False),
    ]
    if record_ids is not None:
        record_ids = list(record_ids)
        if not record_ids:
            return set()
        conditions.append(PersonLink.record_id.in_(record_ids))
    rows = db.session.execute(
        select(PersonLink.record_id, Case.id, Case.type, ProtectionOrder.source_case_id)
        .join(Person, Person.id == PersonLink.person_id)
        .join(Case, Case.id == Person.case_id)
        .outerjoin(ProtectionOrder, ProtectionOrder.case_id == Case.id)
        .where(*conditions)
    ).all()
    violated = set(
        db.session.scalars(
            select(Event.case_id).where(
                Event.trigger == "record_violation",
                Event.case_id.in_([r[1] for r in rows if r[2] == "protection_order"] or [0]),
            )
        ).all()
    )
    incidents: dict[int, set] = {}
    flagged = set()
    for record_id, case_id, _type, source in rows:
        incidents.setdefault(record_id, set()).add(source or case_id)
        if case_id in violated:
            flagged.add(record_id)
    return flagged | {r for r, found in incidents.items() if len(found) >= 2}


def flagged_parties(user: User, case_ids) -> dict[int, set[int]]:
    """For each case id given: the ids of its parties who are repeat abusers."""
    case_ids = list(case_ids)
    if not case_ids or user is None or not user.is_authenticated:
        return {}
    rows = db.session.execute(
        select(Person.case_id, Person.id, PersonLink.record_id)
        .join(PersonLink, PersonLink.person_id == Person.id)
        .where(Person.case_id.in_(case_ids), Person.role.in_(ABUSER_ROLES))
    ).all()
    flagged = repeat_abusers(user, {r[2] for r in rows})
    result: dict[int, set[int]] = {}
    for case_id, party_id, record_id in rows:
        if record_id in flagged:
            result.setdefault(case_id, set()).add(party_id)
    return result


# --- high-risk households ----------------------------------------------------------------


@dataclass
class Household:
    case: Case  # the newest case of the household: screenings are recorded on it
    cases: list[Case]
    reasons: list[str]
    last: ScreeningVisit | None
    due_on: date
    status: str  # overdue, due, planned
    interval_days: int


def screening_days(case: Case) -> int:
    rule = load(current_app.config["RULE_PACK"]).rule(SCREENING_RULE, case.jurisdiction.path)
    return rule.days or max(1, (rule.hours or 24) // 24)


def high_risk_households(user: User, today: date | None = None) -> list[Household]:
    """DV calls and protection orders of the user's scope whose household has a repeat
    abuser, a violated order, a visit with outcome `escalate`, or a child."""
    if user.role not in HIGH_RISK_ROLES:
        return []
    today = today or timeutil.to_local(timeutil.now()).date()
    cases = db.session.scalars(
        select(Case)
        .options(
            selectinload(Case.persons).selectinload(Person.link),
            selectinload(Case.jurisdiction),
        )
        .where(
            Case.type.in_(DV_TYPES),
            policy.scope(user),
            Case.is_test.is_(False),
            Case.sealed.is_(False),
        )
        .order_by(Case.created_at)
    ).all()
    if not cases:
        return []
    ids = [c.id for c in cases]
    flags = flagged_parties(user, ids)
    violated = set(
        db.session.scalars(
            select(Event.case_id).where(Event.trigger == "record_violation", Event.case_id.in_(ids))
        ).all()
    )
    escalated = set(
        db.session.scalars(
            select(Visit.case_id).where(Visit.outcome == "escalate", Visit.case_id.in_(ids))
        ).all()
    ) | set(
        db.session.scalars(
            select(ScreeningVisit.case_id).where(
                ScreeningVisit.outcome == "escalate", ScreeningVisit.case_id.in_(ids)
            )
        ).all()
    )
    children = set(
        db.session.scalars(
            select(DvIncident.case_id).where(
                DvIncident.minors_present.is_(True), DvIncident.case_id.in_(ids)
            )
        ).all()
    )
    # One household per victim record when the victim is linked, else per DV call (an
    # order started from a call is the same household).
    groups: dict[tuple, list[Case]] = {}
    for case in cases:
        subject = case.subject
        record = subject.link.record_id if subject is not None and subject.link else None
        source = case.protection_order.source_case_id if case.protection_order else None
        key = ("person", record) if record else ("case", source or case.id)
        groups.setdefault(key, []).append(case)
    visits = {}
    for visit in db.session.scalars(
        select(ScreeningVisit)
        .where(ScreeningVisit.case_id.in_(ids))
        .order_by(ScreeningVisit.done_on, ScreeningVisit.id)
    ):
        visits.setdefault(visit.case_id, []).append(visit)
    households = []
    for members in groups.values():
        reasons = []
        member_ids = {c.id for c in members}
        if any(flags.get(i) for i in member_ids):
            reasons.append("repeat_abuser")
        if member_ids & violated:
            reasons.append("order_violated")
        if member_ids & escalated:
            reasons.append("visit_escalated")
        if member_ids & children or any("minor" in (c.special_protection or []) for c in members):
            reasons.append("child")
        if not reasons:
            continue
        # Once every case of a household is closed, only what outlives the cases keeps it
        # on the list: a repeat abuser or a violated order. A child or an escalated visit
        # of a case long closed would otherwise ask for screenings years overdue.
        if not any(c.is_open for c in members) and not {"repeat_abuser", "order_violated"} & set(
            reasons
        ):
            continue
        newest = members[-1]
        done = sorted(
            (v for i in member_ids for v in visits.get(i, [])), key=lambda v: (v.done_on, v.id)
        )
        last = done[-1] if done else None
        days = screening_days(newest)
        start = last.done_on if last else timeutil.to_local(newest.created_at).date()
        due_on = start + timedelta(days=days)
        if due_on < today:
            status = "overdue"
        elif (due_on - today).days <= SOON_DAYS:
            status = "due"
        else:
            status = "planned"
        households.append(
            Household(newest, list(reversed(members)), reasons, last, due_on, status, days)
        )
    order = {"overdue": 0, "due": 1, "planned": 2}
    households.sort(key=lambda h: (order[h.status], h.due_on, h.case.id))
    return households


def household_of(user: User, case: Case) -> Household | None:
    return next((h for h in high_risk_households(user) if case.id in {c.id for c in h.cases}), None)


@conflicts_as_409
def record_screening(actor: User, case: Case, data: dict) -> ScreeningVisit:
    """A screening visit of the household of `case` (in the actor's scope: 404 before).
    Order: not a high-risk household (409), role (403), fields (422)."""
    household = household_of(actor, case) if actor.role in HIGH_RISK_ROLES else None
    if actor.role in HIGH_RISK_ROLES and household is None:
        raise InvalidTransitionError(_l("This case's household is not on the high-risk list."))
    if actor.role not in SCREENING_ROLES:
        raise Forbidden(_l("Only the police station or the women's federation screens households."))
    errors: dict[str, list] = {}
    done_on = data.get("done_on")
    if isinstance(done_on, str):
        try:
            done_on = date.fromisoformat(done_on)
        except ValueError:
            done_on = None
            errors["done_on"] = [_l("Not a valid date.")]
    today = timeutil.to_local(timeutil.now()).date()
    if "done_on" not in errors:
        if not isinstance(done_on, date):
            errors["done_on"] = [_l("Give the date of the visit.")]
        elif done_on > today:
            errors["done_on"] = [_l("This cannot be in the future.")]
        elif done_on < timeutil.to_local(case.created_at).date() - timedelta(days=366):
            errors["done_on"] = [_l("This date is too far before the case.")]
    outcome = data.get("outcome")
    if outcome not in SCREENING_OUTCOMES:
        errors["outcome"] = [_l("Choose the outcome.")]
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = [_l("Not a valid text.")]
    elif len(note) > MAX_TEXT:
        errors["note"] = [_l("At most 2000 characters.")]
    if errors:
        raise ValidationFailed(fields=errors)
    target = household.case
    visit = ScreeningVisit(
        case_id=target.id,
        done_on=done_on,
        outcome=outcome,
        note=note.strip(),
        by_user_id=actor.id,
        recorded_at=timeutil.now(),
    )
    db.session.add(visit)
    touch(target)
    append_event(
        target,
        actor,
        "screening_visit",
        target.state,
        note.strip(),
        {"done_on": done_on.isoformat(), "outcome": outcome},
    )
    flush()
    return visit
