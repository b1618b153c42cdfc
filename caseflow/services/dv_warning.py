"""The DV call and warning-letter case type: creation and the effects of its triggers
(workflows.md §2; 反家庭暴力法 Art. 15–17). Data arrives validated by caseflow/forms."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import timeutil
from ..deadlines import ledger
from ..extensions import db
from ..models import Case, DvIncident, User
from .act_times import entry_marks
from .cases import CREATORS, EFFECTS, OPENERS
from .common import (
    CLOSURE_EFFECTS,
    legal_time,
    make_person,
    open_first_visit,
    place_in_area,
    special_protection,
    visit_plan,
)
from .errors import ValidationFailed


def police_for(jurisdiction):
    """The police unit nearest the place: its station, else the county bureau."""
    from .mandatory_report import intake_orgs_for

    return next((o for o in intake_orgs_for(jurisdiction) if o.type.startswith("police")), None)


def create(actor: User, data: dict) -> Case:
    jurisdiction = place_in_area(actor, data["jurisdiction_id"])
    subject = make_person("subject", data["subject"])
    abuser = make_person("abuser", data["abuser"], relation=data["abuser"]["relation"])
    flags = special_protection(subject, data.get("special_protection"), data["call_at"])
    # Special protection and serious injury raise the priority (Art. 5).
    urgent = bool(data.get("urgent") or flags or data.get("injury_level") == "serious")
    police = actor.role == "police"
    owner = actor.organisation if police else police_for(jurisdiction)
    if owner is None:
        raise ValidationFailed(fields={"jurisdiction": [_l("No police unit serves this place.")]})
    case = Case(
        jurisdiction=jurisdiction,
        owner_org=owner,
        owner_user=actor if police else None,
        urgent=urgent,
        risk_level="high" if urgent else "medium",
        special_protection=flags,
        description=data["description"],
    )
    case.persons.extend([subject, abuser])
    case.dv_incident = DvIncident(
        call_at=data["call_at"],
        attended_at=data.get("attended_at"),
        location=data.get("location"),
        relation=data["abuser"]["relation"],
        violence_forms=sorted(set(data["violence_forms"])),
        injury_level=data.get("injury_level") or "unknown",
        injuries=data.get("injuries") or "",
        minors_present=bool(data.get("minors_present") or data.get("minors_witnessed")),
        minors_witnessed=bool(data.get("minors_witnessed")),
        prior_incidents=data.get("prior_incidents") or 0,
    )
    return case


def _decide(incident: DvIncident, outcome: str, at, detail: str | None = None) -> None:
    incident.outcome, incident.outcome_at, incident.outcome_detail = outcome, at, detail


def criticize(case, actor, data):
    _decide(case.dv_incident, "criticism", timeutil.now())
    return data.get("comment") or "", {"outcome": "criticism", "victim_informed": True}


def issue_warning(case, actor, data):
    incident = case.dv_incident
    number = data["warning_number"]
    taken = db.session.scalar(
        db.select(DvIncident.case_id).where(
            DvIncident.warning_number == number, DvIncident.case_id != case.id
        )
    )
    if taken is not None:
        raise ValidationFailed(
            fields={"warning_number": [_l("This warning letter number is already used.")]}
        )
    issued_at = legal_time(data, "issued_at", incident.call_at, _l("the call"))
    abuser = case.person("abuser")
    if data.get("abuser_id_number"):
        abuser.id_number = data["abuser_id_number"]
    if data.get("abuser_address"):
        abuser.address = data["abuser_address"]
    # The letter identifies the abuser (Art. 16 ¶2): a name alone is not an identity.
    if not (abuser.id_number or abuser.address):
        raise ValidationFailed(
            fields={
                "abuser_id_number": [
                    _l("A warning letter needs the abuser's ID number or address (Art. 16).")
                ]
            }
        )
    incident.warning_number = number
    try:
        # The SELECT above cannot see a letter another request is saving right now; the
        # unique index can, and says so here rather than as a server error at commit.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(
            fields={"warning_number": [_l("This warning letter number is already used.")]}
        ) from None
    incident.warning_issued_at = issued_at
    incident.warning_facts = data["facts"]
    incident.warning_prohibition = data["prohibition"]
    _decide(incident, "warning", issued_at, number)
    return data["facts"], {"warning_number": number, "issued_at": issued_at.isoformat()}


def open_deliver_due(case: Case, data: dict) -> None:
    """No national limit (Art. 17 ¶1): the local rule names the moment it counts from,
    the call (南宁: 「自报警之日起」) or the letter's issue."""
    incident = case.dv_incident
    rule = ledger.rule_for("deliver_due", case)
    start = incident.call_at if rule.counts_from == "call" else incident.warning_issued_at
    ledger.open_deadline(case, "deliver_due", start=start)


def open_visit_clock(case: Case, data: dict, trigger: str | None = None) -> None:
    """查访 (Art. 17 ¶2) concerns those who received a 告诫书: its clock starts at the
    delivery. Starting follow-up keeps that clock (a date the team chose is one more visit);
    a case with no delivered letter (reopened after 批评教育) has only the local rule's visit."""
    incident = case.dv_incident
    if trigger == "deliver":
        _open_from_delivery(case, incident.delivered_at)
    elif incident.delivered_at is None:
        open_local_visit(case, data)
    elif trigger == "start_follow_up" and any(d.kind == "first_visit_due" for d in case.deadlines):
        if data.get("first_visit_due"):
            ledger.open_deadline(case, "visit_due", due_at=data["first_visit_due"])
    else:
        _first_visit(case, data, trigger)


open_visit_clock.takes_trigger = True


def _open_from_delivery(case: Case, delivered_at) -> None:
    """The first 查访, counted from the delivery: the visit plan's first offset when the plan
    runs from delivery, else the first_visit_due rule."""
    plan = visit_plan(case)
    if plan is None or plan.after != "deliver":
        ledger.open_deadline(case, "first_visit_due", start=delivered_at)
        return
    rule = plan.rule(0, "first_visit_due")
    due = rule.due(delivered_at, timeutil.local_zone())
    deadline = ledger.open_deadline(case, "first_visit_due", start=delivered_at, due_at=due.at)
    ledger.counted(deadline, rule, delivered_at, due)


_first_visit = open_first_visit("first_visit_due")


def open_local_visit(case: Case, data: dict) -> None:
    """After a plain 批评教育: a visit by the local rule (criticism_visit_due), if any."""
    chosen = data.get("first_visit_due")
    ledger.open_deadline(case, "visit_due", due_at=chosen, rule="criticism_visit_due")


def escalate(case, actor, data):
    incident = case.dv_incident
    decided_at = legal_time(data, "decided_at", incident.call_at, _l("the call"))
    _decide(incident, data["outcome"], decided_at, data["detail"])
    case.risk_level = "high" if case.risk_level in ("low", "medium") else case.risk_level
    return data["detail"], {"outcome": data["outcome"], "decided_at": decided_at.isoformat()}


def deliver(case, actor, data):
    """Delivery to the abuser and the victim and notice to the committee (Art. 17 ¶1);
    the warning counts as delivered when the last of the three is done."""
    incident = case.dv_incident
    issued = incident.warning_issued_at
    times = {
        name: legal_time(data, name, issued, _l("the warning was issued"))
        for name in ("delivered_abuser_at", "delivered_victim_at", "committee_notified_at")
    }
    incident.delivered_abuser_at = times["delivered_abuser_at"]
    incident.delivered_victim_at = times["delivered_victim_at"]
    incident.committee_notified_at = times["committee_notified_at"]
    incident.committee_name = data["committee_name"]
    delivered = incident.delivered_at
    ledger.meet(case, "deliver_due", delivered)
    return "", {name: value.isoformat() for name, value in times.items()} | {
        "delivered_at": delivered.isoformat(),
        **entry_marks(delivered),
    }


def record_repeat(case, actor, data):
    incident = case.dv_incident
    occurred_at = legal_time(data, "occurred_at", incident.call_at, _l("the call"))
    if data.get("outcome"):
        _decide(incident, data["outcome"], timeutil.now(), data["description"])
    case.urgent = True
    case.risk_level = "critical" if case.risk_level == "critical" else "high"
    return data["description"], {
        "occurred_at": occurred_at.isoformat(),
        "outcome": data.get("outcome") or None,
    }


CREATORS["dv_warning"] = create
OPENERS[("dv_warning", "deliver_due")] = open_deliver_due
OPENERS[("dv_warning", "first_visit_due")] = open_visit_clock
OPENERS[("dv_warning", "visit_due")] = open_local_visit
for trigger, effect in {
    "criticize": criticize,
    "issue_warning": issue_warning,
    "escalate": escalate,
    "deliver": deliver,
    "record_repeat": record_repeat,
    **CLOSURE_EFFECTS,
}.items():
    EFFECTS[("dv_warning", trigger)] = effect
