"""人身安全保护令 — personal safety protection orders (workflows.md §3;
反家庭暴力法 Art. 23–34; 法释〔2022〕17号).

The applicant side (the victim's helper who drafted the application) owns the case; the
court named in the application records acceptance, rulings, service and changes.
"""

from flask_babel import lazy_gettext as _l

from .. import timeutil
from .base import Step, Workflow, closure_steps, in_owner_org

# Who drafts an application with or for the victim: 妇联 / hotline / police / lawyer, and the
# units that may apply as proxies (Art. 23 ¶2; 法释〔2022〕17号 Art. 2): civil affairs, the
# committees, and disabled persons' federations, elderly organisations and relief agencies.
# Which proxy a unit may declare is checked against its type (vocab.PROXY_ORG_TYPES).
DRAFTERS = frozenset(
    {
        "womens_federation",
        "hotline",
        "police",
        "legal_aid",
        "civil_affairs",
        "committee",
        "assisting_org",
    }
)
COURT = frozenset({"court_liaison"})
# A violation may be reported by anyone handling the case (Art. 34).
HANDLERS = DRAFTERS | COURT
SYSTEM = frozenset()  # fired by the sweep only

STATES = {
    "drafted": _l("Drafted"),
    "filed": _l("Filed with the court"),
    "accepted": _l("Accepted by the court"),
    "issued": _l("Order issued"),
    "rejected": _l("Application rejected"),
    "reconsideration": _l("Reconsideration requested"),
    "in_force": _l("In force"),
    "ended": _l("Ended"),
    "following_up": _l("Following up"),
    "closure_requested": _l("Closure requested"),
    "closed": _l("Closed"),
}


def is_the_court(case, actor) -> str | None:
    order = case.protection_order
    if order is not None and order.court_id is not None and actor.organisation_id == order.court_id:
        return None
    return "not_the_court"


def not_reconsidered(case, actor) -> str | None:
    """Reconsideration once only (Art. 31)."""
    order = case.protection_order
    return "already_reconsidered" if order.reconsideration_requested_at else None


def rejection_served(case, actor) -> str | None:
    """The window runs from the rejection's service (Art. 31: from the ruling taking
    effect), so reconsideration is recorded once service is. Whether the party applied in
    time is judged in the step from the time they applied, not from today's clock."""
    return None if case.protection_order.rejection_served_at else "rejection_not_served"


def rejection_not_served(case, actor) -> str | None:
    return "rejection_already_served" if case.protection_order.rejection_served_at else None


def no_respondent_review(case, actor) -> str | None:
    """The respondent may apply for reconsideration once (Art. 31)."""
    order = case.protection_order
    return "respondent_review_requested" if order.respondent_review_requested_at else None


def respondent_review_pending(case, actor) -> str | None:
    order = case.protection_order
    if order.respondent_review_requested_at is None or order.respondent_review_decided_at:
        return "no_respondent_review"
    return None


def not_expired(case, actor) -> str | None:
    """Extension and variation are decided before the order lapses (Art. 30)."""
    order = case.protection_order
    if order.expires_at is None or timeutil.now() >= order.expires_at:
        return "order_expired"
    return None


def expiry_reached(case, actor) -> str | None:
    order = case.protection_order
    if order.expires_at is None or timeutil.now() < order.expires_at:
        return "not_yet_expired"
    return None


WORKFLOW = Workflow(
    name="protection_order",
    prefix="PO",
    label=_l("Protection order"),
    states=STATES,
    initial_trigger="draft",
    final_states=frozenset({"closed"}),
    steps=[
        Step("draft", (Workflow.NEW,), "drafted", DRAFTERS, _l("Draft the application")),
        Step(
            "file",
            ("drafted",),
            "filed",
            DRAFTERS,
            _l("File with the court"),
            guards=(in_owner_org,),
        ),
        Step(
            "court_accept",
            ("filed",),
            "accepted",
            COURT,
            _l("Record acceptance (受理)"),
            guards=(is_the_court,),
            opens=("ruling_due",),
        ),
        Step(
            "issue_order",
            ("accepted", "reconsideration"),
            "issued",
            COURT,
            _l("Issue the protection order"),
            guards=(is_the_court,),
            meets=("ruling_due",),
        ),
        Step(
            "reject",
            ("accepted",),
            "rejected",
            COURT,
            _l("Reject the application"),
            guards=(is_the_court,),
            opens=("reconsideration_window",),
            meets=("ruling_due",),
            style="danger",
        ),
        Step(
            "serve_rejection",
            ("rejected",),
            None,
            COURT,
            _l("Record service of the rejection"),
            guards=(is_the_court, rejection_not_served),
            opens=("reconsideration_window",),
        ),
        Step(
            "request_reconsideration",
            ("rejected",),
            "reconsideration",
            DRAFTERS,
            _l("Request reconsideration (复议)"),
            guards=(in_owner_org, not_reconsidered, rejection_served),
            meets=("reconsideration_window",),
        ),
        Step(
            "uphold_rejection",
            ("reconsideration",),
            "closed",
            COURT,
            _l("Uphold the rejection"),
            guards=(is_the_court,),
            style="danger",
        ),
        Step(
            "serve",
            ("issued",),
            "in_force",
            COURT,
            _l("Record service of the order"),
            guards=(is_the_court,),
            opens=("respondent_review_window",),
        ),
        Step(
            "extend",
            ("in_force",),
            None,
            COURT,
            _l("Extend the order"),
            guards=(is_the_court, not_expired),
            style="secondary",
        ),
        Step(
            "modify",
            ("in_force",),
            None,
            COURT,
            _l("Change the measures"),
            guards=(is_the_court, not_expired),
            style="secondary",
        ),
        Step(
            "record_violation",
            ("in_force",),
            None,
            HANDLERS,
            _l("Report a violation of the order"),
            style="danger",
        ),
        Step(
            "revoke",
            ("in_force",),
            "ended",
            COURT,
            _l("Revoke the order"),
            guards=(is_the_court,),
            style="danger",
        ),
        # The respondent applies to the court, which records the application and decides
        # it (Art. 31); the order stays in force meanwhile.
        Step(
            "request_respondent_review",
            ("in_force",),
            None,
            COURT,
            _l("Record the respondent's reconsideration application (复议)"),
            guards=(is_the_court, no_respondent_review),
            meets=("respondent_review_window",),
            style="secondary",
        ),
        Step(
            "decide_respondent_review",
            ("in_force",),
            None,
            COURT,
            _l("Decide the respondent's reconsideration: uphold or change"),
            guards=(is_the_court, respondent_review_pending),
        ),
        Step(
            "revoke_on_review",
            ("in_force",),
            "ended",
            COURT,
            _l("Revoke the order on the respondent's reconsideration"),
            guards=(is_the_court, respondent_review_pending),
            style="danger",
        ),
        Step(
            "expire",
            ("issued", "in_force"),
            "ended",
            SYSTEM,
            _l("Order expired"),
            guards=(expiry_reached,),
        ),
        Step(
            "start_follow_up",
            ("ended",),
            "following_up",
            DRAFTERS,
            _l("Start follow-up"),
            guards=(in_owner_org,),
            opens=("visit_due",),
        ),
        # A rejection the applicant does not contest is closed from where it stands.
        *closure_steps(("following_up", "rejected"), DRAFTERS, reopen_opens=("visit_due",)),
    ],
)
