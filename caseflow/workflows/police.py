"""Police steps with statutory periods, shared by the case types that reach them
(shared/domain/law.md D7 and D9):

- D7, 公安机关办理刑事案件程序规定 Arts. 178–179: a decision not to open a case is served on
  the complainant within 3 days; the complainant may apply for reconsideration within 7
  days of receiving it; the police decide within 30 days (+30 with the higher organ's
  approval). The further 复核 by the higher organ is outside caseflow (not recorded here).
- D9, 公安机关办理行政案件程序规定 Art. 165: a public-order (治安) case is decided within 30
  days of acceptance, +30 with the higher organ's approval.

Guards read the case's deadlines and events only (no database here).
"""

from flask_babel import lazy_gettext as _l

from .base import Step, in_owner_org


def _open(case, kind: str):
    return next((d for d in case.deadlines if d.kind == kind and d.status == "open"), None)


def _ever(case, kind: str) -> bool:
    return any(d.kind == kind for d in case.deadlines)


def _extended(case, trigger: str) -> bool:
    return case.last_event(trigger) is not None


# --- D9 -------------------------------------------------------------------------------------


def penalty_pending(case, actor) -> str | None:
    return None if _open(case, "penalty_decision_due") else "no_penalty_case"


def penalty_not_extended(case, actor) -> str | None:
    return "already_extended" if _extended(case, "extend_penalty_decision") else None


def penalty_steps(sources: tuple[str, ...], police: frozenset[str]) -> list[Step]:
    return [
        Step(
            "decide_penalty",
            sources,
            None,
            police,
            _l("Record the decision on the public-order case"),
            guards=(in_owner_org, penalty_pending),
            meets=("penalty_decision_due",),
        ),
        Step(
            "extend_penalty_decision",
            sources,
            None,
            police,
            _l("Extend the public-order case by 30 days (approved)"),
            guards=(in_owner_org, penalty_pending, penalty_not_extended),
            style="secondary",
        ),
    ]


# --- D7 -------------------------------------------------------------------------------------


def notice_due(case, actor) -> str | None:
    return None if _open(case, "no_case_notice_due") else "no_notice_due"


def notice_served(case, actor) -> str | None:
    """The complainant may apply once the notice was served, once (Art. 179)."""
    if case.last_event("serve_no_case_notice") is None:
        return "notice_not_served"
    if _ever(case, "police_review_decision_due"):
        return "police_review_once"
    return None


def review_pending(case, actor) -> str | None:
    return None if _open(case, "police_review_decision_due") else "no_review_pending"


def review_not_extended(case, actor) -> str | None:
    return "already_extended" if _extended(case, "extend_police_review") else None


def in_owner_org_or_reporter(case, actor) -> str | None:
    """The application is recorded by the police who receive it, or by the reporter."""
    if actor is not None and actor.id == case.created_by_id:
        return None
    return in_owner_org(case, actor)


def no_case_steps(
    source: str, police: frozenset[str], complainants: frozenset[str], reopened_to: str
) -> list[Step]:
    """The steps after the police decided not to open a case (`source`); an overturned
    decision takes the case to `reopened_to`."""
    return [
        Step(
            "serve_no_case_notice",
            (source,),
            None,
            police,
            _l("Record service of the notice of not opening a case"),
            guards=(in_owner_org, notice_due),
            meets=("no_case_notice_due",),
            opens=("police_review_window",),
        ),
        Step(
            "request_police_review",
            (source,),
            None,
            police | complainants,
            _l("Record the application for reconsideration (复议)"),
            guards=(in_owner_org_or_reporter, notice_served),
            meets=("police_review_window",),
            opens=("police_review_decision_due",),
            style="secondary",
        ),
        Step(
            "extend_police_review",
            (source,),
            None,
            police,
            _l("Extend the reconsideration by 30 days (approved)"),
            guards=(in_owner_org, review_pending, review_not_extended),
            style="secondary",
        ),
        Step(
            "uphold_no_case",
            (source,),
            None,
            police,
            _l("Reconsideration: uphold not opening a case"),
            guards=(in_owner_org, review_pending),
            meets=("police_review_decision_due",),
            style="danger",
        ),
        Step(
            "overturn_no_case",
            (source,),
            reopened_to,
            police,
            _l("Reconsideration: open the case after all"),
            guards=(in_owner_org, review_pending),
            meets=("police_review_decision_due",),
        ),
    ]
