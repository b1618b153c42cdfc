"""The workflow diagram (Mermaid state diagram) generated from a workflow's steps, so the
picture can never drift from the rules. Steps that keep the state and apply in many
states (like send_feedback) are listed beside the diagram instead of drawn as loops."""

from .base import PREVIOUS, Workflow


def _text(value) -> str:
    return str(value).replace('"', "'").replace(":", " ").replace(";", " ")


def side_steps(workflow: Workflow):
    return [s for s in workflow.steps if s.dest is None and len(s.source) > 2]


def mermaid_source(workflow: Workflow, current: str | None = None) -> str:
    lines = ["stateDiagram-v2"]
    for state, label in workflow.states.items():
        lines.append(f'    state "{_text(label)}" as {state}')
    side = side_steps(workflow)
    for step in workflow.steps:
        if step in side:
            continue
        label = _text(step.label)
        targets = workflow.closure_origins() if step.dest == PREVIOUS else [step.dest]
        for source in step.source:
            start = "[*]" if source == workflow.NEW else source
            for dest in targets:
                lines.append(f"    {start} --> {dest or source}: {label}")
    for state in workflow.final_states:
        lines.append(f"    {state} --> [*]")
    if current in workflow.states:
        lines.append("    classDef current fill:#ffe08a,stroke:#b45309,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines)
