"""The dv_warning and protection_order workflows against the tables of
shared/domain/workflows.md §2 and §3.

Pure: no app, no database. The case and the actor are stand-ins with just the attributes
the guards read. The expected tables are written out here by hand from the document (the
role sets where the document names people — "police / committee", "anyone handling",
"scheduler" — are the ones the project settled on), so a change to a definition that
drifts from the document fails.
"""

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from caseflow import policy, timeutil
from caseflow.config import Config
from caseflow.deadlines.rules import load
from caseflow.services.errors import (
    Forbidden,
    InvalidTransitionError,
    ValidationFailed,
    refusal_error,
)
from caseflow.vocab import ROLES
from caseflow.workflows import PREVIOUS, WORKFLOWS, InvalidTransition, UnknownTrigger
from caseflow.workflows.base import in_owner_org, not_closure_requester
from caseflow.workflows.dv_warning import warning_complete
from caseflow.workflows.protection_order import (
    expiry_reached,
    is_the_court,
    not_expired,
    not_reconsidered,
    rejection_served,
)

DV = WORKFLOWS["dv_warning"]
PO = WORKFLOWS["protection_order"]
NEW = DV.NEW
SAME = "<same>"  # the state does not change
SUPERVISOR = {"supervisor"}

# --- §2 dv_warning ----------------------------------------------------------------------

DV_STATES = {
    "incident_logged",
    "warning_issued",
    "delivered",
    "following_up",
    "escalated",
    "closure_requested",
    "closed",
}
POLICE = {"police"}
# 查访 "police / committee": the committee's role, and the women's federation, which
# follows DV cases in its area (workflows.md "Roles and scope").
DV_FOLLOWERS = {"police", "womens_federation", "committee"}

# trigger: (sources, destination, roles) — workflows.md §2, row by row.
DV_TABLE = {
    # The police log calls (§2); the hotline and the women's federation may open one from a
    # call (§5 "one call can open a case of any type"), and it goes to the police station.
    "log_incident": ([NEW], "incident_logged", POLICE | {"hotline", "womens_federation"}),
    "criticize": (["incident_logged"], "following_up", POLICE),
    "issue_warning": (["incident_logged"], "warning_issued", POLICE),
    "escalate": (["incident_logged"], "escalated", POLICE),
    "deliver": (["warning_issued"], "delivered", POLICE),
    "start_follow_up": (["delivered"], "following_up", DV_FOLLOWERS),
    "record_repeat": (["following_up"], "escalated", POLICE),
    # D9: a 治安 case is decided within 30 days, +30 with approval (law.md).
    "decide_penalty": (["escalated"], SAME, POLICE),
    "extend_penalty_decision": (["escalated"], SAME, POLICE),
    # "following_up, escalated: request_closure → approve / reject, reopen — as in §1":
    # the owner asks, and DV cases are owned by the police unit that logged the call.
    "request_closure": (["following_up", "escalated"], "closure_requested", POLICE),
    "approve_closure": (["closure_requested"], "closed", SUPERVISOR),
    "reject_closure": (["closure_requested"], PREVIOUS, SUPERVISOR),
    "reopen": (["closed"], "following_up", SUPERVISOR),
}

# trigger: (deadlines opened, deadlines met). §2 names deliver_due (from the warning, met
# by delivery) and first_visit_due (the first 查访, met by a recorded visit, not a step).
DV_DEADLINES = {
    "log_incident": (set(), set()),
    # No 告诫书, no Art. 17 ¶2 查访: a visit by the local rule only.
    "criticize": ({"visit_due"}, set()),
    "issue_warning": ({"deliver_due"}, set()),
    "escalate": ({"penalty_decision_due"}, set()),
    # Delivery opens the 查访 clock of Art. 17 ¶2.
    "deliver": ({"first_visit_due"}, {"deliver_due"}),
    "start_follow_up": ({"first_visit_due"}, set()),
    "record_repeat": ({"penalty_decision_due"}, set()),
    "decide_penalty": (set(), {"penalty_decision_due"}),
    "extend_penalty_decision": (set(), set()),
    "request_closure": (set(), set()),
    "approve_closure": (set(), set()),
    "reject_closure": (set(), set()),
    "reopen": ({"first_visit_due"}, set()),
}

# --- §3 protection_order ----------------------------------------------------------------

PO_STATES = {
    "drafted",
    "filed",
    "accepted",
    "issued",
    "rejected",
    "reconsideration",
    "in_force",
    "ended",
    "following_up",
    "closure_requested",
    "closed",
}
# "妇联 / hotline / police / lawyer", and "drafter", "applicant side", "owner" after them;
# and the proxies of Art. 23 ¶2 and 法释〔2022〕17号 Art. 2 (civil affairs, the committees,
# disabled persons' federations, elderly organisations and relief agencies).
DRAFTERS = {
    "womens_federation",
    "hotline",
    "police",
    "legal_aid",
    "civil_affairs",
    "committee",
    "assisting_org",
}
COURT = {"court_liaison"}
NOBODY = set()  # `expire`: the scheduler, never a person

PO_TABLE = {
    "draft": ([NEW], "drafted", DRAFTERS),
    "file": (["drafted"], "filed", DRAFTERS),
    "court_accept": (["filed"], "accepted", COURT),
    "issue_order": (["accepted", "reconsideration"], "issued", COURT),
    "reject": (["accepted"], "rejected", COURT),
    # The rejection takes effect on service; the window runs from it (Art. 31).
    "serve_rejection": (["rejected"], SAME, COURT),
    "request_reconsideration": (["rejected"], "reconsideration", DRAFTERS),
    "uphold_rejection": (["reconsideration"], "closed", COURT),
    "serve": (["issued"], "in_force", COURT),
    "extend": (["in_force"], SAME, COURT),
    "modify": (["in_force"], SAME, COURT),
    "record_violation": (["in_force"], SAME, DRAFTERS | COURT),  # "anyone handling"
    "revoke": (["in_force"], "ended", COURT),
    # The respondent's 复议 (Art. 31), recorded and decided by the court; the order stays in
    # force (no change of state) unless it is revoked.
    "request_respondent_review": (["in_force"], SAME, COURT),
    "decide_respondent_review": (["in_force"], SAME, COURT),
    "revoke_on_review": (["in_force"], "ended", COURT),
    # "in_force → ended … expire fires at expires_at". Also from `issued`: an order is in
    # force from the day it is made (Art. 30), served or not, and ends at its last day.
    "expire": (["issued", "in_force"], "ended", NOBODY),
    "start_follow_up": (["ended"], "following_up", DRAFTERS),
    # Beyond the table: a rejection the applicant does not contest is closed from there.
    "request_closure": (["following_up", "rejected"], "closure_requested", DRAFTERS),
    "approve_closure": (["closure_requested"], "closed", SUPERVISOR),
    "reject_closure": (["closure_requested"], PREVIOUS, SUPERVISOR),
    "reopen": (["closed"], "following_up", SUPERVISOR),
}

# §3 "Deadlines": ruling_due from acceptance (Art. 28), met by either ruling; the 5-day
# reconsideration window from a rejection (Art. 31), met by the request; follow-up visits
# "as in §1". Expiry is the order's own expires_at and the sweep, not a deadline row.
PO_DEADLINES = {
    "draft": (set(), set()),
    "file": (set(), set()),
    "court_accept": ({"ruling_due"}, set()),
    "issue_order": (set(), {"ruling_due"}),
    "reject": ({"reconsideration_window"}, {"ruling_due"}),
    "serve_rejection": ({"reconsideration_window"}, set()),
    "request_reconsideration": (set(), {"reconsideration_window"}),
    "uphold_rejection": (set(), set()),
    "serve": ({"respondent_review_window"}, set()),
    "request_respondent_review": (set(), {"respondent_review_window"}),
    "decide_respondent_review": (set(), set()),
    "revoke_on_review": (set(), set()),
    "extend": (set(), set()),
    "modify": (set(), set()),
    "record_violation": (set(), set()),
    "revoke": (set(), set()),
    "expire": (set(), set()),
    "start_follow_up": ({"visit_due"}, set()),
    "request_closure": (set(), set()),
    "approve_closure": (set(), set()),
    "reject_closure": (set(), set()),
    "reopen": ({"visit_due"}, set()),
}

TYPES = {
    "dv_warning": (DV, DV_STATES, DV_TABLE, DV_DEADLINES),
    "protection_order": (PO, PO_STATES, PO_TABLE, PO_DEADLINES),
}


def cells(with_states: bool):
    """(type, trigger, state) for every trigger × every state, or (type, trigger, role)."""
    out = []
    for name, (_wf, states, table, _deadlines) in TYPES.items():
        axis = [NEW, *sorted(states)] if with_states else list(ROLES)
        out += [(name, trigger, x) for trigger, x in itertools.product(table, axis)]
    return out


# --- stand-ins ----------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
OWNER_ORG, COURT_ORG, OTHER_ORG = 1, 2, 99


@pytest.fixture(autouse=True)
def frozen_clock():
    """The time guards (not_expired, expiry_reached) read timeutil.now()."""
    timeutil.set_clock(NOW)
    yield
    timeutil.set_clock(None)


def window(due_at, status="open"):
    return SimpleNamespace(kind="reconsideration_window", due_at=due_at, status=status)


def penalty_case(status="open"):
    return SimpleNamespace(
        kind="penalty_decision_due", due_at=NOW + timedelta(days=9), status=status
    )


def stand_in_case(
    case_type="protection_order",
    owner_org_id=OWNER_ORG,
    court_id=COURT_ORG,
    abuser_name="吴志刚",
    reconsidered_at=None,
    deadlines=None,
    expires_at=NOW + timedelta(days=30),
    requester_id=None,
    rejection_served_at=NOW - timedelta(days=1),
    review_requested_at=None,
    review_decided_at=None,
):
    persons = {"abuser": SimpleNamespace(role="abuser", name=abuser_name)}
    if abuser_name is ...:  # no abuser recorded at all
        persons = {}
    request = SimpleNamespace(actor_id=requester_id) if requester_id is not None else None
    order = SimpleNamespace(
        court_id=court_id,
        reconsideration_requested_at=reconsidered_at,
        expires_at=expires_at,
        rejection_served_at=rejection_served_at,
        respondent_review_requested_at=review_requested_at,
        respondent_review_decided_at=review_decided_at,
    )
    return SimpleNamespace(
        id=200,
        type=case_type,
        owner_org_id=owner_org_id,
        person=persons.get,
        protection_order=order if case_type == "protection_order" else None,
        deadlines=[window(NOW + timedelta(days=2)), penalty_case()]
        if deadlines is None
        else deadlines,
        last_event=lambda trigger: request if trigger == "request_closure" else None,
    )


def actor(role, user_id=7, organisation_id=OWNER_ORG):
    return SimpleNamespace(id=user_id, role=role, organisation_id=organisation_id)


def refusal(wf, trigger, who, case):
    """What firing would answer: policy.step_refusal for a person; for the scheduler's
    `expire` the guards only, as services.cases.fire_as_system runs them."""
    step = wf.step(trigger)
    if who is None:
        return next((r for r in (g(case, None) for g in step.guards) if r), None)
    return policy.step_refusal(who, case, step)


# --- the definitions ----------------------------------------------------------------------


def test_states_triggers_and_final_state_are_the_documented_ones():
    for name, (wf, states, table, _deadlines) in TYPES.items():
        assert wf.name == name
        assert set(wf.states) == states, name
        assert wf.triggers == list(table), name
        assert wf.final_states == {"closed"}, name
        assert set(wf.open_states) == states - {"closed"}, name
    assert (DV.initial_trigger, DV.prefix) == ("log_incident", "DV")
    assert (PO.initial_trigger, PO.prefix) == ("draft", "PO")


@pytest.mark.parametrize(
    ("name", "trigger"), [(n, t) for n, (_w, _s, table, _d) in TYPES.items() for t in table]
)
def test_each_step_declares_the_documented_sources_destination_and_roles(name, trigger):
    wf, _states, table, _deadlines = TYPES[name]
    sources, dest, roles = table[trigger]
    step = wf.step(trigger)
    assert set(step.source) == set(sources)
    assert step.dest == (None if dest == SAME else dest)
    assert step.roles == roles


# --- the machine: every trigger from every state -----------------------------------------


@pytest.mark.parametrize(("name", "trigger", "state"), cells(with_states=True))
def test_apply_succeeds_exactly_from_the_documented_sources(name, trigger, state):
    wf, _states, table, _deadlines = TYPES[name]
    sources, dest, _roles = table[trigger]
    origins = table["request_closure"][0]
    if state not in sources:
        with pytest.raises(InvalidTransition) as info:
            wf.apply(state, trigger, previous=origins[0])
        assert (info.value.trigger, info.value.state) == (trigger, state)
        return
    if dest == PREVIOUS:
        for origin in origins:
            assert wf.apply(state, trigger, previous=origin) == origin
    else:
        assert wf.apply(state, trigger) == (state if dest == SAME else dest)


@pytest.mark.parametrize(
    ("name", "origin"),
    [
        ("dv_warning", "following_up"),
        ("dv_warning", "escalated"),
        ("protection_order", "following_up"),
    ],
)
def test_reject_closure_returns_to_the_state_closure_was_requested_from(name, origin):
    wf = TYPES[name][0]
    requested = wf.apply(origin, "request_closure")
    assert requested == "closure_requested"
    assert wf.apply(requested, "reject_closure", previous=origin) == origin
    assert wf.apply(requested, "approve_closure", previous=origin) == "closed"
    assert wf.apply("closed", "reopen") == "following_up"


@pytest.mark.parametrize(
    ("name", "previous"),
    [
        ("dv_warning", None),
        ("dv_warning", "delivered"),
        ("dv_warning", "incident_logged"),
        ("dv_warning", "closed"),
        ("protection_order", None),
        ("protection_order", "ended"),
        ("protection_order", "in_force"),
    ],
)
def test_reject_closure_refuses_an_origin_closure_cannot_come_from(name, previous):
    with pytest.raises(InvalidTransition):
        TYPES[name][0].apply("closure_requested", "reject_closure", previous=previous)


def test_warning_track_paths_of_the_document():
    # criticism: straight to 查访; warning: issued → delivered → 查访 → repeat → escalated.
    assert DV.apply("incident_logged", "criticize") == "following_up"
    state = "incident_logged"
    for trigger in ("issue_warning", "deliver", "start_follow_up", "record_repeat"):
        state = DV.apply(state, trigger)
    assert state == "escalated"
    # Escalation closes the warning track: no warning, delivery or repeat from there.
    for trigger in ("issue_warning", "deliver", "record_repeat", "criticize"):
        with pytest.raises(InvalidTransition):
            DV.apply("escalated", trigger)


def test_order_paths_of_the_document():
    state = PO.apply(NEW, "draft")
    for trigger, expected in [
        ("file", "filed"),
        ("court_accept", "accepted"),
        ("reject", "rejected"),
        ("request_reconsideration", "reconsideration"),
        ("issue_order", "issued"),
        ("serve", "in_force"),
        ("extend", "in_force"),
        ("modify", "in_force"),
        ("record_violation", "in_force"),
        ("expire", "ended"),
        ("start_follow_up", "following_up"),
    ]:
        state = PO.apply(state, trigger)
        assert state == expected, trigger
    assert PO.apply("reconsideration", "uphold_rejection") == "closed"
    assert PO.apply("in_force", "revoke") == "ended"


def test_a_ruling_needs_an_acceptance_and_service_needs_an_order():
    for state in ("drafted", "filed"):
        for trigger in ("issue_order", "reject"):
            with pytest.raises(InvalidTransition):
                PO.apply(state, trigger)
    for state in ("filed", "accepted", "rejected", "reconsideration"):
        with pytest.raises(InvalidTransition):
            PO.apply(state, "serve")


def test_reconsideration_once_by_the_state_machine_too():
    # After the request there is no way back to `rejected`: a second request cannot fire.
    for state in ("reconsideration", "issued", "in_force", "ended", "closed"):
        with pytest.raises(InvalidTransition):
            PO.apply(state, "request_reconsideration")


def test_unknown_triggers_and_no_back_doors():
    for wf in (DV, PO):
        with pytest.raises(UnknownTrigger):
            wf.apply("following_up", "to_closed")
        with pytest.raises(UnknownTrigger):
            wf.step("close")
        assert wf._machine.auto_transitions is False
        assert not any(t.startswith("to_") for t in wf._machine.get_triggers(*wf.states))
        assert wf._machine.models == []
    with pytest.raises(UnknownTrigger):
        DV.apply("incident_logged", "issue_order")  # a protection-order trigger
    with pytest.raises(UnknownTrigger):
        PO.apply("in_force", "record_repeat")  # a warning-track trigger


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "trigger", "role"), cells(with_states=False))
def test_role_allowed_exactly_for_the_documented_roles(name, trigger, role):
    wf, _states, table, _deadlines = TYPES[name]
    who = actor(role, organisation_id=OWNER_ORG)
    # A case on which every guard passes for this actor: its unit owns the case and is the
    # court, the window is open, the order has not expired, nobody asked for closure.
    case = stand_in_case(
        name, owner_org_id=OWNER_ORG, court_id=OWNER_ORG, **GOOD_CASE_FOR.get(trigger, {})
    )
    answer = policy.step_refusal(who, case, wf.step(trigger))
    if role in table[trigger][2]:
        assert answer is None
    else:
        assert answer == "role"


# Steps whose guards need a different history than the default case (served rejection,
# no review of the respondent): the case on which they may fire.
GOOD_CASE_FOR = {
    "serve_rejection": {"rejection_served_at": None},
    "decide_respondent_review": {"review_requested_at": NOW - timedelta(days=1)},
    "revoke_on_review": {"review_requested_at": NOW - timedelta(days=1)},
}


def test_every_role_in_the_tables_is_a_known_role():
    for _name, (_wf, _states, table, _deadlines) in TYPES.items():
        for _sources, _dest, roles in table.values():
            assert roles <= set(ROLES)


def test_expire_is_fired_by_nobody_but_the_scheduler():
    step = PO.step("expire")
    assert step.roles == frozenset()
    case = stand_in_case(expires_at=NOW - timedelta(minutes=1), court_id=OWNER_ORG)
    for role in ROLES:
        assert policy.step_refusal(actor(role), case, step) == "role"
    assert refusal(PO, "expire", None, case) is None  # the sweep's way in


def test_role_is_checked_before_guards():
    case = stand_in_case(owner_org_id=OWNER_ORG, court_id=COURT_ORG)
    # The wrong role from the wrong unit: the answer is the role.
    assert policy.step_refusal(
        actor("hotline", organisation_id=OTHER_ORG), case, PO.step("serve")
    ) == ("role")
    assert policy.step_refusal(
        actor("court_liaison", organisation_id=COURT_ORG), case, PO.step("file")
    ) == ("role")
    dv_case = stand_in_case("dv_warning", abuser_name=...)
    assert policy.step_refusal(actor("womens_federation"), dv_case, DV.step("issue_warning")) == (
        "role"
    )


# --- guards: each trigger against each defect of the case or the actor ----------------------

# A defect makes exactly one thing wrong with an otherwise good case and actor.
DEFECTS = {
    "none": {},
    "other_unit": {"actor_org": OTHER_ORG},  # neither the owner nor the court
    "no_court": {"court_id": None},
    "reconsidered": {"reconsidered_at": NOW - timedelta(days=1)},
    # The window's deadline is no guard's business any more: whether the party applied in
    # time is judged from the time they applied (services, deadlines.windows.act_within).
    "window_passed": {"deadlines": [window(NOW)]},
    "no_window": {"deadlines": []},
    "not_served": {"rejection_served_at": None},
    "review_pending": {"review_requested_at": NOW - timedelta(days=1)},
    "review_decided": {
        "review_requested_at": NOW - timedelta(days=2),
        "review_decided_at": NOW - timedelta(days=1),
    },
    "expired": {"expires_at": NOW},  # exactly at expires_at: expired
    "no_expiry": {"expires_at": None},
    "no_abuser_name": {"abuser_name": ""},
    "no_abuser": {"abuser_name": ...},
    "self_approval": {"requester_id": 7},  # the actor asked for the closure
}

DV_OWNER_STEPS = {
    "criticize",
    "issue_warning",
    "escalate",
    "deliver",
    "start_follow_up",
    "record_repeat",
    "request_closure",
}
DV_REFUSALS = {
    **{t: {"other_unit": "not_owner"} for t in DV_OWNER_STEPS},
    "issue_warning": {
        "other_unit": "not_owner",
        "no_abuser_name": "abuser_identity",
        "no_abuser": "abuser_identity",
    },
    "approve_closure": {"self_approval": "self_approval"},
    # A committee starts 查访 in its place whoever owns the case (Art. 17 ¶2).
    "start_follow_up": {},
    # D9: only while a 治安 case awaits its decision (these defects list no such deadline).
    **{
        t: {
            "other_unit": "not_owner",
            **{d: "no_penalty_case" for d in DEFECTS if d.endswith("window") or "window_" in d},
        }
        for t in ("decide_penalty", "extend_penalty_decision")
    },
}

PO_COURT_STEPS = {
    "court_accept",
    "issue_order",
    "reject",
    "uphold_rejection",
    "serve",
    "extend",
    "modify",
    "revoke",
    "serve_rejection",
    "request_respondent_review",
    "decide_respondent_review",
    "revoke_on_review",
}
NOT_THE_COURT = {"other_unit": "not_the_court", "no_court": "not_the_court"}
PO_REFUSALS = {
    **{t: {"other_unit": "not_owner"} for t in ("file", "start_follow_up", "request_closure")},
    **{t: {"other_unit": "not_the_court", "no_court": "not_the_court"} for t in PO_COURT_STEPS},
    "request_reconsideration": {
        "other_unit": "not_owner",
        "reconsidered": "already_reconsidered",
        "not_served": "rejection_not_served",
    },
    # The good case's rejection is served: only an unserved one may be served.
    "serve_rejection": {
        **{d: "rejection_already_served" for d in DEFECTS if d != "not_served"},
        **NOT_THE_COURT,
        "not_served": None,
    },
    "request_respondent_review": {
        **NOT_THE_COURT,
        "review_pending": "respondent_review_requested",
        "review_decided": "respondent_review_requested",
    },
    # The good case has no review pending: only the pending one may be decided.
    **{
        t: {
            **{d: "no_respondent_review" for d in DEFECTS if d != "review_pending"},
            **NOT_THE_COURT,
            "review_pending": None,
        }
        for t in ("decide_respondent_review", "revoke_on_review")
    },
    # Extension and variation while the order is in force (Art. 30).
    **{
        t: {
            "other_unit": "not_the_court",
            "no_court": "not_the_court",
            "expired": "order_expired",
            "no_expiry": "order_expired",
        }
        for t in ("extend", "modify")
    },
    # `expire` fires at expires_at: with the good case (30 days left) it is not yet time.
    "expire": {
        **{d: "not_yet_expired" for d in DEFECTS if d != "expired"},
        "expired": None,
    },
    "approve_closure": {"self_approval": "self_approval"},
    # draft: no guard; record_violation: anyone handling, from any unit (Art. 34).
}


def guard_cells():
    out = []
    for name, refusals in (("dv_warning", DV_REFUSALS), ("protection_order", PO_REFUSALS)):
        table = TYPES[name][2]
        out += [(name, t, d, refusals.get(t, {}).get(d)) for t in table for d in DEFECTS]
    return out


@pytest.mark.parametrize(("name", "trigger", "defect", "expected"), guard_cells())
def test_guards_refuse_exactly_the_documented_defects(name, trigger, defect, expected):
    wf, _states, table, _deadlines = TYPES[name]
    options = dict(DEFECTS[defect])
    actor_org = options.pop("actor_org", OWNER_ORG)
    roles = table[trigger][2]
    if roles:
        # A documented role; the court's steps by the court's liaison, the others by the
        # owner (who is also the court here, so that only the defect differs).
        role = "court_liaison" if roles == COURT else sorted(roles)[0]
        who = actor(role, user_id=7, organisation_id=actor_org)
    else:
        who = None  # the scheduler
    options.setdefault("court_id", OWNER_ORG)
    case = stand_in_case(name, owner_org_id=OWNER_ORG, **options)
    assert refusal(wf, trigger, who, case) == expected


def test_the_womens_federation_may_start_dv_follow_up_on_a_police_case():
    # The case belongs to the police unit that logged the call; the federation of the
    # area may start 查访 on it, another police unit may not, and closure stays the owner's.
    case = stand_in_case("dv_warning", owner_org_id=OWNER_ORG)
    federation = actor("womens_federation", organisation_id=OTHER_ORG)
    other_police = actor("police", organisation_id=OTHER_ORG)
    assert refusal(DV, "start_follow_up", federation, case) is None
    assert refusal(DV, "start_follow_up", other_police, case) == "not_owner"
    assert policy.step_refusal(federation, case, DV.step("request_closure")) == "role"


def test_record_violation_may_come_from_any_handling_unit():
    step = PO.step("record_violation")
    case = stand_in_case(owner_org_id=OWNER_ORG, court_id=COURT_ORG)
    assert step.guards == ()
    for role in DRAFTERS | COURT:
        assert policy.step_refusal(actor(role, organisation_id=OTHER_ORG), case, step) is None


def test_court_steps_belong_to_the_court_named_in_the_application():
    case = stand_in_case(owner_org_id=OWNER_ORG, court_id=COURT_ORG)
    court = actor("court_liaison", organisation_id=COURT_ORG)
    another_court = actor("court_liaison", organisation_id=OTHER_ORG)
    for trigger in sorted(PO_COURT_STEPS):
        step = PO.step(trigger)
        case = stand_in_case(
            owner_org_id=OWNER_ORG, court_id=COURT_ORG, **GOOD_CASE_FOR.get(trigger, {})
        )
        assert policy.step_refusal(court, case, step) is None, trigger
        assert policy.step_refusal(another_court, case, step) == "not_the_court", trigger
    # The drafting unit does not become the court by owning the case.
    drafter = actor("womens_federation", organisation_id=OWNER_ORG)
    assert policy.step_refusal(drafter, case, PO.step("file")) is None
    assert policy.step_refusal(drafter, case, PO.step("court_accept")) == "role"


def test_closure_steps_of_supervisors_do_not_depend_on_the_owner_org():
    boss = actor("supervisor", user_id=41, organisation_id=77)
    for name in TYPES:
        wf = TYPES[name][0]
        case = stand_in_case(name, owner_org_id=OWNER_ORG, requester_id=40)
        for trigger in ("approve_closure", "reject_closure", "reopen"):
            assert policy.step_refusal(boss, case, wf.step(trigger)) is None, (name, trigger)
        mine = stand_in_case(name, owner_org_id=OWNER_ORG, requester_id=41)
        assert policy.step_refusal(boss, mine, wf.step("approve_closure")) == "self_approval"


# --- the guards themselves, at their boundaries --------------------------------------------


def test_in_owner_org_and_not_closure_requester():
    assert in_owner_org(stand_in_case(owner_org_id=5), actor("police", organisation_id=5)) is None
    assert in_owner_org(stand_in_case(owner_org_id=5), actor("police", organisation_id=6)) == (
        "not_owner"
    )
    assert in_owner_org(
        stand_in_case(owner_org_id=None), actor("police", organisation_id=None)
    ) == ("not_owner")
    boss = actor("supervisor", user_id=31)
    assert not_closure_requester(stand_in_case(requester_id=31), boss) == "self_approval"
    assert not_closure_requester(stand_in_case(requester_id=32), boss) is None
    assert not_closure_requester(stand_in_case(requester_id=None), boss) is None


def test_is_the_court():
    court = actor("court_liaison", organisation_id=COURT_ORG)
    assert is_the_court(stand_in_case(court_id=COURT_ORG), court) is None
    assert is_the_court(stand_in_case(court_id=OTHER_ORG), court) == "not_the_court"
    # No court named yet (a draft), or not a protection order at all.
    assert is_the_court(
        stand_in_case(court_id=None), actor("court_liaison", organisation_id=None)
    ) == ("not_the_court")
    assert is_the_court(stand_in_case("dv_warning"), court) == "not_the_court"


def test_not_reconsidered():
    assert not_reconsidered(stand_in_case(reconsidered_at=None), actor("police")) is None
    assert not_reconsidered(stand_in_case(reconsidered_at=NOW), actor("police")) == (
        "already_reconsidered"
    )


def test_rejection_served():
    # Whatever the clock says: a late entry of a timely application is judged in the step.
    assert rejection_served(stand_in_case(deadlines=[window(NOW)]), actor("police")) is None
    assert rejection_served(stand_in_case(rejection_served_at=None), actor("police")) == (
        "rejection_not_served"
    )


@pytest.mark.parametrize(
    ("acted_at", "provisional", "on_time", "allowed"),
    [
        (NOW - timedelta(minutes=1), False, True, True),  # the last minute of the window
        (NOW, False, False, False),  # at 24:00 of the last day it has ended
        (NOW + timedelta(days=1), False, False, False),
        # On a provisional calendar a late act is let through, with a warning.
        (NOW, True, False, True),
        (NOW - timedelta(hours=1), True, True, True),
    ],
)
def test_act_within(acted_at, provisional, on_time, allowed):
    from caseflow.deadlines.windows import act_within

    deadline = window(NOW)
    if provisional:
        deadline.provisional = True
    check = act_within(deadline, acted_at)
    assert (check.on_time, check.allowed) == (on_time, allowed)
    assert check.event_data() == (
        {} if on_time else {"window_warning": "late_on_provisional_calendar"}
    )


def test_act_within_without_the_calendar_flag_refuses_late_acts():
    """A deadline row without `provisional` (an official calendar) never lets a late act in."""
    from caseflow.deadlines.windows import act_within

    check = act_within(SimpleNamespace(due_at=NOW), NOW + timedelta(seconds=1))
    assert not check.allowed and not check.provisional


@pytest.mark.parametrize(
    ("expires_at", "not_expired_answer", "expiry_reached_answer"),
    [
        (NOW + timedelta(days=30), None, "not_yet_expired"),
        (NOW + timedelta(minutes=1), None, "not_yet_expired"),  # a minute before: in force
        (NOW, "order_expired", None),  # expire fires at expires_at, not a minute later
        (NOW - timedelta(days=1), "order_expired", None),
        (None, "order_expired", "not_yet_expired"),  # no order made
    ],
)
def test_not_expired_and_expiry_reached_split_time_at_expires_at(
    expires_at, not_expired_answer, expiry_reached_answer
):
    case = stand_in_case(expires_at=expires_at)
    assert not_expired(case, actor("court_liaison")) == not_expired_answer
    assert expiry_reached(case, None) == expiry_reached_answer


def test_warning_complete_needs_the_abuser_named():
    assert (
        warning_complete(stand_in_case("dv_warning", abuser_name="吴志刚"), actor("police")) is None
    )
    assert warning_complete(stand_in_case("dv_warning", abuser_name=""), actor("police")) == (
        "abuser_identity"
    )
    assert warning_complete(stand_in_case("dv_warning", abuser_name=None), actor("police")) == (
        "abuser_identity"
    )
    assert warning_complete(stand_in_case("dv_warning", abuser_name=...), actor("police")) == (
        "abuser_identity"
    )


@pytest.mark.parametrize(
    ("reason", "error", "status"),
    [
        ("role", Forbidden, 403),
        ("not_owner", Forbidden, 403),
        ("not_the_court", Forbidden, 403),
        ("self_approval", Forbidden, 403),
        # About time or the case's history: not possible now, whoever asks.
        ("already_reconsidered", InvalidTransitionError, 409),
        ("window_closed", InvalidTransitionError, 409),
        ("order_expired", InvalidTransitionError, 409),
        ("not_yet_expired", InvalidTransitionError, 409),
        # A missing fact.
        ("abuser_identity", ValidationFailed, 422),
    ],
)
def test_each_refusal_becomes_the_right_error(reason, error, status):
    raised = refusal_error(reason)
    assert type(raised) is error
    assert raised.status == status
    assert str(raised.message)  # a message for people, not the code


# --- deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "trigger"), [(n, t) for n, (_w, _s, _t, dl) in TYPES.items() for t in dl]
)
def test_deadlines_opened_and_met_per_step(name, trigger):
    wf, _states, _table, deadlines = TYPES[name]
    opens, meets = deadlines[trigger]
    step = wf.step(trigger)
    assert set(step.opens) == opens
    assert set(step.meets) == meets
    assert len(step.opens) == len(opens) and len(step.meets) == len(meets)


def test_the_rule_pack_has_the_documented_lengths_with_a_legal_basis():
    pack = load(Config.RULE_PACK)
    kinds = {k for wf in (DV, PO) for step in wf.steps for k in (*step.opens, *step.meets)}
    assert kinds == {
        "deliver_due",
        "first_visit_due",
        "ruling_due",
        "reconsideration_window",
        "respondent_review_window",
        "visit_due",
        "penalty_decision_due",
    }
    lengths = {
        "deliver_due": "5 d",  # local example, configurable (law.md 1c)
        "first_visit_due": "30 d",
        "ruling_due": "72 h",  # Art. 28
        "ruling_due_urgent": "24 h",  # Art. 28, urgent
        "reconsideration_window": "5 d",  # Art. 31
        "visit_due": "7 d",
    }
    for kind, length in lengths.items():
        rule = pack.rule(kind)
        assert rule.length_text == length, kind
        assert rule.basis, kind
    assert "第28条" in pack.rule("ruling_due").basis
    assert "第28条" in pack.rule("ruling_due_urgent").basis
    assert "第31条" in pack.rule("reconsideration_window").basis
    assert "第17条" in pack.rule("deliver_due").basis
    expiry = pack.reminders["order_expiry"]
    assert expiry.days_before == (30, 7)  # 30 and 7 days before expiry (D11)
    assert "第30条" in expiry.basis


def test_steps_from_a_state_are_the_buttons_of_that_state():
    assert [s.trigger for s in DV.steps_from("incident_logged")] == [
        "criticize",
        "issue_warning",
        "escalate",
    ]
    assert {s.trigger for s in DV.steps_from("following_up")} == {
        "record_repeat",
        "request_closure",
    }
    assert [s.trigger for s in DV.steps_from("escalated")] == [
        "decide_penalty",
        "extend_penalty_decision",
        "request_closure",
    ]
    assert {s.trigger for s in PO.steps_from("in_force")} == {
        "extend",
        "modify",
        "record_violation",
        "revoke",
        "request_respondent_review",
        "decide_respondent_review",
        "revoke_on_review",
        "expire",
    }
    assert {s.trigger for s in PO.steps_from("reconsideration")} == {
        "issue_order",
        "uphold_rejection",
    }
    assert [s.trigger for s in PO.steps_from("ended")] == ["start_follow_up"]
