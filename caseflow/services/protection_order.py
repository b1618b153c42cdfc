"""The protection-order case type: the application, the court's steps, and the order's life
(workflows.md §3; 反家庭暴力法 Art. 23–34; 法释〔2022〕17号). Data arrives validated by
caseflow/forms; this module checks what depends on the case: the order of legal moments,
the 6-month term, the reconsideration window."""

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from .. import policy, timeutil
from ..deadlines import ledger
from ..deadlines.calendar import add_months
from ..deadlines.windows import act_within
from ..extensions import db
from ..models import Case, Organisation, ProtectionOrder, User
from ..vocab import ORG_TYPES, PO_APPLICANT_ROLES, PROXY_ORG_TYPES, label
from . import referrals
from .act_times import entry_marks
from .audit import append_event
from .cases import CREATED, CREATORS, EFFECTS, OPENERS, fire_as_system, touch
from .common import (
    CLOSURE_EFFECTS,
    legal_time,
    make_person,
    open_first_visit,
    place_in_area,
    special_protection,
    update_person,
)
from .dv_warning import police_for
from .errors import ServiceError, ValidationFailed

MAX_TERM_MONTHS = 6  # Art. 30


def _court(court_id) -> Organisation | None:
    if not court_id:
        return None
    court = db.session.get(Organisation, court_id)
    if court is None or court.type != "court":
        raise ValidationFailed(fields={"court": [_l("Choose a court.")]})
    return court


def _source_case(actor: User, case_id) -> Case | None:
    if not case_id:
        return None
    source = policy.visible_case(actor, case_id)
    if source is None or source.type != "dv_warning":
        raise ValidationFailed(fields={"source_case": [_l("Unknown domestic-violence case.")]})
    return source


def check_proxy(actor: User, role: str, applicant: dict) -> None:
    """A unit applies as the proxy its type is (Art. 23 ¶2; 法释〔2022〕17号 Art. 2): a women's
    federation as the women's federation, a villagers' committee as a committee. A close
    relative applies in person, named, whoever helps with the papers."""
    allowed = PROXY_ORG_TYPES.get(role)
    if allowed is not None and actor.organisation.type not in allowed:
        raise ValidationFailed(
            fields={
                "applicant_role": [
                    _l(
                        "Your organisation (%(org)s) cannot apply as %(role)s.",
                        org=label(ORG_TYPES, actor.organisation.type),
                        role=label(PO_APPLICANT_ROLES, role),
                    )
                ]
            }
        )
    if role == "close_relative" and not applicant.get("name"):
        raise ValidationFailed(
            fields={"applicant.name": [_l("Name the close relative who applies.")]}
        )


def create(actor: User, data: dict) -> Case:
    jurisdiction = place_in_area(actor, data["jurisdiction_id"])
    check_proxy(actor, data["applicant_role"], data.get("applicant") or {})
    subject = make_person("subject", data["subject"])
    flags = special_protection(subject, data.get("special_protection"), timeutil.now())
    urgent = bool(data.get("urgent"))
    case = Case(
        jurisdiction=jurisdiction,
        owner_org=actor.organisation,
        owner_user=actor,
        urgent=urgent,
        risk_level="high" if urgent or flags else "medium",
        special_protection=flags,
        description=data.get("description") or "",
    )
    case.persons.append(subject)
    role = data["applicant_role"]
    if role != "victim":
        applicant = data.get("applicant") or {}
        case.persons.append(
            make_person(
                "applicant",
                {**applicant, "name": applicant.get("name") or actor.organisation.name},
                relation=applicant.get("relation"),
                organisation_name=None if role == "close_relative" else actor.organisation.name,
            )
        )
    respondent = data.get("respondent") or {}
    if any(respondent.get(k) for k in ("name", "id_number", "phone", "address")):
        case.persons.append(
            make_person("respondent", respondent, relation=respondent.get("relation") or None)
        )
    court = _court(data.get("court_id"))
    source = _source_case(actor, data.get("source_case_id"))
    case.protection_order = ProtectionOrder(
        source_case_id=source.id if source else None,
        applicant_role=role,
        proxy_reason=data.get("proxy_reason") if role != "victim" else None,
        victim_wishes_confirmed=bool(data.get("victim_wishes_confirmed")),
        relation=respondent.get("relation") or None,
        measures=sorted(set(data.get("measures") or [])),
        measures_other=data.get("measures_other"),
        evidence=sorted(set(data.get("evidence") or [])),
        court_id=court.id if court else None,
        urgency_requested=urgent,
        court_basis=data.get("court_basis"),
        oral_application=bool(data.get("oral_application")),
    )
    return case


def link_source(case: Case, actor: User, data: dict) -> None:
    """The warning case records that an application was started from it."""
    source = case.protection_order.source_case
    if source is None:
        return
    touch(source)
    append_event(
        source,
        actor,
        "order_started",
        source.state,
        "",
        {"case_id": case.id, "number": case.number},
    )


# --- filing ----------------------------------------------------------------------------


def _merge_application(case: Case, data: dict) -> None:
    """What `file` sends completes the draft; an empty field keeps the draft's value."""
    order = case.protection_order
    given = data.get("respondent") or {}
    respondent = case.person("respondent")
    if any(given.get(k) for k in ("name", "id_number", "phone", "address", "birth_date")):
        if respondent is None:
            respondent = make_person("respondent", given)
            case.persons.append(respondent)
        else:
            update_person(respondent, given)
    if given.get("relation"):
        order.relation = given["relation"]
        if respondent is not None:
            respondent.relation = given["relation"]
    for name in ("measures", "evidence"):
        if data.get(name):
            setattr(order, name, sorted(set(data[name])))
    for name in ("measures_other", "court_basis"):
        if data.get(name):
            setattr(order, name, data[name])
    if data.get("court_id"):
        order.court_id = _court(data["court_id"]).id
    if data.get("victim_wishes_confirmed"):
        order.victim_wishes_confirmed = True
    if data.get("facts"):
        case.description = data["facts"]


def missing_for_filing(case: Case) -> dict:
    """What the court needs before it can accept (Art. 27): a named respondent, specific
    measures, and facts or evidence; and a court, and the victim's consent to a proxy."""
    order = case.protection_order
    missing = {}
    respondent = case.person("respondent")
    if respondent is None or not respondent.name:
        missing["respondent.name"] = [_l("Name the respondent (Art. 27 (1)).")]
    if not order.measures:
        missing["measures"] = [_l("Choose at least one measure (Art. 27 (2)).")]
    elif "other" in order.measures and not order.measures_other:
        missing["measures_other"] = [_l("Describe the other measures requested.")]
    if not case.description.strip() and not order.evidence:
        missing["evidence"] = [
            _l("Give the facts or at least one item of evidence of the violence (Art. 27 (3)).")
        ]
    if order.court_id is None:
        missing["court"] = [_l("Choose the court (Art. 25).")]
    if order.is_proxy and not order.proxy_reason:
        missing["proxy_reason"] = [_l("Say why the victim cannot apply in person.")]
    if order.consent_required and not order.victim_wishes_confirmed:
        missing["victim_wishes_confirmed"] = [
            _l(
                "For a victim who is old, disabled or seriously ill, a proxy applies only on "
                "her or his wishes (法释〔2022〕17号 Art. 2)."
            )
        ]
    return missing


def file(case, actor, data):
    _merge_application(case, data)
    missing = missing_for_filing(case)
    if missing:
        raise ValidationFailed(_l("The application is not complete (Art. 27)."), missing)
    order = case.protection_order
    order.filed_at = legal_time(data, "filed_at")
    return "", {"filed_at": order.filed_at.isoformat(), "court_id": order.court_id}


# --- the court's steps -----------------------------------------------------------------


def court_accept(case, actor, data):
    order = case.protection_order
    order.accepted_at = legal_time(data, "accepted_at", order.filed_at, _l("the filing"))
    order.court_case_number = data.get("court_case_number") or None
    # Urgency is the court's finding at acceptance (Art. 28): the applicant's request is
    # kept (urgency_requested) but does not bind the court to 24 hours.
    case.urgent = bool(data.get("urgent"))
    return data.get("comment", ""), {
        "accepted_at": order.accepted_at.isoformat(),
        "urgent": case.urgent,
        "urgency_requested": order.urgency_requested,
    }


def open_ruling_due(case: Case, data: dict) -> None:
    """72 hours from the minute of acceptance, 24 when the court found it urgent (Art. 28)."""
    rule = "ruling_due_urgent" if case.urgent else "ruling_due"
    ledger.open_deadline(case, "ruling_due", start=case.protection_order.accepted_at, rule=rule)


def end_of_day(day: date) -> datetime:
    """The moment a day ends in local time: an order is in force to the end of its last day."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=timeutil.local_zone())


def last_day(order: ProtectionOrder) -> date:
    return (timeutil.to_local(order.expires_at) - timedelta(days=1)).date()


def check_term(issued_at: datetime, expires_on: date, field: str = "expires_on") -> datetime:
    """At most 6 months from the ruling (Art. 30); a month without the day ends on its last
    day (民法典 Art. 202): issued 31 August, the last day is 28 or 29 February."""
    issued_day = timeutil.to_local(issued_at).date()
    latest = add_months(issued_day, MAX_TERM_MONTHS)
    if expires_on < issued_day:
        raise ValidationFailed(fields={field: [_l("The order cannot end before it is made.")]})
    if expires_on > latest:
        raise ValidationFailed(
            fields={
                field: [
                    _l(
                        "An order is in force for at most 6 months (Art. 30): "
                        "the last day can be %(latest)s at the latest.",
                        latest=latest.isoformat(),
                    )
                ]
            }
        )
    return end_of_day(expires_on)


def issue_order(case, actor, data):
    order = case.protection_order
    first = case.state == "accepted"
    if first:
        issued_at = legal_time(data, "issued_at", order.accepted_at, _l("the acceptance"))
    else:
        issued_at = legal_time(
            data, "issued_at", order.reconsideration_requested_at, _l("the reconsideration request")
        )
    expires_at = check_term(issued_at, data["expires_on"])
    order.order_number = data["order_number"]
    order.issued_at = issued_at
    order.expires_at = expires_at
    order.granted_measures = sorted(set(data["granted_measures"]))
    if data.get("measures_other"):
        order.measures_other = data["measures_other"]
    if first:
        order.ruling, order.ruled_at = "issued", issued_at
        ledger.meet(case, "ruling_due", issued_at)
    else:
        order.reconsideration_decided_at = issued_at
    return data.get("comment") or "", {
        "issued_at": issued_at.isoformat(),
        "expires_at": expires_at.isoformat(),
        "measures": order.granted_measures,
        "via": "ruling" if first else "reconsideration",
    }


def reject(case, actor, data):
    order = case.protection_order
    ruled_at = legal_time(data, "ruled_at", order.accepted_at, _l("the acceptance"))
    order.ruling, order.ruled_at = "rejected", ruled_at
    order.rejection_reason = data["reason"]
    ledger.meet(case, "ruling_due", ruled_at)
    event = {"ruled_at": ruled_at.isoformat()}
    if data.get("served_at"):
        served_at = legal_time(data, "served_at", ruled_at, _l("the ruling"))
        order.rejection_served_at = served_at
        event.update(served_at=served_at.isoformat(), **entry_marks(served_at))
    return data["reason"], event


def serve_rejection(case, actor, data):
    order = case.protection_order
    served_at = legal_time(data, "served_at", order.ruled_at, _l("the ruling"))
    order.rejection_served_at = served_at
    return data.get("comment") or "", {"served_at": served_at.isoformat(), **entry_marks(served_at)}


def open_reconsideration_window(case: Case, data: dict) -> None:
    """5 days from the rejection's service — a ruling takes effect when served — the start
    day excluded, a final holiday rolled over (Art. 31; 民事诉讼法 Art. 85). A rejection
    not yet served opens no window: `serve_rejection` opens it."""
    served_at = case.protection_order.rejection_served_at
    if served_at is None or _window(case, "reconsideration_window") is not None:
        return
    ledger.open_deadline(case, "reconsideration_window", start=served_at)


def _window(case: Case, kind: str):
    windows = [d for d in case.deadlines if d.kind == kind]
    return max(windows, key=lambda d: d.opened_at) if windows else None


def _check_window(window, acted_at: datetime, field: str) -> dict:
    """Refuse an act outside its window (judged by the time of the act, one rule for every
    window: deadlines.windows.act_within); a window on a provisional calendar warns."""
    check = act_within(window, acted_at)
    if not check.allowed:
        end = timeutil.to_local(window.due_at).strftime("%Y-%m-%d %H:%M")
        raise ValidationFailed(
            fields={
                field: [
                    _l(
                        "This is outside the 5-day window for reconsideration (Art. 31), "
                        "which ended %(end)s.",
                        end=end,
                    )
                ]
            }
        )
    return check.event_data()


def request_reconsideration(case, actor, data):
    order = case.protection_order
    requested_at = legal_time(data, "requested_at", order.ruled_at, _l("the ruling"))
    window = _window(case, "reconsideration_window") or ledger.open_deadline(
        case, "reconsideration_window", start=order.rejection_served_at
    )
    warning = _check_window(window, requested_at, "requested_at")
    order.reconsideration_requested_at = requested_at
    ledger.meet(case, "reconsideration_window", requested_at)
    return data["reason"], {
        "requested_at": requested_at.isoformat(),
        **entry_marks(requested_at),
        **warning,
    }


def uphold_rejection(case, actor, data):
    order = case.protection_order
    decided_at = legal_time(
        data, "decided_at", order.reconsideration_requested_at, _l("the reconsideration request")
    )
    order.reconsideration_decided_at = decided_at
    case.closed_at = timeutil.now()
    return data["reason"], {"decided_at": decided_at.isoformat()}


SERVICE_FIELDS = (
    "served_applicant_at",
    "served_respondent_at",
    "served_police_at",
    "served_committee_at",
)


def serve(case, actor, data):
    """Served on applicant, respondent, police and committee (Art. 32), none before issue."""
    order = case.protection_order
    for name in SERVICE_FIELDS:
        setattr(order, name, legal_time(data, name, order.issued_at, _l("the order was made")))
    order.served_police_name = data["police_name"]
    order.served_committee_name = data["committee_name"]
    # Service is complete with the last of the four; an entry long after it is marked.
    return "", {name: getattr(order, name).isoformat() for name in SERVICE_FIELDS} | entry_marks(
        order.served_at
    )


def open_respondent_review_window(case: Case, data: dict) -> None:
    """5 days from service on the respondent, for the respondent's 复议 (Art. 31)."""
    start = case.protection_order.served_respondent_at
    ledger.open_deadline(case, "respondent_review_window", start=start)


def request_respondent_review(case, actor, data):
    """The respondent's 复议 of a granted order, once, within 5 days of service on the
    respondent (Art. 31). It does not stay the order: the case stays in force."""
    order = case.protection_order
    served = order.served_respondent_at
    requested_at = legal_time(data, "requested_at", served, _l("the service on the respondent"))
    window = _window(case, "respondent_review_window")
    if window is None:  # an order served before the window was kept as a deadline
        window = ledger.open_deadline(case, "respondent_review_window", start=served)
    warning = _check_window(window, requested_at, "requested_at")
    order.respondent_review_requested_at = requested_at
    ledger.meet(case, "respondent_review_window", requested_at)
    return data["reason"], {
        "requested_at": requested_at.isoformat(),
        **entry_marks(requested_at),
        **warning,
    }


def _review_decided_at(order: ProtectionOrder, data: dict) -> datetime:
    return legal_time(
        data,
        "decided_at",
        order.respondent_review_requested_at,
        _l("the respondent's application"),
    )


def decide_respondent_review(case, actor, data):
    """Upheld, or changed (the measures ordered are replaced); a revocation is its own
    step, since it ends the order."""
    order = case.protection_order
    decided_at = _review_decided_at(order, data)
    outcome = data["outcome"]
    event = {"decided_at": decided_at.isoformat(), "outcome": outcome}
    if outcome == "changed":
        event["measures_before"] = list(order.granted_measures)
        order.granted_measures = sorted(set(data["granted_measures"]))
        if data.get("measures_other"):
            order.measures_other = data["measures_other"]
        event["measures"] = order.granted_measures
    order.respondent_review_outcome = outcome
    order.respondent_review_decided_at = decided_at
    return data["reason"], event


def revoke_on_review(case, actor, data):
    order = case.protection_order
    decided_at = _review_decided_at(order, data)
    order.respondent_review_outcome = "revoked"
    order.respondent_review_decided_at = decided_at
    order.ended_at, order.end_reason = decided_at, "revoked"
    return data["reason"], {"decided_at": decided_at.isoformat(), "outcome": "revoked"}


def _applied_in_force(order: ProtectionOrder, data: dict) -> tuple[datetime, datetime]:
    """A change is applied for while the order is in force, and decided after that (Art. 30)."""
    applied_at = legal_time(data, "applied_at", order.issued_at, _l("the order was made"))
    if applied_at >= order.expires_at:
        raise ValidationFailed(
            fields={"applied_at": [_l("The application must be made before the order lapses.")]}
        )
    decided_at = legal_time(data, "decided_at", applied_at, _l("the application"))
    return applied_at, decided_at


def extend(case, actor, data):
    order = case.protection_order
    applied_at, decided_at = _applied_in_force(order, data)
    if data["expires_on"] <= last_day(order):
        raise ValidationFailed(
            fields={"expires_on": [_l("An extension must end after the current last day.")]}
        )
    before = order.expires_at
    order.expires_at = end_of_day(data["expires_on"])
    return data.get("comment") or "", {
        "applied_at": applied_at.isoformat(),
        "decided_at": decided_at.isoformat(),
        "expires_at_before": before.isoformat(),
        "expires_at": order.expires_at.isoformat(),
    }


def modify(case, actor, data):
    order = case.protection_order
    applied_at, decided_at = _applied_in_force(order, data)
    before = list(order.granted_measures)
    order.granted_measures = sorted(set(data["granted_measures"]))
    if data.get("measures_other"):
        order.measures_other = data["measures_other"]
    return data.get("comment") or "", {
        "applied_at": applied_at.isoformat(),
        "decided_at": decided_at.isoformat(),
        "measures_before": before,
        "measures": order.granted_measures,
    }


def record_violation(case, actor, data):
    """A breach goes to the court, which enforces the order, and to the police, who assist
    (Art. 32 ¶2, Art. 34): one referral each, unless one is already open."""
    order = case.protection_order
    occurred_at = legal_time(data, "occurred_at", order.issued_at, _l("the order was made"))
    targets = [o for o in (order.court, police_for(case.jurisdiction)) if o is not None]
    targets = [
        o
        for o in targets
        if o.id != actor.organisation_id
        and not any(r.to_org_id == o.id and r.is_open for r in case.referrals)
    ]
    reason = str(
        _l(
            "Violation of protection order %(number)s (Art. 34): %(what)s",
            number=order.order_number,
            what=data["description"],
        )
    )
    sent = referrals.send(case, actor, targets, reason, None) if targets else []
    return data["description"], {
        "occurred_at": occurred_at.isoformat(),
        "evidence": data.get("evidence") or "",
        "referral_ids": [r.id for r in sent],
    }


def revoke(case, actor, data):
    order = case.protection_order
    decided_at = legal_time(data, "decided_at", order.issued_at, _l("the order was made"))
    order.ended_at, order.end_reason = decided_at, "revoked"
    return data["reason"], {"decided_at": decided_at.isoformat()}


def expire(case, actor, data):
    order = case.protection_order
    order.ended_at, order.end_reason = order.expires_at, "expired"
    return "", {"expired_at": order.expires_at.isoformat()}


# --- the sweep -------------------------------------------------------------------------


def expire_due() -> int:
    """Fire `expire` on every order past its last day. Rows are claimed with
    FOR UPDATE SKIP LOCKED (PostgreSQL), so two sweepers never expire the same order; a
    case changed meanwhile is left for the next run. Returns how many orders expired."""
    at = timeutil.now()
    ids = db.session.scalars(
        db.select(Case.id)
        .join(ProtectionOrder, ProtectionOrder.case_id == Case.id)
        .where(Case.state.in_(("issued", "in_force")), ProtectionOrder.expires_at <= at)
        .order_by(Case.id)
        .with_for_update(of=Case, skip_locked=True)
    ).all()
    count = 0
    for case_id in ids:
        case = db.session.get(Case, case_id)
        try:
            with db.session.begin_nested():
                fire_as_system(case, "expire")
            count += 1
        except (ServiceError, StaleDataError):
            continue
    return count


CREATORS["protection_order"] = create
CREATED["protection_order"] = link_source
OPENERS[("protection_order", "ruling_due")] = open_ruling_due
OPENERS[("protection_order", "reconsideration_window")] = open_reconsideration_window
OPENERS[("protection_order", "respondent_review_window")] = open_respondent_review_window
OPENERS[("protection_order", "visit_due")] = open_first_visit("visit_due")
for trigger, effect in {
    "file": file,
    "court_accept": court_accept,
    "issue_order": issue_order,
    "reject": reject,
    "serve_rejection": serve_rejection,
    "request_reconsideration": request_reconsideration,
    "uphold_rejection": uphold_rejection,
    "serve": serve,
    "extend": extend,
    "modify": modify,
    "record_violation": record_violation,
    "revoke": revoke,
    "request_respondent_review": request_respondent_review,
    "decide_respondent_review": decide_respondent_review,
    "revoke_on_review": revoke_on_review,
    "expire": expire,
    **CLOSURE_EFFECTS,
}.items():
    EFFECTS[("protection_order", trigger)] = effect
