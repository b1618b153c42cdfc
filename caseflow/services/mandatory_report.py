"""The mandatory-report case type: creation and the effects of its triggers.

Data arrives validated by caseflow/forms (the same forms serve the pages and the API).
"""

from flask_babel import lazy_gettext as _l

from ..deadlines import ledger
from ..extensions import db
from ..models import Case, Jurisdiction, MandatoryReport, Organisation, Person, User
from ..vocab import (
    INSTITUTION_REPORTER_ORG_TYPES,
    INTAKE_ORG_TYPES,
    ORG_TYPES,
    SCHOOL_ORG_TYPES,
    SEXUAL_ABUSE_SITUATIONS,
    label,
)
from ..workflows.mandatory_report import VERIFIERS
from . import referrals
from .act_times import entry_marks
from .audit import append_event
from .cases import CREATED, CREATION_EVENT, CREATORS, EFFECTS, OPENERS, assignable_user
from .common import (
    CLOSURE_EFFECTS,
    legal_time,
    make_person,
    open_first_visit,
    place_in_area,
    text_effect,
)
from .errors import ValidationFailed


def intake_orgs_for(jurisdiction: Jurisdiction):
    """Units that may receive a report about this place: police or civil affairs whose
    jurisdiction contains it (the village's township station, the county bureau)."""
    ancestors = [c for c in jurisdiction.path.split("/") if c]
    return db.session.scalars(
        db.select(Organisation)
        .join(Jurisdiction, Organisation.jurisdiction_id == Jurisdiction.id)
        .where(Organisation.type.in_(INTAKE_ORG_TYPES), Jurisdiction.code.in_(ancestors))
        .order_by(Jurisdiction.path.desc(), Organisation.id)
    ).all()


def reporting_unit_type(actor: User, given: str) -> str:
    """An institution's staff report as their unit (强制报告意见 Art. 3): the report carries
    the unit's type, and a different type is refused rather than silently replaced."""
    if actor.role != "institution_reporter":
        return given
    own = actor.organisation.type
    if own not in INSTITUTION_REPORTER_ORG_TYPES:
        raise ValidationFailed(
            fields={
                "reporter_org_type": [_l("Your unit is not a mandatory-reporting institution.")]
            }
        )
    if given and given != own:
        raise ValidationFailed(
            fields={
                "reporter_org_type": [
                    _l("You report for your unit, a %(type)s.", type=label(ORG_TYPES, own))
                ]
            }
        )
    return own


def school_report_rules(data: dict, org_type: str, sexual: bool, org, discovered_at) -> bool:
    """未保法 Art. 40: a school's or kindergarten's report of sexual abuse or harassment goes
    to the police (and the education bureau, see route_to_education), and the guardian is
    told unless the guardian is the suspect. True when the rule applies. Any report may
    record when the guardian was told, never of a guardian who is the suspect."""
    notified = data.get("guardian_notified_at")
    if notified is not None and data.get("guardian_is_suspect"):
        raise ValidationFailed(
            fields={
                "guardian_notified_at": [
                    _l("The guardian is the suspect and is not told: leave this empty.")
                ]
            }
        )
    if notified is not None and notified < discovered_at.replace(second=0, microsecond=0):
        raise ValidationFailed(
            fields={"guardian_notified_at": [_l("This cannot be before the harm was discovered.")]}
        )
    if org_type not in SCHOOL_ORG_TYPES or not sexual:
        return False
    if not org.type.startswith("police"):
        raise ValidationFailed(
            fields={
                "intake_org": [
                    _l(
                        "A school reports sexual abuse or harassment to the police (未保法 Art. 40)."
                    )
                ]
            }
        )
    if not data.get("guardian_is_suspect") and notified is None:
        raise ValidationFailed(
            fields={
                "guardian_notified_at": [
                    _l(
                        "Record when the guardian was told (未保法 Art. 40), or tick that the "
                        "guardian is the suspect."
                    )
                ]
            }
        )
    return True


def create(actor: User, data: dict) -> Case:
    jurisdiction = place_in_area(actor, data["jurisdiction_id"])
    org_type = reporting_unit_type(actor, data.get("reporter_org_type"))
    intake = data.get("intake_org_id")
    choices = intake_orgs_for(jurisdiction)
    org = next((o for o in choices if o.id == intake), None) if intake else (choices or [None])[0]
    if org is None:
        raise ValidationFailed(
            fields={"intake_org": [_l("Choose the police or civil-affairs unit to report to.")]}
        )
    # The report is the act (when, how, to whom), not its entry here: a call to 110 at once
    # is a report in time however late it is typed in (强制报告意见 Art. 2).
    reported_at = legal_time(data, "reported_at", data["discovered_at"], _l("the discovery"))
    codes = sorted(set(data.get("situation_codes") or []))
    sexual = bool(data.get("sexual_abuse")) or bool(SEXUAL_ABUSE_SITUATIONS & set(codes))
    school_report_rules(data, org_type, sexual, org, data["discovered_at"])
    urgent = bool(codes) or data.get("ongoing_danger", False) or data.get("urgent", False)
    case = Case(
        jurisdiction=jurisdiction,
        owner_org=org,
        urgent=urgent,
        risk_level="high" if urgent else "medium",
        special_protection=sorted(set(["minor", *data.get("special_protection", [])])),
        description=data["description"],
    )
    subject = data["subject"]
    case.persons.append(make_person("subject", subject))
    reporter = data.get("reporter") or {}
    case.persons.append(
        Person(
            role="reporter",
            name=reporter.get("name") or actor.display_name,
            phone=reporter.get("phone"),
            organisation_name=reporter.get("organisation_name") or actor.organisation.name,
        )
    )
    case.mandatory_report = MandatoryReport(
        reporter_org_type=org_type,
        sexual_abuse=sexual,
        guardian_notified_at=data.get("guardian_notified_at"),
        discovered_at=data["discovered_at"],
        reported_at=reported_at,
        report_channel=data.get("report_channel") or "system",
        reported_to=data.get("reported_to") or org.name,
        situation_codes=codes,
        ongoing_danger=data.get("ongoing_danger", False),
        guardian_is_suspect=data.get("guardian_is_suspect", False),
        child_safety=data.get("child_safety") or "unknown",
    )
    return case


def creation_event(case: Case) -> dict:
    report = case.mandatory_report
    return {
        "reported_at": report.reported_at.isoformat(),
        "report_channel": report.report_channel,
        **entry_marks(report.reported_at, case.created_at),
    }


def education_bureau_for(jurisdiction: Jurisdiction) -> Organisation | None:
    """The education bureau over the place: the nearest one up its path."""
    ancestors = [c for c in jurisdiction.path.split("/") if c]
    return db.session.scalars(
        db.select(Organisation)
        .join(Jurisdiction, Organisation.jurisdiction_id == Jurisdiction.id)
        .where(Organisation.type == "education_bureau", Jurisdiction.code.in_(ancestors))
        .order_by(Jurisdiction.path.desc(), Organisation.id)
    ).first()


def route_to_education(case: Case, actor: User, data: dict) -> None:
    """未保法 Art. 40: the school's report of sexual abuse or harassment reaches the education
    bureau too, as a referral it answers from its inbox (with the case's timeline entry)."""
    report = case.mandatory_report
    if report.reporter_org_type not in SCHOOL_ORG_TYPES or not report.sexual_abuse:
        return
    bureau = education_bureau_for(case.jurisdiction)
    if bureau is None:
        raise ValidationFailed(
            fields={"intake_org": [_l("No education bureau serves this place (未保法 Art. 40).")]}
        )
    reason = str(
        _l(
            "A school's report of sexual abuse or harassment of a minor, reported to the "
            "police and the education bureau (未保法 Art. 40)."
        )
    )
    sent = referrals.send(case, actor, [bureau], reason, None)
    append_event(
        case,
        actor,
        "referral_sent",
        case.state,
        reason,
        {"referral_ids": [r.id for r in sent], "to_orgs": [bureau.id]},
    )
    if report.guardian_is_suspect:
        guardian = {"guardian_notified": False, "reason": "guardian_is_suspect"}
    else:
        guardian = {"guardian_notified_at": report.guardian_notified_at.isoformat()}
    append_event(case, actor, "guardian_notice", case.state, "", guardian)


def open_report_late(case: Case, data: dict) -> None:
    """The report is late if more than the limit passed between discovery and report;
    opened from discovery and closed at once by the report itself."""
    report = case.mandatory_report
    deadline = ledger.open_deadline(case, "report_late", start=report.discovered_at)
    ledger.close(deadline, report.reported_at)


def open_accept_due(case: Case, data: dict, trigger: str | None = None) -> None:
    """The receiving unit must accept at once (强制报告意见 Art. 8), counted from when the
    report reached it — the call to 110, not its entry here; after a transfer, from the
    transfer."""
    start = case.mandatory_report.reported_at if trigger is None else None
    ledger.open_deadline(case, "accept_due", start=start)


open_accept_due.takes_trigger = True


def transfer(case, actor, data):
    target = db.session.get(Organisation, data["to_org"])
    if target is None or target not in intake_orgs_for(case.jurisdiction):
        raise ValidationFailed(fields={"to_org": [_l("Choose a receiving unit for this place.")]})
    if target.id == case.owner_org_id:
        raise ValidationFailed(fields={"to_org": [_l("The case is already with this unit.")]})
    previous = case.owner_org_id
    case.owner_org = target
    case.owner_user = None
    return data["reason"], {"from_org": previous, "to_org": target.id}


def accept(case, actor, data):
    case.owner_user = actor
    return data.get("comment", ""), {}


def start_verification(case, actor, data):
    from .police import rebase_verification

    verifier = assignable_user(case, data["verifier"], VERIFIERS)
    if verifier is None:
        raise ValidationFailed(fields={"verifier": [_l("Choose a verifier for this place.")]})
    case.mandatory_report.verifier = verifier
    rebased = rebase_verification(case, verifier)
    extra = {"verify_due": rebased} if rebased else {}
    return data.get("comment", ""), {"verifier_id": verifier.id, **extra}


def verify(case, actor, data):
    report = case.mandatory_report
    report.findings = data["findings"]
    report.confirmed_situations = sorted(set(data.get("confirmed_situations") or []))
    case.risk_level = data["risk_level"]
    return data["findings"], {
        "risk_level": case.risk_level,
        "confirmed_situations": report.confirmed_situations,
    }


def refer(case, actor, data):
    orgs = [db.session.get(Organisation, i) for i in data["to_orgs"]]
    if not orgs or any(o is None for o in orgs):
        raise ValidationFailed(fields={"to_orgs": [_l("Choose at least one department.")]})
    sent = referrals.send(case, actor, orgs, data["reason"], data.get("due_at"))
    return data["reason"], {"referral_ids": [r.id for r in sent], "to_orgs": [o.id for o in orgs]}


CREATORS["mandatory_report"] = create
CREATION_EVENT["mandatory_report"] = creation_event
CREATED["mandatory_report"] = route_to_education
OPENERS[("mandatory_report", "report_late")] = open_report_late
OPENERS[("mandatory_report", "accept_due")] = open_accept_due
OPENERS[("mandatory_report", "visit_due")] = open_first_visit("visit_due")
for trigger, effect in {
    "accept": accept,
    "transfer": transfer,
    "start_verification": start_verification,
    "verify": verify,
    "mark_unfounded": text_effect("reason"),
    "refer": refer,
    "send_feedback": text_effect("feedback"),
    **CLOSURE_EFFECTS,
}.items():
    EFFECTS[("mandatory_report", trigger)] = effect
