"""Cases as data for the API (and the pages), with identities masked by the policy."""

from . import policy, timeutil
from .models import Case, Deadline, Event, Referral, User, Visit
from .vocab import SITUATIONS


def iso(value):
    return value.isoformat() if value else None


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return "0-5" if age <= 5 else "6-13" if age <= 13 else "14-17" if age <= 17 else "18+"


def person(user: User, case: Case, p) -> dict:
    data = policy.person_view(user, case, p)
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


def case_summary(user: User, case: Case) -> dict:
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
        "subject": person(user, case, subject) if subject else None,
    }


def type_fields(user: User, case: Case) -> dict:
    if case.type == "mandatory_report":
        r = case.mandatory_report
        return {
            "reporter_org_type": r.reporter_org_type,
            "discovered_at": iso(r.discovered_at),
            "reported_at": iso(r.reported_at),
            "situation_codes": r.situation_codes,
            "situations": {str(c): str(SITUATIONS[c]) for c in r.situation_codes},
            "ongoing_danger": r.ongoing_danger,
            "guardian_is_suspect": r.guardian_is_suspect,
            "child_safety": r.child_safety,
            "verifier": r.verifier.display_name if r.verifier else None,
            "findings": r.findings,
            "confirmed_situations": r.confirmed_situations,
        }
    return {}


def case_detail(user: User, case: Case) -> dict:
    data = case_summary(user, case)
    data.update(
        {
            "description": case.description,
            "special_protection": case.special_protection,
            "closed_at": iso(case.closed_at),
            "persons": [person(user, case, p) for p in case.persons],
            "fields": type_fields(user, case),
            "actions": [s.trigger for s in policy.allowed_steps(user, case)],
            "can_record_visit": policy.can_record_visit(user, case),
            "deadlines": [deadline(d) for d in case.deadlines],
            "events": [event(e) for e in case.events],
            "referrals": [referral(r) for r in case.referrals],
            "visits": [visit(v) for v in case.visits],
        }
    )
    return data
