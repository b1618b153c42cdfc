"""家庭暴力警情与告诫书 — police DV calls and warning letters (workflows.md §2;
反家庭暴力法 Art. 15–17)."""

from flask_babel import lazy_gettext as _l

from .base import Step, Workflow, closure_steps, in_owner_org, in_owner_org_or_role
from .police import penalty_steps

POLICE = frozenset({"police"})
# The hotline and the women's federation take DV calls too; theirs go to the police
# station of the place, which handles them from there.
LOGGERS = POLICE | {"hotline", "womens_federation"}
# 查访 is done by the committee and the police station (Art. 17 ¶2); the women's
# federation, which follows DV cases in its area, may start it too.
FOLLOWERS = frozenset({"police", "womens_federation", "committee"})

STATES = {
    "incident_logged": _l("Incident logged"),
    "warning_issued": _l("Warning issued"),
    "delivered": _l("Warning delivered"),
    "following_up": _l("Following up"),
    "escalated": _l("Escalated"),
    "closure_requested": _l("Closure requested"),
    "closed": _l("Closed"),
}


def warning_complete(case, actor) -> str | None:
    """A 告诫书 names the abuser with identity details (Art. 16 ¶2)."""
    abuser = case.person("abuser")
    if abuser is None or not abuser.name:
        return "abuser_identity"
    return None


WORKFLOW = Workflow(
    name="dv_warning",
    prefix="DV",
    label=_l("Domestic violence call and warning"),
    states=STATES,
    initial_trigger="log_incident",
    final_states=frozenset({"closed"}),
    steps=[
        Step("log_incident", (Workflow.NEW,), "incident_logged", LOGGERS, _l("Log the call")),
        Step(
            "criticize",
            ("incident_logged",),
            "following_up",
            POLICE,
            _l("Criticism and education (批评教育)"),
            guards=(in_owner_org,),
            # No 告诫书, so no Art. 17 ¶2 查访: a visit only if a local rule asks for one.
            opens=("visit_due",),
            style="secondary",
        ),
        Step(
            "issue_warning",
            ("incident_logged",),
            "warning_issued",
            POLICE,
            _l("Issue a warning letter (告诫书)"),
            guards=(in_owner_org, warning_complete),
            opens=("deliver_due",),
        ),
        Step(
            "escalate",
            ("incident_logged",),
            "escalated",
            POLICE,
            _l("Escalate: penalty or criminal case"),
            guards=(in_owner_org,),
            opens=("penalty_decision_due",),  # a 治安 case only (D9)
            style="danger",
        ),
        Step(
            "deliver",
            ("warning_issued",),
            "delivered",
            POLICE,
            _l("Record delivery of the warning"),
            guards=(in_owner_org,),
            meets=("deliver_due",),
            opens=("first_visit_due",),  # Art. 17 ¶2: 查访 of those who received the letter
        ),
        Step(
            "start_follow_up",
            ("delivered",),
            "following_up",
            FOLLOWERS,
            _l("Start follow-up visits (查访)"),
            guards=(in_owner_org_or_role("womens_federation", "committee"),),
            opens=("first_visit_due",),
        ),
        Step(
            "record_repeat",
            ("following_up",),
            "escalated",
            POLICE,
            _l("Record repeat violence"),
            guards=(in_owner_org,),
            opens=("penalty_decision_due",),  # when it goes to a 治安 case (D9)
            style="danger",
        ),
        *penalty_steps(("escalated",), POLICE),
        *closure_steps(("following_up", "escalated"), POLICE, reopen_opens=("first_visit_due",)),
    ],
)
