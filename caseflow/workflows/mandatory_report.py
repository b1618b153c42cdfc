"""侵害未成年人案件强制报告 — mandatory reports of harm to children (workflows.md §1)."""

from flask_babel import lazy_gettext as _l

from .base import (
    Step,
    Workflow,
    closure_steps,
    in_owner_org,
    in_owner_org_or_role,
)
from .police import no_case_steps

REPORTERS = frozenset(
    {
        "child_director",
        "child_supervisor",
        "civil_affairs",
        "police",
        "hotline",
        "womens_federation",
        # Schools, hospitals, hotels… file their own reports (强制报告意见 Art. 3).
        "institution_reporter",
    }
)
INTAKE = frozenset({"police", "civil_affairs"})
POLICE = frozenset({"police"})
VERIFIERS = frozenset({"police", "civil_affairs", "child_supervisor"})

STATES = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "verifying": _l("Verifying"),
    "verified": _l("Verified"),
    "unfounded": _l("Unfounded"),
    "referred": _l("Referred"),
    "following_up": _l("Following up"),
    "closure_requested": _l("Closure requested"),
    "closed": _l("Closed"),
}
OPEN = tuple(s for s in STATES if s != "closed")


def is_verifier(case, actor) -> str | None:
    report = case.mandatory_report
    return None if report and report.verifier_id == actor.id else "not_verifier"


def police_verification(case, actor) -> str | None:
    """The verification runs by the police reform's rule: the police verify (the assigned
    verifier, or the accepting police unit until one is assigned)."""
    open_ = [d for d in case.deadlines if d.kind == "verify_due" and d.status == "open"]
    verifier = case.mandatory_report.verifier if case.mandatory_report else None
    owner = case.owner_org
    if verifier is not None:
        police = verifier.role == "police"
    else:
        police = owner is not None and owner.type.startswith("police")
    return None if open_ and police else "not_police_verification"


WORKFLOW = Workflow(
    name="mandatory_report",
    prefix="MR",
    label=_l("Mandatory report"),
    states=STATES,
    initial_trigger="submit",
    final_states=frozenset({"closed"}),
    steps=[
        Step(
            "submit",
            (Workflow.NEW,),
            "submitted",
            REPORTERS,
            _l("Submit report"),
            opens=("report_late", "accept_due"),
        ),
        Step(
            "accept",
            ("submitted",),
            "accepted",
            INTAKE,
            _l("Accept"),
            guards=(in_owner_org,),
            opens=("verify_due", "feedback_due"),
            meets=("accept_due",),
        ),
        Step(
            "transfer",
            ("submitted",),
            None,
            INTAKE,
            _l("Transfer to another unit"),
            guards=(in_owner_org,),
            opens=("accept_due",),
            meets=("accept_due",),
            style="secondary",
        ),
        Step(
            "start_verification",
            ("accepted",),
            "verifying",
            VERIFIERS,
            _l("Start verification"),
            guards=(in_owner_org_or_role("child_supervisor"),),
        ),
        Step(
            "extend_verification",
            ("accepted", "verifying"),
            None,
            POLICE,
            _l("Extend the verification period (7 or 30 days)"),
            guards=(in_owner_org, police_verification),
            style="secondary",
        ),
        Step(
            "verify",
            ("verifying",),
            "verified",
            VERIFIERS,
            _l("Record verification"),
            guards=(is_verifier,),
            meets=("verify_due",),
        ),
        Step(
            "mark_unfounded",
            ("verifying",),
            "unfounded",
            VERIFIERS,
            _l("Mark unfounded"),
            guards=(is_verifier,),
            meets=("verify_due",),
            # A police verifier's finding is a decision not to open a case (D7).
            opens=("no_case_notice_due",),
            style="danger",
        ),
        *no_case_steps("unfounded", POLICE, REPORTERS, reopened_to="verified"),
        Step("refer", ("verified",), "referred", INTAKE, _l("Refer"), guards=(in_owner_org,)),
        Step(
            "start_follow_up",
            ("referred",),
            "following_up",
            INTAKE,
            _l("Start follow-up"),
            guards=(in_owner_org,),
            opens=("visit_due",),
        ),
        *closure_steps(("following_up", "unfounded"), INTAKE, reopen_opens=("visit_due",)),
        Step(
            "send_feedback",
            OPEN,
            None,
            INTAKE,
            _l("Send feedback to the reporting unit"),
            guards=(in_owner_org,),
            meets=("feedback_due",),
            style="secondary",
        ),
    ],
)
