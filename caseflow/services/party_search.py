"""Finding cases by any party: the name, ID number or phone of the child or victim, the
abuser, the respondent, the applicant, and the reporter.

Identities are searched only where the user may see them, or a match on a masked case
would confirm who a person is: the parties within the identity scope (policy.identity_scope),
the reporter only for the handling unit and the reporter (policy.can_see_reporter).
"""

import re

from sqlalchemy import and_, exists, false, func, or_

from .. import policy
from ..models import Case, Person, User


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def person_matches(q: str):
    """A person whose name contains the text, or whose ID number or phone is the one typed
    (white space, dashes and a +86 prefix ignored; an ID's final x in either case)."""
    conditions = [func.lower(Person.name).like(_like(q), escape="\\")]
    compact = re.sub(r"[\s\-]", "", q)
    if re.fullmatch(r"\d{15}|\d{17}[\dXx]", compact):
        conditions.append(func.upper(Person.id_number) == compact.upper())
    digits = re.sub(r"^\+?86", "", compact)
    if re.fullmatch(r"\d{7,12}", digits):
        conditions.append(Person.phone.like(_like(digits), escape="\\"))
    return or_(*conditions)


def party_condition(user: User, q: str):
    """The SQL condition on Case: some party the user may see matches the text."""
    if user is None or not user.is_authenticated or user.role in policy.NO_IDENTITY_ROLES:
        return false()
    matches = person_matches(q)
    parties = and_(
        policy.identity_scope(user),
        exists().where(Person.case_id == Case.id, Person.role != "reporter", matches),
    )
    reporter = and_(
        or_(Case.created_by_id == user.id, Case.owner_org_id == user.organisation_id),
        exists().where(Person.case_id == Case.id, Person.role == "reporter", matches),
    )
    return or_(parties, reporter)
