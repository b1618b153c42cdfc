"""The workflow engine shared by every case type.

A case type is declared as a table of Steps (trigger, sources, destination, roles,
guards, deadlines opened and met), read like the tables of shared/domain/workflows.md.
From that one table come: the `transitions` machine that validates and performs each
state change, the actions offered to a user (page buttons and the API's `actions`),
the workflow diagram, and the tests.

Pure Python: no Flask and no database here. Guards receive the case and the actor as
plain objects and answer with an error message or None.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from transitions import Machine, MachineError

# A destination meaning "the state the case was in before closure was requested".
PREVIOUS = "<previous>"

Guard = Callable[[object, object], str | None]


class InvalidTransition(Exception):
    """The trigger cannot fire from the case's current state."""

    def __init__(self, trigger: str, state: str):
        super().__init__(f"{trigger} is not valid in state {state}")
        self.trigger, self.state = trigger, state


class UnknownTrigger(Exception):
    def __init__(self, trigger: str):
        super().__init__(f"unknown trigger {trigger}")
        self.trigger = trigger


@dataclass(frozen=True)
class Step:
    trigger: str
    source: tuple[str, ...]
    dest: str | None  # None: the state does not change (e.g. send_feedback)
    roles: frozenset[str]
    label: object  # a lazy translated string
    guards: tuple[Guard, ...] = ()
    opens: tuple[str, ...] = ()  # deadline kinds this step opens
    meets: tuple[str, ...] = ()  # deadline kinds this step meets
    style: str = "primary"  # how the button looks: primary, secondary, danger


@dataclass
class Workflow:
    name: str
    prefix: str  # of the human case number, e.g. MR
    label: object
    states: dict[str, object]  # state code → label, in display order
    initial_trigger: str
    final_states: frozenset[str]
    steps: Sequence[Step]
    _machine: Machine = field(init=False, repr=False)

    # The machine starts every new case in this in-memory state; it is never stored.
    NEW = "new"

    def __post_init__(self):
        self._check()
        self._machine = Machine(
            model=None,
            states=[self.NEW, *self.states],
            initial=self.NEW,
            transitions=self.machine_transitions(),
            auto_transitions=False,  # no to_<state>() back doors
            send_event=False,
            ignore_invalid_triggers=False,
        )

    def _check(self):
        triggers_seen = set()
        for step in self.steps:
            for state in (*step.source, step.dest):
                if state not in (None, PREVIOUS, self.NEW) and state not in self.states:
                    raise ValueError(f"{self.name}.{step.trigger}: unknown state {state}")
            triggers_seen.add(step.trigger)
        if self.initial_trigger not in triggers_seen:
            raise ValueError(f"{self.name}: no step for the initial trigger")

    def machine_transitions(self) -> list[dict]:
        """The steps as `transitions` definitions; PREVIOUS expands to one edge per origin."""
        out = []
        for step in self.steps:
            if step.dest == PREVIOUS:
                for origin in self.closure_origins():
                    out.append(
                        {
                            "trigger": step.trigger,
                            "source": list(step.source),
                            "dest": origin,
                            "conditions": [_came_from(origin)],
                        }
                    )
            else:
                out.append(
                    {"trigger": step.trigger, "source": list(step.source), "dest": step.dest}
                )
        return out

    def closure_origins(self) -> list[str]:
        return [s for step in self.steps if step.trigger == "request_closure" for s in step.source]

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(step.trigger for step in self.steps))

    @property
    def open_states(self) -> list[str]:
        return [s for s in self.states if s not in self.final_states]

    def step(self, trigger: str) -> Step:
        for step in self.steps:
            if step.trigger == trigger:
                return step
        raise UnknownTrigger(trigger)

    def steps_from(self, state: str) -> list[Step]:
        return [step for step in self.steps if state in step.source]

    def apply(self, state: str, trigger: str, previous: str | None = None) -> str:
        """Run the trigger on the shared machine and return the new state.

        One machine per case type, shared by all requests: the case is attached with its
        stored state as `initial` (so a loaded case is never reset) and detached again.
        """
        self.step(trigger)  # raises UnknownTrigger
        model = _Token()
        self._machine.add_model(model, initial=state)
        try:
            if not model.trigger(trigger, previous=previous):
                raise InvalidTransition(trigger, state)
            return model.state
        except MachineError as exc:
            raise InvalidTransition(trigger, state) from exc
        finally:
            self._machine.remove_model(model)


class _Token:
    """The stand-in model the shared machine moves; the real case is updated by the service."""


def _came_from(origin: str):
    def condition(previous=None, **_):
        return previous == origin

    condition.__name__ = f"came_from_{origin}"
    return condition


# Guards shared by case types. Each answers None (allowed) or the reason it is refused.


def in_owner_org(case, actor) -> str | None:
    if case.owner_org_id is not None and actor.organisation_id == case.owner_org_id:
        return None
    return "not_owner"


def in_owner_org_or_role(*roles: str) -> Guard:
    def guard(case, actor):
        return None if actor.role in roles else in_owner_org(case, actor)

    guard.__name__ = "in_owner_org_or_" + "_".join(roles)
    return guard


def not_closure_requester(case, actor) -> str | None:
    request = case.last_event("request_closure")
    if request is not None and request.actor_id == actor.id:
        return "self_approval"
    return None


def closure_steps(
    sources: tuple[str, ...],
    owners: frozenset[str],
    reopen_opens: tuple[str, ...],
    reopen_to: str | None = "following_up",
) -> list[Step]:
    """The closure spine every case type shares (workflows.md §1): the handling unit asks,
    a supervisor who did not ask approves or sends it back where it was, and may reopen
    (unless `reopen_to` is None: a closed case of that type is never reopened)."""
    supervisor = frozenset({"supervisor"})
    steps = [
        Step(
            "request_closure",
            sources,
            "closure_requested",
            owners,
            _l("Request closure"),
            guards=(in_owner_org,),
        ),
        Step(
            "approve_closure",
            ("closure_requested",),
            "closed",
            supervisor,
            _l("Approve closure"),
            guards=(not_closure_requester,),
        ),
        Step(
            "reject_closure",
            ("closure_requested",),
            PREVIOUS,
            supervisor,
            _l("Reject closure"),
            style="danger",
        ),
    ]
    if reopen_to is not None:
        steps.append(
            Step(
                "reopen",
                ("closed",),
                reopen_to,
                supervisor,
                _l("Reopen"),
                opens=reopen_opens,
                style="secondary",
            )
        )
    return steps
