"""Cases as data for the API (and the pages), with identities masked by the policy."""

import inspect

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from . import policy, timeutil
from .extensions import db
from .models import Case, Deadline, Event, Jurisdiction, Person, Referral, User, Visit
from .vocab import SITUATIONS


def iso(value):
    return value.isoformat() if value else None


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return "0-5" if age <= 5 else "6-13" if age <= 13 else "14-17" if age <= 17 else "18+"


def person(user: User, case: Case, p, identity: bool | None = None) -> dict:
    data = policy.person_view(user, case, p, identity)
    age = p.age_on(timeutil.to_local(case.created_at).date())
    data["age"] = age if not data["masked"] else None
    data["age_band"] = age_band(age)
    return data


def deadline(d: Deadline) -> dict:
    return {
        "id": d.id,
        "kind": d.kind,
        "status": d.status,
        "opened_at": iso(d.opened_at),
        "due_at": iso(d.due_at),
        "closed_at": iso(d.closed_at),
        "done_late": d.done_late,
        "basis": d.basis,
        "calendar_note": d.calendar_note,
        "provisional": d.provisional,
        "referral_id": d.referral_id,
        "waiver_reason": d.waiver_reason,
    }


def event(e: Event) -> dict:
    return {
        "seq": e.seq,
        "at": iso(e.at),
        "actor": e.actor.display_name if e.actor else None,
        "trigger": e.trigger,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "comment": e.comment,
        "data": e.data,
    }


def referral(r: Referral) -> dict:
    return {
        "id": r.id,
        "case_id": r.case_id,
        "to_org": {"id": r.to_org.id, "name": r.to_org.name, "type": r.to_org.type},
        "from_org": r.from_org_id,
        "reason": r.reason,
        "status": r.status,
        "sent_at": iso(r.sent_at),
        "due_at": iso(r.deadline.due_at) if r.deadline else None,
        "answered_at": iso(r.answered_at),
        "answer": r.answer,
    }


def visit(v: Visit) -> dict:
    return {
        "id": v.id,
        "done_at": iso(v.done_at),
        "by": v.by_user.display_name,
        "method": v.method,
        "outcome": v.outcome,
        "notes": v.notes,
        "next_due": iso(v.next_due),
    }


def identity_visible(user: User, cases) -> set[int]:
    """Load the persons of these cases in one statement and say, in another, whose
    identities the user may see (a list answer costs the same for 1 row or 25)."""
    cases = list(cases)
    if cases:
        ids = [c.id for c in cases]
        persons = db.session.scalars(
            select(Person).where(Person.case_id.in_(ids)).order_by(Person.id)
        ).all()
        by_case: dict[int, list] = {i: [] for i in ids}
        for p in persons:
            by_case[p.case_id].append(p)
        for c in cases:
            set_committed_value(c, "persons", by_case[c.id])
        # The places above the cases' places (their full names), in the session at once.
        codes = {code for c in cases for code in c.jurisdiction.path.split("/") if code}
        db.session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(sorted(codes)))).all()
    return policy.identity_visible_ids(user, [c.id for c in cases])


def case_summaries(user: User, cases, visible: set[int]) -> list[dict]:
    return [case_summary(user, c, c.id in visible) for c in cases]


def case_summary(user: User, case: Case, identity: bool | None = None) -> dict:
    subject = case.subject
    return {
        "id": case.id,
        "number": case.number,
        "type": case.type,
        "state": case.state,
        "version": case.version,
        "urgent": case.urgent,
        "risk_level": case.risk_level,
        "jurisdiction": case.jurisdiction.code,
        "jurisdiction_name": case.jurisdiction.full_name,
        "owner_org": case.owner_org.name if case.owner_org else None,
        "created_at": iso(case.created_at),
        "updated_at": iso(case.updated_at),
        "subject": person(user, case, subject, identity) if subject else None,
    }


def type_fields(user: User, case: Case) -> dict:
    if case.type == "mandatory_report":
        r = case.mandatory_report
        return {
            "reporter_org_type": r.reporter_org_type,
            "discovered_at": iso(r.discovered_at),
            "reported_at": iso(r.reported_at),
            "report_channel": r.report_channel,
            "reported_to": r.reported_to,
            "situation_codes": r.situation_codes,
            "situations": {str(c): str(SITUATIONS[c]) for c in r.situation_codes},
            "ongoing_danger": r.ongoing_danger,
            "guardian_is_suspect": r.guardian_is_suspect,
            "sexual_abuse": r.sexual_abuse,
            "guardian_notified_at": iso(r.guardian_notified_at),
            "child_safety": r.child_safety,
            "verifier": r.verifier.display_name if r.verifier else None,
            "findings": r.findings,
            "confirmed_situations": r.confirmed_situations,
        }
    if case.type == "dv_warning":
        return dv_fields(case.dv_incident)
    if case.type == "protection_order":
        return po_fields(case.protection_order)
    if case.type == "legal_aid":
        return la_fields(case.legal_aid, policy.redactor(user, unwrap(case)).hides_identities)
    return {}


def la_fields(a, means_masked: bool = False) -> dict:
    """A legal-aid case's own fields: the matter, the means test or its exemption
    (Art. 32 (4), 41), the decision, the lawyer and the outcome. The household's size and
    income are the applicant's personal data: a shown object (Shown) reads them as None for
    who may not see the identities (policy.PERSONAL_DATA_FIELDS)."""
    return {
        "source_case_id": a.source_case_id,
        "referral_id": a.referral_id,
        "matter": a.matter,
        "means_test_exempt_reason": a.means_test_exempt_reason,
        "household_size": a.household_size,
        "monthly_income": a.monthly_income,
        "means_masked": means_masked,
        "honesty_undertaking": a.honesty_undertaking,
        "urgent_pre_provision": a.urgent_pre_provision,
        "procedural_deadline": a.procedural_deadline.isoformat() if a.procedural_deadline else None,
        "received_at": iso(a.received_at),
        "materials_requested": a.materials_requested,
        "materials_requested_at": iso(a.materials_requested_at),
        "materials_supplied_at": iso(a.materials_supplied_at),
        "decision": a.decision,
        "decided_at": iso(a.decided_at),
        "denial_reason": a.denial_reason,
        "objection_at": iso(a.objection_at),
        "objection_decided_at": iso(a.objection_decided_at),
        "lawyer_name": a.lawyer_name,
        "law_firm": a.law_firm,
        "assigned_at": iso(a.assigned_at),
        "concluded_at": iso(a.concluded_at),
        "outcome": a.outcome,
    }


def dv_fields(i) -> dict:
    return {
        "call_at": iso(i.call_at),
        "attended_at": iso(i.attended_at),
        "location": i.location,
        "relation": i.relation,
        "violence_forms": i.violence_forms,
        "injury_level": i.injury_level,
        "injuries": i.injuries,
        "minors_present": i.minors_present,
        "minors_witnessed": i.minors_witnessed,
        "prior_incidents": i.prior_incidents,
        "outcome": i.outcome,
        "outcome_at": iso(i.outcome_at),
        "outcome_detail": i.outcome_detail,
        "warning": {
            "number": i.warning_number,
            "issued_at": iso(i.warning_issued_at),
            "facts": i.warning_facts,
            "prohibition": i.warning_prohibition,
            "delivered_abuser_at": iso(i.delivered_abuser_at),
            "delivered_victim_at": iso(i.delivered_victim_at),
            "committee_notified_at": iso(i.committee_notified_at),
            "committee_name": i.committee_name,
            "delivered_at": iso(i.delivered_at),
        }
        if i.warning_number
        else None,
    }


def po_fields(o) -> dict:
    return {
        "source_case_id": o.source_case_id,
        "applicant_role": o.applicant_role,
        "proxy_reason": o.proxy_reason,
        "victim_wishes_confirmed": o.victim_wishes_confirmed,
        "consent_required": o.consent_required,
        "relation": o.relation,
        "measures": o.measures,
        "measures_other": o.measures_other,
        "evidence": o.evidence,
        "court": {"id": o.court.id, "name": o.court.name} if o.court else None,
        "court_basis": o.court_basis,
        "oral_application": o.oral_application,
        "urgency_requested": o.urgency_requested,
        "filed_at": iso(o.filed_at),
        "accepted_at": iso(o.accepted_at),
        "court_case_number": o.court_case_number,
        "ruling": o.ruling,
        "ruled_at": iso(o.ruled_at),
        "rejection_reason": o.rejection_reason,
        "rejection_served_at": iso(o.rejection_served_at),
        "reconsideration_requested_at": iso(o.reconsideration_requested_at),
        "reconsideration_decided_at": iso(o.reconsideration_decided_at),
        "order_number": o.order_number,
        "issued_at": iso(o.issued_at),
        "expires_at": iso(o.expires_at),
        "granted_measures": o.granted_measures,
        "service": {
            "applicant_at": iso(o.served_applicant_at),
            "respondent_at": iso(o.served_respondent_at),
            "police_at": iso(o.served_police_at),
            "police_name": o.served_police_name,
            "committee_at": iso(o.served_committee_at),
            "committee_name": o.served_committee_name,
            "complete_at": iso(o.served_at),
        },
        "respondent_review": {
            "requested_at": iso(o.respondent_review_requested_at),
            "decided_at": iso(o.respondent_review_decided_at),
            "outcome": o.respondent_review_outcome,
        },
        "ended_at": iso(o.ended_at),
        "end_reason": o.end_reason,
    }


def case_detail(user: User, case: Case) -> dict:
    case = unwrap(case)
    data = case_summary(user, case)
    redactor = policy.redactor(user, case)
    real, case = case, Shown(case, redactor)
    from .services.persons import flagged_parties

    flags = flagged_parties(user, [real.id]).get(real.id, set())
    data.update(
        {
            "description": case.description,
            # Free text (description, comments, notes, reasons…) with the persons'
            # identities replaced by their masks: "已隐去身份信息" on the pages.
            "text_redacted": redactor is not policy.PLAIN,
            "special_protection": case.special_protection,
            "closed_at": iso(case.closed_at),
            "persons": [
                person(user, real, p) | _person_link(user, real, p, flags) for p in real.persons
            ],
            "repeat_abuser": bool(flags),
            "fields": type_fields(user, case),
            "actions": [s.trigger for s in policy.allowed_steps(user, real)],
            "can_record_visit": policy.can_record_visit(user, real),
            "deadlines": [deadline(d) for d in case.deadlines],
            "events": [event(e) for e in case.events],
            "referrals": [referral(r) for r in case.referrals],
            "visits": [visit(v) for v in case.visits],
        }
    )
    if real.subject is not None:  # the same entry as in `persons`, with its person record
        data["subject"] = next(p for p in data["persons"] if p["party_id"] == real.subject.id)
    return data


# --- what a user reads: free text redacted by the policy -------------------------------


def _person_link(user: User, case: Case, p, flags) -> dict:
    """The party's person record (services/persons.py), for a reader who sees the party."""
    from .services.persons import can_see_party

    link = p.link if can_see_party(user, case, p) else None
    return {
        "party_id": p.id,
        "person_id": link.record_id if link else None,
        "repeat_abuser": p.id in flags,
    }


class Shown:
    """A model object as a user may read it: its free-text fields (policy.FREE_TEXT_FIELDS)
    pass through the case's redactor, and related objects are wrapped the same way, so a
    template or an export reading `case.events[0].comment` gets the redacted text without
    deciding anything itself."""

    __slots__ = ("_obj", "_redactor")

    def __init__(self, obj, redactor):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_redactor", redactor)

    def __getattr__(self, name):
        value = getattr(self._obj, name)
        fields = policy.FREE_TEXT_FIELDS.get(type(self._obj).__name__)
        if fields and name in fields:
            return self._redactor.text(value)
        if name in policy.FREE_TEXT_MAPPINGS.get(type(self._obj).__name__, ()):
            return self._redactor.mapping(value)
        if self._redactor.hides_identities and name in policy.PERSONAL_DATA_FIELDS.get(
            type(self._obj).__name__, ()
        ):
            return None
        if inspect.ismethod(value):  # case.last_event(...) returns a shown event too
            redactor = self._redactor
            return lambda *args, **kwargs: _wrap(value(*args, **kwargs), redactor)
        return _wrap(value, self._redactor)

    def __setattr__(self, name, value):
        raise AttributeError("a shown object is read-only")

    def __eq__(self, other):
        return unwrap(self) == unwrap(other)

    def __hash__(self):
        return hash(self._obj)

    def __repr__(self):
        return f"Shown({self._obj!r})"


def _wrap(value, redactor):
    if type(value).__name__ in policy.FREE_TEXT_FIELDS:
        return Shown(value, redactor)
    if isinstance(value, list) and value and type(value[0]).__name__ in policy.FREE_TEXT_FIELDS:
        return [Shown(v, redactor) for v in value]
    return value


def unwrap(obj):
    return obj._obj if isinstance(obj, Shown) else obj


def shown(user: User, case: Case) -> Shown:
    """The case as this user reads it (the redactor of the policy)."""
    return Shown(unwrap(case), policy.redactor(user, unwrap(case)))


def shown_call(user: User, call) -> Shown | object:
    """A hotline call on a case: its notes redacted as the case's free text; a call on no
    case is read only by the team that took it, as written."""
    if call.case is None:
        return call
    return Shown(call, policy.redactor(user, call.case))


def shown_referral(user: User, r) -> Shown:
    """A referral as this user reads it (its reason and answer are the case's free text)."""
    return Shown(r, policy.redactor(user, r.case))
