"""Finding cases by any party: the name, ID number or phone of the child or victim, the
abuser, the respondent, the applicant, and the reporter.

Identities are searched only where the user may see them, or a match on a masked case
would confirm who a person is: the parties within the identity scope (policy.identity_scope),
the reporter only for the handling unit and the reporter (policy.can_see_reporter).

A party linked to a person record (services/persons.py) is also found by what another
party of the same record matches, when that party too is within the identity scope: the
phone written in one case finds the person's other cases.
"""

import re

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from .. import policy
from ..models import Case, Person, PersonLink, User


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def person_matches(q: str, person=Person):
    """A person whose name contains the text, or whose ID number or phone is the one typed
    (white space, dashes and a +86 prefix ignored; an ID's final x in either case)."""
    conditions = [func.lower(person.name).like(_like(q), escape="\\")]
    compact = re.sub(r"[\s\-]", "", q)
    if re.fullmatch(r"\d{15}|\d{17}[\dXx]", compact):
        conditions.append(func.upper(person.id_number) == compact.upper())
    digits = re.sub(r"^\+?86", "", compact)
    if re.fullmatch(r"\d{7,12}", digits):
        conditions.append(person.phone.like(_like(digits), escape="\\"))
    return or_(*conditions)


def _linked_matches(user: User, q: str):
    """Some party of the case is linked to a person record that another party, within the
    user's identity scope, matches."""
    other, mine = aliased(Person), aliased(PersonLink)
    seen = select(Case.id).where(policy.identity_scope(user)).correlate(None)
    records = (
        select(PersonLink.record_id)
        .join(other, other.id == PersonLink.person_id)
        .where(other.role != "reporter", other.case_id.in_(seen), person_matches(q, other))
    )
    return exists().where(
        Person.case_id == Case.id,
        Person.role != "reporter",
        mine.person_id == Person.id,
        mine.record_id.in_(records),
    )


def linked_cases(user: User, person_ids: list[int]):
    """The ids of cases with a party linked to the person record of one of these parties,
    those parties counting only within the user's identity scope (the candidate path of
    the case list: the same rule as _linked_matches, on ids already found)."""
    other, mine = aliased(Person), aliased(PersonLink)
    seen = select(Case.id).where(policy.identity_scope(user)).correlate(None)
    records = (
        select(PersonLink.record_id)
        .join(other, other.id == PersonLink.person_id)
        .where(other.id.in_(person_ids), other.case_id.in_(seen))
    )
    return (
        select(Person.case_id)
        .join(mine, mine.person_id == Person.id)
        .where(Person.role != "reporter", mine.record_id.in_(records))
    )


def party_condition(user: User, q: str):
    """The SQL condition on Case: some party the user may see matches the text."""
    if user is None or not user.is_authenticated or user.role in policy.NO_IDENTITY_ROLES:
        return false()
    matches = person_matches(q)
    parties = and_(
        policy.identity_scope(user),
        or_(
            exists().where(Person.case_id == Case.id, Person.role != "reporter", matches),
            _linked_matches(user, q),
        ),
    )
    reporter = and_(
        or_(Case.created_by_id == user.id, Case.owner_org_id == user.organisation_id),
        exists().where(Person.case_id == Case.id, Person.role == "reporter", matches),
    )
    return or_(parties, reporter)
