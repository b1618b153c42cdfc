"""The police steps with statutory periods (caseflow/workflows/police.py): D7 on mandatory
reports the police found unfounded, D9 on DV calls escalated to a 治安 case, and the
police reform's longer verification periods (D8). Each step counts from the time the
person acted, typed on the form, and meets its deadline at that time."""

from flask_babel import lazy_gettext as _l

from .. import timeutil
from ..deadlines import ledger
from ..models import Case, Deadline
from .cases import EFFECTS, OPENERS
from .common import legal_time
from .errors import InvalidTransitionError, ValidationFailed


def _latest(case: Case, kind: str) -> Deadline | None:
    rows = [d for d in case.deadlines if d.kind == kind]
    return max(rows, key=lambda d: (d.opened_at, d.id or 0), default=None)


def _extend(case: Case, kind: str, rule_kind: str, data: dict):
    """Lengthen the open deadline to the approved longer period, counted from the same start.
    The row keeps its history: the timeline event holds the old and the new due time."""
    deadline = next(d for d in case.deadlines if d.kind == kind and d.status == "open")
    rule = ledger.rule_for(rule_kind, case)
    due = rule.due(deadline.opened_at, timeutil.local_zone())
    if due.at <= deadline.due_at:
        raise ValidationFailed(
            fields={"period": [_l("The period is already this long or longer.")]}
        )
    old = deadline.due_at
    ledger.counted(deadline, rule, deadline.opened_at, due)
    return {
        "deadline": kind,
        "old_due_at": old.isoformat(),
        "new_due_at": due.at.isoformat(),
        "basis": rule.basis,
        "approved_by": data.get("approved_by") or None,
    }


def _act(data: dict, field: str, not_before, before_name):
    """The time of the act, resolved once and kept in `data` for the deadlines it opens."""
    at = legal_time(data, field, not_before, before_name)
    data[field] = at
    return at


# --- D9: a 治安 case on a DV call ----------------------------------------------------------


def open_penalty_decision(case: Case, data: dict) -> None:
    """Only an escalation to 治安处罚 opens a public-order case; its 30 days run from its
    acceptance, the time of the escalation decision (Art. 165)."""
    incident = case.dv_incident
    if data.get("outcome") != "admin_penalty" or incident.outcome != "admin_penalty":
        return
    if any(d.kind == "penalty_decision_due" and d.status == "open" for d in case.deadlines):
        return
    ledger.open_deadline(case, "penalty_decision_due", start=incident.outcome_at)


def decide_penalty(case, actor, data):
    deadline = _latest(case, "penalty_decision_due")
    decided_at = _act(data, "decided_at", deadline.opened_at, _l("the case was accepted"))
    ledger.meet(case, "penalty_decision_due", decided_at)
    return data["decision"], {"decided_at": decided_at.isoformat()}


def extend_penalty_decision(case, actor, data):
    info = _extend(case, "penalty_decision_due", "penalty_decision_due_extended", data)
    return data["reason"], info


# --- D7: the police do not open a case on a mandatory report ------------------------------


def open_no_case_notice(case: Case, data: dict) -> None:
    """A police verifier's `unfounded` is a decision not to open a case (Art. 178); another
    unit's finding is not, and opens nothing."""
    verifier = case.mandatory_report.verifier
    if verifier is not None and verifier.role == "police":
        ledger.open_deadline(case, "no_case_notice_due")


def serve_no_case_notice(case, actor, data):
    decided = _latest(case, "no_case_notice_due")
    served_at = _act(data, "served_at", decided.opened_at, _l("the decision"))
    ledger.meet(case, "no_case_notice_due", served_at)
    return data.get("comment") or "", {"served_at": served_at.isoformat()}


def open_review_window(case: Case, data: dict) -> None:
    """7 days from the complainant's receipt of the notice (Art. 179)."""
    ledger.open_deadline(case, "police_review_window", start=data["served_at"])


def request_police_review(case, actor, data):
    window = _latest(case, "police_review_window")
    applied_at = _act(data, "applied_at", window.opened_at, _l("the notice was served"))
    # The window is judged by when the complainant applied, not when it was typed in.
    if applied_at > window.due_at:
        raise InvalidTransitionError(
            _l(
                "The 7-day window for reconsideration has closed (公安机关办理刑事案件程序规定 "
                "Art. 179)."
            )
        )
    ledger.meet(case, "police_review_window", applied_at)
    return data["grounds"], {"applied_at": applied_at.isoformat()}


def open_review_decision(case: Case, data: dict) -> None:
    ledger.open_deadline(case, "police_review_decision_due", start=data["applied_at"])


def extend_police_review(case, actor, data):
    info = _extend(case, "police_review_decision_due", "police_review_decision_due_extended", data)
    return data["reason"], info


def decide_police_review(outcome: str):
    def effect(case, actor, data):
        review = _latest(case, "police_review_decision_due")
        decided_at = _act(data, "decided_at", review.opened_at, _l("the application"))
        ledger.meet(case, "police_review_decision_due", decided_at)
        return data["reason"], {"decided_at": decided_at.isoformat(), "outcome": outcome}

    return effect


# --- D8: the police reform's verification periods -----------------------------------------

VERIFICATION_PERIODS = {"extended": "verify_due_extended", "complex": "verify_due_complex"}


def _verify_rule(police: bool) -> str:
    return "verify_due" if police else "verify_due_local"


def open_verify_due(case: Case, data: dict) -> None:
    """Who verifies decides the rule: the police by the 受案立案 reform (3 days), civil
    affairs and the township child supervisor by the local rule (said so in its basis).
    At acceptance the accepting unit verifies; start_verification may name another."""
    owner = case.owner_org
    police = owner is not None and owner.type.startswith("police")
    ledger.open_deadline(case, "verify_due", rule=_verify_rule(police))


def rebase_verification(case: Case, verifier) -> dict | None:
    """A verifier of the other kind (a child supervisor on a police case, the police on a
    civil-affairs one) brings that kind's rule, counted from the same acceptance; the
    timeline keeps the old and new due time and basis. None when nothing changes."""
    deadline = next(
        (d for d in case.deadlines if d.kind == "verify_due" and d.status == "open"), None
    )
    if deadline is None:
        return None
    rule = ledger.rule_for(_verify_rule(verifier.role == "police"), case)
    if deadline.basis == rule.basis:
        return None
    due = rule.due(deadline.opened_at, timeutil.local_zone())
    old = {"due_at": deadline.due_at.isoformat(), "basis": deadline.basis}
    ledger.counted(deadline, rule, deadline.opened_at, due)
    return {"old": old, "new": {"due_at": due.at.isoformat(), "basis": rule.basis}}


def extend_verification(case, actor, data):
    info = _extend(case, "verify_due", VERIFICATION_PERIODS[data["period"]], data)
    return data["reason"], info | {"period": data["period"]}


OPENERS[("dv_warning", "penalty_decision_due")] = open_penalty_decision
OPENERS[("mandatory_report", "no_case_notice_due")] = open_no_case_notice
OPENERS[("mandatory_report", "police_review_window")] = open_review_window
OPENERS[("mandatory_report", "police_review_decision_due")] = open_review_decision
OPENERS[("mandatory_report", "verify_due")] = open_verify_due
for (case_type, trigger), effect in {
    ("dv_warning", "decide_penalty"): decide_penalty,
    ("dv_warning", "extend_penalty_decision"): extend_penalty_decision,
    ("mandatory_report", "serve_no_case_notice"): serve_no_case_notice,
    ("mandatory_report", "request_police_review"): request_police_review,
    ("mandatory_report", "extend_police_review"): extend_police_review,
    ("mandatory_report", "uphold_no_case"): decide_police_review("upheld"),
    ("mandatory_report", "overturn_no_case"): decide_police_review("overturned"),
    ("mandatory_report", "extend_verification"): extend_verification,
}.items():
    EFFECTS[(case_type, trigger)] = effect
