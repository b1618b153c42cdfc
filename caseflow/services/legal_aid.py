"""The legal-aid case type: creation (standalone or from another case) and the effects of
its steps (workflows.md §4; 法律援助法 Art. 32, 41, 43, 44, 49).

A case referred from another case carries a Referral on the referring case to the
legal-aid centre. The centre answers it through this case's steps: receiving the
application accepts it, withdrawal or an upheld denial declines it, the conclusion
completes it; every decision also shows on the referring case's timeline.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from .. import policy, timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, Jurisdiction, LegalAid, Organisation, User
from . import referrals
from .act_times import entry_marks
from .audit import append_event
from .cases import CREATED, CREATORS, EFFECTS, OPENERS, touch
from .common import CLOSURE_EFFECTS, legal_time, make_person, special_protection
from .errors import ValidationFailed

PRE_PROVISION_DAYS = 7  # Art. 44 (1): less than 7 days before a limitation or time limit


def centre_for(jurisdiction: Jurisdiction) -> Organisation | None:
    """The legal-aid centre nearest the place: the one whose area contains it."""
    ancestors = [c for c in jurisdiction.path.split("/") if c]
    return db.session.scalar(
        db.select(Organisation)
        .join(Jurisdiction, Organisation.jurisdiction_id == Jurisdiction.id)
        .where(Organisation.type == "legal_aid_centre", Jurisdiction.code.in_(ancestors))
        .order_by(Jurisdiction.path.desc(), Organisation.id)
    )


def _source_case(actor: User, case_id) -> Case | None:
    if not case_id:
        return None
    source = policy.visible_case(actor, case_id)
    if source is None or source.type == "legal_aid" or not source.is_open:
        raise ValidationFailed(fields={"source_case": [_l("Choose an open case you can see.")]})
    return source


def _place(actor: User, data: dict, source: Case | None) -> Jurisdiction:
    """The place of the case it comes from, or a place in the referrer's area."""
    if source is not None:
        return source.jurisdiction
    jurisdiction = db.session.get(Jurisdiction, data.get("jurisdiction_id") or 0)
    if jurisdiction is None or not actor.organisation.jurisdiction.contains(jurisdiction):
        raise ValidationFailed(fields={"jurisdiction": [_l("Choose a place in your area.")]})
    return jurisdiction


def check_pre_provision(data: dict) -> None:
    """先行提供 only when a limitation or procedural deadline is under 7 days away (Art. 44)."""
    if not data.get("urgent_pre_provision"):
        return
    deadline = data.get("procedural_deadline")
    today = timeutil.to_local(timeutil.now()).date()
    if deadline is None or not today <= deadline < today + timedelta(days=PRE_PROVISION_DAYS):
        raise ValidationFailed(
            fields={
                "procedural_deadline": [
                    _l(
                        "Urgent provision needs a limitation or procedural deadline less than "
                        "7 days away (法律援助法 Art. 44)."
                    )
                ]
            }
        )


def create(actor: User, data: dict) -> Case:
    source = _source_case(actor, data.get("source_case_id"))
    jurisdiction = _place(actor, data, source)
    centre = centre_for(jurisdiction)
    if centre is None:
        raise ValidationFailed(
            fields={"jurisdiction": [_l("No legal-aid centre serves this place.")]}
        )
    check_pre_provision(data)
    subject = make_person("subject", data["subject"])
    exempt = data.get("means_test_exempt_reason") or None
    urgent = bool(data.get("urgent") or data.get("urgent_pre_provision"))
    case = Case(
        jurisdiction=jurisdiction,
        owner_org=centre,
        urgent=urgent,
        risk_level=source.risk_level if source else ("high" if urgent else "medium"),
        special_protection=special_protection(
            subject, data.get("special_protection"), timeutil.now()
        ),
        description=data["description"],
    )
    case.persons.append(subject)
    case.legal_aid = LegalAid(
        source_case_id=source.id if source else None,
        matter=data["matter"],
        means_test_exempt_reason=exempt,
        # The means questions are skipped for the exempt (Art. 32 (4)): nothing is kept.
        household_size=None if exempt else data.get("household_size"),
        monthly_income=None if exempt else data.get("monthly_income"),
        honesty_undertaking=False if exempt else bool(data.get("honesty_undertaking")),
        urgent_pre_provision=bool(data.get("urgent_pre_provision")),
        procedural_deadline=data.get("procedural_deadline"),
    )
    return case


def link_source(case: Case, actor: User, data: dict) -> None:
    """The referring case gets a referral to the centre, answered by this case's steps,
    and a line on its timeline pointing here."""
    aid = case.legal_aid
    source = aid.source_case
    if source is None:
        return
    if case.owner_org_id != actor.organisation_id:
        (referral,) = referrals.send(source, actor, [case.owner_org], case.description, None)
        aid.referral = referral
    touch(source)
    append_event(
        source,
        actor,
        "legal_aid_started",
        source.state,
        "",
        {"case_id": case.id, "number": case.number},
    )


def _report(case: Case, actor: User, trigger: str, comment: str = "") -> None:
    """Show a decision of the legal-aid case on the case it was referred from."""
    source = case.legal_aid.source_case
    if source is None:
        return
    touch(source)
    append_event(
        source,
        actor,
        "legal_aid_update",
        source.state,
        comment,
        {"case_id": case.id, "number": case.number, "trigger": trigger},
    )


def _answer_referral(case: Case, actor: User, action: str, text: str) -> None:
    referral = case.legal_aid.referral
    if referral is not None and referral.is_open:
        if action == "complete" and referral.status == "sent":
            referrals.settle(referral, actor, "accept", "")
        referrals.settle(referral, actor, action, text)


def receive_application(case, actor, data):
    aid = case.legal_aid
    aid.received_at = legal_time(data, "received_at", case.created_at, _l("the referral"))
    _answer_referral(case, actor, "accept", "")
    return data.get("comment") or "", {
        "received_at": aid.received_at.isoformat(),
        **entry_marks(aid.received_at),
    }


def open_decision_due(case: Case, data: dict) -> None:
    """7 days from receipt (Art. 43 ¶1), or from the day the missing materials came in."""
    aid = case.legal_aid
    start = aid.materials_supplied_at or aid.received_at
    ledger.open_deadline(case, "decision_due", start=start)


def request_materials(case, actor, data):
    """One list of what is missing (Art. 43 ¶2). The decision period restarts when the
    materials come in: the running one is waived with that reason."""
    aid = case.legal_aid
    aid.materials_requested = data["materials"]
    aid.materials_requested_at = timeutil.now()
    for deadline in case.open_deadlines("decision_due"):
        ledger.waive(deadline, actor, "awaiting materials (法律援助法 Art. 43 ¶2)")
    return data["materials"], {}


def supply_materials(case, actor, data):
    aid = case.legal_aid
    aid.materials_supplied_at = legal_time(
        data, "supplied_at", aid.materials_requested_at, _l("the request")
    )
    return data.get("comment") or "", {
        "supplied_at": aid.materials_supplied_at.isoformat(),
        **entry_marks(aid.materials_supplied_at),
    }


def withdraw(case, actor, data):
    _answer_referral(case, actor, "decline", data["reason"])
    _report(case, actor, "withdraw", data["reason"])
    return data["reason"], {}


def grant(case, actor, data):
    aid = case.legal_aid
    on_objection = case.state == "objection"
    at = timeutil.now()
    if on_objection:
        aid.objection_decided_at = at
    aid.decision, aid.decided_at = "granted", at
    _report(case, actor, "grant", data.get("comment") or "")
    return data.get("comment") or "", {"on_objection": on_objection}


def open_assign_due(case: Case, data: dict) -> None:
    ledger.open_deadline(case, "assign_due", start=case.legal_aid.decided_at)


def deny(case, actor, data):
    """A denial is written, with reasons (Art. 43 ¶1)."""
    if not (data.get("reason") or "").strip():
        raise ValidationFailed(fields={"reason": [_l("Give the reasons for the denial.")]})
    aid = case.legal_aid
    aid.decision, aid.decided_at, aid.denial_reason = "denied", timeutil.now(), data["reason"]
    _report(case, actor, "deny", data["reason"])
    return data["reason"], {}


def file_objection(case, actor, data):
    aid = case.legal_aid
    aid.objection_at = legal_time(data, "lodged_at", aid.decided_at, _l("the denial"))
    return data["reason"], {
        "lodged_at": aid.objection_at.isoformat(),
        **entry_marks(aid.objection_at),
    }


def open_objection_due(case: Case, data: dict) -> None:
    """5 days from the justice bureau's receipt of the objection (Art. 49)."""
    ledger.open_deadline(case, "objection_decision_due", start=case.legal_aid.objection_at)


def uphold_denial(case, actor, data):
    case.legal_aid.objection_decided_at = timeutil.now()
    case.closed_at = timeutil.now()
    _answer_referral(case, actor, "decline", data["reason"])
    _report(case, actor, "uphold_denial", data["reason"])
    return data["reason"], {}


def assign_lawyer(case, actor, data):
    aid = case.legal_aid
    aid.lawyer_name, aid.law_firm = data["lawyer_name"], data["law_firm"]
    aid.assigned_at = timeutil.now()
    text = f"{aid.lawyer_name}（{aid.law_firm}）"
    _report(case, actor, "assign_lawyer", text)
    return data.get("comment") or text, {"lawyer_name": aid.lawyer_name, "law_firm": aid.law_firm}


def conclude(case, actor, data):
    aid = case.legal_aid
    aid.outcome, aid.concluded_at = data["outcome"], timeutil.now()
    _answer_referral(case, actor, "complete", data["outcome"])
    _report(case, actor, "conclude", data["outcome"])
    return data["outcome"], {}


CREATORS["legal_aid"] = create
CREATED["legal_aid"] = link_source
for kind, opener in {
    "decision_due": open_decision_due,
    "assign_due": open_assign_due,
    "objection_decision_due": open_objection_due,
}.items():
    OPENERS[("legal_aid", kind)] = opener
for trigger, effect in {
    "receive_application": receive_application,
    "request_materials": request_materials,
    "supply_materials": supply_materials,
    "withdraw": withdraw,
    "grant": grant,
    "deny": deny,
    "file_objection": file_objection,
    "uphold_denial": uphold_denial,
    "assign_lawyer": assign_lawyer,
    "conclude": conclude,
    **CLOSURE_EFFECTS,
}.items():
    EFFECTS[("legal_aid", trigger)] = effect
