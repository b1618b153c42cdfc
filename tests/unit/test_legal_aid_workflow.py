"""The legal_aid workflow against the table of shared/domain/workflows.md §4 (法律援助法
Art. 43, 44, 49; law.md D16, D17, D21).

Pure: no app, no database. The table below is written out by hand from the document, row
by row. Where the implementation adds to the document it is said in a comment:
- `refer` "any unit / hotline": every role that handles cases (REFERRERS), i.e. every role
  but the statistician and the administrator, who see no case.
- the objection is decided by "司法行政部门": a user of role `legal_aid` whose organisation
  is a justice bureau (demo user justice_bureau, 石柱县司法局); the document names no role.
- "closure as in §1": request by the centre, approve / reject by a supervisor; no `reopen`
  (§1 reopens to `following_up`, which legal_aid does not have; new help is a new
  application).
"""

import itertools
from types import SimpleNamespace

import pytest

from caseflow import policy
from caseflow.config import Config
from caseflow.deadlines.rules import load
from caseflow.services.errors import (
    Forbidden,
    InvalidTransitionError,
    refusal_error,
)
from caseflow.vocab import ROLES
from caseflow.workflows import PREVIOUS, WORKFLOWS, InvalidTransition, UnknownTrigger
from caseflow.workflows.legal_aid import (
    applicant_side,
    decides_now,
    is_justice_bureau,
    materials_not_requested,
)

LA = WORKFLOWS["legal_aid"]
NEW = LA.NEW

STATES = {
    "referred",
    "applied",
    "materials_pending",
    "granted",
    "denied",
    "objection",
    "in_service",
    "concluded",
    "withdrawn",
    "closure_requested",
    "closed",
}
CENTRE = {"legal_aid"}
SUPERVISOR = {"supervisor"}
# "any unit / hotline": every operational role (an addition: the document lists no roles).
# An institution's reporter files mandatory reports and handles no case.
ANY_UNIT = set(ROLES) - {
    "statistician",
    "admin",
    "data_reporter",
    "institution_reporter",
    "auditor",
}

# trigger: (sources, destination, roles) — workflows.md §4, row by row.
TABLE = {
    "refer": ([NEW], "referred", ANY_UNIT),
    "receive_application": (["referred"], "applied", CENTRE),
    "request_materials": (["applied"], "materials_pending", CENTRE),
    "supply_materials": (["materials_pending"], "applied", CENTRE),
    "withdraw": (["materials_pending"], "withdrawn", CENTRE),
    # `applied → granted` by the centre; `objection → granted` by the justice bureau, whose
    # users carry the role legal_aid (the guard tells the two apart).
    "grant": (["applied", "objection"], "granted", CENTRE),
    "deny": (["applied"], "denied", CENTRE),
    # "applicant side": the applicant lodges it through the referring unit or the centre.
    "file_objection": (["denied"], "objection", ANY_UNIT),
    "uphold_denial": (["objection"], "closed", CENTRE),
    "assign_lawyer": (["granted"], "in_service", CENTRE),
    "conclude": (["in_service"], "concluded", CENTRE),
    # "concluded, withdrawn: closure as in §1".
    "request_closure": (["concluded", "withdrawn"], "closure_requested", CENTRE),
    "approve_closure": (["closure_requested"], "closed", SUPERVISOR),
    "reject_closure": (["closure_requested"], PREVIOUS, SUPERVISOR),
}

# trigger: (deadlines opened, deadlines met). decision_due 7 d from receipt (Art. 43 ¶1),
# opened again when the missing materials come in; assign_due 3 d from the grant (Art. 43
# ¶1); objection_decision_due 5 d from the objection (Art. 49). request_materials opens and
# meets nothing: its effect waives the running decision_due (tested at service level).
DEADLINES = {
    "refer": (set(), set()),
    "receive_application": ({"decision_due"}, set()),
    "request_materials": (set(), set()),
    "supply_materials": ({"decision_due"}, set()),
    "withdraw": (set(), set()),
    "grant": ({"assign_due"}, {"decision_due", "objection_decision_due"}),
    "deny": (set(), {"decision_due"}),
    "file_objection": ({"objection_decision_due"}, set()),
    "uphold_denial": (set(), {"objection_decision_due"}),
    "assign_lawyer": (set(), {"assign_due"}),
    "conclude": (set(), set()),
    "request_closure": (set(), set()),
    "approve_closure": (set(), set()),
    "reject_closure": (set(), set()),
}

CENTRE_ORG, JUSTICE_ORG, REFERRER_ORG, OTHER_ORG = 1, 2, 3, 99


COUNTY, OTHER_COUNTY = 500240, 500101


def actor(role, organisation_id=CENTRE_ORG, org_type="legal_aid_centre", user_id=7, county=COUNTY):
    return SimpleNamespace(
        id=user_id,
        role=role,
        organisation_id=organisation_id,
        organisation=SimpleNamespace(id=organisation_id, type=org_type, jurisdiction_id=county),
    )


def justice(organisation_id=JUSTICE_ORG):
    return actor("legal_aid", organisation_id, "justice_bureau")


def stand_in_case(
    state="applied",
    owner_org_id=CENTRE_ORG,
    creator_org_id=REFERRER_ORG,
    materials_requested_at=None,
    requester_id=None,
):
    request = SimpleNamespace(actor_id=requester_id) if requester_id is not None else None
    return SimpleNamespace(
        id=300,
        type="legal_aid",
        state=state,
        owner_org_id=owner_org_id,
        owner_org=SimpleNamespace(id=owner_org_id, jurisdiction_id=COUNTY),
        created_by=SimpleNamespace(organisation_id=creator_org_id),
        legal_aid=SimpleNamespace(materials_requested_at=materials_requested_at),
        last_event=lambda trigger: request if trigger == "request_closure" else None,
    )


# --- the definition ---------------------------------------------------------------------


def test_states_triggers_and_final_state_are_the_documented_ones():
    assert LA.name == "legal_aid"
    assert set(LA.states) == STATES
    assert LA.triggers == list(TABLE)
    assert LA.final_states == {"closed"}
    assert set(LA.open_states) == STATES - {"closed"}
    assert (LA.initial_trigger, LA.prefix) == ("refer", "LA")


@pytest.mark.parametrize("trigger", list(TABLE))
def test_each_step_declares_the_documented_sources_destination_and_roles(trigger):
    sources, dest, roles = TABLE[trigger]
    step = LA.step(trigger)
    assert set(step.source) == set(sources)
    assert step.dest == dest
    assert step.roles == roles


def test_every_role_in_the_table_is_a_known_role():
    for _sources, _dest, roles in TABLE.values():
        assert roles <= set(ROLES)


# --- the machine: every trigger from every state -----------------------------------------


@pytest.mark.parametrize(
    ("trigger", "state"), list(itertools.product(TABLE, [NEW, *sorted(STATES)]))
)
def test_apply_succeeds_exactly_from_the_documented_sources(trigger, state):
    sources, dest, _roles = TABLE[trigger]
    origins = TABLE["request_closure"][0]
    if state not in sources:
        with pytest.raises(InvalidTransition) as info:
            LA.apply(state, trigger, previous=origins[0])
        assert (info.value.trigger, info.value.state) == (trigger, state)
        return
    if dest == PREVIOUS:
        for origin in origins:
            assert LA.apply(state, trigger, previous=origin) == origin
    else:
        assert LA.apply(state, trigger) == dest


@pytest.mark.parametrize("origin", ["concluded", "withdrawn"])
def test_reject_closure_returns_to_where_closure_was_requested(origin):
    requested = LA.apply(origin, "request_closure")
    assert requested == "closure_requested"
    assert LA.apply(requested, "reject_closure", previous=origin) == origin
    assert LA.apply(requested, "approve_closure", previous=origin) == "closed"
    assert LA.closure_origins() == ["concluded", "withdrawn"]


@pytest.mark.parametrize("previous", [None, "in_service", "applied", "denied", "closed"])
def test_reject_closure_refuses_an_origin_closure_cannot_come_from(previous):
    with pytest.raises(InvalidTransition):
        LA.apply("closure_requested", "reject_closure", previous=previous)


def test_the_paths_of_the_document():
    # Granted first time, with a round of missing materials.
    state = LA.apply(NEW, "refer")
    for trigger, expected in [
        ("receive_application", "applied"),
        ("request_materials", "materials_pending"),
        ("supply_materials", "applied"),
        ("grant", "granted"),
        ("assign_lawyer", "in_service"),
        ("conclude", "concluded"),
        ("request_closure", "closure_requested"),
        ("approve_closure", "closed"),
    ]:
        state = LA.apply(state, trigger)
        assert state == expected, trigger
    # Denied, objection, granted by the justice bureau; or the denial upheld (closed).
    assert LA.apply("applied", "deny") == "denied"
    assert LA.apply("denied", "file_objection") == "objection"
    assert LA.apply("objection", "grant") == "granted"
    assert LA.apply("objection", "uphold_denial") == "closed"
    # Materials not supplied: treated as withdrawn, then closed as in §1.
    assert LA.apply("materials_pending", "withdraw") == "withdrawn"
    assert LA.apply("withdrawn", "request_closure") == "closure_requested"


def test_no_decision_while_materials_are_pending_and_no_second_objection():
    for trigger in ("grant", "deny", "request_materials", "assign_lawyer"):
        with pytest.raises(InvalidTransition):
            LA.apply("materials_pending", trigger)
    # Deny only from a live application: the justice bureau does not "deny" an objection.
    for state in ("objection", "granted", "denied"):
        with pytest.raises(InvalidTransition):
            LA.apply(state, "deny")
    for state in ("objection", "granted", "in_service", "closed"):
        with pytest.raises(InvalidTransition):
            LA.apply(state, "file_objection")


def test_unknown_triggers_and_no_back_doors():
    with pytest.raises(UnknownTrigger):
        LA.apply("applied", "to_granted")
    with pytest.raises(UnknownTrigger):
        LA.apply("in_service", "issue_order")  # a protection-order trigger
    assert LA._machine.auto_transitions is False
    assert not any(t.startswith("to_") for t in LA._machine.get_triggers(*LA.states))
    assert LA._machine.models == []


# --- roles: every trigger × every role ------------------------------------------------------


def good_case_and_actor(trigger, role):
    """A case and an actor of `role` on which every guard of `trigger` passes."""
    if trigger == "uphold_denial" or (trigger == "grant" and role in CENTRE):
        # Both decide in the objection state here; grant on `applied` is checked below.
        return stand_in_case("objection"), justice()
    if trigger == "file_objection":
        return stand_in_case("denied"), actor(role, REFERRER_ORG, "police_station")
    return stand_in_case("applied"), actor(role, CENTRE_ORG)


@pytest.mark.parametrize(("trigger", "role"), list(itertools.product(TABLE, ROLES)))
def test_role_allowed_exactly_for_the_documented_roles(trigger, role):
    case, who = good_case_and_actor(trigger, role)
    who.role = role
    answer = policy.step_refusal(who, case, LA.step(trigger))
    if role in TABLE[trigger][2]:
        assert answer is None
    else:
        assert answer == "role"


# --- guards --------------------------------------------------------------------------------

CENTRE_STEPS = (
    "receive_application",
    "request_materials",
    "supply_materials",
    "withdraw",
    "deny",
    "assign_lawyer",
    "conclude",
    "request_closure",
)


@pytest.mark.parametrize("trigger", CENTRE_STEPS)
def test_centre_steps_belong_to_the_owner_centre(trigger):
    step = LA.step(trigger)
    case = stand_in_case("applied")
    assert policy.step_refusal(actor("legal_aid", CENTRE_ORG), case, step) is None
    # Another legal-aid centre, and the justice bureau itself, are not the owner.
    assert policy.step_refusal(actor("legal_aid", OTHER_ORG), case, step) == "not_owner"
    assert policy.step_refusal(justice(), case, step) == "not_owner"


def test_grant_on_an_application_is_the_centres_and_on_an_objection_the_bureaus():
    step = LA.step("grant")
    applied, objection = stand_in_case("applied"), stand_in_case("objection")
    centre = actor("legal_aid", CENTRE_ORG)
    assert policy.step_refusal(centre, applied, step) is None
    assert policy.step_refusal(justice(), applied, step) == "not_owner"
    assert policy.step_refusal(actor("legal_aid", OTHER_ORG), applied, step) == "not_owner"
    # Art. 49: the objection is decided by the justice bureau, not by the centre it targets.
    assert policy.step_refusal(justice(), objection, step) is None
    assert policy.step_refusal(centre, objection, step) == "not_justice_bureau"
    assert decides_now(objection, centre) == "not_justice_bureau"
    assert decides_now(applied, centre) is None


def test_uphold_denial_only_by_the_justice_bureau():
    step = LA.step("uphold_denial")
    case = stand_in_case("objection")
    assert policy.step_refusal(justice(), case, step) is None
    assert policy.step_refusal(actor("legal_aid", CENTRE_ORG), case, step) == ("not_justice_bureau")
    assert is_justice_bureau(case, actor("legal_aid", CENTRE_ORG)) == "not_justice_bureau"
    assert is_justice_bureau(case, SimpleNamespace(organisation=None)) == "not_justice_bureau"
    # Art. 49: the bureau that set up the centre, not the bureau of another county.
    elsewhere = actor("legal_aid", JUSTICE_ORG, "justice_bureau", county=OTHER_COUNTY)
    assert is_justice_bureau(case, elsewhere) == "not_justice_bureau"
    # A police station (role not in the step) is refused on its role first.
    assert policy.step_refusal(actor("police", JUSTICE_ORG, "justice_bureau"), case, step) == (
        "role"
    )


def test_materials_are_requested_once():
    step = LA.step("request_materials")
    centre = actor("legal_aid", CENTRE_ORG)
    assert policy.step_refusal(centre, stand_in_case(), step) is None
    asked = stand_in_case(materials_requested_at="2026-09-30T10:00:00+08:00")
    assert policy.step_refusal(centre, asked, step) == "materials_already_requested"
    assert materials_not_requested(asked, centre) == "materials_already_requested"
    assert materials_not_requested(stand_in_case(), centre) is None
    # The owner check comes first: another centre hears "not_owner", not the history.
    assert policy.step_refusal(actor("legal_aid", OTHER_ORG), asked, step) == "not_owner"


@pytest.mark.parametrize(
    ("role", "org", "expected"),
    [
        ("police", REFERRER_ORG, None),  # the referring unit
        ("hotline", REFERRER_ORG, None),  # any role of the referring unit
        ("legal_aid", CENTRE_ORG, None),  # the centre, on the applicant's behalf
        ("police", OTHER_ORG, "not_applicant_side"),  # another police station
        ("womens_federation", OTHER_ORG, "not_applicant_side"),
        ("legal_aid", JUSTICE_ORG, "not_applicant_side"),  # the bureau that decides it
    ],
)
def test_objection_by_the_referring_unit_or_the_centre(role, org, expected):
    case = stand_in_case("denied")
    who = actor(role, org)
    assert applicant_side(case, who) == expected
    assert policy.step_refusal(who, case, LA.step("file_objection")) == expected


def test_closure_steps():
    centre = actor("legal_aid", CENTRE_ORG)
    assert policy.step_refusal(centre, stand_in_case("concluded"), LA.step("request_closure")) is (
        None
    )
    boss = actor("supervisor", 77, "working_committee", user_id=41)
    for trigger in ("approve_closure", "reject_closure"):
        case = stand_in_case("closure_requested", requester_id=40)
        assert policy.step_refusal(boss, case, LA.step(trigger)) is None, trigger
    mine = stand_in_case("closure_requested", requester_id=41)
    assert policy.step_refusal(boss, mine, LA.step("approve_closure")) == "self_approval"
    assert policy.step_refusal(centre, mine, LA.step("approve_closure")) == "role"


@pytest.mark.parametrize(
    ("reason", "error", "status"),
    [
        ("not_owner", Forbidden, 403),
        ("not_justice_bureau", Forbidden, 403),
        ("not_applicant_side", Forbidden, 403),
        ("role", Forbidden, 403),
        # About the case's history: not possible now, whoever asks.
        ("materials_already_requested", InvalidTransitionError, 409),
    ],
)
def test_each_refusal_becomes_the_right_error(reason, error, status):
    raised = refusal_error(reason)
    assert type(raised) is error
    assert raised.status == status
    assert str(raised.message) != reason  # words for people, not the code


# --- deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", list(DEADLINES))
def test_deadlines_opened_and_met_per_step(trigger):
    opens, meets = DEADLINES[trigger]
    step = LA.step(trigger)
    assert set(step.opens) == opens
    assert set(step.meets) == meets
    assert len(step.opens) == len(opens) and len(step.meets) == len(meets)


def test_the_rule_pack_has_the_documented_lengths_with_a_legal_basis():
    pack = load(Config.RULE_PACK)
    kinds = {k for step in LA.steps for k in (*step.opens, *step.meets)}
    assert kinds == {"decision_due", "assign_due", "objection_decision_due"}
    lengths = {
        "decision_due": ("7 d", "第43条"),  # D16: decide within 7 days of receipt
        "assign_due": ("3 d", "第43条"),  # D16: assign within 3 days of the grant
        "objection_decision_due": ("5 d", "第49条"),  # D21: bureau decides within 5 days
    }
    for kind, (length, article) in lengths.items():
        rule = pack.rule(kind)
        assert rule.length_text == length, kind
        assert rule.days is not None and rule.hours is None, kind  # days, Art. 85 counting
        assert article in rule.basis, kind
        assert "法律援助法" in rule.basis, kind


def test_steps_from_a_state_are_the_buttons_of_that_state():
    assert [s.trigger for s in LA.steps_from("referred")] == ["receive_application"]
    assert [s.trigger for s in LA.steps_from("applied")] == ["request_materials", "grant", "deny"]
    assert [s.trigger for s in LA.steps_from("materials_pending")] == [
        "supply_materials",
        "withdraw",
    ]
    assert [s.trigger for s in LA.steps_from("objection")] == ["grant", "uphold_denial"]
    assert [s.trigger for s in LA.steps_from("denied")] == ["file_objection"]
    assert [s.trigger for s in LA.steps_from("closed")] == []
