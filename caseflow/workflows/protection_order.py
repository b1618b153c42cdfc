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


def window_open(case, actor) -> str | None:
    """Inside the 5-day window after the rejection (Art. 31)."""
    windows = [d for d in case.deadlines if d.kind == "reconsideration_window"]
    if not windows or windows[-1].status != "open" or timeutil.now() >= windows[-1].due_at:
        return "window_closed"
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
            "request_reconsideration",
            ("rejected",),
            "reconsideration",
            DRAFTERS,
            _l("Request reconsideration (复议)"),
            guards=(in_owner_org, not_reconsidered, window_open),
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
