"""Who may do what — the one place that answers every permission question.

The same scope rule gives the SQL filter of every list, count and export and the
answer to "may this user open this case", so what a user can count is what they can
open (shared/domain/workflows.md "Roles and scope").
"""

import re

from sqlalchemy import and_, exists, false, or_, select, union

from .extensions import db
from .models import (
    Case,
    CaseTransfer,
    DvIncident,
    Jurisdiction,
    MandatoryReport,
    Person,
    ProtectionOrder,
    Referral,
    User,
)

# The case types each role handles inside its organisation's jurisdiction subtree.
ROLE_CASE_TYPES: dict[str, frozenset[str]] = {
    "child_director": frozenset({"mandatory_report"}),
    "child_supervisor": frozenset({"mandatory_report"}),
    "civil_affairs": frozenset({"mandatory_report"}),
    "police": frozenset({"mandatory_report", "dv_warning", "protection_order"}),
    # The court sees applications filed with it, not drafts (see _filed_with_court).
    "court_liaison": frozenset(),
    "legal_aid": frozenset({"legal_aid"}),
    "hotline": frozenset(),
    "womens_federation": frozenset({"dv_warning", "protection_order"}),
    "supervisor": frozenset({"mandatory_report", "dv_warning", "protection_order", "legal_aid"}),
    "statistician": frozenset(),  # aggregates only, never a case
    "data_reporter": frozenset(),  # reports its unit's yearly figures, never a case
    "admin": frozenset(),
    # A committee follows the DV calls of its place: notified of each warning letter and
    # visiting abuser and victim (反家庭暴力法 Art. 17).
    "committee": frozenset({"dv_warning"}),
    # An institution sees the reports it filed (created_by) and nothing else of its place.
    "institution_reporter": frozenset(),
    # Sees the applications it drafts (owner organisation), no case type of its place.
    "assisting_org": frozenset(),
    "auditor": frozenset(),  # reads the access log, never a case
}

# Roles that never see identities (workflows.md: statistician and admin "no identity data").
NO_IDENTITY_ROLES = frozenset({"statistician", "admin", "data_reporter", "auditor"})

# Roles that form the case team by their position in the jurisdiction (they review,
# verify or approve), and so see identities of the cases in their scope.
TEAM_ROLES = frozenset({"supervisor", "child_supervisor"})

# Roles that may record follow-up visits on a case in their scope.
# The women's federation follows DV cases and may start their 查访 (workflows.md §2).
VISITOR_ROLES = frozenset(
    {
        "child_director",
        "child_supervisor",
        "civil_affairs",
        "police",
        "womens_federation",
        "committee",
    }
)


def _subtree(user: User):
    return select(Jurisdiction.id).where(
        Jurisdiction.path.startswith(user.organisation.jurisdiction.path)
    )


def _filed_with_court(user: User):
    """Protection-order applications filed with the user's court: the court's case load."""
    return exists().where(
        ProtectionOrder.case_id == Case.id,
        ProtectionOrder.court_id == user.organisation_id,
        ProtectionOrder.filed_at.is_not(None),
    )


def scope(user: User):
    """The SQL condition on Case for the cases this user may see."""
    if user is None or not user.is_authenticated:
        return false()
    conditions = [
        Case.created_by_id == user.id,
        Case.owner_user_id == user.id,
        Case.owner_org_id == user.organisation_id,
        exists().where(Referral.case_id == Case.id, Referral.to_org_id == user.organisation_id),
        exists().where(MandatoryReport.case_id == Case.id, MandatoryReport.verifier_id == user.id),
        # A unit offered the case sees it until it accepts or declines (services/transfers.py).
        exists().where(
            CaseTransfer.case_id == Case.id,
            CaseTransfer.to_org_id == user.organisation_id,
            CaseTransfer.status == "pending",
        ),
    ]
    if user.role == "court_liaison":
        conditions.append(_filed_with_court(user))
    types = ROLE_CASE_TYPES.get(user.role, frozenset())
    if types:
        conditions.append(and_(Case.type.in_(types), Case.jurisdiction_id.in_(_subtree(user))))
    return or_(*conditions)


# A list's scope with the cases reached through other tables given by id: past this many,
# the EXISTS form of scope() is used.
LIST_SCOPE_IDS = 5000


def list_scope(user: User):
    """The same cases as scope(user), for lists: the cases reached through referrals,
    verifications, transfers offered and filings are collected first (one small indexed
    statement) and the places of the subtree given by id, so the condition holds only
    plain column tests the planner estimates well, with no subplan per row."""
    if user is None or not user.is_authenticated:
        return false()
    reached = [
        select(Referral.case_id).where(Referral.to_org_id == user.organisation_id),
        select(MandatoryReport.case_id).where(MandatoryReport.verifier_id == user.id),
        select(CaseTransfer.case_id).where(
            CaseTransfer.to_org_id == user.organisation_id, CaseTransfer.status == "pending"
        ),
    ]
    if user.role == "court_liaison":
        reached.append(
            select(ProtectionOrder.case_id).where(
                ProtectionOrder.court_id == user.organisation_id,
                ProtectionOrder.filed_at.is_not(None),
            )
        )
    ids = db.session.scalars(union(*reached).limit(LIST_SCOPE_IDS + 1)).all()
    if len(ids) > LIST_SCOPE_IDS:
        return scope(user)
    conditions = [
        Case.created_by_id == user.id,
        Case.owner_user_id == user.id,
        Case.owner_org_id == user.organisation_id,
    ]
    if ids:
        conditions.append(Case.id.in_(sorted(ids)))
    types = ROLE_CASE_TYPES.get(user.role, frozenset())
    if types:
        places = db.session.scalars(_subtree(user)).all()
        conditions.append(and_(Case.type.in_(sorted(types)), Case.jurisdiction_id.in_(places)))
    return or_(*conditions)


def can_view(user: User, case: Case) -> bool:
    if case is None or user is None or not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(exists().where(Case.id == case.id, scope(user)))))


# Ids are 32-bit integers in the database: a larger one names no case (and would overflow
# the driver's integer binding).
MAX_ID = 2**31 - 1


def visible_case(user: User, case_id: int) -> Case | None:
    """The case if it exists and is in the user's scope; None otherwise (shown as 404)."""
    if not isinstance(case_id, int) or not 0 < case_id <= MAX_ID:
        return None
    return db.session.scalar(select(Case).where(Case.id == case_id, scope(user)))


def in_jurisdiction(user: User, case: Case) -> bool:
    return user.organisation.jurisdiction.contains(case.jurisdiction)


def identity_scope(user: User):
    """The SQL condition on Case for the cases whose child/victim identities this user may
    see: the case team only (未保法 Art. 103). Used for masking and for name search."""
    if user is None or not user.is_authenticated or user.role in NO_IDENTITY_ROLES:
        return false()
    conditions = [
        Case.created_by_id == user.id,
        Case.owner_user_id == user.id,
        Case.owner_org_id == user.organisation_id,
        exists().where(MandatoryReport.case_id == Case.id, MandatoryReport.verifier_id == user.id),
        # A receiving department joins the team once it has accepted the referral.
        exists().where(
            Referral.case_id == Case.id,
            Referral.to_org_id == user.organisation_id,
            Referral.status.in_(("accepted", "completed")),
        ),
    ]
    if user.role in TEAM_ROLES:
        conditions.append(Case.jurisdiction_id.in_(_subtree(user)))
    if user.role == "court_liaison":
        conditions.append(_filed_with_court(user))
    if user.role == "committee":
        conditions.append(_notified_committee(user))
    return or_(*conditions)


def _notified_committee(user: User):
    """The DV calls of the committee's place once the police notified it of the warning
    letter (Art. 17 ¶1): it must know whom it visits."""
    return and_(
        Case.jurisdiction_id.in_(_subtree(user)),
        exists().where(
            DvIncident.case_id == Case.id, DvIncident.committee_notified_at.is_not(None)
        ),
    )


def can_see_identity(user: User, case: Case) -> bool:
    if user.role in NO_IDENTITY_ROLES:
        return False
    query = select(exists().where(Case.id == case.id, identity_scope(user)))
    return bool(db.session.scalar(query))


def identity_visible_ids(user: User, case_ids) -> set[int]:
    """Of these cases, those whose identities this user may see: one statement for a page."""
    case_ids = list(case_ids)
    if not case_ids or user is None or not user.is_authenticated:
        return set()
    if user.role in NO_IDENTITY_ROLES:
        return set()
    query = select(Case.id).where(Case.id.in_(case_ids), identity_scope(user))
    return set(db.session.scalars(query).all())


def can_see_reporter(user: User, case: Case) -> bool:
    """The reporter's identity: only the handling unit and the reporter (反家暴法 Art. 14)."""
    if user.role in NO_IDENTITY_ROLES:
        return False
    return user.id == case.created_by_id or (
        case.owner_org_id is not None and user.organisation_id == case.owner_org_id
    )


def can_record_visit(user: User, case: Case) -> bool:
    if not case.is_open or case.state not in case.workflow.states:
        return False
    if case.owner_org_id == user.organisation_id:
        return True
    return user.role in VISITOR_ROLES and in_jurisdiction(user, case)


def can_answer_referral(user: User, referral: Referral) -> bool:
    return user.organisation_id == referral.to_org_id and user.role not in NO_IDENTITY_ROLES


def can_withdraw_referral(user: User, referral: Referral) -> bool:
    return user.organisation_id == referral.from_org_id


def can_do_referral_action(user: User, referral: Referral, action: str) -> bool:
    """The sender withdraws; the receiving unit accepts, declines and completes."""
    if action == "withdraw":
        return can_withdraw_referral(user, referral)
    return can_answer_referral(user, referral)


def mask(value: str | None, kind: str) -> str | None:
    """Hide an identity value, keeping just enough to tell records apart."""
    if not value:
        return value
    if kind == "name":
        return value[0] + "*" * max(1, len(value) - 1)
    if kind == "id_number":
        return value[:2] + "*" * (len(value) - 6) + value[-4:] if len(value) > 6 else "*" * 6
    if kind == "phone":
        return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"
    return "***"


def person_view(user: User, case: Case, person: Person, identity: bool | None = None) -> dict:
    """A person as this user may see them: identity fields masked unless allowed.
    `identity`: whether the user may see the case's identities, when already known."""
    if person.role == "reporter":
        allowed = can_see_reporter(user, case)
    else:
        allowed = can_see_identity(user, case) if identity is None else identity
    data = {
        "role": person.role,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "id_number": person.id_number,
        "phone": person.phone,
        "address": person.address,
        "school": person.school,
        "relation": person.relation,
        "organisation_name": person.organisation_name,
    }
    if not allowed:
        for field in Person.IDENTITY_FIELDS:
            data[field] = mask(data[field], field)
        if person.role == "reporter":
            data["organisation_name"] = mask(person.organisation_name, "organisation")
        data["birth_date"] = None  # the age band is enough and identifies less
    data["masked"] = not allowed
    return data


def step_refusal(user: User, case: Case, step) -> str | None:
    """Why this user may not fire this step on this case now, or None if they may."""
    if user.role not in step.roles:
        return "role"
    for guard in step.guards:
        reason = guard(case, user)
        if reason:
            return reason
    return None


def allowed_steps(user: User, case: Case) -> list:
    """The triggers this user may fire now: the page's buttons and the API's `actions`."""
    return [
        step
        for step in case.workflow.steps_from(case.state)
        if step_refusal(user, case, step) is None
    ]


# --- indicators ------------------------------------------------------------------------

# Who reads the indicator pages: statisticians (aggregates only) and supervisors.
INDICATOR_ROLES = frozenset({"statistician", "supervisor", "child_supervisor"})
# Roles that may count 12338 calls (the hotline is not a case type).
HOTLINE_COUNT_ROLES = frozenset({"statistician", "supervisor"})
# Reviewers of submitted figures: never the unit that reported them.
REVIEWER_ROLES = frozenset({"statistician"})


def can_read_indicators(user: User) -> bool:
    return user is not None and user.is_authenticated and user.role in INDICATOR_ROLES


def count_scope(user: User, jurisdiction: Jurisdiction | None = None):
    """What this user may count: a jurisdiction inside their own subtree and the case
    types of their role (all of them for a statistician). None if outside their scope."""
    from .indicators.compute import CountScope
    from .workflows import WORKFLOWS

    if not can_read_indicators(user):
        return None
    root = user.organisation.jurisdiction
    jurisdiction = jurisdiction or root
    if not root.contains(jurisdiction):
        return None
    types = frozenset(WORKFLOWS) if user.role == "statistician" else ROLE_CASE_TYPES[user.role]
    return CountScope(jurisdiction, types, hotline=user.role in HOTLINE_COUNT_ROLES, root=root)


def suppresses_small_numbers(user: User) -> bool:
    """Small numbers in a village can identify a child: only people who may see the
    identities of every case there (the team roles of the place) see them unrounded."""
    return user.role not in TEAM_ROLES


def can_submit_figure(user: User, indicator) -> bool:
    """A responsible unit's user reports its own figures; the reviewers do not."""
    return (
        user is not None
        and user.is_authenticated
        and indicator is not None
        and indicator.source == "submitted"
        and user.role not in REVIEWER_ROLES | {"admin"}
        and user.organisation.type in indicator.responsible_orgs
    )


def can_review_figure(user: User, submission) -> bool:
    return (
        user.role in REVIEWER_ROLES
        and submission.submitted_by_id != user.id
        and user.organisation.jurisdiction.contains(submission.jurisdiction)
    )


# --- identities in free text -------------------------------------------------------------

# Every free-text field that can carry a person's identity, by model. A user who may not
# see a case's identities reads these only through a Redactor (presenters.shown wraps the
# objects so pages, API, print views and exports all read the same redacted values).
FREE_TEXT_FIELDS: dict[str, frozenset[str]] = {
    "Case": frozenset({"description"}),
    "Event": frozenset({"comment"}),
    "Referral": frozenset({"reason", "answer"}),
    "Visit": frozenset({"notes"}),
    "Deadline": frozenset({"waiver_reason"}),
    "MandatoryReport": frozenset({"findings"}),
    "DvIncident": frozenset(
        {"location", "injuries", "outcome_detail", "warning_facts", "warning_prohibition"}
    ),
    "ProtectionOrder": frozenset({"measures_other", "rejection_reason"}),
    "LegalAid": frozenset({"materials_requested", "denial_reason", "outcome"}),
    "HotlineCall": frozenset({"summary", "action_note", "callback_note"}),
    "ScreeningVisit": frozenset({"note"}),  # a high-risk household's screening (persons.py)
    # A staff member's name next to a step is no free text, but the reporter is often the
    # user who submitted the report: hidden from a reader who may not see the reporter.
    "User": frozenset({"display_name"}),
}

# JSON fields whose string values are free text too: a step keeps some of what was typed
# in its event's data (a violation's evidence…). Every string in them is redacted, so a
# new key is covered without being listed (codes and times carry no identity).
FREE_TEXT_MAPPINGS: dict[str, frozenset[str]] = {"Event": frozenset({"data"})}

# Structured personal data that is no identity field of a person but tells about one: read
# as None by a reader without the case's identities (the same rule as the identities).
PERSONAL_DATA_FIELDS: dict[str, frozenset[str]] = {
    "LegalAid": frozenset({"household_size", "monthly_income"}),  # the applicant's means
}

# Compound surnames: the given name is what follows them, not the second character.
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
     "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "申屠"}
)  # fmt: skip

# Any mainland ID number (17 digits and a check digit) or mobile number, even of a person
# the case does not record: digits around them mean a longer number, not one of these.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")


def _split_name(name: str) -> tuple[str, str]:
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", value)


class RedactedText(str):
    """Free text with identities replaced; pages show it with the "已隐去身份信息" badge."""

    redacted = True

    def __html__(self) -> str:
        from markupsafe import Markup, escape

        badge = Markup(' <span class="badge text-bg-secondary redacted-note">{}</span>')
        return str(escape(str(self)) + badge.format(identity_hidden_label()))


def identity_hidden_label() -> str:
    from flask_babel import gettext

    return gettext("Identity information hidden")


class Redactor:
    """Replaces the identities of a case's persons in free text with the masks of the
    structured fields: full name, given name, surname + 某/氏, ID number, phone, address,
    and any ID-number or mobile-number pattern."""

    def __init__(self, persons, patterns: bool = True):
        # patterns: also mask any ID-number or mobile pattern (off when only the reporter
        # is hidden from a team member, who may read the other persons' numbers).
        self._patterns = patterns
        # A full redactor (patterns on) is that of a reader without the case's identities.
        self.hides_identities = patterns
        terms: dict[str, str] = {}
        for p in persons:
            if p.name and len(p.name.strip()) >= 2:
                name = p.name.strip()
                masked = mask(name, "name")
                surname, given = _split_name(name)
                terms[name] = masked
                for suffix in ("某某", "某", "氏"):
                    terms[surname + suffix] = masked
                # A one-character given name is too common a character to replace alone.
                if len(given) >= 2:
                    terms[given] = masked
            if p.id_number and len(p.id_number) >= 6:
                terms[p.id_number] = mask(p.id_number, "id_number")
                if p.id_number[-1] in "Xx":
                    terms[p.id_number[:-1] + p.id_number[-1].swapcase()] = mask(
                        p.id_number, "id_number"
                    )
            if p.phone and len(_digits(p.phone)) >= 7:
                terms[p.phone] = mask(p.phone, "phone")
            if p.address and len(p.address.strip()) >= 4:
                terms[p.address.strip()] = mask(p.address, "address")
        # Longest first, so "王秀英" is replaced before "王某" or "秀英" could cut it.
        self._terms = terms
        self._pattern = (
            re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
            if terms
            else None
        )

    def text(self, value):
        if not value or not isinstance(value, str):
            return value
        result = value
        if self._pattern is not None:
            result = self._pattern.sub(lambda m: self._terms[m.group(0)], result)
        if self._patterns:
            result = ID_NUMBER_RE.sub(lambda m: mask(m.group(0), "id_number"), result)
            result = MOBILE_RE.sub(lambda m: mask(_digits(m.group(0)), "phone"), result)
        return RedactedText(result) if result != value else value

    def mapping(self, value):
        """A JSON value with every string in it redacted (nested lists and objects too)."""
        if isinstance(value, dict):
            return {k: self.mapping(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mapping(v) for v in value]
        return self.text(value)

    def names_in(self, value) -> list[str]:
        """The identities of the case's persons found in a text (for the typing warning)."""
        if not value or self._pattern is None:
            return []
        return sorted({m.group(0) for m in self._pattern.finditer(value)})


class _Plain:
    """The redactor of a user who may see the identities: every text as written."""

    @staticmethod
    def text(value):
        return value

    @staticmethod
    def mapping(value):
        return value

    hides_identities = False


PLAIN = _Plain()


def redactor(user: User, case: Case) -> "Redactor | _Plain":
    """How this user reads the free text of this case: as written for the case team,
    redacted for everyone else. The reporter's identity is redacted for anyone who may
    not see the reporter, even inside the team."""
    if can_see_identity(user, case):
        hidden = [
            p for p in case.persons if p.role == "reporter" and not can_see_reporter(user, case)
        ]
        return Redactor(hidden, patterns=False) if hidden else PLAIN
    return Redactor(case.persons)


def redact_text(user: User, case: Case, value):
    """One text of the case as this user may read it, as a plain string (form values)."""
    result = redactor(user, case).text(value)
    return str(result) if isinstance(result, str) else result


def identities_typed(case: Case, texts) -> list[str]:
    """The identities found in what a user typed: the case's persons' names, ID numbers,
    phones and addresses, and any ID-number or mobile-number pattern. They are warned to
    write 当事人 / 被申请人 instead (the text is kept: nothing typed is lost)."""
    found = Redactor(case.persons)
    hits: set[str] = set()
    for text in texts:
        if not text:
            continue
        hits.update(found.names_in(text))
        hits.update(m.group(0) for m in ID_NUMBER_RE.finditer(text))
        hits.update(m.group(0) for m in MOBILE_RE.finditer(text))
    return sorted(hits)


# --- the access log ----------------------------------------------------------------------

# Who reads the access log: the auditors of their jurisdiction, and the supervisors (of a
# case's owner unit, or of its place).
LOG_READER_ROLES = frozenset({"auditor", "supervisor", "child_supervisor"})


def can_read_access_log(user: User) -> bool:
    return user is not None and user.is_authenticated and user.role in LOG_READER_ROLES


def access_log_scope(user: User):
    """The SQL condition on Case for the cases whose readers this user may see: an
    auditor's whole jurisdiction subtree; a supervisor's own unit's cases and the cases of
    the places under them. Nothing for anyone else."""
    if not can_read_access_log(user):
        return false()
    return or_(Case.owner_org_id == user.organisation_id, Case.jurisdiction_id.in_(_subtree(user)))


def can_read_user_log(reader: User, subject: User) -> bool:
    """What a user read: an auditor or supervisor for the users of the organisations in
    their jurisdiction subtree (and themselves)."""
    if not can_read_access_log(reader) or subject is None:
        return False
    return reader.id == subject.id or reader.organisation.jurisdiction.contains(
        subject.organisation.jurisdiction
    )


# --- attachments (evidence) --------------------------------------------------------------
# Evidence is identity data (a photo of injuries, a medical record): identity-level access.


def can_see_attachments(user: User, case: Case) -> bool:
    return can_see_identity(user, case)


def can_add_attachment(user: User, case: Case) -> bool:
    return not case.sealed and can_see_identity(user, case)


def can_see_withdrawn_attachments(user: User, case: Case) -> bool:
    """Withdrawn evidence stays visible to the supervisors of the place."""
    return user.role in TEAM_ROLES and can_see_identity(user, case)


def can_withdraw_attachment(user: User, attachment) -> bool:
    case = attachment.case
    if not can_see_identity(user, case):
        return False
    return (
        attachment.uploaded_by_id == user.id
        or (case.owner_org_id is not None and case.owner_org_id == user.organisation_id)
        or user.role in TEAM_ROLES
    )


def can_add_note(user: User, case: Case) -> bool:
    """The case team writes notes (identity-level: a note is free text about people)."""
    return case.is_open and can_see_identity(user, case)


def can_assign(user: User, case: Case) -> bool:
    """A lead of the unit that owns the case (users.is_lead; services/assignment.py)."""
    return (
        bool(user.is_lead)
        and case.owner_org_id is not None
        and user.organisation_id == case.owner_org_id
        and user.role not in NO_IDENTITY_ROLES
    )


def can_offer_transfer(user: User, case: Case) -> bool:
    """The owner unit transfers an open case of any state (services/transfers.py)."""
    return (
        case.is_open
        and case.owner_org_id is not None
        and user.organisation_id == case.owner_org_id
        and user.role not in NO_IDENTITY_ROLES
    )


def can_answer_transfer(user: User, transfer) -> bool:
    return user.organisation_id == transfer.to_org_id and user.role not in NO_IDENTITY_ROLES
