"""法律援助转介 — referrals to legal aid (workflows.md §4; 法律援助法 Art. 31–49).

The legal-aid centre of the place owns the case; the unit that referred it keeps a
referral on its own case, through which the centre's answers reach it. Objections to a
denial are decided by the justice bureau that set up the centre (Art. 49).
"""

from flask_babel import lazy_gettext as _l

from .base import Step, Workflow, closure_steps, in_owner_org

# "any unit / hotline": everyone who handles cases.
REFERRERS = frozenset(
    {
        "child_director",
        "child_supervisor",
        "civil_affairs",
        "police",
        "court_liaison",
        "legal_aid",
        "hotline",
        "womens_federation",
        "supervisor",
        "committee",
        "assisting_org",
    }
)
CENTRE = frozenset({"legal_aid"})

STATES = {
    "referred": _l("Referred to legal aid"),
    "applied": _l("Application received"),
    "materials_pending": _l("Materials requested"),
    "granted": _l("Legal aid granted"),
    "denied": _l("Legal aid denied"),
    "objection": _l("Objection lodged"),
    "in_service": _l("Lawyer assigned"),
    "concluded": _l("Concluded"),
    "withdrawn": _l("Treated as withdrawn"),
    "closure_requested": _l("Closure requested"),
    "closed": _l("Closed"),
}


def is_justice_bureau(case, actor) -> str | None:
    """Objections go to the justice bureau that set up the centre (Art. 49): the bureau of
    the centre's own county or district."""
    org = getattr(actor, "organisation", None)
    centre = case.owner_org
    if org is None or org.type != "justice_bureau" or centre is None:
        return "not_justice_bureau"
    return None if org.jurisdiction_id == centre.jurisdiction_id else "not_justice_bureau"


def decides_now(case, actor) -> str | None:
    """The centre decides an application; the justice bureau decides an objection."""
    if case.state == "objection":
        return is_justice_bureau(case, actor)
    return in_owner_org(case, actor)


def materials_not_requested(case, actor) -> str | None:
    """Missing materials are asked for once, in one list (Art. 43 ¶2)."""
    return "materials_already_requested" if case.legal_aid.materials_requested_at else None


def applicant_side(case, actor) -> str | None:
    """The objection is the applicant's: lodged through the referring unit or the centre."""
    if actor.organisation_id in (case.created_by.organisation_id, case.owner_org_id):
        return None
    return "not_applicant_side"


WORKFLOW = Workflow(
    name="legal_aid",
    prefix="LA",
    label=_l("Legal aid"),
    states=STATES,
    initial_trigger="refer",
    final_states=frozenset({"closed"}),
    steps=[
        Step("refer", (Workflow.NEW,), "referred", REFERRERS, _l("Refer to legal aid")),
        Step(
            "receive_application",
            ("referred",),
            "applied",
            CENTRE,
            _l("Receive the application"),
            guards=(in_owner_org,),
            opens=("decision_due",),
        ),
        Step(
            "request_materials",
            ("applied",),
            "materials_pending",
            CENTRE,
            _l("Request missing materials (once)"),
            guards=(in_owner_org, materials_not_requested),
            style="secondary",
        ),
        Step(
            "supply_materials",
            ("materials_pending",),
            "applied",
            CENTRE,
            _l("Materials supplied"),
            guards=(in_owner_org,),
            opens=("decision_due",),
        ),
        Step(
            "withdraw",
            ("materials_pending",),
            "withdrawn",
            CENTRE,
            _l("Not supplied: treat as withdrawn"),
            guards=(in_owner_org,),
            style="danger",
        ),
        Step(
            "grant",
            ("applied", "objection"),
            "granted",
            CENTRE,
            _l("Grant legal aid"),
            guards=(decides_now,),
            opens=("assign_due",),
            meets=("decision_due", "objection_decision_due"),
        ),
        Step(
            "deny",
            ("applied",),
            "denied",
            CENTRE,
            _l("Deny legal aid (written reasons)"),
            guards=(in_owner_org,),
            meets=("decision_due",),
            style="danger",
        ),
        Step(
            "file_objection",
            ("denied",),
            "objection",
            REFERRERS,
            _l("Lodge an objection"),
            guards=(applicant_side,),
            opens=("objection_decision_due",),
        ),
        Step(
            "uphold_denial",
            ("objection",),
            "closed",
            CENTRE,
            _l("Uphold the denial"),
            guards=(is_justice_bureau,),
            meets=("objection_decision_due",),
            style="danger",
        ),
        Step(
            "assign_lawyer",
            ("granted",),
            "in_service",
            CENTRE,
            _l("Assign a lawyer"),
            guards=(in_owner_org,),
            meets=("assign_due",),
        ),
        Step(
            "conclude",
            ("in_service",),
            "concluded",
            CENTRE,
            _l("Conclude with an outcome"),
            guards=(in_owner_org,),
        ),
        # A closed legal-aid matter is not reopened: new help is a new application.
        *closure_steps(("concluded", "withdrawn"), CENTRE, reopen_opens=(), reopen_to=None),
    ],
)
