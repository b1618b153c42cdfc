"""The mandatory-report workflow against the table of shared/domain/workflows.md §1.

Pure: no app, no database. The case and the actor are stand-ins with just the
attributes the guards read. The expected table is written out here by hand from the
document, so a change to the definition that drifts from the document fails.
"""

import itertools
from types import SimpleNamespace

import pytest

from caseflow import policy
from caseflow.config import Config
from caseflow.deadlines.rules import load
from caseflow.vocab import ROLES
from caseflow.workflows import PREVIOUS, WORKFLOWS, InvalidTransition, UnknownTrigger
from caseflow.workflows.base import in_owner_org, in_owner_org_or_role, not_closure_requester
from caseflow.workflows.mandatory_report import is_verifier

WF = WORKFLOWS["mandatory_report"]
NEW = WF.NEW

STATES = [
    "submitted",
    "accepted",
    "verifying",
    "verified",
    "unfounded",
    "referred",
    "following_up",
    "closure_requested",
    "closed",
]
OPEN_STATES = [s for s in STATES if s != "closed"]

INTAKE = {"police", "civil_affairs"}
REPORTERS = {
    "child_director",
    "child_supervisor",
    "civil_affairs",
    "police",
    "hotline",
    "womens_federation",
    "institution_reporter",  # schools, hospitals, hotels… (强制报告意见 Art. 3)
}
POLICE = {"police"}
VERIFIERS = {"police", "civil_affairs", "child_supervisor"}
SUPERVISOR = {"supervisor"}
SAME = "<same>"  # the state does not change

# trigger: (sources, destination, roles) — workflows.md §1, row by row.
TABLE = {
    "submit": ([NEW], "submitted", REPORTERS),
    "accept": (["submitted"], "accepted", INTAKE),
    "transfer": (["submitted"], SAME, INTAKE),
    "start_verification": (["accepted"], "verifying", INTAKE | {"child_supervisor"}),
    # D8: the police reform's 7 or 30 days instead of 3.
    "extend_verification": (["accepted", "verifying"], SAME, POLICE),
    "verify": (["verifying"], "verified", VERIFIERS),
    "mark_unfounded": (["verifying"], "unfounded", VERIFIERS),
    # D7: after the police decided not to open a case (公安刑事程序规定 Arts. 178–179).
    "serve_no_case_notice": (["unfounded"], SAME, POLICE),
    "request_police_review": (["unfounded"], SAME, POLICE | REPORTERS),
    "extend_police_review": (["unfounded"], SAME, POLICE),
    "uphold_no_case": (["unfounded"], SAME, POLICE),
    "overturn_no_case": (["unfounded"], "verified", POLICE),
    "refer": (["verified"], "referred", INTAKE),
    "start_follow_up": (["referred"], "following_up", INTAKE),
    "request_closure": (["following_up", "unfounded"], "closure_requested", INTAKE),
    "approve_closure": (["closure_requested"], "closed", SUPERVISOR),
    "reject_closure": (["closure_requested"], PREVIOUS, SUPERVISOR),
    "reopen": (["closed"], "following_up", SUPERVISOR),
    "send_feedback": (OPEN_STATES, SAME, INTAKE),
}

# trigger: (deadlines opened, deadlines met) — workflows.md §1 "Deadlines".
DEADLINES = {
    "submit": ({"report_late", "accept_due"}, set()),
    "accept": ({"verify_due", "feedback_due"}, {"accept_due"}),
    "transfer": ({"accept_due"}, {"accept_due"}),
    "start_verification": (set(), set()),
    "extend_verification": (set(), set()),
    "verify": (set(), {"verify_due"}),
    "mark_unfounded": ({"no_case_notice_due"}, {"verify_due"}),
    "serve_no_case_notice": ({"police_review_window"}, {"no_case_notice_due"}),
    "request_police_review": ({"police_review_decision_due"}, {"police_review_window"}),
    "extend_police_review": (set(), set()),
    "uphold_no_case": (set(), {"police_review_decision_due"}),
    "overturn_no_case": (set(), {"police_review_decision_due"}),
    "refer": (set(), set()),
    "start_follow_up": ({"visit_due"}, set()),
    "request_closure": (set(), set()),
    "approve_closure": (set(), set()),
    "reject_closure": (set(), set()),
    "reopen": ({"visit_due"}, set()),
    "send_feedback": (set(), {"feedback_due"}),
}


ALL_POLICE_PERIODS = (
    "verify_due",
    "no_case_notice_due",
    "police_review_window",
    "police_review_decision_due",
)


def stand_in_case(
    owner_org_id=1, verifier_id=None, requester_id=None, open_kinds=ALL_POLICE_PERIODS, served=True
):
    request = SimpleNamespace(actor_id=requester_id) if requester_id is not None else None
    events = {"request_closure": request, "serve_no_case_notice": object() if served else None}
    return SimpleNamespace(
        id=100,
        type="mandatory_report",
        owner_org_id=owner_org_id,
        owner_org=SimpleNamespace(type="police_station"),
        created_by_id=None,
        mandatory_report=SimpleNamespace(verifier_id=verifier_id, verifier=None),
        deadlines=[SimpleNamespace(kind=k, status="open") for k in open_kinds],
        last_event=events.get,
    )


def actor(role, user_id=7, organisation_id=1):
    return SimpleNamespace(id=user_id, role=role, organisation_id=organisation_id)


# --- the definition itself -------------------------------------------------------------


def test_states_triggers_and_final_state_are_the_documented_ones():
    assert list(WF.states) == STATES
    assert WF.triggers == list(TABLE)
    assert WF.final_states == {"closed"}
    assert WF.open_states == OPEN_STATES
    assert WF.initial_trigger == "submit"
    assert WF.prefix == "MR"


def test_each_step_declares_the_documented_sources_destination_and_roles():
    for trigger, (sources, dest, roles) in TABLE.items():
        step = WF.step(trigger)
        assert set(step.source) == set(sources), trigger
        assert step.dest == (None if dest == SAME else dest), trigger
        assert step.roles == roles, trigger


# --- the machine: every trigger from every state ----------------------------------------


@pytest.mark.parametrize(("trigger", "state"), list(itertools.product(TABLE, [NEW, *STATES])))
def test_apply_succeeds_exactly_from_the_documented_sources(trigger, state):
    sources, dest, _roles = TABLE[trigger]
    if state not in sources:
        with pytest.raises(InvalidTransition) as info:
            WF.apply(state, trigger, previous="following_up")
        assert (info.value.trigger, info.value.state) == (trigger, state)
        return
    if dest == PREVIOUS:
        for origin in ("following_up", "unfounded"):
            assert WF.apply(state, trigger, previous=origin) == origin
    else:
        assert WF.apply(state, trigger) == (state if dest == SAME else dest)


@pytest.mark.parametrize("origin", ["following_up", "unfounded"])
def test_reject_closure_returns_to_the_state_closure_was_requested_from(origin):
    requested = WF.apply(origin, "request_closure")
    assert requested == "closure_requested"
    assert WF.apply(requested, "reject_closure", previous=origin) == origin


@pytest.mark.parametrize("previous", [None, "verified", "closed", "submitted"])
def test_reject_closure_refuses_an_origin_closure_cannot_come_from(previous):
    with pytest.raises(InvalidTransition):
        WF.apply("closure_requested", "reject_closure", previous=previous)


def test_approve_closure_ignores_previous_and_reopen_goes_to_follow_up():
    assert WF.apply("closure_requested", "approve_closure", previous="unfounded") == "closed"
    assert WF.apply("closed", "reopen") == "following_up"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_send_feedback_keeps_the_state(state):
    assert WF.apply(state, "send_feedback") == state


def test_transfer_keeps_the_state():
    assert WF.apply("submitted", "transfer") == "submitted"


def test_a_loaded_case_is_attached_in_its_stored_state_not_reset():
    # If add_model reset the token to the machine's initial state, refer would fail.
    assert WF.apply("verified", "refer") == "referred"
    assert WF.apply("referred", "start_follow_up") == "following_up"


def test_the_shared_machine_keeps_no_model_after_apply():
    machine = WF._machine
    WF.apply("submitted", "accept")
    with pytest.raises(InvalidTransition):
        WF.apply("closed", "accept")
    with pytest.raises(InvalidTransition):
        WF.apply("closure_requested", "reject_closure", previous=None)
    assert machine.models == []


def test_unknown_trigger():
    with pytest.raises(UnknownTrigger):
        WF.apply("submitted", "to_closed")
    with pytest.raises(UnknownTrigger):
        WF.apply("submitted", "delete")
    with pytest.raises(UnknownTrigger) as info:
        WF.step("close")
    assert info.value.trigger == "close"


def test_no_auto_transitions():
    machine = WF._machine
    assert machine.auto_transitions is False

    class Model:
        pass

    model = Model()
    machine.add_model(model, initial="submitted")
    try:
        assert hasattr(model, "accept")  # the real triggers are there …
        for state in STATES:
            assert not hasattr(model, f"to_{state}")  # … the back doors are not
        assert not any(t.startswith("to_") for t in machine.get_triggers(*STATES))
    finally:
        machine.remove_model(model)
    assert machine.models == []


# --- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(("trigger", "role"), list(itertools.product(TABLE, ROLES)))
def test_role_allowed_exactly_for_the_documented_roles(trigger, role):
    step = WF.step(trigger)
    who = actor(role)
    # A case on which every guard passes for this actor: owner org, verifier, no requester;
    # for the application for reconsideration, a served notice and no application yet.
    kinds = ALL_POLICE_PERIODS[:3] if trigger == "request_police_review" else ALL_POLICE_PERIODS
    case = stand_in_case(owner_org_id=who.organisation_id, verifier_id=who.id, open_kinds=kinds)
    refusal = policy.step_refusal(who, case, step)
    if role in TABLE[trigger][2]:
        assert refusal is None
    else:
        assert refusal == "role"


def test_every_role_in_the_table_is_a_known_role():
    for _sources, _dest, roles in TABLE.values():
        assert roles <= set(ROLES)


def test_role_is_checked_before_guards():
    # Wrong role and wrong organisation: the answer is the role.
    case = stand_in_case(owner_org_id=1)
    assert policy.step_refusal(actor("hotline", organisation_id=2), case, WF.step("accept")) == (
        "role"
    )


# --- guards -----------------------------------------------------------------------------


def test_in_owner_org():
    assert in_owner_org(stand_in_case(owner_org_id=5), actor("police", organisation_id=5)) is None
    assert in_owner_org(stand_in_case(owner_org_id=5), actor("police", organisation_id=6)) == (
        "not_owner"
    )
    # A case with no owner has no owner org to be in, even for an actor without one.
    assert in_owner_org(
        stand_in_case(owner_org_id=None), actor("police", organisation_id=None)
    ) == ("not_owner")


@pytest.mark.parametrize(
    "trigger",
    ["accept", "transfer", "refer", "start_follow_up", "request_closure", "send_feedback"],
)
def test_owner_steps_refuse_another_unit(trigger):
    step = WF.step(trigger)
    case = stand_in_case(owner_org_id=1)
    assert policy.step_refusal(actor("police", organisation_id=1), case, step) is None
    assert policy.step_refusal(actor("police", organisation_id=2), case, step) == "not_owner"
    assert policy.step_refusal(actor("civil_affairs", organisation_id=3), case, step) == (
        "not_owner"
    )


def test_start_verification_by_owner_or_any_township_child_supervisor():
    step = WF.step("start_verification")
    case = stand_in_case(owner_org_id=1)
    assert policy.step_refusal(actor("police", organisation_id=1), case, step) is None
    assert policy.step_refusal(actor("child_supervisor", organisation_id=9), case, step) is None
    assert policy.step_refusal(actor("civil_affairs", organisation_id=9), case, step) == (
        "not_owner"
    )
    guard = in_owner_org_or_role("child_supervisor")
    assert guard(case, actor("child_supervisor", organisation_id=9)) is None
    assert guard(case, actor("police", organisation_id=9)) == "not_owner"


@pytest.mark.parametrize("trigger", ["verify", "mark_unfounded"])
def test_only_the_assigned_verifier_records_verification(trigger):
    step = WF.step(trigger)
    verifier = actor("child_supervisor", user_id=21, organisation_id=9)
    other = actor("child_supervisor", user_id=22, organisation_id=9)
    owner_police = actor("police", user_id=23, organisation_id=1)
    case = stand_in_case(owner_org_id=1, verifier_id=21)
    assert policy.step_refusal(verifier, case, step) is None
    assert policy.step_refusal(other, case, step) == "not_verifier"
    # Owning the case does not make one the verifier.
    assert policy.step_refusal(owner_police, case, step) == "not_verifier"
    # No verifier assigned yet: nobody may verify.
    assert policy.step_refusal(verifier, stand_in_case(verifier_id=None), step) == "not_verifier"


def test_is_verifier_without_a_report():
    case = SimpleNamespace(mandatory_report=None)
    assert is_verifier(case, actor("police")) == "not_verifier"


def test_closure_is_approved_by_someone_other_than_the_requester():
    step = WF.step("approve_closure")
    approver = actor("supervisor", user_id=31)
    assert policy.step_refusal(approver, stand_in_case(requester_id=31), step) == "self_approval"
    assert policy.step_refusal(approver, stand_in_case(requester_id=32), step) is None
    assert not_closure_requester(stand_in_case(requester_id=None), approver) is None
    assert not_closure_requester(stand_in_case(requester_id=31), approver) == "self_approval"


def test_supervisor_steps_do_not_depend_on_the_owner_org():
    case = stand_in_case(owner_org_id=1, requester_id=40)
    boss = actor("supervisor", user_id=41, organisation_id=77)
    for trigger in ("approve_closure", "reject_closure", "reopen"):
        assert policy.step_refusal(boss, case, WF.step(trigger)) is None


# --- deadlines --------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", list(DEADLINES))
def test_deadlines_opened_and_met_per_step(trigger):
    opens, meets = DEADLINES[trigger]
    step = WF.step(trigger)
    assert set(step.opens) == opens
    assert set(step.meets) == meets
    assert len(step.opens) == len(opens) and len(step.meets) == len(meets)


def test_every_deadline_a_step_uses_has_a_rule_with_a_legal_basis():
    pack = load(Config.RULE_PACK)
    kinds = {k for step in WF.steps for k in (*step.opens, *step.meets)}
    assert kinds == {
        "report_late",
        "accept_due",
        "verify_due",
        "feedback_due",
        "visit_due",
        "no_case_notice_due",
        "police_review_window",
        "police_review_decision_due",
    }
    for kind in kinds:
        assert pack.rule(kind).basis


def test_steps_from_a_state_are_the_buttons_of_that_state():
    assert [s.trigger for s in WF.steps_from("submitted")] == [
        "accept",
        "transfer",
        "send_feedback",
    ]
    assert [s.trigger for s in WF.steps_from("closed")] == ["reopen"]
    assert {s.trigger for s in WF.steps_from("unfounded")} == {
        "serve_no_case_notice",
        "request_police_review",
        "extend_police_review",
        "uphold_no_case",
        "overturn_no_case",
        "request_closure",
        "send_feedback",
    }
