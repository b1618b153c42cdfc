"""The registry of case types. Add a module per type and list its WORKFLOW here."""

from .base import PREVIOUS, InvalidTransition, Step, UnknownTrigger, Workflow
from .dv_warning import WORKFLOW as DV_WARNING
from .legal_aid import WORKFLOW as LEGAL_AID
from .mandatory_report import WORKFLOW as MANDATORY_REPORT
from .protection_order import WORKFLOW as PROTECTION_ORDER

WORKFLOWS: dict[str, Workflow] = {
    wf.name: wf for wf in (MANDATORY_REPORT, DV_WARNING, PROTECTION_ORDER, LEGAL_AID)
}

# Every state of every type, for the database CHECK constraint.
ALL_STATES: tuple[str, ...] = tuple(
    dict.fromkeys(s for wf in WORKFLOWS.values() for s in wf.states)
)

__all__ = [
    "ALL_STATES",
    "PREVIOUS",
    "WORKFLOWS",
    "InvalidTransition",
    "Step",
    "UnknownTrigger",
    "Workflow",
]
